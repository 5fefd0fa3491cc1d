"""Two-factor sign-in: required for the secretariat and administrators, optional for others."""

from __future__ import annotations

import json
import re
from base64 import b32decode
from typing import Any

import pytest
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from lianmeng.accounts import two_factor
from lianmeng.accounts.models import ApiToken, Role
from tests.conftest import authenticator_for, totp_code

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


def password_login(username: str) -> Client:
    client = Client()
    response = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def code_from_page(html: str) -> str:
    """What the phone shows after scanning: the TOTP of the secret printed under the QR code."""
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', html).group(1).replace(" ", "")
    return f"{TOTP(b32decode(secret + '=' * (-len(secret) % 8))).token():06d}"


def test_secretariat_without_a_device_must_set_one_up_before_any_page(secretariat: Any) -> None:
    client = password_login("secretary")
    for path in ("/desk/", "/accounts/profile/", "/membership/", "/admin/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/accounts/two-factor/setup/?next="), path
    # The API does not take the half-signed-in session either.
    api = client.get("/api/v1/auth/me")
    assert api.status_code == 401 and api["Content-Type"].startswith("application/problem+json")

    page = client.get("/accounts/two-factor/setup/?next=/desk/").content.decode()
    assert "<svg" in page and "必须使用两步验证" in page
    wrong = client.post("/accounts/two-factor/setup/", {"otp": "000000", "next": "/desk/"}).content.decode()
    assert 'data-field-error="otp"' in wrong and "验证码不正确" in wrong
    assert not two_factor.is_enabled(secretariat)

    TOTPDevice.objects.filter(user=secretariat).update(throttling_failure_count=0)
    response = client.post("/accounts/two-factor/setup/", {"otp": code_from_page(page), "next": "/desk/"})
    assert response.status_code == 302 and response["Location"] == "/accounts/two-factor/recovery-codes/"
    codes_page = client.get("/accounts/two-factor/recovery-codes/").content.decode()
    codes = re.findall(r"data-recovery-code>([a-z2-7]{4}-[a-z2-7]{4})<", codes_page)
    assert len(codes) == 10
    # Shown once only.
    assert client.get("/accounts/two-factor/recovery-codes/").status_code == 302
    assert client.get("/desk/").status_code == 200
    assert client.get("/api/v1/auth/me").status_code == 200


def test_enabled_user_signs_in_with_a_code_then_with_a_recovery_code_once(secretariat: Any) -> None:
    device = authenticator_for(secretariat)
    codes = two_factor.recovery_codes_regenerate(user=secretariat, actor=secretariat)

    client = password_login("secretary")
    response = client.get("/governance/")
    assert response["Location"].startswith("/accounts/two-factor/?next=")
    # A password alone cannot put a new device in place of the existing one.
    assert client.get("/accounts/two-factor/setup/")["Location"].startswith("/accounts/two-factor/?next=")
    bad = client.post("/accounts/two-factor/", {"otp": "123456", "next": "/desk/"})
    assert bad.status_code == 200 and 'data-field-error="otp"' in bad.content.decode()
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)
    ok = client.post("/accounts/two-factor/", {"otp": totp_code(device), "next": "/desk/"})
    assert ok.status_code == 302 and ok["Location"] == "/desk/"
    assert client.get("/desk/").status_code == 200

    client = password_login("secretary")
    formatted = two_factor.format_code(codes[0]).upper()  # as typed from the printed sheet
    response = client.post("/accounts/two-factor/", {"otp": formatted, "next": "/desk/"}, follow=True)
    assert response.redirect_chain[-1][0] == "/desk/"
    assert "还剩 9 个" in response.content.decode()
    # The used recovery code is gone.
    client = password_login("secretary")
    again = client.post("/accounts/two-factor/", {"otp": codes[0], "next": "/desk/"})
    assert again.status_code == 200 and "验证码不正确" in again.content.decode()


def test_repeated_wrong_codes_make_the_user_wait(secretariat: Any) -> None:
    device = authenticator_for(secretariat)
    client = password_login("secretary")
    client.post("/accounts/two-factor/", {"otp": "111111"})
    # Right after a failure even the right code is held back (django-otp's exponential back-off).
    page = client.post("/accounts/two-factor/", {"otp": totp_code(device)}).content.decode()
    assert "错误次数过多" in page
    assert client.get("/desk/").status_code == 302


def test_the_code_page_does_not_accept_an_open_redirect(secretariat: Any) -> None:
    device = authenticator_for(secretariat)
    client = password_login("secretary")
    response = client.post(
        "/accounts/two-factor/", {"otp": totp_code(device), "next": "https://evil.example.com/"}
    )
    assert response["Location"] == "/desk/"


def test_django_admin_needs_the_second_factor_too(make_user: Any) -> None:
    admin = make_user(Role.ADMINISTRATOR, username="root", is_staff=True, is_superuser=True)
    device = authenticator_for(admin)
    client = Client()
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "root", "password": PASSWORD, "next": "/admin/"}
    )
    assert response.status_code == 302
    assert client.get("/admin/")["Location"].startswith("/accounts/two-factor/?next=%2Fadmin%2F")
    client.post("/accounts/two-factor/", {"otp": totp_code(device), "next": "/admin/"})
    assert client.get("/admin/").status_code == 200


def test_other_users_may_enable_and_disable_it_from_the_account_page(make_user: Any) -> None:
    user = make_user(Role.MEMBER_CONTACT, username="park")
    client = password_login("park")
    profile = client.get("/accounts/profile/").content.decode()
    assert "未启用" in profile and "启用两步验证" in profile
    page = client.get("/accounts/two-factor/setup/").content.decode()
    response = client.post("/accounts/two-factor/setup/", {"otp": code_from_page(page)})
    assert response.status_code == 302
    client.get("/accounts/two-factor/recovery-codes/")
    profile = client.get("/accounts/profile/").content.decode()
    assert "已启用" in profile and "剩余 10 个恢复码" in profile

    # From now on their password alone is not enough.
    fresh = password_login("park")
    assert fresh.get("/desk/")["Location"].startswith("/accounts/two-factor/")

    device = two_factor.totp_device(user)
    refused = client.post("/accounts/two-factor/disable/", {"otp": "000000"})
    assert 'data-field-error="otp"' in refused.content.decode() and two_factor.is_enabled(user)
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)
    client.post("/accounts/two-factor/disable/", {"otp": totp_code(device)})
    assert not two_factor.is_enabled(user)
    assert not StaticToken.objects.filter(device__user=user).exists()
    assert password_login("park").get("/desk/").status_code == 200


def test_secretariat_cannot_disable_it(secretariat: Any) -> None:
    device = authenticator_for(secretariat)
    client = Client()
    client.force_login(secretariat)
    assert "关闭两步验证" not in client.get("/accounts/profile/").content.decode()
    client.post("/accounts/two-factor/disable/", {"otp": totp_code(device)})
    assert two_factor.is_enabled(secretariat)


def test_regenerating_recovery_codes_replaces_the_old_ones(secretariat: Any) -> None:
    authenticator_for(secretariat)
    old = two_factor.recovery_codes_regenerate(user=secretariat, actor=secretariat)
    client = Client()
    client.force_login(secretariat)
    response = client.post("/accounts/two-factor/recovery-codes/new/", follow=True)
    new = re.findall(r"data-recovery-code>([a-z2-7]{4}-[a-z2-7]{4})<", response.content.decode())
    assert len(new) == 10
    stored = set(StaticToken.objects.filter(device__user=secretariat).values_list("token", flat=True))
    assert stored == {c.replace("-", "") for c in new}
    assert not stored & set(old)


def token_request(username: str, **extra: Any) -> Any:
    return Client().post(
        "/api/v1/auth/token",
        data=json.dumps({"username": username, "password": PASSWORD, **extra}),
        content_type="application/json",
    )


def test_token_endpoint_asks_for_the_code_of_a_two_factor_account(secretariat: Any) -> None:
    # Required but not set up yet: no token for a password alone.
    response = token_request("secretary")
    assert response.status_code == 422 and "otp" in response.json()["errors"]
    assert "设置" in response.json()["errors"]["otp"][0]

    device = authenticator_for(secretariat)
    missing = token_request("secretary")
    assert missing.status_code == 422
    assert missing["Content-Type"].startswith("application/problem+json")
    assert "otp" in missing.json()["errors"]
    wrong = token_request("secretary", otp="000000")
    assert wrong.status_code == 422 and "otp" in wrong.json()["errors"]
    assert not ApiToken.objects.exists()
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)
    ok = token_request("secretary", otp=totp_code(device))
    assert ok.status_code == 201
    assert Client(HTTP_AUTHORIZATION=f"Bearer {ok.json()['token']}").get("/api/v1/auth/me").status_code == 200


def test_token_endpoint_does_not_ask_others_for_a_code(make_user: Any) -> None:
    make_user(Role.EXPERT, username="liu")
    assert token_request("liu").status_code == 201


def test_demo_secretariat_gets_in_with_the_documented_recovery_code_or_secret(settings: Any) -> None:
    """What README tells a newcomer after `make run`."""
    import io

    from django.core.management import call_command

    settings.DEBUG = True
    call_command("demo", skip_migrate=True, stdout=io.StringIO())
    for username in ("demo-secretariat", "demo-admin"):
        client = Client()
        client.post("/accounts/login/", {"username": username, "password": "lianmeng-demo"})
        response = client.post("/accounts/two-factor/", {"otp": "demo2fa1", "next": "/desk/"})
        assert response.status_code == 302 and response["Location"] == "/desk/", username
    readme_secret = "NRUW C3TN MVXG OLLE MVWW 6LLU N52H ALJS".replace(" ", "")
    client = Client()
    client.post("/accounts/login/", {"username": "demo-secretariat", "password": "lianmeng-demo"})
    code = f"{TOTP(b32decode(readme_secret)).token():06d}"
    assert client.post("/accounts/two-factor/", {"otp": code})["Location"] == "/desk/"
    # Every run restores the used recovery codes.
    call_command("demo", skip_migrate=True, stdout=io.StringIO())
    assert two_factor.recovery_codes_left(two_factor.User.objects.get(username="demo-admin")) == 5
    # The member demo accounts need only their password.
    client = Client()
    client.post("/accounts/login/", {"username": "demo-member", "password": "lianmeng-demo"})
    assert client.get("/desk/").status_code == 200

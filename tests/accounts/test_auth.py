"""Login, lock-out, password reset and API tokens."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.contrib.auth.hashers import identify_hasher
from django.core import mail
from django.test import Client

from lianmeng.accounts.models import ApiToken, Role, User
from tests.conftest import authenticator_for, totp_code

pytestmark = pytest.mark.django_db


def obtain(client: Client, username: str, password: str, ip: str = "10.0.0.1") -> Any:
    return client.post(
        "/api/v1/auth/token",
        data=json.dumps({"username": username, "password": password}),
        content_type="application/json",
        REMOTE_ADDR=ip,
    )


def test_token_is_returned_once_and_stored_hashed(make_user: Any) -> None:
    user = make_user(Role.SECRETARIAT, username="wang")
    # The secretariat signs in with a second factor (tests/accounts/test_two_factor.py).
    response = Client().post(
        "/api/v1/auth/token",
        data=json.dumps(
            {
                "username": "wang",
                "password": "correct-horse-battery",
                "otp": totp_code(authenticator_for(user)),
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 201
    key = response.json()["token"]
    token = ApiToken.objects.get(user=user)
    assert key not in (token.key_hash, token.key_prefix) and token.key_hash == ApiToken.hash_key(key)
    me = Client(HTTP_AUTHORIZATION=f"Bearer {key}").get("/api/v1/auth/me").json()
    assert me["username"] == "wang" and me["roles"][0]["role"] == "secretariat"


def test_revoked_token_no_longer_works(make_user: Any) -> None:
    make_user(username="li")
    key = obtain(Client(), "li", "correct-horse-battery").json()["token"]
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    token_id = client.get("/api/v1/auth/tokens").json()[0]["id"]
    assert client.delete(f"/api/v1/auth/tokens/{token_id}").status_code == 204
    response = client.get("/api/v1/auth/me")
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/problem+json")


def test_wrong_password_is_a_problem_naming_the_field(make_user: Any) -> None:
    make_user(username="zhang")
    response = obtain(Client(), "zhang", "wrong")
    assert response.status_code == 422
    assert "password" in response.json()["errors"]


def test_login_logout_and_desk(make_user: Any) -> None:
    make_user(Role.EXPERT, username="wu")
    client = Client()
    response = client.post("/accounts/login/", {"username": "wu", "password": "correct-horse-battery"})
    assert response.status_code == 302 and response["Location"] == "/desk/"
    assert "专家" in client.get("/desk/").content.decode()
    client.post("/accounts/logout/")
    assert client.get("/desk/").status_code == 302


def test_password_reset_by_mail(make_user: Any) -> None:
    user = make_user(username="zhou")
    client = Client()
    client.post("/accounts/password/reset/", {"email": user.email})
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/password/reset/\S+/)", mail.outbox[0].body)
    assert link
    response = client.get(link.group(1), follow=True)
    form_url = response.redirect_chain[-1][0]
    response = client.post(
        form_url, {"new_password1": "blue-sea-talent-2026", "new_password2": "blue-sea-talent-2026"}
    )
    assert response.status_code == 302
    assert Client().login(username="zhou", password="blue-sea-talent-2026")


def test_password_change_and_argon2(make_user: Any, settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    user = make_user(username="feng")
    client = Client()
    client.force_login(user)
    response = client.post(
        "/accounts/password/change/",
        {
            "old_password": "correct-horse-battery",
            "new_password1": "yellow-river-2026!",
            "new_password2": "yellow-river-2026!",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert identify_hasher(user.password).algorithm == "argon2"


def test_profile_creates_and_revokes_tokens(make_user: Any) -> None:
    user = make_user(username="chen")
    client = Client()
    client.force_login(user)
    page = client.post("/accounts/profile/", {"name": "同步脚本"}).content.decode()
    key = re.search(r'id="new-token">(lm_[^<]+)<', page).group(1)
    assert Client(HTTP_AUTHORIZATION=f"Bearer {key}").get("/api/v1/auth/me").status_code == 200
    token = ApiToken.objects.get(user=user)
    client.post(f"/accounts/tokens/{token.pk}/revoke/")
    assert Client(HTTP_AUTHORIZATION=f"Bearer {key}").get("/api/v1/auth/me").status_code == 401


def test_demo_accounts_refused_without_debug(settings: Any) -> None:
    from django.core.management import CommandError, call_command

    settings.DEBUG = False
    with pytest.raises(CommandError, match="allow-demo-accounts"):
        call_command("demo", skip_migrate=True)
    call_command("demo", skip_migrate=True, allow_demo_accounts=True)
    for username in (
        "demo-admin",
        "demo-secretariat",
        "demo-council",
        "demo-coordinator",
        "demo-expert",
        "demo-member",
    ):
        assert User.objects.get(username=username).check_password("lianmeng-demo")
    users = User.objects.count()
    call_command("demo", skip_migrate=True, allow_demo_accounts=True)  # idempotent
    assert User.objects.count() == users

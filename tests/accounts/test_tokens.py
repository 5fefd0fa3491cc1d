"""API tokens: expiry, last use, and revocation on password change/reset and deactivation."""

from __future__ import annotations

import datetime
import json
import re
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from lianmeng.accounts import services
from lianmeng.accounts.models import ApiToken, Role, User
from lianmeng.core.models import AuditEntry

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


def obtain(username: str, **extra: Any) -> Any:
    return Client().post(
        "/api/v1/auth/token",
        data=json.dumps({"username": username, "password": PASSWORD, **extra}),
        content_type="application/json",
    )


def bearer(key: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def test_token_with_expiry_works_until_it_expires_then_answers_401_problem(make_user: Any) -> None:
    make_user(username="li")
    response = obtain("li", name="夜间同步", expires_in_days=30)
    assert response.status_code == 201
    key = response.json()["token"]
    client = bearer(key)
    listed = client.get("/api/v1/auth/tokens").json()[0]
    expires = datetime.datetime.fromisoformat(listed["expires_at"])
    assert abs((expires - timezone.now()) - datetime.timedelta(days=30)) < datetime.timedelta(minutes=1)
    assert listed["active"] is True and listed["name"] == "夜间同步"

    ApiToken.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    expired = client.get("/api/v1/auth/me")
    assert expired.status_code == 401
    assert expired["Content-Type"].startswith("application/problem+json")
    assert expired.json()["status"] == 401


def test_token_without_expiry_is_long_lived(make_user: Any) -> None:
    make_user(username="he")
    key = obtain("he").json()["token"]
    assert ApiToken.objects.get().expires_at is None
    assert bearer(key).get("/api/v1/auth/me").status_code == 200


@pytest.mark.parametrize("days", [0, -5, 3651])
def test_out_of_range_expiry_is_refused_naming_the_field(make_user: Any, days: int) -> None:
    make_user(username="ma")
    response = obtain("ma", expires_in_days=days)
    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/problem+json")
    assert "expires_in_days" in response.json()["errors"]
    assert not ApiToken.objects.exists()


def test_last_used_is_recorded_at_most_once_a_minute(make_user: Any) -> None:
    make_user(username="guo")
    key = obtain("guo").json()["token"]
    token = ApiToken.objects.get()
    assert token.last_used_at is None
    assert bearer(key).get("/api/v1/auth/me").status_code == 200
    first = ApiToken.objects.get().last_used_at
    assert first is not None
    # A second request within the minute does not write again.
    assert bearer(key).get("/api/v1/auth/me").status_code == 200
    assert ApiToken.objects.get().last_used_at == first
    # A minute later it does.
    ApiToken.objects.update(last_used_at=first - datetime.timedelta(seconds=61))
    bearer(key).get("/api/v1/auth/me")
    assert ApiToken.objects.get().last_used_at > first - datetime.timedelta(seconds=1)
    listed = bearer(key).get("/api/v1/auth/tokens").json()[0]
    assert listed["last_used_at"] is not None


def test_account_page_shows_expiry_and_last_use_and_creates_with_a_lifetime(make_user: Any) -> None:
    user = make_user(username="tang")
    client = Client()
    client.force_login(user)
    page = client.post("/accounts/profile/", {"name": "报表脚本", "expires_in_days": "30"}).content.decode()
    key = re.search(r'id="new-token">(lm_[^<]+)<', page).group(1)
    token = ApiToken.objects.get(user=user)
    assert token.expires_at is not None and token.name == "报表脚本"
    page = client.get("/accounts/profile/").content.decode()
    row = re.search(rf'<tr data-token="{token.key_prefix}">.*?</tr>', page, re.S).group(0)
    assert timezone.localtime(token.expires_at).strftime("%Y-%m-%d") in row
    assert "从未使用" in row
    bearer(key).get("/api/v1/auth/me")
    row = re.search(
        rf'<tr data-token="{token.key_prefix}">.*?</tr>',
        client.get("/accounts/profile/").content.decode(),
        re.S,
    ).group(0)
    assert "从未使用" not in row and timezone.localtime().strftime("%Y-%m-%d") in row


def test_account_page_refuses_a_lifetime_not_offered(make_user: Any) -> None:
    user = make_user(username="song")
    client = Client()
    client.force_login(user)
    page = client.post("/accounts/profile/", {"name": "x", "expires_in_days": "9999"}).content.decode()
    assert 'data-field-error="expires_in_days"' in page
    assert not ApiToken.objects.exists()


def test_password_change_on_the_web_revokes_every_token(make_user: Any) -> None:
    user = make_user(username="feng")
    keys = [obtain("feng", name=f"t{i}").json()["token"] for i in range(2)]
    client = Client()
    client.force_login(user)
    response = client.post(
        "/accounts/password/change/",
        {
            "old_password": PASSWORD,
            "new_password1": "yellow-river-2026!",
            "new_password2": "yellow-river-2026!",
        },
        follow=True,
    )
    assert "2 个 API 令牌已随之吊销" in response.content.decode()
    for key in keys:
        assert bearer(key).get("/api/v1/auth/me").status_code == 401
    assert ApiToken.objects.filter(revoked_at__isnull=True).count() == 0
    assert AuditEntry.objects.filter(action="token.revoke_all").exists()


def test_password_reset_revokes_every_token(make_user: Any) -> None:
    user = make_user(username="zhou")
    key = obtain("zhou").json()["token"]
    client = Client()
    client.post("/accounts/password/reset/", {"email": user.email})
    link = re.search(r"https?://[^/]+(/accounts/password/reset/\S+/)", mail.outbox[0].body).group(1)
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(form_url, {"new_password1": "blue-sea-talent-2026", "new_password2": "blue-sea-talent-2026"})
    assert bearer(key).get("/api/v1/auth/me").status_code == 401
    assert ApiToken.objects.get().revoked_at is not None


def test_password_set_any_other_way_also_stops_tokens(make_user: Any) -> None:
    """`lianmeng changepassword`, the admin's password form, the shell: the token was issued under the
    old password hash and no longer matches."""
    user = make_user(username="lu")
    key = obtain("lu").json()["token"]
    user.set_password("another-long-password-1")
    user.save()
    assert bearer(key).get("/api/v1/auth/me").status_code == 401
    assert ApiToken.objects.get().revoked_at is not None
    # Setting the old password back does not revive it.
    user.set_password(PASSWORD)
    user.save()
    assert bearer(key).get("/api/v1/auth/me").status_code == 401


def test_deactivation_by_a_service_revokes_tokens(make_user: Any) -> None:
    admin = make_user(Role.ADMINISTRATOR, username="root")
    user = make_user(username="qin")
    key = obtain("qin").json()["token"]
    services.user_deactivate(user=user, actor=admin)
    assert ApiToken.objects.get(user=user).revoked_at is not None
    User.objects.filter(pk=user.pk).update(is_active=True)
    assert bearer(key).get("/api/v1/auth/me").status_code == 401


def test_deactivation_in_the_django_admin_revokes_tokens(make_user: Any) -> None:
    admin = make_user(Role.ADMINISTRATOR, username="root", is_staff=True, is_superuser=True)
    user = make_user(username="xu")
    key = obtain("xu").json()["token"]
    client = Client()
    client.force_login(admin)
    page = client.get(f"/admin/accounts/user/{user.pk}/change/")
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list | tuple)}
    data.update(
        {
            "username": user.username,
            "email": user.email,
            "date_joined_0": timezone.localtime(user.date_joined).strftime("%Y-%m-%d"),
            "date_joined_1": timezone.localtime(user.date_joined).strftime("%H:%M:%S"),
            "roles-TOTAL_FORMS": "0",
            "roles-INITIAL_FORMS": "0",
            "roles-MIN_NUM_FORMS": "0",
            "roles-MAX_NUM_FORMS": "1000",
        }
    )
    data.pop("is_active", None)  # unticked
    data.pop("last_login", None)
    data.pop("password", None)
    response = client.post(f"/admin/accounts/user/{user.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    user.refresh_from_db()
    assert not user.is_active
    assert ApiToken.objects.get(user=user).revoked_at is not None
    User.objects.filter(pk=user.pk).update(is_active=True)
    assert bearer(key).get("/api/v1/auth/me").status_code == 401


def test_changepassword_command_stops_tokens(make_user: Any, monkeypatch: Any) -> None:
    make_user(username="kong")
    key = obtain("kong").json()["token"]
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "new-long-password-2026")
    call_command("changepassword", "kong", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert bearer(key).get("/api/v1/auth/me").status_code == 401

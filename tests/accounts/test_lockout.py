"""Sign-in lock-out: per account with exponential back-off, a wider per-address limit, trusted proxies.

The clock of the shared counters (lianmeng.core.counters._now) is moved instead of sleeping.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client, RequestFactory, override_settings

from lianmeng.accounts import throttle
from lianmeng.core import counters

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


class Clock:
    def __init__(self) -> None:
        self.now = 1_900_000_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(counters, "_now", fake)
    return fake


def obtain(username: str, password: str, ip: str = "10.0.0.1", **headers: str) -> Any:
    return Client().post(
        "/api/v1/auth/token",
        data=json.dumps({"username": username, "password": password}),
        content_type="application/json",
        REMOTE_ADDR=ip,
        **headers,
    )


def web_login(client: Client, username: str, password: str, ip: str = "10.0.0.1", **headers: str) -> str:
    response = client.post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip, **headers
    )
    return response.content.decode() if response.status_code == 200 else f"redirect {response['Location']}"


def assert_locked(response: Any, *, seconds: int) -> None:
    assert response.status_code == 429
    assert response["Content-Type"].startswith("application/problem+json")
    assert response["Retry-After"] == str(seconds)
    body = response.json()
    assert body["retry_after"] == seconds
    assert "已暂时锁定" in body["detail"]
    assert re.search(r"请在 \d\d:\d\d:\d\d 之后", body["detail"])


@override_settings(LOGIN_MAX_FAILURES=3, LOGIN_LOCK_BASE_SECONDS=60, LOGIN_LOCK_SECONDS=300)
def test_account_lock_doubles_after_each_failure_and_a_right_password_clears_it(
    make_user: Any, clock: Clock
) -> None:
    make_user(username="zhao")
    assert obtain("zhao", "wrong-1").status_code == 422
    assert obtain("zhao", "wrong-2").status_code == 422
    third = obtain("zhao", "wrong-3")
    assert (
        third.status_code == 422
    )  # the third wrong password is still checked, and says the account is now locked
    assert "已暂时锁定" in " ".join(third.json()["errors"]["password"])

    # Locked for 60 s: even the right password is refused, from any address, with when to retry.
    assert_locked(obtain("zhao", PASSWORD, ip="10.9.9.9"), seconds=60)
    clock.advance(59)
    assert_locked(obtain("zhao", PASSWORD), seconds=1)

    # After the lock, one more try; failing it locks for twice as long, then four times, up to the cap.
    previous = 60
    for lock in (120, 240, 300, 300):
        clock.advance(previous + 1)
        assert obtain("zhao", "still-wrong").status_code == 422
        assert_locked(obtain("zhao", PASSWORD), seconds=lock)
        previous = lock

    clock.advance(301)
    assert obtain("zhao", PASSWORD).status_code == 201
    # The right password cleared the count: the next mistake is an ordinary one.
    assert obtain("zhao", "wrong-again").status_code == 422
    assert obtain("zhao", PASSWORD).status_code == 201


@override_settings(LOGIN_MAX_FAILURES=3)
def test_a_locked_account_does_not_lock_its_colleagues_behind_the_same_address(make_user: Any) -> None:
    make_user(username="zhao")
    make_user(username="qian")
    for _ in range(3):
        assert obtain("zhao", "wrong", ip="10.0.0.2").status_code == 422
    assert obtain("zhao", PASSWORD, ip="10.0.0.2").status_code == 429
    assert obtain("qian", PASSWORD, ip="10.0.0.2").status_code == 201
    client = Client()
    assert web_login(client, "qian", PASSWORD, ip="10.0.0.2") == "redirect /desk/"


@override_settings(LOGIN_MAX_FAILURES=3, LOGIN_MAX_FAILURES_PER_ADDRESS=4, LOGIN_ADDRESS_WINDOW_SECONDS=900)
def test_the_wider_per_address_limit_counts_failures_of_any_account(make_user: Any, clock: Clock) -> None:
    make_user(username="zhou")
    # Successful sign-ins from a busy office do not use up its address's allowance.
    for _ in range(6):
        assert obtain("zhou", PASSWORD, ip="10.0.0.3").status_code == 201
    # Four failures, each on a different (even unknown) account, none of them locked per account.
    for name in ("a1", "a2", "a3", "a4"):
        assert obtain(name, "guess", ip="10.0.0.3").status_code == 422
    refused = obtain("zhou", PASSWORD, ip="10.0.0.3")
    assert refused.status_code == 429
    assert "网络地址" in refused.json()["detail"] and int(refused["Retry-After"]) == 900
    # Another address is not affected, and the address recovers when its window ends.
    assert obtain("zhou", PASSWORD, ip="10.0.0.4").status_code == 201
    clock.advance(901)
    assert obtain("zhou", PASSWORD, ip="10.0.0.3").status_code == 201


@override_settings(LOGIN_MAX_FAILURES=2, LOGIN_LOCK_BASE_SECONDS=60)
def test_login_page_says_when_to_try_again_and_refuses_the_right_password(make_user: Any) -> None:
    make_user(username="sun")
    client = Client()
    first = web_login(client, "sun", "nope")
    assert "用户名或密码不正确" in first and "已暂时锁定" not in first
    second = web_login(client, "sun", "nope")
    assert "已暂时锁定" in second  # this failure locked the account, and the page says so at once
    page = web_login(client, "sun", PASSWORD)
    assert "已暂时锁定" in page
    assert re.search(r"请在 \d\d:\d\d:\d\d 之后（约 1 分钟后）再试", page)
    assert "_auth_user_id" not in client.session


@override_settings(LOGIN_MAX_FAILURES=2)
def test_the_lock_message_is_translated(make_user: Any) -> None:
    make_user(username="he")
    for _ in range(2):
        obtain("he", "nope")
    response = obtain("he", PASSWORD, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 429
    assert "temporarily locked" in response.json()["detail"]


@override_settings(LOGIN_MAX_FAILURES=2)
def test_the_admin_login_is_locked_too(make_user: Any) -> None:
    from lianmeng.accounts.models import Role

    make_user(Role.ADMINISTRATOR, username="admin1")
    for _ in range(2):
        obtain("admin1", "nope")
    client = Client()
    client.post("/admin/login/", {"username": "admin1", "password": PASSWORD}, REMOTE_ADDR="10.0.0.1")
    assert "_auth_user_id" not in client.session


def _request(remote: str, forwarded: str | None = None) -> Any:
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **headers)


def test_client_ip_ignores_x_forwarded_for_from_an_untrusted_peer(settings: Any) -> None:
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert throttle.client_ip(_request("198.51.100.7", "203.0.113.9")) == "198.51.100.7"
    settings.TRUSTED_PROXIES = []
    assert throttle.client_ip(_request("10.0.0.5", "203.0.113.9")) == "10.0.0.5"


def test_client_ip_takes_the_right_most_untrusted_address_behind_a_trusted_proxy(settings: Any) -> None:
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "192.0.2.1"]
    # The client made up "1.1.1.1"; the outer proxy (192.0.2.1) saw 203.0.113.9 and the inner one (10.0.0.5) it.
    assert throttle.client_ip(_request("10.0.0.5", "1.1.1.1, 203.0.113.9, 192.0.2.1")) == "203.0.113.9"
    assert throttle.client_ip(_request("10.0.0.5", "203.0.113.9:50123")) == "203.0.113.9"
    assert throttle.client_ip(_request("10.0.0.5", "[2001:db8::7]:443")) == "2001:db8::7"
    # Nothing but proxies, or garbage: the left-most trustworthy hop.
    assert throttle.client_ip(_request("10.0.0.5", "10.1.1.1")) == "10.1.1.1"
    assert throttle.client_ip(_request("10.0.0.5", "not-an-ip, 10.1.1.1")) == "10.1.1.1"
    assert throttle.client_ip(_request("10.0.0.5")) == "10.0.0.5"
    assert throttle.client_ip(_request("")) is None


@override_settings(LOGIN_MAX_FAILURES=50, LOGIN_MAX_FAILURES_PER_ADDRESS=3)
def test_spoofed_forwarded_for_does_not_escape_the_address_limit(make_user: Any, settings: Any) -> None:
    make_user(username="wu")
    for n in range(3):
        assert (
            obtain(f"x{n}", "guess", ip="198.51.100.7", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code
            == 422
        )
    assert obtain("wu", PASSWORD, ip="198.51.100.7", HTTP_X_FORWARDED_FOR="203.0.113.99").status_code == 429


@override_settings(LOGIN_MAX_FAILURES=50, LOGIN_MAX_FAILURES_PER_ADDRESS=3, TRUSTED_PROXIES=["10.0.0.0/8"])
def test_behind_a_trusted_proxy_each_client_address_counts_separately(make_user: Any) -> None:
    make_user(username="wu")
    proxy = "10.0.0.5"
    for n in range(3):
        assert obtain(f"x{n}", "guess", ip=proxy, HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 422
    assert obtain("wu", PASSWORD, ip=proxy, HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 429
    # Another office behind the same proxy still signs in, on the page and by the API.
    assert obtain("wu", PASSWORD, ip=proxy, HTTP_X_FORWARDED_FOR="203.0.113.10").status_code == 201
    client = Client()
    assert (
        web_login(client, "wu", PASSWORD, ip=proxy, HTTP_X_FORWARDED_FOR="203.0.113.10") == "redirect /desk/"
    )
    refused = web_login(Client(), "wu", PASSWORD, ip=proxy, HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert "网络地址" in refused


@override_settings(LOGIN_MAX_FAILURES=50, LOGIN_MAX_FAILURES_PER_ADDRESS=2)
def test_an_ipv6_client_counts_as_its_64_network(make_user: Any) -> None:
    make_user(username="wu")
    obtain("x1", "guess", ip="2001:db8:1:2::1")
    obtain("x2", "guess", ip="2001:db8:1:2::abcd")
    assert obtain("wu", PASSWORD, ip="2001:db8:1:2::ffff").status_code == 429
    assert obtain("wu", PASSWORD, ip="2001:db8:1:3::1").status_code == 201


def test_trusted_proxies_setting_rejects_a_typo() -> None:
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "DEBUG": "true",
        "TRUSTED_PROXIES": "10.0.0.0/8,10.0.0.300",
        "DJANGO_SETTINGS_MODULE": "lianmeng.settings",
    }
    run = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"], env=env, capture_output=True, text=True
    )
    assert run.returncode != 0 and "TRUSTED_PROXIES: '10.0.0.300'" in run.stderr


@override_settings(LOGIN_MAX_FAILURES=2)
def test_a_password_reset_by_mail_lifts_the_lock(make_user: Any) -> None:
    from lianmeng.accounts.mail import password_set_link

    user = make_user(username="feng")
    for _ in range(2):
        obtain("feng", "nope")
    assert obtain("feng", PASSWORD).status_code == 429
    client = Client()
    path = "/" + password_set_link(user).split("://", 1)[1].split("/", 1)[1]
    response = client.get(path, follow=True)
    form_url = response.redirect_chain[-1][0]
    new = "blue-sea-talent-2026"
    assert client.post(form_url, {"new_password1": new, "new_password2": new}).status_code == 302
    assert obtain("feng", new).status_code == 201

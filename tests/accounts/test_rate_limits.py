"""API rate limits per token (or signed-in session) and per client address: 429 with Retry-After."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client, override_settings

from lianmeng.core import counters

pytestmark = pytest.mark.django_db


class Clock:
    def __init__(self) -> None:
        self.now = 1_900_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(counters, "_now", fake)
    return fake


def assert_too_many(response: Any, *, seconds: int) -> dict[str, Any]:
    assert response.status_code == 429
    assert response["Content-Type"].startswith("application/problem+json")
    assert response["Retry-After"] == str(seconds)
    body: dict[str, Any] = response.json()
    assert body["status"] == 429 and body["retry_after"] == seconds
    return body


@override_settings(API_RATE_PER_ADDRESS_PER_MINUTE=5, API_RATE_PER_MINUTE=100)
def test_anonymous_requests_are_limited_per_address(clock: Clock) -> None:
    client = Client()
    for _ in range(5):
        assert client.get("/api/v1/events", REMOTE_ADDR="198.51.100.7").status_code == 200
    clock.now += 20
    body = assert_too_many(client.get("/api/v1/events", REMOTE_ADDR="198.51.100.7"), seconds=40)
    assert "请在 40 秒后再试" in body["detail"]
    # Another address has its own allowance; the first one gets a fresh minute when its window ends.
    assert client.get("/api/v1/events", REMOTE_ADDR="198.51.100.8").status_code == 200
    clock.now += 40
    assert client.get("/api/v1/events", REMOTE_ADDR="198.51.100.7").status_code == 200


@override_settings(API_RATE_PER_ADDRESS_PER_MINUTE=1000, API_RATE_PER_MINUTE=3)
def test_each_token_has_its_own_allowance(make_user: Any, api: Any, clock: Clock) -> None:
    first = api(make_user(username="li"))
    second = api(make_user(username="wang"))
    for _ in range(3):
        assert first.get("/api/v1/auth/me").status_code == 200
    assert_too_many(first.get("/api/v1/auth/me"), seconds=60)
    # Same address, another token: not affected.
    assert second.get("/api/v1/auth/me").status_code == 200
    # Moving to another address does not reset a token's allowance.
    assert first.get("/api/v1/auth/me", REMOTE_ADDR="203.0.113.5").status_code == 429


@override_settings(API_RATE_PER_ADDRESS_PER_MINUTE=1000, API_RATE_PER_MINUTE=2)
def test_a_browser_session_is_limited_per_user(make_user: Any, clock: Clock) -> None:
    user = make_user(username="zhao")
    page = Client()
    page.force_login(user)
    other_tab = Client()
    other_tab.force_login(user)
    assert page.get("/api/v1/auth/me").status_code == 200
    assert other_tab.get("/api/v1/auth/me").status_code == 200
    assert page.get("/api/v1/auth/me").status_code == 429


@override_settings(API_RATE_PER_ADDRESS_PER_MINUTE=2, API_RATE_PER_MINUTE=100)
def test_the_token_endpoint_is_rate_limited_too(make_user: Any) -> None:
    make_user(username="sun")
    client = Client()
    payload = json.dumps({"username": "sun", "password": "wrong"})
    codes = [
        client.post("/api/v1/auth/token", data=payload, content_type="application/json").status_code
        for _ in range(3)
    ]
    assert codes == [422, 422, 429]


@override_settings(API_RATE_PER_ADDRESS_PER_MINUTE=1, API_RATE_PER_MINUTE=100)
def test_the_429_answer_is_translated(clock: Clock) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.get("/api/v1/events")
    body = assert_too_many(client.get("/api/v1/events"), seconds=60)
    assert body["title"] == "Too many requests"
    assert "try again in 60 seconds" in body["detail"]


@override_settings(API_RATE_PER_ADDRESS_PER_MINUTE=0, API_RATE_PER_MINUTE=0)
def test_zero_turns_the_limits_off() -> None:
    client = Client()
    assert all(client.get("/api/v1/events").status_code == 200 for _ in range(30))

"""The matchmaking API: /api/v1/resources and /api/v1/match-requests."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.queries import counted

pytestmark = pytest.mark.django_db


def _post(client: Any, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, body, content_type="application/json")


def _resource(**extra: Any) -> dict[str, Any]:
    return {
        "direction": "demand",
        "category": "finance",
        "title": "园区企业股权融资需求",
        "description": "数字化招聘企业寻求天使轮股权投资。",
        "cities": ["370200"],
        "tags": ["投融资"],
        "valid_until": (timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
        "contact_name": "陈园区",
        "contact_phone": "13806420000",
        **extra,
    }


def test_full_round_trip(api: Callable[[Any], Any], park_contact: Any, fund_contact: Any) -> None:
    park, fund = api(park_contact), api(fund_contact)
    r = _post(park, "/api/v1/resources", _resource())
    assert r.status_code == 201, r.content
    demand = r.json()
    r = _post(
        fund,
        "/api/v1/resources",
        _resource(direction="supply", title="人力资源服务股权投资", description="提供天使轮股权投资"),
    )
    supply = r.json()
    matches = park.get(f"/api/v1/resources/{demand['id']}/matches").json()
    assert matches[0]["resource"]["id"] == supply["id"]
    assert sum(p["points"] for p in matches[0]["explanation"]) == matches[0]["score"]
    r = _post(
        park,
        "/api/v1/match-requests",
        {"resource": supply["id"], "message": "约谈", "from_resource": demand["id"]},
    )
    assert r.status_code == 201, r.content
    req = r.json()
    assert req["status"] == "pending"
    again = _post(park, "/api/v1/match-requests", {"resource": supply["id"], "message": "再次"})
    assert again.status_code == 422
    assert again["Content-Type"].startswith("application/problem+json")
    assert "resource" in again.json()["errors"]
    assert _post(park, f"/api/v1/match-requests/{req['id']}/accept", {}).status_code == 403
    assert (
        _post(fund, f"/api/v1/match-requests/{req['id']}/accept", {"message": "欢迎"}).json()["status"]
        == "accepted"
    )
    r = _post(
        fund,
        f"/api/v1/match-requests/{req['id']}/meetings",
        {"mode": "online", "held_at": "2026-11-20T10:00:00+08:00", "place": "腾讯会议"},
    )
    assert r.status_code == 201
    r = _post(park, f"/api/v1/match-requests/{req['id']}/outcome", {"outcome": "agreement", "amount": "500"})
    body = r.json()
    assert body["status"] == "concluded" and body["outcome"] == "agreement"
    assert len(body["meetings"]) == 1
    assert park.get(f"/api/v1/resources/{supply['id']}").json()["status"] == "matched"


def test_contact_only_for_members_and_matches_only_for_owner(
    api: Callable[[Any], Any], park_contact: Any, fund_contact: Any
) -> None:
    demand = _post(api(park_contact), "/api/v1/resources", _resource()).json()
    public = api(None).get(f"/api/v1/resources/{demand['id']}").json()
    assert public["contact"] is None
    member = api(fund_contact).get(f"/api/v1/resources/{demand['id']}").json()
    assert member["contact"]["phone"] == "13806420000"
    assert api(fund_contact).get(f"/api/v1/resources/{demand['id']}/matches").status_code == 404
    assert api(None).get(f"/api/v1/resources/{demand['id']}/matches").status_code == 401


def test_bad_input_is_a_problem_naming_the_field(api: Callable[[Any], Any], park_contact: Any) -> None:
    r = _post(api(park_contact), "/api/v1/resources", _resource(title="", cities=[]))
    assert r.status_code == 422
    assert set(r.json()["errors"]) == {"title", "cities"}
    r = _post(api(park_contact), "/api/v1/resources", _resource(category="money"))
    assert r.status_code == 422 and "category" in r.json()["errors"]


def test_patch_edits_and_closes(api: Callable[[Any], Any], park_contact: Any, fund_contact: Any) -> None:
    client = api(park_contact)
    demand = _post(client, "/api/v1/resources", _resource()).json()
    r = client.patch(
        f"/api/v1/resources/{demand['id']}",
        {"title": "新标题", "status": "closed"},
        content_type="application/json",
    )
    assert r.json()["title"] == "新标题" and r.json()["status"] == "closed"
    assert (
        api(fund_contact)
        .patch(f"/api/v1/resources/{demand['id']}", {"title": "x"}, content_type="application/json")
        .status_code
        == 404
    )
    listed = api(None).get("/api/v1/resources").json()
    assert listed["count"] == 0


def _count(client: Any, url: str) -> tuple[int, Any]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return counted(ctx.captured_queries), response.json()


def test_market_queries_do_not_grow_with_rows(
    api: Callable[[Any], Any], park_contact: Any, fund_contact: Any, make_post: Callable[..., Any]
) -> None:
    """The market answers with each post's organization, cities and (for members) contact in a fixed
    number of queries (2 and 12 posts)."""
    client = api(fund_contact)
    for i in range(2):
        make_post(park_contact, title=f"园区企业股权融资需求第{i}期")
    client.get("/api/v1/resources")  # the first request of a session does its own bookkeeping
    few, page = _count(client, "/api/v1/resources")
    item = page["items"][0]
    assert page["count"] == 2 and item["cities"] == ["370200"] and item["category_label"]
    assert item["organization_name"] and item["contact"]["phone"] == "13806420000"
    for i in range(2, 12):
        make_post(park_contact, title=f"园区企业股权融资需求第{i}期")
    many, page = _count(client, "/api/v1/resources")
    assert page["count"] == 12 and many == few

"""The articles API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

pytestmark = pytest.mark.django_db


def test_create_publish_unpublish(api: Callable[[Any], Any], secretariat: Any, member: Any) -> None:
    staff = api(secretariat)
    r = staff.post(
        "/api/v1/articles",
        {
            "kind": "notice",
            "title": "关于报送年度活动计划的通知",
            "body": "<p>请各市于月底前报送。</p><script>x()</script>",
        },
        content_type="application/json",
    )
    assert r.status_code == 201
    article = r.json()
    assert article["status"] == "draft" and "<script" not in article["body"]
    assert api(None).get(f"/api/v1/articles/{article['id']}").status_code == 404
    r = api(member).post(f"/api/v1/articles/{article['id']}/publish", {}, content_type="application/json")
    assert r.status_code == 403
    r = staff.post(f"/api/v1/articles/{article['id']}/publish", {}, content_type="application/json")
    assert r.json()["status"] == "published"
    assert api(None).get("/api/v1/articles").json()["count"] == 1
    r = staff.post(f"/api/v1/articles/{article['id']}/unpublish", {}, content_type="application/json")
    assert r.status_code == 422 and "reason" in r.json()["errors"]
    r = staff.post(
        f"/api/v1/articles/{article['id']}/unpublish", {"reason": "已过期"}, content_type="application/json"
    )
    assert r.json()["status"] == "unpublished"
    assert api(None).get("/api/v1/articles").json()["count"] == 0


def test_member_post_is_a_suggestion(api: Callable[[Any], Any], member: Any, park: Any) -> None:
    r = api(member).post(
        "/api/v1/articles", {"title": "园区新闻", "body": "内容"}, content_type="application/json"
    )
    assert r.json()["status"] == "review" and r.json()["suggested_by"] == park.pk
    mine = api(member).get("/api/v1/articles?mine=true").json()
    assert mine["count"] == 1

"""The articles API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.queries import counted

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


def _queries(client: Any, url: str) -> tuple[int, dict[str, Any]]:
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url)
    assert r.status_code == 200
    return counted(ctx.captured_queries), r.json()


def test_article_lists_queries_do_not_grow_with_rows(
    api: Callable[[Any], Any], secretariat: Any, park: Any, make_article: Callable[..., Any]
) -> None:
    """The portal list and the workflow list answer with each article's organizations and events in
    a fixed number of queries (2 and 12 articles of each)."""
    staff = api(secretariat)

    def add(n: int) -> None:
        for i in range(n):
            make_article(f"联盟动态第{i}期", organizations=[park.pk])
            make_article(f"园区来稿第{i}期", publish=False, organizations=[park.pk])

    add(2)
    staff.get("/api/v1/articles")  # the first request of a session does its own bookkeeping
    few, page = _queries(staff, "/api/v1/articles")
    few_drafts, drafts = _queries(staff, "/api/v1/articles?status=draft")
    assert page["count"] == 2 and drafts["count"] == 2
    item = page["items"][0]
    assert item["organizations"] == [park.pk] and item["kind_label"] == "新闻"
    assert item["url"] == f"/news/{item['id']}/" and item["suggested_by"] is None
    add(10)
    many, page = _queries(staff, "/api/v1/articles")
    many_drafts, drafts = _queries(staff, "/api/v1/articles?status=draft")
    assert page["count"] == 12 and drafts["count"] == 12
    assert (many, many_drafts) == (few, few_drafts)

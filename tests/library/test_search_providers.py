"""Events, resources and news in the one search, and the caps that keep it fast at a million items.

Every assertion holds on SQLite and PostgreSQL (make test runs both): the same ids, in the same order.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from lianmeng.activities.models import Event, EventStatus
from lianmeng.core import search as search_module
from lianmeng.core.search import providers, search
from lianmeng.library import services
from lianmeng.library.commands import AchievementCreate
from lianmeng.library.models import Achievement
from lianmeng.matchmaking.models import Resource, ResourceStatus
from lianmeng.matchmaking.services import resource_index
from lianmeng.publicity.models import Article, ArticleStatus
from lianmeng.publicity.services import article_index

pytestmark = pytest.mark.django_db


def _event(org: Any, title: str, status: str, *, days: int = 5, description: str = "") -> Event:
    starts = timezone.now().replace(microsecond=0) + datetime.timedelta(days=days)
    return Event.objects.create(
        title=title,
        kind="forum",
        organizer=org,
        city_id=org.city_id,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=3),
        venue="青岛国际会议中心",
        description=description,
        status=status,
        summary="活动顺利举办。" if status == EventStatus.HELD else "",
    )


def _article(title: str, status: str, body: str = "<p>联盟七市协同发展。</p>") -> Article:
    article = Article(title=title, body=body, status=status, kind="news", outlet="大众日报")
    if status == ArticleStatus.PUBLISHED:
        article.published_at = timezone.now()
    article_index(article)
    article.save()
    return article


def _resource(org: Any, title: str, status: str = ResourceStatus.OPEN) -> Resource:
    today = timezone.localdate()
    resource = Resource(
        direction="supply",
        category="talent",
        title=title,
        description="面向胶东经济圈提供高层次人才寻访服务",
        organization=org,
        valid_from=today,
        valid_until=today + datetime.timedelta(days=60),
        contact_name="张联络",
        contact_phone="13912345678",
        contact_email="contact@example.cn",
        status=status,
    )
    resource_index(resource)
    resource.save()
    resource.cities.add(org.city_id)
    return resource


@pytest.fixture
def world(make_org: Any) -> dict[str, Any]:
    park = make_org("中国青岛人力资源服务产业园", kind="park")
    return {
        "park": park,
        "forum": _event(park, "青岛人力资源服务论坛", EventStatus.PUBLISHED),
        "held": _event(park, "胶东人才峰会", EventStatus.HELD, days=-30, description="青岛主会场"),
        "draft": _event(park, "青岛秘密筹备会", EventStatus.DRAFT),
        "cancelled": _event(park, "青岛取消的活动", EventStatus.CANCELLED),
        "news": _article("青岛人才工作会议召开", ArticleStatus.PUBLISHED),
        "draft_news": _article("青岛草稿新闻", ArticleStatus.DRAFT),
        "withdrawn": _article("青岛撤下的新闻", ArticleStatus.UNPUBLISHED),
        "post": _resource(park, "青岛高层次人才寻访"),
        "closed_post": _resource(park, "青岛已关闭的需求", ResourceStatus.CLOSED),
    }


def _found(viewer: Any, q: str, **kw: Any) -> list[tuple[str, int]]:
    return [(h.type, h.id) for h in search(viewer=viewer, q=q, page_size=100, **kw).hits]


def test_registry_covers_every_searchable_type() -> None:
    assert [p.type for p in providers()] == [
        "organization",
        "expert",
        "project",
        "achievement",
        "event",
        "resource",
        "news",
    ]


@pytest.mark.parametrize("viewer", ["public", "secretariat"])
def test_events_news_and_resources_found_as_the_viewer_may_see_them(
    world: dict[str, Any], secretariat: Any, viewer: str
) -> None:
    who = secretariat if viewer == "secretariat" else None
    found = _found(who, "青岛")
    assert [x for x in found if x[0] != "organization"] == [
        ("event", world["forum"].pk),  # newest start first
        ("event", world["held"].pk),  # found through its description
        ("resource", world["post"].pk),
        ("news", world["news"].pk),
    ]
    # Drafts, cancelled events, unpublished articles and closed posts never appear, for anyone.
    for hidden in ("draft", "cancelled"):
        assert ("event", world[hidden].pk) not in found
    for hidden in ("draft_news", "withdrawn"):
        assert ("news", world[hidden].pk) not in found
    assert ("resource", world["closed_post"].pk) not in found


def test_provider_hits_show_title_meta_and_never_the_contact(world: dict[str, Any]) -> None:
    result = search(viewer=None, q="人才寻访", page_size=100)
    (hit,) = [h for h in result.hits if h.type == "resource"]
    assert hit.url == world["post"].get_absolute_url()
    assert "<mark>人才寻访</mark>" in str(hit.title)
    shown = str(hit.title) + str(hit.snippet) + hit.meta
    assert "张联络" not in shown and "13912345678" not in shown and "contact@example.cn" not in shown
    assert search(viewer=None, q="13912345678").total == 0  # the phone is not searchable either
    news = search(viewer=None, q="七市协同", page_size=100)
    assert [(h.type, h.id) for h in news.hits if h.type == "news"] == [("news", world["news"].pk)]
    assert "<mark>七市协同</mark>" in str(news.hits[-1].snippet)


def test_provider_filters_and_facets(world: dict[str, Any]) -> None:
    result = search(viewer=None, q="青岛", page_size=100)
    types = {v: n for v, _label, n in result.facets["type"]}
    assert types["event"] == 2 and types["resource"] == 1 and types["news"] == 1
    kinds = {v: label for v, label, _n in result.facets["kind"]}
    assert (
        kinds["event.forum"] == "论坛" and kinds["news.news"] == "新闻" and kinds["resource.supply"] == "供给"
    )
    assert _found(None, "青岛", type="event", kind="event.forum") == [
        ("event", world["forum"].pk),
        ("event", world["held"].pk),
    ]
    assert _found(None, "青岛", kind="news.news") == [("news", world["news"].pk)]
    year = world["held"].starts_at.year
    assert ("event", world["held"].pk) in _found(None, "青岛", type="event", year=year)


def test_counts_are_capped_and_a_capped_type_is_listed_newest_first(
    secretariat: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With more matches than the cap, the page says "N+" and leaves facet counts out; the rows of a
    capped type come newest first, the same ids on both databases."""
    made = [
        services.achievement_create(
            cmd=AchievementCreate.build(
                {"kind": "research_report", "title": f"青岛报告{i}", "authors": "刘青", "year": 2026}
            ),
            actor=secretariat,
        )
        for i in range(5)
    ]
    monkeypatch.setattr(search_module, "COUNT_CAP", 3)
    monkeypatch.setattr(search_module, "FACET_CAP", 3)
    result = search(viewer=secretariat, q="青岛报告", page_size=2)
    assert result.count_capped and result.facets_capped
    assert result.capped_types == {"achievement"}
    assert result.total == 3 and result.pages == 2
    assert [h.id for h in result.hits] == [made[4].pk, made[3].pk]
    assert [h.id for h in search(viewer=secretariat, q="青岛报告", page_size=2, page=2).hits] == [made[2].pk]
    assert set(result.facets) == {"type", "city", "year", "kind", "tag"}
    assert result.facets["year"] == [] and result.facets["type"] == [("achievement", "成果", 3)]
    # Under the cap: exact count, pinyin order, facets counted.
    Achievement.objects.filter(pk__in=[a.pk for a in made[2:]]).delete()
    exact = search(viewer=secretariat, q="青岛报告")
    assert not exact.count_capped and not exact.facets_capped
    assert exact.total == 2 and [h.id for h in exact.hits] == [made[0].pk, made[1].pk]
    assert exact.facets["year"] == [("2026", "2026", 2)]


def test_capped_search_page_and_api_say_so(
    client: Any, api: Any, secretariat: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    for i in range(3):
        services.achievement_create(
            cmd=AchievementCreate.build(
                {"kind": "research_report", "title": f"联盟报告{i}", "authors": "赵六", "year": 2025}
            ),
            actor=secretariat,
        )
    monkeypatch.setattr(search_module, "COUNT_CAP", 2)
    client.force_login(secretariat)
    page = client.get("/library/search/", {"q": "联盟报告"}).content.decode()
    assert "找到 2+ 条结果" in page
    assert "每类最多统计 2 条" in page
    assert "未统计城市、年度、类别和标签" in page
    body = api(secretariat).get("/api/v1/search", {"q": "联盟报告"}).json()
    assert body["count_capped"] is True and body["facets_capped"] is True and body["count_cap"] == 2
    assert body["total"] == 2
    assert body["facets"]["type"] == [{"value": "achievement", "label": "成果", "count": 2, "capped": True}]


def test_search_with_every_provider_stays_within_a_query_budget(
    world: dict[str, Any], secretariat: Any, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(45):
        search(viewer=secretariat, q="青岛")

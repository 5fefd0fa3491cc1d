"""Cached public pages (lianmeng.core.cache): served from the cache, renewed by any committed edit,
never shown to a signed-in viewer, never holding uncommitted data.

Transactional tests: the versions are raised after a commit, as in production (inside a test's
surrounding transaction nothing is ever cached).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from lianmeng.core import cache as page_cache
from lianmeng.core import search
from lianmeng.core.demo_support import make_uscc
from lianmeng.membership.models import Organization

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def make_org(cities: dict[str, Any]) -> Any:
    """An organization written as the services write it (one committed INSERT with its search columns)."""

    def make(name: str, *, city: str = "青岛", status: str = "active") -> Organization:
        c = cities[city]
        return Organization.objects.create(
            name=name,
            uscc=make_uscc(name, division=c.code, kind="park"),
            kind="park",
            city=c,
            status=status,
            search_text=search.search_text(name, c.name),
            name_pinyin=search.pinyin_full(name),
            name_initials=search.pinyin_initials(name),
            name_sort=search.pinyin_sort_key(name),
        )

    return make


def _get(client: Client, path: str) -> tuple[str, list[str]]:
    """The page without its per-visitor CSRF tokens, and the SQL it ran."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())
    return page, [q["sql"] for q in queries.captured_queries]


def _cached_part_queries(sql: list[str]) -> list[str]:
    """Queries of a page's cached part: all but the version read and the layout's alliance settings."""
    return [q for q in sql if "reporting_dataversion" not in q and "core_alliancesettings" not in q]


def test_the_directory_is_served_from_the_cache_until_an_organization_changes(make_org: Any) -> None:
    org = make_org("青岛测试人力资源产业园")
    make_org("烟台测试人才服务中心", city="烟台")
    client = Client()
    first, built = _get(client, "/members/?q=qd")
    assert "青岛测试人力资源产业园" in first and "烟台测试人才服务中心" not in first
    again, hit = _get(client, "/members/?q=qd")
    assert again == first
    # The search, its count and the cities are not run again: the versions are read, nothing else.
    assert _cached_part_queries(hit) == [] and len(built) > len(hit)

    Organization.objects.filter(pk=org.pk).update(name="青岛更名后的产业园")  # any write, even update()
    renewed, _ = _get(client, "/members/?q=qd")
    assert "青岛更名后的产业园" in renewed and "青岛测试人力资源产业园" not in renewed


def test_the_portal_home_hit_runs_no_query_of_its_cached_part(make_org: Any) -> None:
    make_org("青岛首页测试园区")
    client = Client()
    first, built = _get(client, "/")
    again, hit = _get(client, "/")
    assert "青岛首页测试园区" in first and again == first
    assert _cached_part_queries(hit) == [], hit
    assert len(hit) <= 2 < len(built), f"{len(hit)} queries from the cache, {len(built)} when built"

    make_org("烟台首页新成员", city="烟台")
    renewed, _ = _get(client, "/")
    assert "烟台首页新成员" in renewed


def test_a_signed_in_viewer_never_gets_the_anonymous_copy(make_org: Any, secretariat: Any) -> None:
    make_org("青岛名录测试单位", status="suspended")
    anonymous = Client()
    page, _ = _get(anonymous, "/members/")
    assert "青岛名录测试单位" not in page, "the public does not see a suspended member"

    office = Client()
    office.force_login(secretariat)
    office_page, _ = _get(office, "/members/")
    assert "青岛名录测试单位" in office_page and "入盟审核" in office_page
    again, _ = _get(anonymous, "/members/")
    assert "青岛名录测试单位" not in again and "入盟审核" not in again


def test_a_signed_in_search_is_cached_per_reach(make_org: Any, make_user: Any, secretariat: Any) -> None:
    org = make_org("青岛登录名录测试园区")
    make_org("青岛登录名录暂停单位", status="suspended")
    member = make_user("member_contact", organization=org)
    client = Client()
    client.force_login(member)
    first, built = _get(client, "/members/?q=青岛")  # the query is highlighted: 青岛 is marked up
    again, hit = _get(client, "/members/?q=青岛")
    assert (
        again == first and "导出 Excel" in first and "登录名录测试园区" in first
    )  # a signed-in person's copy has the export buttons
    assert "登录名录暂停单位" not in first and "入盟审核" not in first
    assert len(hit) < len(built)  # the search, its count and the cities are not run again

    office = Client()
    office.force_login(secretariat)
    office_page, _ = _get(office, "/members/?q=青岛")
    assert "登录名录暂停单位" in office_page and "入盟审核" in office_page  # never the members' copy
    public_page, _ = _get(Client(), "/members/?q=青岛")
    assert "导出 Excel" not in public_page and "登录名录暂停单位" not in public_page


def test_a_signed_in_home_is_cached_per_viewer(make_org: Any, make_user: Any, secretariat: Any) -> None:
    org = make_org("青岛首页登录测试园区")
    member = make_user("member_contact", organization=org)
    client = Client()
    client.force_login(member)
    first, built = _get(client, "/")
    again, hit = _get(client, "/")
    assert again == first and "青岛首页登录测试园区" in first
    assert len(hit) < len(built)
    office = Client()
    office.force_login(secretariat)
    assert len(_get(office, "/")[1]) > len(hit)  # another viewer: built for them, not the member's copy
    make_org("烟台首页登录新成员", city="烟台")
    assert "烟台首页登录新成员" in _get(client, "/")[0]


def test_a_language_has_its_own_copy(make_org: Any) -> None:
    make_org("青岛语言测试园区")
    chinese, _ = _get(Client(), "/members/")
    english_client = Client(HTTP_ACCEPT_LANGUAGE="en")
    english_client.cookies["django_language"] = "en"
    english, _ = _get(english_client, "/members/")
    assert "按单位名称拼音排序" in chinese
    assert "按单位名称拼音排序" not in english


def test_uncommitted_writes_bypass_the_cache_and_a_rollback_changes_no_version(make_org: Any) -> None:
    make_org("青岛事务测试园区")
    built: list[int] = []

    def build() -> int:
        built.append(1)
        return Organization.objects.count()

    assert page_cache.cached("t", apps=("membership",), build=build) == 1
    assert page_cache.cached("t", apps=("membership",), build=build) == 1
    assert len(built) == 1
    before = page_cache.versions(("membership",))
    inside: list[Any] = []

    def write_then_fail() -> None:
        with transaction.atomic():
            make_org("回滚的单位")
            # Inside the transaction the new row counts, and nothing is stored for others to see.
            inside.append(
                (page_cache.uncommitted_writes(), page_cache.cached("t", apps=("membership",), build=build))
            )
            raise RuntimeError

    with pytest.raises(RuntimeError):
        write_then_fail()
    assert inside == [(True, 2)]
    assert page_cache.versions(("membership",)) == before
    assert page_cache.cached("t", apps=("membership",), build=build) == 1
    assert len(built) == 2


def test_a_registration_renews_its_own_version_and_not_the_events_one(make_org: Any) -> None:
    # registrations are the busiest writes: the compliance view, the portal and the search counts (which
    # read events, not registrations) stay cached through them; an event's edit renews them
    from lianmeng.activities.models import Event, Registration
    from tests.factories import make_event

    org = make_org("青岛报名测试园区")
    event = make_event(org, "报名测试活动")
    events = page_cache.versions(("activities",))
    registrations = page_cache.versions(("activities-registrations",))
    Registration.objects.create(event=event, name="张三", mobile="13800000000", code="R1", token="t" * 20)
    assert page_cache.versions(("activities",)) == events
    assert page_cache.versions(("activities-registrations",)) != registrations
    Event.objects.filter(pk=event.pk).update(title="报名测试活动（改期）")
    assert page_cache.versions(("activities",)) != events


def test_an_unreachable_cache_still_serves_the_page(make_org: Any, settings: Any) -> None:
    make_org("青岛缓存故障测试园区")
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # nothing listens on the discard port
        }
    }
    page, _ = _get(Client(), "/members/")
    assert "青岛缓存故障测试园区" in page

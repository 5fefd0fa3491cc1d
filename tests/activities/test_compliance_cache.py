"""The compliance view is cached per viewer scope and invalidated by any committed change (transactional:
inside a test's open transaction the cache is bypassed, so these tests commit)."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lianmeng.activities.compliance import compliance_for_year
from lianmeng.activities.models import Event

pytestmark = pytest.mark.django_db(transaction=True)


def _view(viewer: Any) -> tuple[int, list[str]]:
    """(queries run, the parks shown) for ``viewer``."""
    with CaptureQueriesContext(connection) as queries:
        report = compliance_for_year(year=timezone.localdate().year, viewer=viewer)
    return len(queries), [p.label for p in report.parks]


def test_each_scope_gets_its_own_copy_and_an_edit_renews_it(
    make_event: Callable[..., Event], coordinator: Any, park: Any, other_park: Any, secretariat: Any
) -> None:
    from django.contrib.auth.models import AnonymousUser

    first, parks = _view(secretariat)
    assert first > 3 and sorted(parks) == sorted([park.name, other_park.name])
    again, parks_again = _view(secretariat)
    assert again < first and parks_again == parks  # only the cache's version rows are read
    assert _view(coordinator)[1] == [park.name]  # a coordinator never gets the secretariat's copy
    assert _view(AnonymousUser())[1] == []

    plenary = compliance_for_year(year=timezone.localdate().year, viewer=secretariat).plenary
    assert plenary.held == 0
    make_event(
        title="年度理事会全会",
        kind="plenary",
        status="held",
        starts_in=-datetime.timedelta(days=2),
    )
    renewed = compliance_for_year(year=timezone.localdate().year, viewer=secretariat).plenary
    assert renewed.held == 1


def test_the_workbench_reads_only_the_gaps_and_counts_every_park_short(
    make_org: Callable[..., Any], secretariat: Any, park: Any, other_park: Any
) -> None:
    from lianmeng.activities.compliance import DESK_PARKS, GAP, compliance_gaps

    for i in range(DESK_PARKS + 2):
        make_org(f"缺口测试园区{i}", kind="park")
    year = timezone.localdate().year
    report = compliance_for_year(year=year, viewer=secretariat)
    short = [p.label for p in report.parks if p.status in GAP]
    assert len(short) > DESK_PARKS
    gaps = compliance_gaps(year=year, viewer=secretariat)
    assert gaps.park_count == len(short)
    assert [p.label for p in gaps.parks] == short[:DESK_PARKS]
    assert [c.label for c in gaps.cities] == [c.label for c in report.cities if c.status in GAP]
    with CaptureQueriesContext(connection) as queries:
        again = compliance_gaps(year=year, viewer=secretariat)
    assert again == gaps and all("reporting_dataversion" in q["sql"] for q in queries.captured_queries)


def test_the_compliance_page_is_one_cache_read_per_scope(
    make_event: Callable[..., Event], coordinator: Any, park: Any, other_park: Any, secretariat: Any
) -> None:
    from django.test import Client

    office = Client()
    office.force_login(secretariat)
    with CaptureQueriesContext(connection) as built:
        first = office.get("/events/compliance/").content.decode()
    with CaptureQueriesContext(connection) as hit:
        again = office.get("/events/compliance/").content.decode()
    assert park.name in first and other_park.name in first
    token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')  # masked anew on every response
    assert token.sub("", again) == token.sub("", first)
    assert len(hit) < len(built)
    coordinator_client = Client()
    coordinator_client.force_login(coordinator)
    theirs = coordinator_client.get("/events/compliance/").content.decode()
    assert park.name in theirs and other_park.name not in theirs  # their city's parks, not the office's copy
    public = Client().get("/events/compliance/").content.decode()
    assert park.name not in public

    make_event(title="园区年度主题沙龙", kind="themed", status="held", starts_in=-datetime.timedelta(days=3))
    renewed = office.get("/events/compliance/").content.decode()
    assert "已举办 1/2" in renewed and "已举办 1/2" not in first  # the park's count moved: a new copy

"""The dashboard and the API issue the same number of queries whatever the amount of data."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lianmeng.activities.models import Event, EventKind, EventStatus
from lianmeng.library.models import Landing, Project, ProjectStage

pytestmark = pytest.mark.django_db
CODES = ["370200", "370600", "370700", "371000", "371100", "371600", "370500"]


def _grow(make_org: Any, cities: dict[str, Any], n: int, *, first: int = 0) -> None:
    """Add ``n`` parks with a held forum and a landed project each, spread over the seven cities."""
    now = timezone.now()
    by_code = {c.code: c for c in cities.values()}
    today = timezone.localdate()
    for i in range(first, first + n):
        city = by_code[CODES[i % len(CODES)]]
        park = make_org(f"增长测试产业园{i}", city=city.name, kind="park")
        Event.objects.create(
            title=f"论坛{i}",
            kind=EventKind.FORUM,
            organizer=park,
            city=city,
            starts_at=now - datetime.timedelta(hours=2),
            ends_at=now - datetime.timedelta(hours=1),
            status=EventStatus.HELD,
            summary="已举办",
        )
        project = Project.objects.create(
            name=f"项目{i}", summary="摘要", lead_organization=park, stage=ProjectStage.LANDED
        )
        Landing.objects.create(
            project=project, city=city, park=park, date=today, investment=Decimal(100), jobs=5
        )


def _count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_dashboard_queries_do_not_grow_with_data(
    make_org: Any, cities: dict[str, Any], secretariat: Any, django_assert_max_num_queries: Any
) -> None:
    client = Client()
    client.force_login(secretariat)
    _grow(make_org, cities, 2)
    small = _count(client, "/reports/")
    _grow(make_org, cities, 30, first=2)
    with django_assert_max_num_queries(small):
        response = client.get("/reports/")
    figures = response.context["figures"]
    assert sum(r.projects_landed for r in figures.cities) == 32
    assert sum(r.events_held for r in figures.cities) == 32
    assert _count(client, f"/api/v1/reports/{timezone.localdate().year}") <= small


def test_city_page_queries_do_not_grow_with_data(
    make_org: Any, cities: dict[str, Any], secretariat: Any
) -> None:
    client = Client()
    client.force_login(secretariat)
    _grow(make_org, cities, 7)
    small = _count(client, "/reports/city/370200/")
    _grow(make_org, cities, 35, first=7)
    assert _count(client, "/reports/city/370200/") <= small

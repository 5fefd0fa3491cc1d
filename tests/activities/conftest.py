"""Fixtures of the activities tests: a Qingdao park, its contact, the city's coordinator, events."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from lianmeng.activities.models import Event, EventStatus


@pytest.fixture
def park(make_org: Callable[..., Any]) -> Any:
    return make_org("青岛测试人力资源服务产业园", city="青岛", kind="park")


@pytest.fixture
def other_park(make_org: Callable[..., Any]) -> Any:
    return make_org("烟台测试人力资源服务产业园", city="烟台", kind="park")


@pytest.fixture
def coordinator(make_user: Callable[..., Any], cities: dict[str, Any]) -> Any:
    return make_user(
        "city_coordinator", city=cities["青岛"], username="qd-coordinator", display_name="张联络"
    )


@pytest.fixture
def contact(make_user: Callable[..., Any], park: Any) -> Any:
    return make_user("member_contact", organization=park, username="park-contact", display_name="陈园区")


@pytest.fixture
def make_event(park: Any) -> Callable[..., Event]:
    """An event saved directly (tests of services create theirs through the services)."""

    def _make(
        *,
        title: str = "青岛人力资源服务论坛",
        kind: str = "forum",
        organizer: Any = None,
        status: str = EventStatus.PUBLISHED,
        starts_in: datetime.timedelta = datetime.timedelta(days=10),
        hours: int = 3,
        capacity: int | None = 50,
        audience: str = "public",
        summary: str = "",
        **extra: Any,
    ) -> Event:
        organizer = organizer or park
        starts = timezone.now().replace(microsecond=0) + starts_in
        if status == EventStatus.HELD and not summary:
            summary = "活动顺利举办。"
        return Event.objects.create(
            title=title,
            kind=kind,
            organizer=organizer,
            city_id=organizer.city_id,
            starts_at=starts,
            ends_at=starts + datetime.timedelta(hours=hours),
            venue="青岛国际会议中心",
            capacity=capacity,
            audience=audience,
            status=status,
            summary=summary,
            **extra,
        )

    return _make


def person(n: int, **extra: Any) -> dict[str, Any]:
    return {"name": f"参会人{n}", "mobile": f"139{n:08d}", "organization_name": "测试单位", **extra}

"""Small builders of rows that many tests need, written once (tests/conftest.py has the fixtures)."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from lianmeng.activities import services as activities
from lianmeng.activities.commands import EventCreate
from lianmeng.activities.models import Event
from lianmeng.governance import services as governance
from lianmeng.governance.commands import MotionCreate
from lianmeng.governance.models import Motion
from lianmeng.matchmaking.commands import ResourceCreate
from lianmeng.matchmaking.models import Resource
from lianmeng.matchmaking.services import resource_create


def make_event(
    organizer: Any,
    title: str = "青岛人力资源服务论坛",
    *,
    days: float = 5,
    hours: float = 3,
    starts: datetime.datetime | None = None,
    **fields: Any,
) -> Event:
    """A published public forum of ``organizer`` in its city, starting in ``days`` days (whole seconds)
    and lasting ``hours`` hours, at 青岛国际会议中心; ``fields`` override any column (status, capacity…)."""
    starts = starts or timezone.now().replace(microsecond=0) + datetime.timedelta(days=days)
    values: dict[str, Any] = {
        "kind": "forum",
        "venue": "青岛国际会议中心",
        "audience": "public",
        "status": "published",
        **fields,
    }
    return Event.objects.create(
        title=title,
        organizer=organizer,
        city_id=organizer.city_id,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=hours),
        **values,
    )


def published_event(
    organizer: Any,
    actor: Any,
    title: str = "人力资源论坛",
    *,
    starts: datetime.datetime,
    hours: float = 2,
    kind: str = "forum",
    venue: str = "青岛",
    **fields: Any,
) -> Event:
    """An event of ``organizer`` created and published through the services by ``actor`` (audit rows,
    numbering and all), lasting ``hours`` hours; ``fields`` are more of EventCreate's (audience…)."""
    data = {
        "title": title,
        "kind": kind,
        "organizer": organizer.pk,
        "venue": venue,
        "starts_at": starts,
        "ends_at": starts + datetime.timedelta(hours=hours),
        **fields,
    }
    event = activities.event_create(cmd=EventCreate.build(data), actor=actor)
    return activities.event_publish(event=event, actor=actor)


def motion_opened(actor: Any, **fields: Any) -> Motion:
    """An ordinary open-ballot motion created and opened at once by ``actor`` (the secretariat), open
    from an hour ago for three days; ``fields`` override MotionCreate's (title, text, opens_at…)."""
    now = timezone.now()
    data = {
        "title": "关于举办年度理事会全会的议案",
        "text": "拟于 12 月在青岛召开年度理事会全会。",
        "kind": "ordinary",
        "ballot": "open",
        "opens_at": now - datetime.timedelta(hours=1),
        "closes_at": now + datetime.timedelta(days=3),
        **fields,
    }
    return governance.motion_create(cmd=MotionCreate.build(data), actor=actor, open_now=True)


def fund_supply(make_org: Any, make_user: Any, **post: Any) -> Resource:
    """The matchmaking story's two members, the park (its contact ``park``, 陈园区) and the fund (``fund``,
    林投资), and the fund's open equity-investment supply in 青岛 (``post`` overrides its fields)."""
    park = make_org("中国青岛人力资源服务产业园", city="青岛", kind="park")
    fund = make_org("青岛蓝海人才创投基金管理有限公司", city="青岛", kind="financial_institution")
    make_user("member_contact", organization=park, username="park", display_name="陈园区")
    fund_user = make_user("member_contact", organization=fund, username="fund", display_name="林投资")
    data = {
        "direction": "supply",
        "category": "finance",
        "title": "人力资源服务业股权投资基金",
        "description": "投资园区数字化招聘、人才测评企业，单笔 500—3000 万元股权投资。",
        "cities": ["370200"],
        "tags": ["投融资"],
        "valid_until": (timezone.localdate() + datetime.timedelta(days=90)).isoformat(),
        "contact_name": "林投资",
        "contact_phone": "0532-88886666",
        **post,
    }
    return resource_create(actor=fund_user, cmd=ResourceCreate.build(data))

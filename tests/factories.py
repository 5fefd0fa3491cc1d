"""Small builders of rows that many tests need, written once (tests/conftest.py has the fixtures)."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from lianmeng.activities.models import Event


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

"""iCal feeds parse with the icalendar library and carry the right events and Asia/Shanghai times."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from lianmeng.activities import services
from lianmeng.activities.commands import EventCancel, RegistrationCreate
from lianmeng.activities.models import Event

from .conftest import person

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _parse(response: Any) -> Calendar:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(response.content)


def _summaries(cal: Calendar) -> set[str]:
    return {str(e["SUMMARY"]) for e in cal.walk("VEVENT")}


def _at(hour: int) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=30)
    return datetime.datetime.combine(day, datetime.time(hour, 30), tzinfo=SHANGHAI)


def test_all_events_feed_has_published_events_in_shanghai_time(
    make_event: Callable[..., Event], other_park: Any
) -> None:
    event = make_event(title="青岛论坛")
    Event.objects.filter(pk=event.pk).update(starts_at=_at(9), ends_at=_at(17))
    make_event(title="草稿活动", status="draft")
    make_event(title="烟台峰会", organizer=other_park, kind="summit")
    cal = _parse(Client().get(reverse("activities:feed")))
    assert _summaries(cal) == {"青岛论坛", "烟台峰会"}
    vevent = next(e for e in cal.walk("VEVENT") if str(e["SUMMARY"]) == "青岛论坛")
    start = vevent.decoded("DTSTART")
    assert (start.hour, start.minute, str(start.tzinfo)) == (9, 30, "Asia/Shanghai")
    assert start == _at(9)
    assert vevent.decoded("DTEND") == _at(17)
    assert str(vevent["LOCATION"]).startswith("青岛国际会议中心")
    assert any(tz["TZID"] == "Asia/Shanghai" for tz in cal.walk("VTIMEZONE"))


def test_city_feed_only_that_city_and_api_feed_matches(
    make_event: Callable[..., Event], other_park: Any
) -> None:
    make_event(title="青岛论坛")
    make_event(title="烟台峰会", organizer=other_park)
    cal = _parse(Client().get(reverse("activities:feed-city", args=["370600"])))
    assert _summaries(cal) == {"烟台峰会"}
    api_cal = _parse(Client().get("/api/v1/calendar/370600.ics"))
    assert _summaries(api_cal) == {"烟台峰会"}
    assert _summaries(_parse(Client().get("/api/v1/calendar.ics"))) == {"青岛论坛", "烟台峰会"}


def test_cancelled_event_is_marked_cancelled(make_event: Callable[..., Event], contact: Any) -> None:
    event = make_event(title="取消的活动")
    services.event_cancel(event=event, cmd=EventCancel.build(reason="天气原因"), actor=contact)
    cal = _parse(Client().get(reverse("activities:event-ics", args=[event.pk])))
    (vevent,) = cal.walk("VEVENT")
    assert str(vevent["STATUS"]) == "CANCELLED"
    assert "天气原因" in str(vevent["DESCRIPTION"])


def test_personal_feed_is_secret_and_lists_my_events(
    make_event: Callable[..., Event], contact: Any, other_park: Any
) -> None:
    mine = make_event(title="我报名的活动", organizer=other_park)
    make_event(title="别人的活动", organizer=other_park)
    services.registration_create(event=mine, cmd=RegistrationCreate.build(person(1)), actor=contact)
    feed = services.calendar_feed_token(actor=contact)
    cal = _parse(Client().get(reverse("activities:feed-personal", args=[feed.token])))
    assert _summaries(cal) == {"我报名的活动"}
    assert Client().get(reverse("activities:feed-personal", args=["wrong"])).status_code == 404
    old = feed.token
    services.calendar_feed_token(actor=contact, reset=True)
    assert Client().get(reverse("activities:feed-personal", args=[old])).status_code == 404

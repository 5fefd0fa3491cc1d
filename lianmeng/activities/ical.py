"""iCalendar (RFC 5545) feeds and single-event files, written with the ``icalendar`` library.

Times are written in Asia/Shanghai with a VTIMEZONE, so calendar apps show 09:00 as 09:00.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from icalendar import Calendar, Timezone
from icalendar import Event as VEvent

from lianmeng.core.models import AllianceSettings

from .models import Event, EventStatus

CONTROL_OR_SPACE_RE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")

ICAL_STATUS = {
    EventStatus.PUBLISHED: "CONFIRMED",
    EventStatus.HELD: "CONFIRMED",
    EventStatus.CANCELLED: "CANCELLED",
    EventStatus.DRAFT: "TENTATIVE",
}


def _domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "lianmeng.local"


def _one_line(text: str) -> str:
    """A value for a property icalendar writes unescaped (X-WR-CALNAME is the event's title on a
    single-event file): line breaks and control characters folded to one space, so a title sent with
    CR/LF cannot break the file or inject properties."""
    return " ".join(CONTROL_OR_SPACE_RE.sub(" ", text).split())


def event_uid(event: Event) -> str:
    return f"event-{event.pk}@{_domain()}"


def calendar_for(events: Iterable[Event], *, name: str) -> Calendar:
    tz = timezone.get_default_timezone()
    cal = Calendar()
    cal.add("prodid", "-//Lianmeng//Alliance events//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", _one_line(name))
    cal.add("x-wr-timezone", str(tz))
    site = settings.SITE_URL.rstrip("/")
    for event in events:
        item = VEvent()
        item.add("uid", event_uid(event))
        item.add("dtstamp", event.updated_at or timezone.now())
        item.add("dtstart", timezone.localtime(event.starts_at, tz))
        item.add("dtend", timezone.localtime(event.ends_at, tz))
        item.add("summary", event.title)
        location = " ".join(p for p in (event.venue, event.address) if p) or event.online_url
        if location:
            item.add("location", location)
        description = event.description
        if event.status == EventStatus.CANCELLED and event.cancel_reason:
            description = f"{event.cancel_reason}\n\n{description}".strip()
        if description:
            item.add("description", description)
        item.add("url", site + event.get_absolute_url())
        item.add("status", ICAL_STATUS[EventStatus(event.status)])
        item.add("categories", [str(event.get_kind_display())])
        item.add(
            "organizer",
            f"urn:lianmeng:organization:{event.organizer_id}",
            parameters={"cn": event.organizer.name},
        )
        cal.add_component(item)
    for tzid in sorted(cal.get_missing_tzids()):  # as Calendar.add_missing_timezones, from a cache
        try:
            cal.subcomponents.insert(len(cal.timezones), _vtimezone(tzid))
        except ValueError:  # a time zone icalendar does not know: left out, as icalendar does
            continue
    return cal


@functools.cache
def _vtimezone(tzid: str) -> Timezone:
    """The VTIMEZONE of ``tzid`` (its transitions 1970-2038): 70 ms to compute, so once per process. The
    component is only read when a calendar is written, so every calendar can hold the same one."""
    return Timezone.from_tzid(tzid)


def ics_response(cal: Calendar, *, filename: str) -> HttpResponse:
    response = HttpResponse(cal.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def feed_name(suffix: str = "") -> str:
    alliance = AllianceSettings.current()
    return f"{alliance.short_name}{suffix}"

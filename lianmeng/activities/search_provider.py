"""Events in the one search (see lianmeng.core.search): published and held events the viewer may see.

Events have no ``search_text`` column, so a query matches them by substring: every term of the
normalised query must occur in the title, the description, the summary, the venue, the organizer's
name or the city (``icontains``, the same on SQLite and PostgreSQL). There are few events (hundreds a
year), so this stays fast without an index.
"""

from __future__ import annotations

from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lianmeng.core.search import ParsedQuery, SearchProvider, count_by

from .models import Event, EventKind, EventStatus
from .selectors import event_calendar

SEARCHED_FIELDS = ("title", "description", "summary", "outcomes", "venue", "organizer__name", "city__name")
KIND_PREFIX = "event."


def _visible(viewer: Any) -> QuerySet[Event]:
    return event_calendar(viewer=viewer).filter(status__in=(EventStatus.PUBLISHED, EventStatus.HELD))


def _match(qs: QuerySet[Event], parsed: ParsedQuery) -> QuerySet[Event]:
    for term in parsed.terms:
        qs = qs.filter(reduce(or_, (Q(**{f"{name}__icontains": term}) for name in SEARCHED_FIELDS)))
    return qs


def _kind(qs: QuerySet[Event], value: str) -> QuerySet[Event]:
    kind = value.removeprefix(KIND_PREFIX)
    return qs.filter(kind=kind) if value.startswith(KIND_PREFIX) and kind in EventKind.values else qs.none()


def _kinds(qs: QuerySet[Event]) -> dict[Any, int]:
    return {f"{KIND_PREFIX}{k}": n for k, n in count_by(qs, "kind").items()}


def _years(qs: QuerySet[Event]) -> dict[Any, int]:
    rows = qs.order_by().annotate(y=ExtractYear("starts_at")).values("y").annotate(n=Count("pk")).order_by()
    return {row["y"]: row["n"] for row in rows}


def _meta(event: Event) -> str:
    starts = timezone.localtime(event.starts_at)
    return f"{starts:%Y-%m-%d} · {event.city.display_name} · {event.organizer.name} · {event.get_status_display()}"


PROVIDERS = [
    SearchProvider(
        type="event",
        label=_("活动"),
        order=50,
        visible=_visible,
        match=_match,
        title=lambda e: e.title,
        url=lambda e: e.get_absolute_url(),
        texts=lambda e: [e.description, e.summary, e.outcomes, e.venue, e.organizer.name],
        meta=_meta,
        ordering=("-starts_at", "-id"),
        capped_ordering=("-id",),
        initials_fields=(),
        select_related=("organizer", "city"),
        filter_city=lambda qs, code: qs.filter(city_id=code),
        filter_year=lambda qs, year: qs.filter(starts_at__year=year),
        filter_kind=_kind,
        facet_city=lambda qs: count_by(qs, "city_id"),
        facet_year=_years,
        facet_kind=_kinds,
        kind_labels={f"{KIND_PREFIX}{k}": v for k, v in EventKind.choices},
    )
]

"""Reads of one city's page: figures plus the lists a viewer may see (events held, landings, members)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count
from django.http import Http404

from lianmeng.activities.models import Event, EventStatus
from lianmeng.activities.selectors import event_calendar, year_bounds
from lianmeng.core.models import City
from lianmeng.library.models import Landing
from lianmeng.library.selectors import city_landings
from lianmeng.membership.models import Organization, OrganizationKind
from lianmeng.membership.selectors import organization_directory

from .figures import CityRow, YearFigures, current_year, year_figures

LIST_LIMIT = 50
MEMBERS_PER_KIND = 12
FIRST_YEAR = 2000


def report_years(*, founded: Any = None) -> list[int]:
    """The years offered in the year picker: from the alliance's founding (or last year) to this year."""
    this_year = current_year()
    first = founded.year if founded else this_year - 1
    return list(range(this_year, max(min(first, this_year), this_year - 20) - 1, -1))


def parse_year(value: Any, *, default: int | None = None) -> int:
    """A year from a URL or query string; out of range or not a number gives 404 (or ``default``)."""
    try:
        year = int(value)
    except (TypeError, ValueError):
        if default is not None:
            return default
        raise Http404 from None
    if not FIRST_YEAR <= year <= current_year() + 1:
        if default is not None:
            return default
        raise Http404
    return year


@dataclass
class MembersOfKind:
    kind: str
    label: str
    count: int
    organizations: list[Organization]


@dataclass
class CityReport:
    city: City
    year: int
    figures: YearFigures
    row: CityRow
    events: list[Event]
    events_total: int
    landings: list[Landing]
    landings_total: int
    members: list[MembersOfKind]


def member_city_get(code: str) -> City:
    city = City.objects.filter(code=code, is_member=True).first()
    if city is None:
        raise Http404
    return city


def city_report(*, viewer: Any, code: str, year: int) -> CityReport:
    """One city's figures of ``year`` and its lists, each capped at ``LIST_LIMIT`` rows."""
    city = member_city_get(code)
    figures = year_figures(year=year, viewer=viewer)
    row = next(r for r in figures.cities if r.city.code == city.code)
    start, end = year_bounds(year)
    events_qs = event_calendar(viewer=viewer, city=city.code, starts_after=start, starts_before=end).filter(
        status=EventStatus.HELD
    )
    landings_qs = city_landings(viewer=viewer, city=city.code, year=year)
    directory = organization_directory(viewer=viewer, city=city.code)
    counts = {r["kind"]: r["n"] for r in directory.values("kind").annotate(n=Count("id")).order_by()}
    members: list[MembersOfKind] = []
    kinds_present = [k for k in OrganizationKind if counts.get(k.value)]
    # One query per kind present (at most the eleven kinds), each capped, so a city with thousands of
    # members still renders quickly.
    for kind in kinds_present:
        members.append(
            MembersOfKind(
                kind=kind.value,
                label=str(kind.label),
                count=counts[kind.value],
                organizations=list(directory.filter(kind=kind.value)[:MEMBERS_PER_KIND]),
            )
        )
    return CityReport(
        city=city,
        year=year,
        figures=figures,
        row=row,
        events=list(events_qs[:LIST_LIMIT]),
        events_total=events_qs.count(),
        landings=list(landings_qs[:LIST_LIMIT]),
        landings_total=landings_qs.count(),
        members=members,
    )

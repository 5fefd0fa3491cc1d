"""The yearly 1+7+N compliance: the plenary (1), each city's summit or forum (7), each park's N.

Only events that are held (status held with a summary filed) inside the year count, organized by the
right city or park; cancelled events never count. ``compliance_for_year`` issues a fixed number of
queries whatever the number of parks or events (grouped counts, no per-park query).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from lianmeng.core import cache
from lianmeng.core.models import City
from lianmeng.membership.models import Organization, OrganizationKind, OrganizationStatus

from . import policies
from .models import ActivitySettings, Event, EventKind, EventStatus
from .selectors import year_bounds


class ComplianceStatus(models.TextChoices):
    MET = "met", gettext_lazy("已完成")
    SCHEDULED = "scheduled", gettext_lazy("已安排")
    AT_RISK = "at_risk", gettext_lazy("有风险")
    MISSING = "missing", gettext_lazy("缺失")


BADGE = {
    ComplianceStatus.MET: "text-bg-success",
    ComplianceStatus.SCHEDULED: "text-bg-primary",
    ComplianceStatus.AT_RISK: "text-bg-warning",
    ComplianceStatus.MISSING: "text-bg-danger",
}


@dataclass
class Requirement:
    """One line of the view: what is required, where it stands and what is missing."""

    key: str  # "plenary", a city code, or a park id as text
    label: str
    status: str
    required: int
    held: int
    scheduled: int
    pending: int  # drafts, or past events whose summary is not yet filed
    missing: str = ""
    city_code: str = ""

    @property
    def status_label(self) -> str:
        return str(ComplianceStatus(self.status).label)

    @property
    def badge(self) -> str:
        return BADGE[ComplianceStatus(self.status)]


@dataclass
class Compliance:
    year: int
    settings: ActivitySettings
    plenary: Requirement
    cities: list[Requirement]
    parks: list[Requirement] = field(default_factory=list)
    parks_visible: bool = False
    park_totals: dict[str, int] = field(default_factory=dict)
    year_over: bool = False

    @property
    def gaps(self) -> list[Requirement]:
        """Requirements neither met nor scheduled (what reminders are about)."""
        lines = [self.plenary, *self.cities, *self.parks]
        return [r for r in lines if r.status in (ComplianceStatus.AT_RISK, ComplianceStatus.MISSING)]


def _status(*, held: int, scheduled: int, pending: int, required: int, year_over: bool) -> str:
    if held >= required:
        return ComplianceStatus.MET
    if year_over:
        return ComplianceStatus.MISSING
    if held + scheduled >= required:
        return ComplianceStatus.SCHEDULED
    if held + scheduled + pending > 0:
        return ComplianceStatus.AT_RISK
    return ComplianceStatus.MISSING


def _counts(now: datetime.datetime) -> dict[str, Any]:
    held = Q(status=EventStatus.HELD) & ~Q(summary="")
    scheduled = Q(status=EventStatus.PUBLISHED, ends_at__gt=now)
    pending = Q(status=EventStatus.DRAFT) | Q(status=EventStatus.PUBLISHED, ends_at__lte=now)
    return {
        "held": Count("id", filter=held),
        "scheduled": Count("id", filter=scheduled),
        "pending": Count("id", filter=pending),
    }


def viewer_scope(viewer: Any) -> tuple[Any, ...]:
    """What of the compliance view depends on the viewer: the parks they may see."""
    if policies.is_secretariat(viewer):
        return ("office",)
    if not getattr(viewer, "is_authenticated", False):
        return ("public",)
    return (
        "parks",
        tuple(sorted(viewer.coordinated_city_codes)),
        tuple(sorted(viewer.contact_organization_ids)),
    )


def compliance_for_year(
    *, year: int, viewer: Any, city: str | None = None, now: datetime.datetime | None = None
) -> Compliance:
    """The 1+7+N view of ``year`` as ``viewer`` may see it.

    The public sees the plenary, the cities and park totals; a city coordinator also the parks of
    their city; a park's contact their own park; the secretariat every park (``city`` narrows it).

    Without ``now`` the view is cached (``core.cache``: until an event, organization or city changes)
    per year, city, language, the viewer's scope and minute: statuses move with the clock (an event
    ends), so the view is computed as of the minute's start. At 100,000 organizations it took
    0.2-0.5 s, and the workbench, the portal, the dashboard and the API all ask for it.
    """
    if now is None:
        minute = timezone.now().replace(second=0, microsecond=0)
        return cache.cached(
            "compliance",
            apps=("activities", "membership", "core"),
            parts=(year, city or "", minute.isoformat(), *viewer_scope(viewer)),
            build=lambda: _compliance(year=year, viewer=viewer, city=city, now=minute),
        )
    return _compliance(year=year, viewer=viewer, city=city, now=now)


GAP = (ComplianceStatus.AT_RISK, ComplianceStatus.MISSING)
DESK_PARKS = 6  # parks listed on the workbench panel


@dataclass
class Gaps:
    """What the workbench shows of the compliance view: the requirements at risk or missing (the first
    ``DESK_PARKS`` parks of them) and how many parks fall short."""

    plenary: Requirement | None
    cities: list[Requirement]
    parks: list[Requirement]
    park_count: int


def compliance_gaps(*, year: int, viewer: Any) -> Gaps:
    """The gaps of ``compliance_for_year`` for the workbench, cached apart with the same key: the
    secretariat's whole view holds every park, and reading it back from the cache took 95 ms on every
    workbench at national scale (100,000 organizations); the gaps are a few rows."""
    minute = timezone.now().replace(second=0, microsecond=0)

    def build() -> Gaps:
        report = compliance_for_year(year=year, viewer=viewer)
        parks = [p for p in report.parks if p.status in GAP]
        return Gaps(
            plenary=report.plenary if report.plenary.status in GAP else None,
            cities=[c for c in report.cities if c.status in GAP],
            parks=parks[:DESK_PARKS],
            park_count=len(parks),
        )

    return cache.cached(
        "compliance-gaps",
        apps=("activities", "membership", "core"),
        parts=(year, minute.isoformat(), *viewer_scope(viewer)),
        build=build,
    )


def _compliance(*, year: int, viewer: Any, city: str | None, now: datetime.datetime) -> Compliance:
    settings = ActivitySettings.for_year(year)
    start, end = year_bounds(year)
    year_over = now >= end
    in_year = Event.objects.filter(starts_at__gte=start, starts_at__lt=end).exclude(
        status=EventStatus.CANCELLED
    )
    counts = _counts(now)

    plenary_row = in_year.filter(kind=EventKind.PLENARY).aggregate(**counts)
    plenary = Requirement(
        key="plenary",
        label=_("理事会全会"),
        required=1,
        held=plenary_row["held"],
        scheduled=plenary_row["scheduled"],
        pending=plenary_row["pending"],
        status=_status(**plenary_row, required=1, year_over=year_over),
    )
    if plenary.status != ComplianceStatus.MET:
        plenary.missing = _("本年度理事会全会尚未举办")

    city_rows: dict[str, dict[str, Any]] = {
        row["city_id"]: dict(row)
        for row in in_year.filter(kind__in=settings.city_kinds)
        .values("city_id")
        .annotate(**counts)
        .order_by()
    }
    kinds_label = "、".join(str(EventKind(k).label) for k in settings.city_kinds if k in EventKind.values)
    cities: list[Requirement] = []
    for c in City.objects.filter(is_member=True).order_by("position", "code"):
        row = city_rows.get(c.code, {"held": 0, "scheduled": 0, "pending": 0})
        req = Requirement(
            key=c.code,
            city_code=c.code,
            label=c.display_name,
            required=1,
            held=row["held"],
            scheduled=row["scheduled"],
            pending=row["pending"],
            status=_status(
                held=row["held"],
                scheduled=row["scheduled"],
                pending=row["pending"],
                required=1,
                year_over=year_over,
            ),
        )
        if req.status != ComplianceStatus.MET:
            req.missing = _("尚无已举办的%(kinds)s") % {"kinds": kinds_label}
        cities.append(req)

    parks_qs = Organization.objects.filter(kind=OrganizationKind.PARK, status=OrganizationStatus.ACTIVE)
    parks_visible = True
    if not policies.is_secretariat(viewer):
        allowed = Q(pk__in=[])
        if getattr(viewer, "is_authenticated", False):
            allowed = Q(city_id__in=viewer.coordinated_city_codes) | Q(pk__in=viewer.contact_organization_ids)
        parks_qs = parks_qs.filter(allowed)
        parks_visible = bool(getattr(viewer, "is_authenticated", False)) and parks_qs.exists()
    if city:
        parks_qs = parks_qs.filter(city_id=city)

    quota = settings.themed_quota
    park_filter = Q(organizer__kind=OrganizationKind.PARK)
    park_rows: dict[int, dict[str, Any]] = {
        row["organizer_id"]: dict(row)
        for row in in_year.filter(park_filter, kind__in=settings.park_kinds)
        .values("organizer_id")
        .annotate(**counts)
        .order_by()
    }
    all_parks = Organization.objects.filter(kind=OrganizationKind.PARK, status=OrganizationStatus.ACTIVE)
    totals = {s.value: 0 for s in ComplianceStatus}
    parks: list[Requirement] = []
    visible_ids = set(parks_qs.values_list("pk", flat=True)) if parks_visible else set()
    for pk, name, city_code in all_parks.order_by("city__position", "name_sort", "id").values_list(
        "pk", "name", "city_id"
    ):
        row = park_rows.get(pk, {"held": 0, "scheduled": 0, "pending": 0})
        status = _status(
            held=row["held"],
            scheduled=row["scheduled"],
            pending=row["pending"],
            required=quota,
            year_over=year_over,
        )
        totals[status] += 1
        if pk not in visible_ids:
            continue
        req = Requirement(
            key=str(pk),
            label=name,
            city_code=city_code,
            required=quota,
            held=row["held"],
            scheduled=row["scheduled"],
            pending=row["pending"],
            status=status,
        )
        if status != ComplianceStatus.MET:
            short = quota - row["held"]
            req.missing = ngettext("还差 %(n)d 场主题活动", "还差 %(n)d 场主题活动", short) % {"n": short}
        parks.append(req)
    totals["total"] = sum(totals.values())
    return Compliance(
        year=year,
        settings=settings,
        plenary=plenary,
        cities=cities,
        parks=parks,
        parks_visible=parks_visible,
        park_totals=totals,
        year_over=year_over,
    )

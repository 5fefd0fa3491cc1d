"""The figures of one year, per mechanism and per member city, read from the other apps' tables.

Reporting only reads. Every figure is a grouped aggregate, so ``year_figures`` issues a fixed number of
queries whatever the number of organizations, events, projects or posts. Figures that depend on what
the viewer may see (landings of projects, achievements) go through the owning app's visibility
selectors; the rest are counts, which the public may read.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _

from lianmeng.activities.compliance import Compliance, ComplianceStatus, compliance_for_year
from lianmeng.activities.models import Event, EventStatus
from lianmeng.activities.selectors import year_bounds
from lianmeng.core import cache
from lianmeng.core.models import City
from lianmeng.governance.models import (
    DECIDED_STATUSES,
    Meeting,
    MeetingStatus,
    Motion,
    MotionStatus,
    Resolution,
)
from lianmeng.governance.presidency import TermView, presidency_schedule
from lianmeng.library.models import (
    AchievementKind,
    Consultation,
    ConsultationStatus,
    Expert,
    ExpertStatus,
    ProjectStage,
)
from lianmeng.library.policies import is_secretariat
from lianmeng.library.selectors import LANDED_STAGES, achievements_visible, landings_visible, projects_visible
from lianmeng.matchmaking.models import SUCCESS_OUTCOMES, MatchRequest, Outcome, Resource, ResourceStatus
from lianmeng.membership.models import (
    MembershipEvent,
    Organization,
    OrganizationKind,
    OrganizationStatus,
    Tier,
)
from lianmeng.publicity.models import Article, ArticleKind, ArticleStatus
from lianmeng.research.models import Entry, Proposal, SelectionRound

# Seats of the member cities' governments (longitude, latitude), for the schematic map. Cities added
# to the alliance later without an entry here are left off the map, never guessed.
CITY_COORDINATES: dict[str, tuple[float, float]] = {
    "370200": (120.38, 36.07),  # 青岛
    "370600": (121.45, 37.46),  # 烟台
    "370700": (119.16, 36.71),  # 潍坊
    "371000": (122.12, 37.51),  # 威海
    "371100": (119.53, 35.42),  # 日照
    "371600": (117.97, 37.38),  # 滨州
    "370500": (118.67, 37.43),  # 东营
}


def current_year() -> int:
    return timezone.localdate().year


@dataclass
class CityRow:
    """One member city's line of the dashboard (investment in 万元)."""

    city: City
    members: int = 0
    parks: int = 0
    events_held: int = 0
    compliance_status: str = ""
    compliance_label: str = ""
    compliance_badge: str = ""
    projects_landed: int = 0
    investment: Decimal = Decimal(0)
    jobs: int = 0
    achievements: int = 0
    open_resources: int = 0
    agreements: int = 0
    highlighted: bool = False

    @property
    def coordinates(self) -> tuple[float, float] | None:
        return CITY_COORDINATES.get(self.city.code)

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.city.code,
            "name": self.city.display_name,
            "members": self.members,
            "parks": self.parks,
            "events_held": self.events_held,
            "compliance": self.compliance_status,
            "compliance_label": self.compliance_label,
            "projects_landed": self.projects_landed,
            "investment": float(self.investment),
            "jobs": self.jobs,
            "achievements": self.achievements,
            "open_resources": self.open_resources,
            "agreements": self.agreements,
            "coordinates": list(self.coordinates) if self.coordinates else None,
        }


@dataclass
class YearFigures:
    year: int
    cities: list[CityRow]
    membership: dict[str, Any]
    presidency: dict[str, Any]
    council: dict[str, Any]
    activities: dict[str, Any]
    library: dict[str, Any]
    research: dict[str, Any]
    matchmaking: dict[str, Any]
    publicity: dict[str, Any]
    landed_by_city_year: dict[str, dict[int, int]] = field(default_factory=dict)
    compliance: Compliance | None = None
    president_term: TermView | None = None

    @property
    def landing_years(self) -> list[int]:
        years = {y for per_city in self.landed_by_city_year.values() for y in per_city}
        return sorted(years | {self.year})

    def as_dict(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "membership": self.membership,
            "presidency": self.presidency,
            "council": self.council,
            "activities": self.activities,
            "library": self.library,
            "research": self.research,
            "matchmaking": self.matchmaking,
            "publicity": self.publicity,
            "cities": [row.as_dict() for row in self.cities],
            "landed_by_city_year": {
                code: {str(y): n for y, n in sorted(per_year.items())}
                for code, per_year in self.landed_by_city_year.items()
            },
        }


def _by(rows: Any, key: str, value: str = "n") -> dict[Any, Any]:
    return {r[key]: r[value] for r in rows}


def _labelled(counts: dict[str, int], choices: Any) -> list[dict[str, Any]]:
    """Counts per choice in the choices' own order, zeros included, with the translated label."""
    return [{"key": c.value, "label": str(c.label), "count": counts.get(c.value, 0)} for c in choices]


def viewer_scope(viewer: Any) -> tuple[Any, ...]:
    """What of the figures depends on the viewer: the projects, landings and achievements they may see
    (a member also sees the achievements they submitted) and the cities they coordinate."""
    if is_secretariat(viewer):
        return ("office", tuple(sorted(getattr(viewer, "coordinated_city_codes", ()) or ())))
    if not getattr(viewer, "is_authenticated", False):
        return ("public",)
    return (
        "user",
        viewer.pk,
        tuple(sorted(viewer.coordinated_city_codes)),
        tuple(sorted(viewer.contact_organization_ids)),
    )


def year_figures(*, year: int, viewer: Any) -> YearFigures:
    """Everything the dashboard and the API show for ``year``, as ``viewer`` may see it.

    Cached (``core.cache``, until anything the figures count changes) per year, language, the viewer's
    scope and minute (the compliance statuses and the presidency move with the clock)."""
    minute = timezone.now().replace(second=0, microsecond=0)
    return cache.cached(
        "year-figures",
        apps=tuple(sorted(cache.TRACKED_APPS)),
        parts=(year, minute.isoformat(), *viewer_scope(viewer)),
        build=lambda: _year_figures(year=year, viewer=viewer),
    )


def _year_figures(*, year: int, viewer: Any) -> YearFigures:
    start, end = year_bounds(year)
    first_day, last_day = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    today = timezone.localdate()
    cities = list(City.objects.filter(is_member=True).order_by("position", "code"))
    coordinated = set(getattr(viewer, "coordinated_city_codes", set()) or set())
    rows = {c.code: CityRow(city=c, highlighted=c.code in coordinated) for c in cities}

    # Members ------------------------------------------------------------------------------------
    active = Organization.objects.filter(status=OrganizationStatus.ACTIVE)
    for row_m in (
        active.values("city_id")
        .annotate(n=Count("id"), parks=Count("id", filter=Q(kind=OrganizationKind.PARK)))
        .order_by()
    ):
        if row_m["city_id"] in rows:
            rows[row_m["city_id"]].members = row_m["n"]
            rows[row_m["city_id"]].parks = row_m["parks"]
    tiers = _by(active.values("tier").annotate(n=Count("id")).order_by(), "tier")
    kinds = _by(active.values("kind").annotate(n=Count("id")).order_by(), "kind")
    admitted = MembershipEvent.objects.filter(
        kind=MembershipEvent.Kind.ADMITTED, date__gte=first_day, date__lte=last_day
    ).count()
    membership = {
        "active": sum(tiers.values()),
        "admitted_in_year": admitted,
        "by_tier": _labelled(tiers, Tier),
        "by_kind": _labelled(kinds, OrganizationKind),
    }

    # Presidency ---------------------------------------------------------------------------------
    schedule = presidency_schedule(min(today, last_day))
    terms = [t for t in schedule.terms if t.starts_on <= last_day and t.ends_on >= first_day]
    handovers = [t for t in terms if t.handover and first_day <= t.handover.date <= last_day]
    president = schedule.current
    presidency = {
        "president": president.organization.name if president else "",
        "president_city": president.organization.city_id if president else "",
        "terms_in_year": [
            {
                "number": t.number,
                "organization": t.organization.name,
                "starts_on": t.starts_on.isoformat(),
                "ends_on": t.ends_on.isoformat(),
            }
            for t in terms
        ],
        "handovers_in_year": len(handovers),
    }

    # Council ------------------------------------------------------------------------------------
    meetings = Meeting.objects.filter(status=MeetingStatus.HELD, starts_at__gte=start, starts_at__lt=end)
    motions = _by(
        Motion.objects.filter(status__in=DECIDED_STATUSES, decided_at__gte=start, decided_at__lt=end)
        .values("status")
        .annotate(n=Count("id"))
        .order_by(),
        "status",
    )
    council = {
        "meetings_held": meetings.count(),
        "motions_by_result": _labelled(motions, [MotionStatus(s) for s in DECIDED_STATUSES]),
        "resolutions": Resolution.objects.filter(adopted_on__gte=first_day, adopted_on__lte=last_day).count(),
    }

    # Activities ---------------------------------------------------------------------------------
    held_events = Event.objects.filter(status=EventStatus.HELD, starts_at__gte=start, starts_at__lt=end)
    for row_e in held_events.values("city_id").annotate(n=Count("id")).order_by():
        if row_e["city_id"] in rows:
            rows[row_e["city_id"]].events_held = row_e["n"]
    compliance = compliance_for_year(year=year, viewer=viewer)
    for req in compliance.cities:
        if req.key in rows:
            rows[req.key].compliance_status = req.status
            rows[req.key].compliance_label = req.status_label
            rows[req.key].compliance_badge = req.badge
    activities = {
        "events_held": sum(r.events_held for r in rows.values()),
        "plenary": compliance.plenary.status,
        "plenary_label": compliance.plenary.status_label,
        "cities_met": sum(1 for r in compliance.cities if r.status == ComplianceStatus.MET),
        "cities_total": len(compliance.cities),
        "parks_met": compliance.park_totals.get(ComplianceStatus.MET, 0),
        "parks_total": compliance.park_totals.get("total", 0),
    }

    # Libraries ----------------------------------------------------------------------------------
    landings = landings_visible(viewer).filter(project__stage__in=LANDED_STAGES)
    in_year = landings.filter(date__gte=first_day, date__lte=last_day)
    for row_l in (
        in_year.values("city_id")
        .annotate(n=Count("project", distinct=True), investment=Sum("investment"), jobs=Sum("jobs"))
        .order_by()
    ):
        if row_l["city_id"] in rows:
            row = rows[row_l["city_id"]]
            row.projects_landed, row.investment, row.jobs = (
                row_l["n"],
                row_l["investment"] or Decimal(0),
                row_l["jobs"] or 0,
            )
    landed_by_city_year: dict[str, dict[int, int]] = defaultdict(dict)
    for row_y in (
        landings.annotate(y=ExtractYear("date"))
        .values("city_id", "y")
        .annotate(n=Count("project", distinct=True))
        .order_by()
    ):
        landed_by_city_year[row_y["city_id"]][row_y["y"]] = row_y["n"]
    achievements = achievements_visible(viewer).filter(year=year)
    for row_a in achievements.values("owner_organization__city_id").annotate(n=Count("id")).order_by():
        code = row_a["owner_organization__city_id"]
        if code in rows:
            rows[code].achievements = row_a["n"]
    stages = _by(projects_visible(viewer).values("stage").annotate(n=Count("id")).order_by(), "stage")
    consultations = Consultation.objects.filter(created_at__gte=start, created_at__lt=end).aggregate(
        asked=Count("id"),
        answered=Count(
            "id",
            filter=Q(
                status__in=[ConsultationStatus.ANSWERED, ConsultationStatus.RATED, ConsultationStatus.CLOSED]
            ),
        ),
    )
    achievement_kinds = _by(achievements.values("kind").annotate(n=Count("id")).order_by(), "kind")
    library = {
        "experts": Expert.objects.filter(status=ExpertStatus.ACTIVE).count(),
        "projects_by_stage": _labelled(stages, ProjectStage),
        "projects_landed": sum(r.projects_landed for r in rows.values()),
        "investment": float(sum((r.investment for r in rows.values()), Decimal(0))),
        "jobs": sum(r.jobs for r in rows.values()),
        "achievements": sum(achievement_kinds.values()),
        "achievements_by_kind": _labelled(achievement_kinds, AchievementKind),
        "consultations_asked": consultations["asked"],
        "consultations_answered": consultations["answered"],
    }

    # Research and selections --------------------------------------------------------------------
    proposals = Proposal.objects.aggregate(
        approved=Count("id", filter=Q(approved_on__gte=first_day, approved_on__lte=last_day)),
        completed=Count("id", filter=Q(completed_on__gte=first_day, completed_on__lte=last_day)),
    )
    rounds = SelectionRound.objects.filter(year=year).count()
    awards = (
        Entry.objects.filter(round__year=year, round__status="final")
        .exclude(award="")
        .exclude(award="approved")
        .count()
    )
    research = {
        "topics_approved": proposals["approved"],
        "topics_completed": proposals["completed"],
        "rounds": rounds,
        "awards": awards,
    }

    # Matchmaking --------------------------------------------------------------------------------
    for row_o in (
        Resource.objects.filter(status=ResourceStatus.OPEN)
        .values("organization__city_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        code = row_o["organization__city_id"]
        if code in rows:
            rows[code].open_resources = row_o["n"]
    concluded = MatchRequest.objects.filter(outcome_at__gte=start, outcome_at__lt=end)
    for row_g in (
        concluded.filter(outcome=Outcome.AGREEMENT)
        .values("resource__organization__city_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        code = row_g["resource__organization__city_id"]
        if code in rows:
            rows[code].agreements = row_g["n"]
    outcome_row = concluded.aggregate(
        requests=Count("id"),
        successes=Count("id", filter=Q(outcome__in=SUCCESS_OUTCOMES)),
        amount=Sum("outcome_amount", filter=Q(outcome__in=SUCCESS_OUTCOMES)),
    )
    matchmaking = {
        "posts_in_year": Resource.objects.filter(created_at__gte=start, created_at__lt=end).count(),
        "open_posts": sum(r.open_resources for r in rows.values()),
        "requests_concluded": outcome_row["requests"],
        "successes": outcome_row["successes"],
        "agreements": sum(r.agreements for r in rows.values()),
        "amount": float(outcome_row["amount"] or 0),
    }

    # Publicity ----------------------------------------------------------------------------------
    articles = _by(
        Article.objects.filter(status=ArticleStatus.PUBLISHED, published_at__gte=start, published_at__lt=end)
        .values("kind")
        .annotate(n=Count("id"))
        .order_by(),
        "kind",
    )
    publicity = {"articles": sum(articles.values()), "by_kind": _labelled(articles, ArticleKind)}

    return YearFigures(
        year=year,
        cities=[rows[c.code] for c in cities],
        membership=membership,
        presidency=presidency,
        council=council,
        activities=activities,
        library=library,
        research=research,
        matchmaking=matchmaking,
        publicity=publicity,
        landed_by_city_year=dict(landed_by_city_year),
        compliance=compliance,
        president_term=president,
    )


def chart_data(figures: YearFigures) -> dict[str, Any]:
    """What the dashboard's ECharts read (passed through ``json_script``)."""
    years = figures.landing_years
    return {
        "year": figures.year,
        "labels": {
            "members": _("入盟单位"),
            "projects": _("落地项目"),
            "investment": _("投资额（万元）"),
            "events": _("已举办活动"),
            "map": _("成员城市"),
        },
        "cities": [
            {
                "code": r.city.code,
                "name": r.city.display_name,
                "members": r.members,
                "events": r.events_held,
                "projects": r.projects_landed,
                "investment": float(r.investment),
                "coordinates": list(r.coordinates) if r.coordinates else None,
                "highlighted": r.highlighted,
            }
            for r in figures.cities
        ],
        "landing_years": years,
        "landed_by_city_year": [
            {
                "name": r.city.display_name,
                "values": [figures.landed_by_city_year.get(r.city.code, {}).get(y, 0) for y in years],
            }
            for r in figures.cities
        ],
    }

"""Reads of the libraries, filtered by what the viewer may see (missing and hidden: the same 404)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import ExtractYear
from django.http import Http404
from django.utils import timezone

from lianmeng.core.search import search_filter
from lianmeng.core.selectors import member_cities

from . import policies
from .models import (
    Achievement,
    CommitteeMembership,
    Consultation,
    ConsultationAnswer,
    ConsultationAssignment,
    Expert,
    ExpertStatus,
    Landing,
    Project,
    ProjectStage,
    Visibility,
)

INITIALS_FIELDS = ("name_initials", "name_pinyin")


# Experts ---------------------------------------------------------------------------------------


def experts_visible(viewer: Any) -> QuerySet[Expert]:
    qs = Expert.objects.all()
    if policies.is_secretariat(viewer):
        return qs
    visible = Q(status=ExpertStatus.ACTIVE)
    if not policies.signed_in(viewer):
        visible &= Q(publish_consent=True)
    if policies.signed_in(viewer):
        visible |= Q(user_id=viewer.pk)
    return qs.filter(visible)


def expert_list(
    *,
    viewer: Any,
    q: str | None = None,
    city: str | None = None,
    field: str | int | None = None,
    title: str | None = None,
    committee: bool = False,
    organization: int | None = None,
) -> QuerySet[Expert]:
    qs = experts_visible(viewer).select_related("organization", "city")
    if city:
        qs = qs.filter(city_id=city)
    if field:
        qs = qs.filter(fields=int(field))
    if title:
        qs = qs.filter(title=title)
    if organization:
        qs = qs.filter(organization_id=organization)
    if committee:
        today = timezone.localdate()
        qs = qs.filter(
            Exists(
                CommitteeMembership.objects.filter(
                    expert=OuterRef("pk"), term_start__lte=today, term_end__gte=today
                )
            )
        )
    qs = search_filter(qs, q, initials_fields=INITIALS_FIELDS)
    return qs.prefetch_related("fields").order_by("name_sort", "id")


def expert_get(*, viewer: Any, pk: int) -> Expert:
    expert = (
        Expert.objects.select_related("organization", "city", "user")
        .prefetch_related("fields", "declared_conflicts")
        .filter(pk=pk)
        .first()
    )
    if expert is None or not policies.can_view_expert(viewer, expert):
        raise Http404
    return expert


def committee_current(*, viewer: Any, on: datetime.date | None = None) -> list[CommitteeMembership]:
    """The current advisory committee: 主任, 副主任, 委员, each by pinyin of the name."""
    on = on or timezone.localdate()
    terms = (
        CommitteeMembership.objects.filter(
            term_start__lte=on, term_end__gte=on, expert__status=ExpertStatus.ACTIVE
        )
        .select_related("expert__organization", "expert__city")
        .prefetch_related("expert__fields")
    )
    order = {"chair": 0, "vice_chair": 1, "member": 2}
    visible = [t for t in terms if policies.can_view_expert(viewer, t.expert)]
    return sorted(visible, key=lambda t: (order.get(t.post, 9), t.expert.name_sort, t.expert.pk))


# Projects --------------------------------------------------------------------------------------


def projects_visible(viewer: Any) -> QuerySet[Project]:
    qs = Project.objects.all()
    if policies.is_secretariat(viewer):
        return qs
    stages = policies.MEMBER_STAGES if policies.signed_in(viewer) else policies.PUBLIC_STAGES
    visible = Q(stage__in=stages)
    orgs = policies.contact_org_ids(viewer)
    if orgs:
        visible |= Q(lead_organization_id__in=orgs) | Q(
            Exists(
                Project.partner_organizations.through.objects.filter(
                    project_id=OuterRef("pk"), organization_id__in=orgs
                )
            )
        )
    return qs.filter(visible)


def project_list(
    *,
    viewer: Any,
    q: str | None = None,
    stage: str | None = None,
    city: str | None = None,
    strategy: str | int | None = None,
    integration: str | None = None,
    organization: int | None = None,
) -> QuerySet[Project]:
    qs = projects_visible(viewer).select_related("lead_organization")
    if stage:
        qs = qs.filter(stage=stage)
    if city:
        qs = qs.filter(Exists(Project.cities.through.objects.filter(project_id=OuterRef("pk"), city_id=city)))
    if strategy:
        qs = qs.filter(
            Exists(
                Project.strategy_tags.through.objects.filter(
                    project_id=OuterRef("pk"), strategytag_id=strategy
                )
            )
        )
    if integration:
        qs = qs.filter(integration_tags__contains=f",{integration},")
    if organization:
        qs = qs.filter(
            Q(lead_organization_id=organization)
            | Exists(
                Project.partner_organizations.through.objects.filter(
                    project_id=OuterRef("pk"), organization_id=organization
                )
            )
        )
    qs = search_filter(qs, q, initials_fields=INITIALS_FIELDS)
    return qs.prefetch_related("cities", "strategy_tags", "partner_organizations").order_by("name_sort", "id")


def project_get(*, viewer: Any, pk: int) -> Project:
    project = (
        Project.objects.select_related("lead_organization", "submitted_by")
        .prefetch_related("partner_organizations", "cities", "strategy_tags")
        .filter(pk=pk)
        .first()
    )
    if project is None:
        raise Http404
    partner_ids = {o.pk for o in project.partner_organizations.all()}
    if not (
        policies.can_view_project(viewer, project) or policies.is_project_party(viewer, project, partner_ids)
    ):
        raise Http404
    return project


LANDED_STAGES = (ProjectStage.LANDED, ProjectStage.OPERATING)


def landings_visible(viewer: Any) -> QuerySet[Landing]:
    """Landings of projects the viewer may see (the public: landed and operating projects)."""
    return Landing.objects.filter(project__in=projects_visible(viewer).values("pk"))


def landed_by_city(*, viewer: Any, year: int | None = None) -> list[dict[str, Any]]:
    """Per member city (alliance order): projects landed, investment (万元) and jobs, optionally in one year."""
    qs = landings_visible(viewer).filter(project__stage__in=LANDED_STAGES)
    if year:
        qs = qs.filter(date__year=year)
    rows = {
        r["city_id"]: r
        for r in qs.values("city_id").annotate(
            projects=Count("project", distinct=True), investment=Sum("investment"), jobs=Sum("jobs")
        )
    }
    out = []
    for city in member_cities():
        r: dict[str, Any] = dict(rows.get(city.code) or {})
        out.append(
            {
                "city": city,
                "projects": r.get("projects", 0),
                "investment": r.get("investment") or 0,
                "jobs": r.get("jobs") or 0,
            }
        )
    return out


def landed_by_year(*, viewer: Any) -> list[dict[str, Any]]:
    qs = landings_visible(viewer).filter(project__stage__in=LANDED_STAGES)
    return [
        dict(row)
        for row in qs.annotate(year=ExtractYear("date"))
        .values("year")
        .annotate(
            projects=Count("project", distinct=True),
            landings=Count("id"),
            investment=Sum("investment"),
            jobs=Sum("jobs"),
        )
        .order_by("-year")
    ]


def city_landings(*, viewer: Any, city: str, year: int | None = None) -> QuerySet[Landing]:
    """The landed list of one city: each landing with its project, newest first."""
    qs = landings_visible(viewer).filter(city_id=city, project__stage__in=LANDED_STAGES)
    if year:
        qs = qs.filter(date__year=year)
    return qs.select_related("project__lead_organization", "park", "city").order_by("-date", "-id")


# Achievements ----------------------------------------------------------------------------------


def achievements_visible(viewer: Any) -> QuerySet[Achievement]:
    qs = Achievement.objects.all()
    if policies.is_secretariat(viewer):
        return qs
    if not policies.signed_in(viewer):
        return qs.filter(visibility=Visibility.PUBLIC)
    visible = Q(visibility__in=[Visibility.PUBLIC, Visibility.MEMBERS]) | Q(submitted_by_id=viewer.pk)
    orgs = policies.contact_org_ids(viewer)
    if orgs:
        visible |= Q(owner_organization_id__in=orgs)
    return qs.filter(visible)


def achievement_list(
    *,
    viewer: Any,
    q: str | None = None,
    kind: str | None = None,
    year: int | None = None,
    visibility: str | None = None,
    showcase: bool | None = None,
    organization: int | None = None,
) -> QuerySet[Achievement]:
    qs = achievements_visible(viewer).select_related("owner_organization")
    if kind:
        qs = qs.filter(kind=kind)
    if year:
        qs = qs.filter(year=year)
    if visibility:
        qs = qs.filter(visibility=visibility)
    if showcase is not None:
        qs = qs.filter(showcase=showcase)
    if organization:
        qs = qs.filter(
            Exists(
                Achievement.organizations.through.objects.filter(
                    achievement_id=OuterRef("pk"), organization_id=organization
                )
            )
        )
    qs = search_filter(qs, q, initials_fields=INITIALS_FIELDS)
    return qs.prefetch_related("organizations").order_by("-year", "name_sort", "id")


def achievement_get(*, viewer: Any, pk: int) -> Achievement:
    achievement = (
        Achievement.objects.select_related("owner_organization", "submitted_by")
        .prefetch_related("organizations", "files")
        .filter(pk=pk)
        .first()
    )
    if achievement is None or not policies.can_view_achievement(viewer, achievement):
        raise Http404
    return achievement


def showcase(*, year: int) -> QuerySet[Achievement]:
    """The public yearly showcase (年度科研成果应用场景展示)."""
    return (
        Achievement.objects.filter(showcase=True, showcase_year=year, visibility=Visibility.PUBLIC)
        .prefetch_related("organizations")
        .order_by("kind", "name_sort", "id")
    )


def showcase_years() -> list[int]:
    """Years with a showcase. Without ``order_by()`` the model's ordering joined the DISTINCT (a row per
    achievement), and ``showcase_year`` not null lets its index find them (the portal home asks; 560 ms
    at 600,000 achievements before, docs/scale.md "Load")."""
    return sorted(
        {
            y
            for y in Achievement.objects.filter(
                showcase=True, visibility=Visibility.PUBLIC, showcase_year__isnull=False
            )
            .order_by()
            .values_list("showcase_year", flat=True)
            .distinct()
            if y
        },
        reverse=True,
    )


# Consultations ---------------------------------------------------------------------------------


def consultations_visible(viewer: Any) -> QuerySet[Consultation]:
    qs = Consultation.objects.all()
    if policies.is_secretariat(viewer):
        return qs
    if not policies.signed_in(viewer):
        return qs.none()
    # The consultations assigned to the viewer as an expert are looked up first (a few ids): an
    # ``OR EXISTS(…)`` made PostgreSQL test every consultation (577 ms at 200,000), two id lists let it
    # combine two index scans.
    assigned = list(
        ConsultationAssignment.objects.filter(expert__user_id=viewer.pk).values_list(
            "consultation_id", flat=True
        )
    )
    return qs.filter(Q(organization_id__in=policies.contact_org_ids(viewer)) | Q(pk__in=assigned))


def consultation_list(
    *, viewer: Any, status: str | None = None, mine: bool = False
) -> QuerySet[Consultation]:
    qs = consultations_visible(viewer).select_related("organization", "field")
    if status:
        qs = qs.filter(status=status)
    if mine and policies.signed_in(viewer):
        qs = qs.filter(
            Exists(
                ConsultationAssignment.objects.filter(
                    consultation_id=OuterRef("pk"), expert__user_id=viewer.pk
                )
            )
        )
    # The rows' experts and answers (with their expert) in two queries, whatever the page holds.
    answers = Prefetch("answers", queryset=ConsultationAnswer.objects.select_related("expert"))
    return qs.prefetch_related("assignments", answers).order_by("-created_at", "-id")


def consultation_get(*, viewer: Any, pk: int) -> Consultation:
    consultation = (
        Consultation.objects.select_related("organization", "field", "asked_by", "project")
        .prefetch_related(Prefetch("answers", queryset=ConsultationAnswer.objects.select_related("expert")))
        .filter(pk=pk)
        .first()
    )
    if consultation is None or not policies.can_view_consultation(viewer, consultation):
        raise Http404
    return consultation

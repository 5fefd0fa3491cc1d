"""Experts, projects and achievements in the one search (see lianmeng.core.search)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Exists, OuterRef, QuerySet
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext_lazy as _

from lianmeng.core.search import SearchProvider, count_by, count_through

from . import selectors
from .models import Achievement, AchievementKind, Expert, ExpertiseField, Project, StrategyTag


def _expert_texts(e: Expert) -> list[str]:
    return [
        e.keywords,
        " ".join(f.name for f in e.fields.all()),
        e.position,
        e.biography if e.publish_consent else "",
    ]


def _expert_tag(qs: QuerySet[Expert], tag: str) -> QuerySet[Expert]:
    return qs.filter(
        Exists(Expert.fields.through.objects.filter(expert_id=OuterRef("pk"), expertisefield__name=tag))
    )


def _expert_tags(qs: QuerySet[Expert]) -> dict[Any, int]:
    counts = count_through(qs, Expert.fields.through, "expert", "expertisefield_id")
    names = dict(ExpertiseField.objects.filter(pk__in=list(counts)).values_list("pk", "name"))
    return {names[k]: n for k, n in counts.items() if k in names}


def _project_city(qs: QuerySet[Project], code: str) -> QuerySet[Project]:
    return qs.filter(Exists(Project.cities.through.objects.filter(project_id=OuterRef("pk"), city_id=code)))


def _project_tag(qs: QuerySet[Project], tag: str) -> QuerySet[Project]:
    return qs.filter(
        Exists(Project.strategy_tags.through.objects.filter(project_id=OuterRef("pk"), strategytag__name=tag))
    )


def _project_tags(qs: QuerySet[Project]) -> dict[Any, int]:
    counts = count_through(qs, Project.strategy_tags.through, "project", "strategytag_id")
    names = dict(StrategyTag.objects.filter(pk__in=list(counts)).values_list("pk", "name"))
    return {names[k]: n for k, n in counts.items() if k in names}


def _project_years(qs: QuerySet[Project]) -> dict[Any, int]:
    rows = qs.order_by().annotate(y=ExtractYear("created_at")).values("y").annotate(n=Count("pk")).order_by()
    return {row["y"]: row["n"] for row in rows}


def _achievement_city(qs: QuerySet[Achievement], code: str) -> QuerySet[Achievement]:
    return qs.filter(
        Exists(
            Achievement.organizations.through.objects.filter(
                achievement_id=OuterRef("pk"), organization__city_id=code
            )
        )
    )


def _achievement_cities(qs: QuerySet[Achievement]) -> dict[Any, int]:
    return count_through(qs, Achievement.organizations.through, "achievement", "organization__city_id")


PROVIDERS = [
    SearchProvider(
        type="expert",
        label=_("专家"),
        order=20,
        visible=selectors.experts_visible,
        title=lambda e: e.name,
        url=lambda e: e.get_absolute_url(),
        texts=_expert_texts,
        meta=lambda e: f"{e.affiliation} · {e.get_title_display()}",
        select_related=("organization", "city"),
        prefetch_related=("fields",),
        filter_city=lambda qs, code: qs.filter(city_id=code),
        filter_tag=_expert_tag,
        facet_city=lambda qs: count_by(qs, "city_id"),
        facet_tag=_expert_tags,
    ),
    SearchProvider(
        type="project",
        label=_("共建项目"),
        order=30,
        visible=selectors.projects_visible,
        title=lambda p: p.name,
        url=lambda p: p.get_absolute_url(),
        texts=lambda p: [p.summary, " ".join(c.name for c in p.cities.all()), p.lead_organization.name],
        meta=lambda p: f"{p.lead_organization.name} · {p.get_stage_display()}",
        select_related=("lead_organization",),
        prefetch_related=("cities",),
        filter_city=_project_city,
        filter_year=lambda qs, year: qs.filter(created_at__year=year),
        filter_tag=_project_tag,
        facet_city=lambda qs: count_through(qs, Project.cities.through, "project", "city_id"),
        facet_year=_project_years,
        facet_tag=_project_tags,
    ),
    SearchProvider(
        type="achievement",
        label=_("成果"),
        order=40,
        visible=selectors.achievements_visible,
        title=lambda a: a.title,
        url=lambda a: a.get_absolute_url(),
        texts=lambda a: [a.abstract, a.authors, a.keywords, a.application_scenarios, a.awards],
        meta=lambda a: f"{a.get_kind_display()} · {a.year} · {a.authors}",
        ordering=("-year", "name_sort", "id"),
        filter_city=_achievement_city,
        filter_year=lambda qs, year: qs.filter(year=year),
        filter_kind=lambda qs, kind: qs.filter(kind=kind) if kind in AchievementKind.values else qs.none(),
        facet_city=_achievement_cities,
        facet_year=lambda qs: count_by(qs, "year"),
        facet_kind=lambda qs: count_by(qs, "kind"),
        kind_labels=dict(AchievementKind.choices),
    ),
]

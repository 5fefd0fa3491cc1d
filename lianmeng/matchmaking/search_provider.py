"""Resources (supply and demand posts) in the one search (see lianmeng.core.search).

Only open posts take part, for every viewer; a post is matched through its ``search_text`` and the
shared full-text index. Snippets come from the title, description and tags only: contact name, phone
and e-mail never appear in a search result.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Exists, OuterRef, QuerySet
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext_lazy as _

from lianmeng.core.search import SearchProvider, count_by, count_through

from .models import Direction, Resource, ResourceStatus, as_list

KIND_PREFIX = "resource."


def _visible(viewer: Any) -> QuerySet[Resource]:
    return Resource.objects.filter(status=ResourceStatus.OPEN)


def _city(qs: QuerySet[Resource], code: str) -> QuerySet[Resource]:
    return qs.filter(Exists(Resource.cities.through.objects.filter(resource_id=OuterRef("pk"), city_id=code)))


def _kind(qs: QuerySet[Resource], value: str) -> QuerySet[Resource]:
    direction = value.removeprefix(KIND_PREFIX)
    if value.startswith(KIND_PREFIX) and direction in Direction.values:
        return qs.filter(direction=direction)
    return qs.none()


def _kinds(qs: QuerySet[Resource]) -> dict[Any, int]:
    return {f"{KIND_PREFIX}{k}": n for k, n in count_by(qs, "direction").items()}


def _years(qs: QuerySet[Resource]) -> dict[Any, int]:
    rows = qs.order_by().annotate(y=ExtractYear("created_at")).values("y").annotate(n=Count("pk")).order_by()
    return {row["y"]: row["n"] for row in rows}


def _texts(resource: Resource) -> list[str]:
    # Never the contact fields: a search result must not reveal who to call.
    return [resource.description, " ".join(as_list(resource.tags)), " ".join(as_list(resource.strategy_tags))]


def _meta(resource: Resource) -> str:
    return (
        f"{resource.get_direction_display()} · {resource.get_category_display()} · "
        f"{resource.organization.name} · {resource.valid_until:%Y-%m-%d}"
    )


PROVIDERS = [
    SearchProvider(
        type="resource",
        label=_("对接资源"),
        order=60,
        visible=_visible,
        title=lambda r: r.title,
        url=lambda r: r.get_absolute_url(),
        texts=_texts,
        meta=_meta,
        ordering=("-created_at", "-id"),
        capped_ordering=("-id",),
        initials_fields=(),
        select_related=("organization",),
        filter_city=_city,
        filter_year=lambda qs, year: qs.filter(created_at__year=year),
        filter_kind=_kind,
        facet_city=lambda qs: count_through(qs, Resource.cities.through, "resource", "city_id"),
        facet_year=_years,
        facet_kind=_kinds,
        kind_labels={f"{KIND_PREFIX}{k}": v for k, v in Direction.choices},
    )
]

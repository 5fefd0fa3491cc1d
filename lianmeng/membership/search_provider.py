"""Member organizations in the one search (see lianmeng.core.search)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext_lazy as _

from lianmeng.core.search import SearchProvider, count_by

from .models import Organization, OrganizationKind
from .selectors import organization_directory


def _visible(viewer: Any) -> QuerySet[Organization]:
    return organization_directory(viewer=viewer)


def _years(qs: QuerySet[Organization]) -> dict[Any, int]:
    rows = (
        qs.order_by()
        .exclude(joined_on=None)
        .annotate(y=ExtractYear("joined_on"))
        .values("y")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["y"]: row["n"] for row in rows}


PROVIDERS = [
    SearchProvider(
        type="organization",
        label=_("成员单位"),
        order=10,
        visible=_visible,
        title=lambda o: o.name,
        url=lambda o: o.get_absolute_url(),
        texts=lambda o: [o.short_name, o.description, o.services, o.address],
        meta=lambda o: f"{o.city.display_name} · {o.get_kind_display()}",
        select_related=("city",),
        filter_city=lambda qs, code: qs.filter(city_id=code),
        filter_year=lambda qs, year: qs.filter(joined_on__year=year),
        filter_kind=lambda qs, kind: qs.filter(kind=kind) if kind in OrganizationKind.values else qs.none(),
        facet_city=lambda qs: count_by(qs, "city_id"),
        facet_year=_years,
        facet_kind=lambda qs: count_by(qs, "kind"),
        kind_labels=dict(OrganizationKind.choices),
    )
]

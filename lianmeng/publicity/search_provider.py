"""News (published articles) in the one search (see lianmeng.core.search).

Only published articles take part, for every viewer: drafts, articles in review, scheduled and
withdrawn ones never appear. Articles are matched through their ``search_text`` (title, summary,
body text, tags, outlet) and the shared full-text index.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lianmeng.core.search import SearchProvider, count_by

from .models import Article, ArticleKind
from .selectors import published
from .services import plain_text

KIND_PREFIX = "news."


def _visible(viewer: Any) -> QuerySet[Article]:
    return published()


def _kind(qs: QuerySet[Article], value: str) -> QuerySet[Article]:
    kind = value.removeprefix(KIND_PREFIX)
    return qs.filter(kind=kind) if value.startswith(KIND_PREFIX) and kind in ArticleKind.values else qs.none()


def _kinds(qs: QuerySet[Article]) -> dict[Any, int]:
    return {f"{KIND_PREFIX}{k}": n for k, n in count_by(qs, "kind").items()}


def _years(qs: QuerySet[Article]) -> dict[Any, int]:
    rows = (
        qs.order_by().annotate(y=ExtractYear("published_at")).values("y").annotate(n=Count("pk")).order_by()
    )
    return {row["y"]: row["n"] for row in rows if row["y"]}


def _meta(article: Article) -> str:
    parts = [str(article.get_kind_display())]
    if article.published_at:
        parts.append(f"{timezone.localtime(article.published_at):%Y-%m-%d}")
    if article.outlet:
        parts.append(article.outlet)
    return " · ".join(parts)


PROVIDERS = [
    SearchProvider(
        type="news",
        label=_("新闻"),
        order=70,
        visible=_visible,
        title=lambda a: a.title,
        url=lambda a: a.get_absolute_url(),
        texts=lambda a: [a.summary, plain_text(a.body), " ".join(a.tags or []), a.outlet],
        meta=_meta,
        ordering=("-published_at", "-id"),
        capped_ordering=("-id",),
        initials_fields=(),
        filter_year=lambda qs, year: qs.filter(published_at__year=year),
        filter_kind=_kind,
        facet_year=_years,
        facet_kind=_kinds,
        kind_labels={f"{KIND_PREFIX}{k}": v for k, v in ArticleKind.choices},
    )
]

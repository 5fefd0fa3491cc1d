"""One search over every searchable type (链接 X), as a registry of providers.

Any app may add ``lianmeng/<app>/search_provider.py`` with ``PROVIDERS = [SearchProvider(...), ...]``;
this module discovers them in ``INSTALLED_APPS`` order. Each provider says which rows the viewer may
see and how to filter and facet them; matching itself is the shared bigram index (``core.search``), so
SQLite and PostgreSQL give the same rows. Results are ordered by type (provider order), then by the
provider's own order (pinyin of the name, then id), which is deterministic on both databases.

Work is bounded whatever the data size. Each type counts at most ``COUNT_CAP`` matches (a LIMITed
sub-select; the page shows "10,000+"). A type with more matches than that is listed newest first
(``capped_ordering``, by id: both databases walk the primary key and stop after a page) instead of
sorting every match by pinyin; facet counts (city, year, kind, tag) are computed only when the
selected types have at most ``FACET_CAP`` matches together, otherwise the result says
``facets_capped`` and the page asks for a narrower search. A page costs a bounded number of queries:
one count and up to four facet queries per type, plus one query (and its prefetches) per type that
appears on the page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.db import connection
from django.db.models import Count, Model, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from lianmeng.core.discovery import app_modules
from lianmeng.core.search import (
    ParsedQuery,
    _fts5_expression,
    highlight_terms,
    normalize,
    parse_query,
    search_filter,
    search_order,
)

PAGE_SIZE = 20
SNIPPET_CHARS = 90
COUNT_CAP = 2_000  # matches counted per type; more show as "2,000+" (see docs/library.md, "Figures")
FACET_CAP = 2_000  # facets are counted only when the selected types have at most this many matches
SORT_KEYS = frozenset({"name_sort"})  # columns ordered with core.search.search_order (binary, both DBs)


def _none_facet(qs: QuerySet[Any]) -> dict[Any, int]:
    return {}


@dataclass(frozen=True)
class SearchProvider:
    """How one type of row takes part in the one search.

    ``visible(viewer)`` returns the rows the viewer may see; ``filter_city``/``filter_year``/
    ``filter_kind``/``filter_tag`` narrow them (``None``: the type has no such dimension, so a search with
    that filter leaves this type out); the ``facet_*`` functions count rows per value. ``match`` narrows
    rows by the parsed query (default: the shared full-text index of ``search_text``); ``ordering``
    sorts at most ``COUNT_CAP`` matches, ``capped_ordering`` orders a type with more matches cheaply.
    """

    type: str
    label: Any
    visible: Callable[[Any], QuerySet[Any]]
    title: Callable[[Any], str]
    url: Callable[[Any], str]
    texts: Callable[[Any], Iterable[str]]
    meta: Callable[[Any], str] = lambda obj: ""
    order: int = 100
    ordering: tuple[str, ...] = ("name_sort", "id")
    capped_ordering: tuple[str, ...] = ("-id",)
    match: Callable[[QuerySet[Any], ParsedQuery], QuerySet[Any]] | None = None
    initials_fields: tuple[str, ...] = ("name_initials", "name_pinyin")
    select_related: tuple[str, ...] = ()
    prefetch_related: tuple[str, ...] = ()
    filter_city: Callable[[QuerySet[Any], str], QuerySet[Any]] | None = None
    filter_year: Callable[[QuerySet[Any], int], QuerySet[Any]] | None = None
    filter_kind: Callable[[QuerySet[Any], str], QuerySet[Any]] | None = None
    filter_tag: Callable[[QuerySet[Any], str], QuerySet[Any]] | None = None
    facet_city: Callable[[QuerySet[Any]], dict[Any, int]] = _none_facet
    facet_year: Callable[[QuerySet[Any]], dict[Any, int]] = _none_facet
    facet_kind: Callable[[QuerySet[Any]], dict[Any, int]] = _none_facet
    facet_tag: Callable[[QuerySet[Any]], dict[Any, int]] = _none_facet
    kind_labels: dict[str, Any] = field(default_factory=dict)


@lru_cache(maxsize=1)
def providers() -> tuple[SearchProvider, ...]:
    found: list[SearchProvider] = []
    for _config, module in app_modules("search_provider"):
        found.extend(getattr(module, "PROVIDERS", ()))
    return tuple(sorted(found, key=lambda p: p.order))


def provider_for(type_: str) -> SearchProvider | None:
    return next((p for p in providers() if p.type == type_), None)


# Helpers for providers -----------------------------------------------------------------------


def count_by(qs: QuerySet[Any], field_name: str) -> dict[Any, int]:
    """Rows per value of a column (``city_id``, ``kind``)."""
    return {
        row[field_name]: row["n"]
        for row in qs.order_by().values(field_name).annotate(n=Count("pk")).order_by()
        if row[field_name] not in (None, "")
    }


def count_through(qs: QuerySet[Any], through: type[Model], owner: str, value: str) -> dict[Any, int]:
    """Rows per related value through a many-to-many table (a project's cities, an expert's fields).

    The matching rows are passed as a compiled sub-select: the full-text condition names the outer
    table, which Django would alias inside an ``__in`` subquery.
    """
    sql, params = qs.order_by().values("pk").query.sql_with_params()
    column = connection.ops.quote_name(f"{owner}_id")
    rows = (
        through.objects.extra(where=[f"{column} IN ({sql})"], params=list(params))  # type: ignore[attr-defined]  # noqa: S610
        .values(value)
        .annotate(n=Count(owner, distinct=True))
        .order_by()
    )
    return {row[value]: row["n"] for row in rows}


# The search ----------------------------------------------------------------------------------


@dataclass
class Hit:
    type: str
    type_label: str
    id: int
    title: SafeString
    title_text: str
    url: str
    snippet: SafeString
    meta: str


@dataclass
class Facet:
    name: str
    values: list[tuple[str, str, int]]  # (value, label, count)


@dataclass
class SearchResult:
    q: str
    hits: list[Hit]
    total: int
    page: int
    pages: int
    facets: dict[str, list[tuple[str, str, int]]]
    counts: dict[str, int]
    capped_types: frozenset[str] = frozenset()  # types with more than COUNT_CAP matches
    count_capped: bool = False  # ``total`` is a lower bound: a selected type has more than COUNT_CAP
    facets_capped: bool = False  # facet counts left out: too many matches to count them quickly

    @property
    def cap(self) -> int:
        return COUNT_CAP

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def _filtered(
    provider: SearchProvider,
    viewer: Any,
    parsed: ParsedQuery,
    *,
    city: str | None,
    year: int | None,
    kind: str | None,
    tag: str | None,
    scan: bool = False,
) -> QuerySet[Any] | None:
    """The rows of ``provider`` the viewer may see that match the filters and the query, or ``None``
    when a filter does not apply to the type. ``scan``: the query is for a page of a type with more
    than ``COUNT_CAP`` matches (see ``_initials_scan``)."""
    qs = provider.visible(viewer)
    for value, fn in (
        (city, provider.filter_city),
        (year, provider.filter_year),
        (kind, provider.filter_kind),
        (tag, provider.filter_tag),
    ):
        if value in (None, ""):
            continue
        if fn is None:
            return None
        qs = fn(qs, value)  # type: ignore[arg-type]
    if provider.match is not None:
        return provider.match(qs, parsed)
    if _fts_join(provider, parsed):
        return _join_fts(qs, parsed)
    if (
        scan
        and connection.vendor == "sqlite"
        and parsed.phrases
        and parsed.initials
        and provider.initials_fields
    ):
        return _initials_scan(qs, parsed, provider.initials_fields)
    return search_filter(qs, parsed, initials_fields=provider.initials_fields)


def _initials_scan(qs: QuerySet[Any], parsed: ParsedQuery, fields: tuple[str, ...]) -> QuerySet[Any]:
    """``core.search.search_filter`` for a letters-only query (full-text index OR a pinyin-prefix
    range), with the name ranges written ``+column`` so SQLite does not read every prefix match
    through the name index and sort them: with more than ``COUNT_CAP`` matches, walking the table
    newest first finds a page of them after a few thousand rows at most."""
    assert parsed.initials is not None
    qn = connection.ops.quote_name
    table = qn(qs.model._meta.db_table)
    fts = qn(f"{qs.model._meta.db_table}_fts")
    upper = parsed.initials[:-1] + chr(ord(parsed.initials[-1]) + 1)
    ors = [f"{table}.{qn('id')} IN (SELECT rowid FROM {fts} WHERE {fts} MATCH %s)"]
    params = [_fts5_expression(parsed.phrases)]
    for name in fields:
        ors.append(f"(+{table}.{qn(name)} >= %s AND +{table}.{qn(name)} < %s)")
        params.extend([parsed.initials, upper])
    return qs.extra(where=["(" + " OR ".join(ors) + ")"], params=params)  # noqa: S610 - bound parameters


def _fts_join(provider: SearchProvider, parsed: ParsedQuery) -> bool:
    """On SQLite, match by joining the FTS5 table (it streams matches, so ``LIMIT`` stops it early and
    it returns them in rowid order) rather than ``id IN (all matches)``. A letters-only query that may
    also be a pinyin prefix keeps ``core.search.search_filter`` (an OR of the index and a name range)."""
    return (
        connection.vendor == "sqlite"
        and provider.match is None
        and bool(parsed.phrases)
        and not (parsed.initials and provider.initials_fields)
    )


def _join_fts(qs: QuerySet[Any], parsed: ParsedQuery) -> QuerySet[Any]:
    qn = connection.ops.quote_name
    table = qs.model._meta.db_table
    fts = qn(f"{table}_fts")
    where = [f"{fts}.rowid = {qn(table)}.{qn('id')}", f"{fts} MATCH %s"]
    params = [_fts5_expression(parsed.phrases)]
    for single in parsed.singles:
        where.append(f"{qn(table)}.{qn('search_text')} LIKE %s")
        params.append(f"%{single}%")
    return qs.extra(tables=[f"{table}_fts"], where=where, params=params)  # noqa: S610 - bound parameters


def _fts_rowid(qs: QuerySet[Any]) -> RawSQL:
    fts = connection.ops.quote_name(f"{qs.model._meta.db_table}_fts")
    return RawSQL(f"{fts}.rowid", [])  # noqa: S611 - a quoted table name, no input


def capped_count(qs: QuerySet[Any], cap: int = COUNT_CAP) -> int:
    """The number of rows, counting at most ``cap + 1`` (a LIMITed sub-select stops early)."""
    return qs.order_by().values("pk")[: cap + 1].count()


def _order(provider: SearchProvider, qs: QuerySet[Any], parsed: ParsedQuery, capped: bool) -> list[Any]:
    if capped:
        if provider.capped_ordering == ("-id",) and _fts_join(provider, parsed):
            return [_fts_rowid(qs).desc()]  # the same order, read straight from the FTS5 index
        return list(provider.capped_ordering)
    out: list[Any] = []
    for name in provider.ordering:
        key = name.lstrip("-")
        if key in SORT_KEYS:
            out.append(search_order(key).desc() if name.startswith("-") else search_order(key))
        else:
            out.append(name)
    return out


def search(
    *,
    viewer: Any,
    q: str | None,
    type: str | None = None,
    city: str | None = None,
    year: int | None = None,
    kind: str | None = None,
    tag: str | None = None,
    page: int = 1,
    page_size: int = PAGE_SIZE,
    facets: bool = True,
) -> SearchResult:
    """Search every registered type. An empty query returns nothing (the page shows the search box)."""
    parsed = parse_query(q)
    q = (q or "").strip()
    if parsed.empty:
        return SearchResult(q=q, hits=[], total=0, page=1, pages=1, facets={}, counts={})
    querysets: dict[str, tuple[SearchProvider, QuerySet[Any]]] = {}
    for provider in providers():
        qs = _filtered(provider, viewer, parsed, city=city, year=year, kind=kind, tag=tag)
        if qs is not None:
            querysets[provider.type] = (provider, qs)
    raw = {t: capped_count(qs) for t, (_p, qs) in querysets.items()}
    capped = frozenset(t for t, n in raw.items() if n > COUNT_CAP)
    counts = {t: min(n, COUNT_CAP) for t, n in raw.items()}
    selected = [t for t in querysets if not type or t == type]
    total = sum(counts[t] for t in selected)
    pages = max(1, -(-total // page_size))
    page = min(max(1, page), pages)
    hits: list[Hit] = []
    offset = (page - 1) * page_size
    for t in selected:
        provider, qs = querysets[t]
        n = counts[t]
        if offset >= n:
            offset -= n
            continue
        take = min(page_size - len(hits), n - offset)  # a capped type lists its first COUNT_CAP rows
        if t in capped:
            scan = _filtered(provider, viewer, parsed, city=city, year=year, kind=kind, tag=tag, scan=True)
            qs = qs if scan is None else scan
        rows = (
            qs.select_related(*provider.select_related)
            .prefetch_related(*provider.prefetch_related)
            .order_by(*_order(provider, qs, parsed, t in capped))[offset : offset + take]
        )
        hits.extend(_hit(provider, obj, parsed) for obj in rows)
        offset = 0
        if len(hits) >= page_size:
            break
    facet_out: dict[str, list[tuple[str, str, int]]] = {}
    facets_capped = False
    if facets:
        facets_capped = bool(capped.intersection(selected)) or total > FACET_CAP
        facet_out = _facets(querysets, [] if facets_capped else selected, counts)
    return SearchResult(
        q=q,
        hits=hits,
        total=total,
        page=page,
        pages=pages,
        facets=facet_out,
        counts=counts,
        capped_types=capped,
        count_capped=bool(capped.intersection(selected)),
        facets_capped=facets_capped,
    )


def _facets(
    querysets: dict[str, tuple[SearchProvider, QuerySet[Any]]], selected: list[str], counts: dict[str, int]
) -> dict[str, list[tuple[str, str, int]]]:
    from lianmeng.core.models import City

    out: dict[str, list[tuple[str, str, int]]] = {
        "type": [(t, str(querysets[t][0].label), counts[t]) for t in querysets if counts[t]]
    }
    merged: dict[str, dict[Any, int]] = {"city": {}, "year": {}, "kind": {}, "tag": {}}
    kind_labels: dict[str, str] = {}
    for t in selected:
        provider, qs = querysets[t]
        if not counts[t]:
            continue
        for name, fn in (
            ("city", provider.facet_city),
            ("year", provider.facet_year),
            ("kind", provider.facet_kind),
            ("tag", provider.facet_tag),
        ):
            for value, n in fn(qs).items():
                merged[name][value] = merged[name].get(value, 0) + n
        kind_labels.update({k: str(v) for k, v in provider.kind_labels.items()})
    cities = {c.code: c for c in City.objects.filter(code__in=list(merged["city"]))} if merged["city"] else {}
    out["city"] = [
        (code, cities[code].display_name, n)
        for code, n in sorted(merged["city"].items(), key=lambda kv: (cities[kv[0]].position, kv[0]))
        if code in cities
    ]
    out["year"] = [(str(y), str(y), n) for y, n in sorted(merged["year"].items(), reverse=True)]
    out["kind"] = [
        (k, kind_labels.get(k, k), n) for k, n in sorted(merged["kind"].items(), key=lambda kv: -kv[1])
    ]
    out["tag"] = [
        (str(k), str(k), n) for k, n in sorted(merged["tag"].items(), key=lambda kv: (-kv[1], str(kv[0])))
    ]
    return out


def _hit(provider: SearchProvider, obj: Any, parsed: ParsedQuery) -> Hit:
    title = provider.title(obj)
    return Hit(
        type=provider.type,
        type_label=str(provider.label),
        id=obj.pk,
        title=highlight_terms(title, parsed.terms),
        title_text=title,
        url=provider.url(obj),
        snippet=snippet(provider.texts(obj), parsed.terms),
        meta=provider.meta(obj),
    )


def snippet(texts: Iterable[str], terms: Iterable[str], width: int = SNIPPET_CHARS) -> SafeString:
    """A short excerpt of the first text that contains a query term, with the terms highlighted."""
    terms = [t for t in terms if t]
    candidates = [t for t in texts if t]
    for text in candidates:
        folded = normalize(text)
        positions = [folded.find(term) for term in terms if term in folded]
        if positions:
            start = max(0, min(positions) - width // 3)
            piece = text[start : start + width]
            prefix = "…" if start > 0 else ""
            suffix = "…" if start + width < len(text) else ""
            return mark_safe(prefix + highlight_terms(piece, terms) + suffix)  # noqa: S308
    first = candidates[0] if candidates else ""
    return mark_safe(escape(first[:width]) + ("…" if len(first) > width else ""))  # noqa: S308

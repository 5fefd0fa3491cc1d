"""Chinese-first search text (ARCHITECTURE.md, "Search design").

Every searchable row stores ``search_text``: the text NFKC-normalised, lower-cased, traditional
folded to simplified, each run of Chinese characters cut into overlapping two-character pieces
(威海人力 -> 威海 海人 人力) and other runs kept as ``[0-9a-z]+`` words. The same function turns a
query into AND-ed phrases, so SQLite FTS5 (unicode61) and PostgreSQL (``simple`` tsvector + GIN)
give identical results. One-character Chinese terms fall back to ``LIKE``, except on SQLite for the
tables in ``CHARACTER_INDEXED_TABLES``: their full-text index also holds each distinct Chinese character
of the row as a marked token (``0青``), so ``青`` is one index lookup there (see ``index_sql``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, TypeVar

from django.db import connection
from django.db.models import CharField, Count, F, Func, Model, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from pypinyin import Style, lazy_pinyin

from . import cache
from .discovery import app_modules
from .models import City
from .pagination import capped_count

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff"
_TOKEN_RE = re.compile(rf"([{_CJK}]+)|([0-9a-z]+)")
_ASCII_LETTERS_RE = re.compile(r"^[a-z]+$")
PG_VECTOR_COLUMN = "search_vector"  # generated tsvector column beside search_text (PostgreSQL only)
# Tables whose SQLite full-text index also holds every distinct Chinese character of the row as a token
# ``CHAR_MARK + character``: a one-character query is an exact token match there instead of a ``LIKE``
# scan of every row. A table joins by a migration that re-creates its index
# (``search_index_restore_operation``) once it is listed here. ``search_text`` itself is unchanged.
CHARACTER_INDEXED_TABLES = frozenset({"membership_organization"})
# A digit glued to a Chinese character: ``tokens()`` never makes such a token (it splits digits from
# Chinese), so no phrase of a query can match a character token by accident.
CHAR_MARK = "0"

M = TypeVar("M", bound=Model)


@lru_cache(maxsize=1)
def _t2s() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


def normalize(text: str) -> str:
    """NFKC, lower case, traditional folded to simplified."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    return str(_t2s().convert(text))


def tokens(text: str) -> list[str]:
    out: list[str] = []
    for match in _TOKEN_RE.finditer(normalize(text)):
        cjk, word = match.groups()
        if cjk:
            out.extend([cjk] if len(cjk) == 1 else [cjk[i : i + 2] for i in range(len(cjk) - 1)])
        else:
            out.append(word)
    return out


def search_text(*parts: str | None) -> str:
    """The indexed text of a row; parts are kept apart so no bigram spans two fields."""
    return " ".join(" ".join(tokens(part)) for part in parts if part).strip()


def _keep(chars: str) -> Any:
    return [c for c in chars if c.isascii() and c.isalnum()]


def pinyin_full(name: str) -> str:
    """Full pinyin without spaces (青岛 -> qingdao); letters and digits of other text are kept."""
    return "".join(lazy_pinyin(normalize(name), errors=_keep)).lower()


def pinyin_initials(name: str) -> str:
    """Pinyin initials (青岛人服园 -> qdrfy); letters and digits of other text are kept."""
    return "".join(s[0] for s in lazy_pinyin(normalize(name), style=Style.FIRST_LETTER, errors=_keep) if s)


def _lowered(chars: str) -> Any:
    return list(chars.lower())


def pinyin_sort_key(name: str) -> str:
    """Sort key that orders Chinese names by pinyin (then by the characters themselves)."""
    syllables = lazy_pinyin(unicodedata.normalize("NFKC", name or ""), errors=_lowered)
    return " ".join(syllables)[:250]


@dataclass(frozen=True)
class ParsedQuery:
    phrases: tuple[tuple[str, ...], ...]  # AND-ed phrases for the full-text index
    singles: tuple[str, ...]  # one-character Chinese terms, matched with LIKE
    initials: str | None  # a pure-letter query may also be a pinyin prefix ("qd" -> 青岛)
    terms: tuple[str, ...] = ()  # the normalised terms, for highlighting

    @property
    def empty(self) -> bool:
        return not self.phrases and not self.singles


def parse_query(q: str | None) -> ParsedQuery:
    phrases: list[tuple[str, ...]] = []
    singles: list[str] = []
    terms: list[str] = []
    for term in normalize(q or "").split():
        toks = tokens(term)
        if not toks:
            continue
        terms.append(term)
        if len(toks) == 1 and len(toks[0]) == 1 and not toks[0].isascii():
            singles.append(toks[0])
        else:
            phrases.append(tuple(toks))
    norm = normalize(q or "").replace(" ", "")
    initials = norm if _ASCII_LETTERS_RE.match(norm) and len(phrases) == 1 else None
    return ParsedQuery(tuple(phrases), tuple(singles), initials, tuple(terms))


def _fts5_expression(phrases: Iterable[tuple[str, ...]], singles: Iterable[str] = ()) -> str:
    """The FTS5 query: each phrase quoted, AND-ed; ``singles`` as character tokens (``CHARACTER_INDEXED_TABLES``)."""
    return " AND ".join(
        ['"' + " ".join(p) + '"' for p in phrases] + ['"' + CHAR_MARK + c + '"' for c in singles]
    )


def characters_indexed(table: str, vendor: str) -> bool:
    """Whether one-character terms on ``table`` are matched through its full-text index (not ``LIKE``)."""
    return vendor == "sqlite" and table in CHARACTER_INDEXED_TABLES


def _pg_tsquery(phrases: Iterable[tuple[str, ...]]) -> tuple[str, list[str]]:
    parts = []
    params = []
    for p in phrases:
        parts.append("phraseto_tsquery('simple', %s)")
        params.append(" ".join(p))
    return " && ".join(parts), params


def search_filter(
    queryset: QuerySet[M],
    q: str | ParsedQuery | None,
    *,
    initials_fields: tuple[str, ...] = (),
) -> QuerySet[M]:
    """Filter ``queryset`` (a model with ``search_text`` and a search index) by a user's query.

    ``initials_fields`` name columns holding pinyin initials / full pinyin; a pure-letter query
    also matches them as a prefix. An empty query returns the queryset unchanged.
    """
    parsed = q if isinstance(q, ParsedQuery) else parse_query(q)
    if parsed.empty:
        return queryset
    model = queryset.model
    table = model._meta.db_table
    qn = connection.ops.quote_name
    where: list[str] = []
    params: list[str] = []
    chars = characters_indexed(table, connection.vendor)
    if parsed.phrases or (chars and parsed.singles):
        if connection.vendor == "sqlite":
            fts_sql = f"{qn(table)}.{qn('id')} IN (SELECT rowid FROM {qn(table + '_fts')} WHERE {qn(table + '_fts')} MATCH %s)"
            fts_params = [_fts5_expression(parsed.phrases, parsed.singles if chars else ())]
        else:
            tsq, fts_params = _pg_tsquery(parsed.phrases)
            fts_sql = f"{qn(table)}.{qn(PG_VECTOR_COLUMN)} @@ ({tsq})"
        if parsed.initials and initials_fields:
            # A prefix as a range ("qd" <= x < "qe") so both databases use the B-tree index.
            upper = parsed.initials[:-1] + chr(ord(parsed.initials[-1]) + 1)
            ors = [fts_sql] + [
                f"({qn(table)}.{qn(f)} >= %s AND {qn(table)}.{qn(f)} < %s)" for f in initials_fields
            ]
            where.append("(" + " OR ".join(ors) + ")")
            params.extend(fts_params)
            for _field in initials_fields:
                params.extend([parsed.initials, upper])
        else:
            where.append(fts_sql)
            params.extend(fts_params)
    for single in () if chars else parsed.singles:
        where.append(f"{qn(table)}.{qn('search_text')} LIKE %s")
        params.append(f"%{single}%")
    return queryset.extra(where=where, params=params)  # noqa: S610 - parameters are bound, names quoted


def _with_characters(column: str) -> str:
    """SQLite expression: the search text ``column`` followed by its distinct Chinese characters, each as
    a token ``CHAR_MARK + character``, sorted (the same text for the same row, as an FTS5 'delete' needs).

    The tokens of the text are read as a JSON array; a text that is not one (``search_text()`` never
    makes such a text) gets no characters rather than failing the write."""
    array = f"'[\"' || replace({column}, ' ', '\",\"') || '\"]'"
    chars = (
        f"SELECT DISTINCT '{CHAR_MARK}' || substr(t.value, k.value, 1) AS c "
        f"FROM json_each(CASE WHEN json_valid({array}) THEN {array} ELSE '[]' END) AS t, "
        "json_each('[1,2]') AS k WHERE unicode(t.value) > 127 AND k.value <= length(t.value) ORDER BY c"
    )
    return f"{column} || coalesce(' ' || (SELECT group_concat(c, ' ') FROM ({chars})), '')"


def index_sql(table: str, vendor: str) -> tuple[list[str], list[str]]:
    """SQL to create and drop the full-text index of ``table.search_text``."""
    fts = f"{table}_fts"
    if vendor == "sqlite":
        chars = table in CHARACTER_INDEXED_TABLES
        new, old = (_with_characters(c) if chars else c for c in ("new.search_text", "old.search_text"))
        fill = (
            f"INSERT INTO {fts}(rowid, search_text) SELECT id, {_with_characters('search_text')} FROM {table}"
            if chars
            else f"INSERT INTO {fts}({fts}) VALUES ('rebuild')"
        )
        create = [
            f"CREATE VIRTUAL TABLE {fts} USING fts5(search_text, content='{table}', content_rowid='id', "
            "tokenize='unicode61')",
            f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {table} BEGIN "
            f"INSERT INTO {fts}(rowid, search_text) VALUES (new.id, {new}); END",
            f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {table} BEGIN "
            f"INSERT INTO {fts}({fts}, rowid, search_text) VALUES ('delete', old.id, {old}); END",
            f"CREATE TRIGGER {fts}_au AFTER UPDATE OF search_text ON {table} BEGIN "
            f"INSERT INTO {fts}({fts}, rowid, search_text) VALUES ('delete', old.id, {old}); "
            f"INSERT INTO {fts}(rowid, search_text) VALUES (new.id, {new}); END",
            fill,
        ]
        drop = [f"DROP TABLE IF EXISTS {fts}"] + [
            f"DROP TRIGGER IF EXISTS {fts}_{s}" for s in ("ai", "ad", "au")
        ]
    else:
        # A stored vector: phrase matches are rechecked against it instead of re-parsing search_text.
        create = [
            f"ALTER TABLE {table} ADD COLUMN {PG_VECTOR_COLUMN} tsvector "
            "GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED",
            f"CREATE INDEX {table}_search_gin ON {table} USING GIN ({PG_VECTOR_COLUMN})",
        ]
        drop = [
            f"DROP INDEX IF EXISTS {table}_search_gin",
            f"ALTER TABLE {table} DROP COLUMN {PG_VECTOR_COLUMN}",
        ]
    return create, drop


def fts_condition(table_ref: str, parsed: ParsedQuery, vendor: str) -> tuple[str, list[str]]:
    """SQL matching ``parsed.phrases`` against the full-text index of the row ``table_ref``.

    ``table_ref`` is the quoted name of a table created with ``search_index_operation`` (on SQLite
    its FTS5 table is ``<table>_fts``).
    """
    if vendor == "sqlite":
        fts = table_ref.strip('"') + "_fts"
        return (
            f'{table_ref}."id" IN (SELECT rowid FROM "{fts}" WHERE "{fts}" MATCH %s)',
            [_fts5_expression(parsed.phrases)],
        )
    tsq, params = _pg_tsquery(parsed.phrases)
    return f"{table_ref}.{PG_VECTOR_COLUMN} @@ ({tsq})", params


class SearchOrder(Func):
    """Order search matches by a sort-key column, sorting the matches themselves.

    On PostgreSQL the binary ("C") collation keeps the planner from walking the whole name index
    in order while testing each row against the query (matches cluster in pinyin order, e.g. all
    青岛… names): it fetches the matches through the full-text index and sorts them. SQLite orders
    with BINARY too, so both databases order identically.
    """

    template = "%(expressions)s"

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        sql, params = compiler.compile(self.source_expressions[0])
        return f'{sql} COLLATE "C"', params


def search_order(field: str) -> SearchOrder:
    return SearchOrder(F(field), output_field=CharField())


def search_index_operation(table: str) -> Any:
    """A migration operation creating the full-text index for ``table`` on either database.

    Use in a migration: ``operations = [..., search_index_operation("membership_organization")]``.
    """
    from django.db import migrations

    def forward(apps: Any, schema_editor: Any) -> None:
        for statement in index_sql(table, schema_editor.connection.vendor)[0]:
            schema_editor.execute(statement)

    def backward(apps: Any, schema_editor: Any) -> None:
        for statement in index_sql(table, schema_editor.connection.vendor)[1]:
            schema_editor.execute(statement)

    return migrations.RunPython(forward, backward)


def search_index_restore_operation(table: str) -> Any:
    """A migration operation re-creating the SQLite full-text triggers (and index) of ``table``.

    SQLite's ``AddField`` with a default copies the table into a new one, which drops its triggers: put
    this after such an ``AddField`` on a table that has ``search_index_operation``. Nothing on PostgreSQL.
    """
    from django.db import migrations

    def forward(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "sqlite":
            return
        create, drop = index_sql(table, "sqlite")
        for statement in [*drop, *create]:
            schema_editor.execute(statement)

    return migrations.RunPython(forward, migrations.RunPython.noop)


def highlight_terms(text: str, terms: Iterable[str]) -> SafeString:
    """Escape ``text`` and wrap each match of the (normalised) terms in <mark>; 聯盟 marks 联盟."""
    text = text or ""
    folded = normalize(text)
    if len(folded) != len(text):
        folded = text.lower()
    spans: list[tuple[int, int]] = []
    for term in terms:
        if not term:
            continue
        for m in re.finditer(re.escape(term), folded):
            spans.append((m.start(), m.end()))
    if not spans:
        return mark_safe(escape(text))  # noqa: S308 - escaped
    spans.sort()
    merged: list[list[int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out: list[str] = []
    pos = 0
    for start, end in merged:
        out.append(escape(text[pos:start]))
        out.append("<mark>" + escape(text[start:end]) + "</mark>")
        pos = end
    out.append(escape(text[pos:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece escaped


# ---------------------------------------------------------------------- one pass over a name
# The three pinyin columns of a name in one pass (imports of 100,000 rows spend most time here).
#
# ``core.search`` computes full pinyin, initials and the sort key with three ``lazy_pinyin`` calls.
# When folding changes nothing but case (simplified text, the usual case), one call gives all three:
# pinyin's first-letter style is the first letter of the plain style, and the characters that have no
# pinyin are kept (letters and digits for the full pinyin and initials, every character, lower-cased,
# for the sort key) exactly as ``core.search`` keeps them. Other text goes through ``core.search``.
# ``tests/library/test_imports.py`` checks the results equal ``core.search`` on awkward names.

_MARK = "\x00"  # prefixes characters without pinyin, to tell them from syllables


def _marked(chars: str) -> Any:  # pypinyin accepts a list, its stubs say str
    return [_MARK + c for c in chars]


def _kept(c: str) -> bool:
    return c.isascii() and c.isalnum()


def name_pinyin(name: str) -> tuple[str, str, str]:
    """(full pinyin, initials, sort key) of ``name``, equal to pinyin_full, pinyin_initials and pinyin_sort_key."""
    nfkc = unicodedata.normalize("NFKC", name or "")
    folded = normalize(name)
    if folded != nfkc.lower():
        return pinyin_full(name), pinyin_initials(name), pinyin_sort_key(name)
    full: list[str] = []
    initials: list[str] = []
    sort: list[str] = []
    for s in lazy_pinyin(folded, errors=_marked):
        if s.startswith(_MARK):
            c = s[1:]
            sort.append(c)
            if _kept(c):
                full.append(c)
                initials.append(c)
        else:
            sort.append(s)
            full.append(s)
            if s:
                initials.append(s[0])
    return "".join(full).lower(), "".join(initials), " ".join(sort)[:250]


# ---------------------------------------------------------------------- the one search
# One search over every searchable type (链接 X), as a registry of providers.
#
# Any app may add ``lianmeng/<app>/search_provider.py`` with ``PROVIDERS = [SearchProvider(...), ...]``;
# this module discovers them in ``INSTALLED_APPS`` order. Each provider says which rows the viewer may
# see and how to filter and facet them; matching itself is the shared bigram index (``core.search``), so
# SQLite and PostgreSQL give the same rows. Results are ordered by type (provider order), then by the
# provider's own order (pinyin of the name, then id), which is deterministic on both databases.
#
# Work is bounded whatever the data size. Each type counts at most ``COUNT_CAP`` matches (a LIMITed
# sub-select; the page shows "10,000+"). A type with more matches than that is listed newest first
# (``capped_ordering``, by id: both databases walk the primary key and stop after a page) instead of
# sorting every match by pinyin; facet counts (city, year, kind, tag) are computed only when the
# selected types have at most ``FACET_CAP`` matches together, otherwise the result says
# ``facets_capped`` and the page asks for a narrower search. A page costs a bounded number of queries:
# one count and up to four facet queries per type, plus one query (and its prefetches) per type that
# appears on the page.

PAGE_SIZE = 20
SNIPPET_CHARS = 90
COUNT_CAP = 2_000  # matches counted per type; more show as "2,000+" (see docs/library.md, "Figures")
FACET_CAP = 2_000  # facets are counted only when the selected types have at most this many matches
SORT_KEYS = frozenset({"name_sort"})  # columns ordered with search_order (binary, both DBs)


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
    # ``+rowid``: the full-text table cannot be entered by rowid, so SQLite's planner makes it the outer
    # loop (one MATCH, then the rows by primary key) instead of evaluating the MATCH once per row an
    # index on another filter yields (a public-achievements count: 21 ms -> 0.6 ms on 614 achievements,
    # 449 ms under load; docs/scale.md "Load").
    where = [f"+{fts}.rowid = {qn(table)}.{qn('id')}", f"{fts} MATCH %s"]
    params = [_fts5_expression(parsed.phrases)]
    for single in parsed.singles:
        where.append(f"{qn(table)}.{qn('search_text')} LIKE %s")
        params.append(f"%{single}%")
    return qs.extra(tables=[f"{table}_fts"], where=where, params=params)  # noqa: S610 - bound parameters


def _fts_rowid(qs: QuerySet[Any]) -> RawSQL:
    fts = connection.ops.quote_name(f"{qs.model._meta.db_table}_fts")
    return RawSQL(f"{fts}.rowid", [])  # noqa: S611 - a quoted table name, no input


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
    selected = [t for t in querysets if not type or t == type]
    # the counts and facets are most of the search's cost (a COUNT and facets per type over the
    # full-text matches): kept per viewer, query and filters until anything searched changes, so the
    # next page, the back button and a popular query do not count again. What a provider shows depends
    # on rows, not on the clock (a scheduled article is published by a write), so no minute in the key.
    raw, facet_out, facets_capped = cache.cached(
        "search-counts",
        apps=tuple(sorted(cache.TRACKED_APPS)),
        parts=(*cache.viewer_parts(viewer), q, type, city, year, kind, tag, facets),
        build=lambda: _counted(querysets, selected, facets),
    )
    capped = frozenset(t for t, (_n, over) in raw.items() if over)
    counts = {t: n for t, (n, _over) in raw.items()}
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


def _counted(
    querysets: dict[str, tuple[SearchProvider, QuerySet[Any]]], selected: list[str], facets: bool
) -> tuple[dict[str, tuple[int, bool]], dict[str, list[tuple[str, str, int]]], bool]:
    """(per type: matches counted up to COUNT_CAP and whether there are more, the facets, whether the
    facets were left out because the selected types have too many matches)."""
    raw = {t: capped_count(qs.values("pk"), COUNT_CAP) for t, (_p, qs) in querysets.items()}
    if not facets:
        return raw, {}, False
    counts = {t: n for t, (n, _over) in raw.items()}
    facets_capped = any(raw[t][1] for t in selected) or sum(counts[t] for t in selected) > FACET_CAP
    return raw, _facets(querysets, [] if facets_capped else selected, counts), facets_capped


def _facets(
    querysets: dict[str, tuple[SearchProvider, QuerySet[Any]]], selected: list[str], counts: dict[str, int]
) -> dict[str, list[tuple[str, str, int]]]:
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

"""Chinese-first search text (ARCHITECTURE.md, "Search design").

Every searchable row stores ``search_text``: the text NFKC-normalised, lower-cased, traditional
folded to simplified, each run of Chinese characters cut into overlapping two-character pieces
(威海人力 -> 威海 海人 人力) and other runs kept as ``[0-9a-z]+`` words. The same function turns a
query into AND-ed phrases, so SQLite FTS5 (unicode61) and PostgreSQL (``simple`` tsvector + GIN)
give identical results. One-character Chinese terms fall back to ``LIKE``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeVar

from django.db import connection
from django.db.models import CharField, F, Func, Model, QuerySet
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from pypinyin import Style, lazy_pinyin

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff"
_TOKEN_RE = re.compile(rf"([{_CJK}]+)|([0-9a-z]+)")
_ASCII_LETTERS_RE = re.compile(r"^[a-z]+$")
PG_VECTOR_COLUMN = "search_vector"  # generated tsvector column beside search_text (PostgreSQL only)

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


def _fts5_expression(phrases: Iterable[tuple[str, ...]]) -> str:
    return " AND ".join('"' + " ".join(p) + '"' for p in phrases)


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
    if parsed.phrases:
        if connection.vendor == "sqlite":
            fts_sql = f"{qn(table)}.{qn('id')} IN (SELECT rowid FROM {qn(table + '_fts')} WHERE {qn(table + '_fts')} MATCH %s)"
            fts_params = [_fts5_expression(parsed.phrases)]
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
    for single in parsed.singles:
        where.append(f"{qn(table)}.{qn('search_text')} LIKE %s")
        params.append(f"%{single}%")
    return queryset.extra(where=where, params=params)  # noqa: S610 - parameters are bound, names quoted


def index_sql(table: str, vendor: str) -> tuple[list[str], list[str]]:
    """SQL to create and drop the full-text index of ``table.search_text``."""
    fts = f"{table}_fts"
    if vendor == "sqlite":
        create = [
            f"CREATE VIRTUAL TABLE {fts} USING fts5(search_text, content='{table}', content_rowid='id', "
            "tokenize='unicode61')",
            f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {table} BEGIN "
            f"INSERT INTO {fts}(rowid, search_text) VALUES (new.id, new.search_text); END",
            f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {table} BEGIN "
            f"INSERT INTO {fts}({fts}, rowid, search_text) VALUES ('delete', old.id, old.search_text); END",
            f"CREATE TRIGGER {fts}_au AFTER UPDATE OF search_text ON {table} BEGIN "
            f"INSERT INTO {fts}({fts}, rowid, search_text) VALUES ('delete', old.id, old.search_text); "
            f"INSERT INTO {fts}(rowid, search_text) VALUES (new.id, new.search_text); END",
            f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",
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

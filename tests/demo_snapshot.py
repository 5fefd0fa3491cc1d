"""The demo alliance for tests, loaded for real once per starting state and then replayed as rows.

Loading the demo through every app's loader (services, notifications, files) takes 5-15 s depending on
the machine; about a dozen fixtures need it, on both databases. ``DEMO.restore(media_root)`` gives the
same rows and files in a fraction of a second:

- The first call in a given starting state loads the demo for real inside a savepoint, reads every
  model table before and after, keeps what changed (new, changed and deleted rows) and the files the
  loaders wrote, then rolls the savepoint back. Later calls from the same starting state write those
  rows back with plain INSERTs (the search triggers of SQLite fill the full-text tables; PostgreSQL's
  search column is generated) and copy the files.
- The starting state is the key: every non-empty model table's rows (a transactional test empties the
  tables, a data migration's vocabulary included, so a run sees more than one) and the local date (the
  demo's dates are relative to today). A state seen for the first time gets its own real load: replaying
  is never less exact than loading.
- What a load does beside its rows is not replayed: mail queued on commit (the demo sends none,
  ``core.mail_switch``) and cache entries (the cache is cleared after a restore, as after any test).

Tests of the ``demo`` command itself keep calling it.
"""

from __future__ import annotations

import hashlib
import importlib
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.core.cache import cache
from django.core.management.color import no_style
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone

# Rows made by migrate (and remade by a flush's post_migrate) with ids a replay must not assume; and the
# data versions (``reporting_dataversion``): the cache's per-app versions and the reports' counter, raised
# after commits, which a replay must never set back to a recorded value (a stale cache entry would come
# back). The cache is cleared after a restore; missing versions are made anew on the first read.
_SKIP = {
    "django_content_type",
    "auth_permission",
    "auth_group",
    "auth_group_permissions",
    "django_session",
    "reporting_dataversion",
}


@dataclass
class _Table:
    model: Any
    name: str
    pk: str
    columns: list[str]
    json: list[bool]  # which columns hold JSON (_marks)


@dataclass
class _Delta:
    table: _Table
    removed: list[Any] = field(default_factory=list)  # ids to delete first (changed or deleted rows)
    rows: list[tuple[Any, ...]] = field(default_factory=list)  # rows to insert (new or changed)


@dataclass
class _Snapshot:
    deltas: list[_Delta]
    media: Path


def _tables() -> list[_Table]:
    out = []
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if not meta.managed or meta.proxy or meta.db_table in _SKIP:
            continue
        fields = meta.local_concrete_fields
        json = [f.get_internal_type() == "JSONField" for f in fields]
        out.append(_Table(model, meta.db_table, meta.pk.column, [f.column for f in fields], json))
    return out


def _counts(tables: list[_Table]) -> dict[str, int]:
    qn = connection.ops.quote_name
    sql = " UNION ALL ".join(f"SELECT '{t.name}', COUNT(*) FROM {qn(t.name)}" for t in tables)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(cursor.fetchall())


def _rows(table: _Table) -> dict[Any, tuple[Any, ...]]:
    qn = connection.ops.quote_name
    index = table.columns.index(table.pk)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(qn(c) for c in table.columns)} FROM {qn(table.name)}")
        return {row[index]: tuple(row) for row in cursor.fetchall()}


def _state(tables: list[_Table]) -> dict[str, dict[Any, tuple[Any, ...]]]:
    counts = _counts(tables)
    return {t.name: _rows(t) for t in tables if counts[t.name]}


def _key(state: dict[str, dict[Any, tuple[Any, ...]]]) -> str:
    digest = hashlib.sha256(str(timezone.localdate()).encode())
    digest.update(connection.vendor.encode())
    for name in sorted(state):
        digest.update(name.encode())
        for pk in sorted(state[name], key=repr):
            digest.update(repr(state[name][pk]).encode())
    return digest.hexdigest()


def _marks(table: _Table) -> str:
    """The parameter marks of the INSERT: PostgreSQL's JSON columns come back from a plain cursor as their JSON text
    (Django's loader leaves the parsing to the field), so they go back as text cast to jsonb."""
    postgres = connection.vendor == "postgresql"
    return ", ".join("%s::jsonb" if postgres and is_json else "%s" for is_json in table.json)


def _load_for_real() -> None:
    """What ``lianmeng demo --skip-migrate --allow-demo-accounts`` loads on a migrated site, without its
    output. A transactional test's flush empties the vocabulary a data migration seeds (expertise fields,
    strategy tags): it is seeded again first (get_or_create: nothing changes where it is there)."""
    from lianmeng.core.discovery import app_modules
    from lianmeng.core.mail_switch import without_mail

    seed = importlib.import_module("lianmeng.library.migrations.0002_search_indexes_and_defaults").seed
    seed(apps, connection.schema_editor())

    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        for _config, module in app_modules("demo"):
            with without_mail(), transaction.atomic():
                module.load(accounts=True)


class DemoSnapshot:
    def __init__(self) -> None:
        self._snapshots: dict[str, _Snapshot] = {}
        self._dir = Path(tempfile.mkdtemp(prefix="lianmeng-demo-snapshot-"))
        self.loads = 0  # real loads, for the test of this module
        self.replays = 0
        self.observe: Callable[[Path], Any] | None = None  # called on each real load, before its rollback
        self.observed: Any = None

    def restore(self, media_root: Path | str) -> None:
        """Make the database and ``media_root`` hold the demo alliance, as loading it here would."""
        tables = _tables()
        before = _state(tables)
        key = _key(before)
        snapshot = self._snapshots.get(key)
        if snapshot is None:
            snapshot = self._snapshots[key] = self._take(tables, before, key)
        else:
            self.replays += 1
        self._replay(snapshot)
        shutil.copytree(snapshot.media, media_root, dirs_exist_ok=True)
        cache.clear()

    def _take(
        self, tables: list[_Table], before: dict[str, dict[Any, tuple[Any, ...]]], key: str
    ) -> _Snapshot:
        media = self._dir / key[:16]
        media.mkdir(parents=True, exist_ok=True)
        self.loads += 1
        cache.clear()  # as a fresh site: entries cached by an earlier load, since rolled back, would leak in
        with override_settings(MEDIA_ROOT=media), transaction.atomic():
            _load_for_real()
            if self.observe is not None:
                self.observed = self.observe(media)
            deltas = []
            counts = _counts(tables)
            for table in tables:
                old = before.get(table.name, {})
                new = _rows(table) if counts[table.name] else {}
                delta = _Delta(table)
                delta.removed = [pk for pk, row in old.items() if new.get(pk) != row]
                delta.rows = [row for pk, row in new.items() if old.get(pk) != row]
                if delta.removed or delta.rows:
                    deltas.append(delta)
            transaction.set_rollback(True)
        return _Snapshot(deltas, media)

    def _replay(self, snapshot: _Snapshot) -> None:
        qn = connection.ops.quote_name
        with transaction.atomic(), connection.cursor() as cursor:
            for delta in snapshot.deltas:
                table = delta.table
                if delta.removed:
                    marks = ", ".join(["%s"] * len(delta.removed))
                    cursor.execute(
                        f"DELETE FROM {qn(table.name)} WHERE {qn(table.pk)} IN ({marks})", delta.removed
                    )
                if delta.rows:
                    columns = ", ".join(qn(c) for c in table.columns)
                    cursor.executemany(
                        f"INSERT INTO {qn(table.name)} ({columns}) VALUES ({_marks(table)})", delta.rows
                    )
            if connection.vendor == "postgresql":
                models = [d.table.model for d in snapshot.deltas if d.rows]
                for sql in connection.ops.sequence_reset_sql(no_style(), models):
                    cursor.execute(sql)


DEMO = DemoSnapshot()

"""When the data behind the reports changed: a version raised after every committed write to them.

Every database connection gets an execute wrapper (installed when the connection is created) that
looks at the first words of each statement: an INSERT, UPDATE or DELETE on a table the annual report
reads (``REPORTED_TABLES``: the mechanisms' tables, not notifications, audit, sessions or the task
queue) marks the connection dirty; when the transaction commits (at once under autocommit), ONE
``UPDATE reporting_dataversion SET version = version + 1`` follows. Because it looks at the SQL, it
also sees ``QuerySet.update()``, ``bulk_create`` and raw SQL, which model signals would miss.

A cached annual report (``ReportFile``) names the version it was built from; a newer version makes it
stale, and the next request builds a new one. Writes in a rolled-back transaction raise nothing.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from django.db import DatabaseError, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created
from django.db.models import F
from django.db.models.signals import post_migrate, pre_migrate

from .models import DataVersion

log = logging.getLogger(__name__)

NAME = "annual"
REPORTED_APPS = ("membership", "governance", "activities", "library", "research", "matchmaking", "publicity")
REPORTED_EXTRA = frozenset({"core_alliancesettings", "core_city"})
# Writes that change nothing the reports count: read receipts, calendar feed tokens.
IGNORED = frozenset({"governance_noticereceipt", "activities_calendarfeedtoken"})

_paused = False  # while ``migrate`` runs (the version table may not exist yet)

_WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+[`"\[]?(\w+)', re.IGNORECASE)


def reported(table: str) -> bool:
    if table in IGNORED:
        return False
    return table in REPORTED_EXTRA or table.split("_", 1)[0] in REPORTED_APPS


def written_table(sql: str) -> str | None:
    """The table an INSERT/UPDATE/DELETE writes to, else None."""
    head = sql[:200]
    if head.lstrip()[:6].upper() not in ("INSERT", "UPDATE", "DELETE"):
        return None
    m = _WRITE.match(head)
    return m.group(1).lower() if m else None


def current() -> int:
    """The data version now (0 before the first counted write)."""
    row = DataVersion.objects.filter(name=NAME).values_list("version", flat=True).first()
    return int(row or 0)


def bump(using: str = "default") -> None:
    """Raise the version (one statement; the row is created the first time)."""
    if not DataVersion.objects.using(using).filter(name=NAME).update(version=F("version") + 1):
        _obj, created = DataVersion.objects.using(using).get_or_create(name=NAME, defaults={"version": 1})
        if not created:
            DataVersion.objects.using(using).filter(name=NAME).update(version=F("version") + 1)


def _pending(conn: BaseDatabaseWrapper) -> bool:
    return any(getattr(entry[1], "_lm_bump", False) for entry in conn.run_on_commit)


def _wrapper(alias: str) -> Callable[..., Any]:
    def after_commit() -> None:
        bump(alias)

    after_commit._lm_bump = True  # type: ignore[attr-defined]

    def wrapper(
        execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]
    ) -> Any:
        result = execute(sql, params, many, context)
        if _paused:
            return result
        table = written_table(sql) if isinstance(sql, str) else None
        if table and reported(table):
            conn = connections[alias]
            if conn.in_atomic_block:
                if not _pending(conn):
                    transaction.on_commit(after_commit, using=alias, robust=True)
            else:
                try:
                    bump(alias)
                except DatabaseError:  # e.g. new code before `migrate`: the write itself stands
                    log.exception("data version not raised")
        return result

    return wrapper


def _install(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    if not any(getattr(w, "_lm_freshness", False) for w in connection.execute_wrappers):
        w = _wrapper(connection.alias)
        w._lm_freshness = True  # type: ignore[attr-defined]
        connection.execute_wrappers.append(w)


def _pause(**kwargs: Any) -> None:
    global _paused
    _paused = True


def _resume(**kwargs: Any) -> None:
    global _paused
    _paused = False


def install() -> None:
    connection_created.connect(_install, dispatch_uid="lianmeng-reporting-freshness")
    pre_migrate.connect(_pause, dispatch_uid="lianmeng-reporting-freshness-pause")
    post_migrate.connect(_resume, dispatch_uid="lianmeng-reporting-freshness-resume")

"""When the data behind the reports changed: a version raised after every committed write to them.

It listens to the write tracker (``core.writes``): an INSERT, UPDATE or DELETE on a table the annual
report reads (``reported``: the mechanisms' tables, not notifications, audit, sessions or the task
queue) marks the transaction; when it commits (at once under autocommit), ONE
``UPDATE reporting_dataversion SET version = version + 1`` follows. Because the tracker reads the SQL,
``QuerySet.update()``, ``bulk_create`` and raw SQL count too, which model signals would miss.

A cached annual report (``ReportFile``) names the version it was built from; a newer version makes it
stale, and the next request builds a new one. Writes in a rolled-back transaction raise nothing.
"""

from __future__ import annotations

from django.db.models import F

from lianmeng.core import writes as core_writes

from .models import DataVersion

NAME = "annual"
REPORTED_APPS = ("membership", "governance", "activities", "library", "research", "matchmaking", "publicity")
REPORTED_EXTRA = frozenset({"core_alliancesettings", "core_city"})
# Writes that change nothing the reports count: read receipts, calendar feed tokens.
IGNORED = frozenset({"governance_noticereceipt", "activities_calendarfeedtoken"})


def reported(table: str) -> bool:
    if table in IGNORED:
        return False
    return table in REPORTED_EXTRA or table.split("_", 1)[0] in REPORTED_APPS


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


def _key(table: str) -> str | None:
    return NAME if reported(table) else None


def install() -> None:
    """Called from ReportingConfig.ready(): the version follows every committed write (``core.writes``)."""
    core_writes.listen("annual", _key, lambda keys, using: bump(using))

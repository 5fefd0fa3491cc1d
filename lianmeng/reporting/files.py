"""The annual report files: asked for by a page or the API, built by ``lianmeng worker``, kept until stale.

``request_file`` finds the file for (year, kind, the viewer's audience, the current data version and,
for a year not yet over, today). A ready one is served at once; otherwise one ``ReportFile`` row is
created (a unique key, so of several simultaneous requests on several app processes one creates it)
and ``tasks.annual_report_build`` is queued; the page polls its progress. A failed build is queued
again by the next request. Files of older versions are deleted when a newer one is ready.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import get_language

from lianmeng.activities.selectors import year_bounds

from . import freshness
from .models import FileStatus, ReportFile

log = logging.getLogger(__name__)

KINDS = ("pdf", "xlsx")
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def audience(viewer: Any) -> str:
    """Who sees the same report: the secretariat and administrators see everything, others their own."""
    if getattr(viewer, "is_secretariat", False):
        return "all"
    return f"u{viewer.pk}"


def cache_key(
    *, year: int, kind: str, viewer: Any, version: int, language: str, now: datetime.datetime | None = None
) -> str:
    now = now or timezone.now()
    _start, end = year_bounds(year)
    day = "final" if now >= end else timezone.localdate(now).isoformat()
    return f"{year}-{kind}-{language}-{audience(viewer)}-v{version}-{day}"


def filename(year: int, kind: str) -> str:
    return f"lianmeng-annual-report-{year}.{kind}"


def ready_file(*, year: int, kind: str, viewer: Any) -> ReportFile | None:
    """The file of the current data if it is already built (nothing is queued)."""
    key = cache_key(
        year=year, kind=kind, viewer=viewer, version=freshness.current(), language=get_language() or "zh-hans"
    )
    return ReportFile.objects.filter(key=key, status=FileStatus.READY).first()


def request_file(*, year: int, kind: str, viewer: Any) -> ReportFile:
    """The file of the current data, queued for the worker when there is none ready (or a failed one)."""
    from .tasks import annual_report_build  # cycle: the task builds this module's files

    version, language = freshness.current(), get_language() or "zh-hans"
    key = cache_key(year=year, kind=kind, viewer=viewer, version=version, language=language)
    row = ReportFile.objects.filter(key=key).first()
    if row is not None and row.status != FileStatus.FAILED:
        return row
    try:
        with transaction.atomic():
            if row is None:
                row = ReportFile.objects.create(
                    key=key,
                    year=year,
                    kind=kind,
                    language=language,
                    audience=audience(viewer),
                    data_version=version,
                    requested_by=viewer,
                )
            else:  # a failed build: try once more (only one request wins the update)
                if not ReportFile.objects.filter(pk=row.pk, status=FileStatus.FAILED).update(
                    status=FileStatus.QUEUED, progress=0, step="", error="", requested_by=viewer
                ):
                    return ReportFile.objects.get(pk=row.pk)
            # In the same transaction: a worker sees the task and the row together, or neither.
            annual_report_build.enqueue(row.pk)
    except IntegrityError:  # another process created it a moment ago
        return ReportFile.objects.get(key=key)
    row.refresh_from_db()  # the immediate backend of the tests has already built it
    return row


def drop_stale(fresh: ReportFile) -> int:
    """Delete older files of the same year, kind and audience; returns how many.

    Only files asked for before ``fresh``: a build of older data finishing late removes nothing newer.
    """
    old = ReportFile.objects.filter(
        year=fresh.year, kind=fresh.kind, audience=fresh.audience, created_at__lt=fresh.created_at
    ).exclude(pk=fresh.pk)
    old = old.exclude(status__in=[FileStatus.QUEUED, FileStatus.RUNNING])
    n = 0
    for row in old:
        if row.file:
            row.file.delete(save=False)
        row.delete()
        n += 1
    return n

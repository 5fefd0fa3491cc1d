"""Background work of reporting (django-tasks, run by ``lianmeng worker``).

- ``annual_report_build``: build one annual report file (``models.ReportFile``) and keep it; the page
  polls its progress. Idempotent: a file already ready is left alone, and a build run again after its
  worker died starts over and replaces whatever the dead one left.
"""

from __future__ import annotations

import logging
import time

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override
from django_tasks import task

from . import files
from .annual import annual_report
from .models import FileStatus, ReportFile
from .render import report_pdf, report_xlsx

log = logging.getLogger(__name__)

# What the progress bar says at each step (the share of the work done when the step starts).
STEPS = {
    "queued": _("等待后台进程"),
    "figures": _("汇总全年数据"),
    "sections": _("编写各章节"),
    "layout": _("排版 PDF"),
    "write": _("写入文件"),
    "done": _("已完成"),
}
SECTIONS_SHARE = {"pdf": 40, "xlsx": 80}
LAYOUT_AT, WRITE_AT = 45, 85


def _progress(pk: int, step: str, percent: int) -> None:
    ReportFile.objects.filter(pk=pk).update(step=step, progress=max(0, min(percent, 100)))


@task()
def annual_report_build(file_id: int) -> str:
    """Build the annual report file ``file_id``; returns its final status."""
    row = ReportFile.objects.select_related("requested_by").filter(pk=file_id).first()
    if row is None:
        return "gone"
    if row.status == FileStatus.READY:
        return str(row.status)
    viewer = row.requested_by
    if viewer is None:
        ReportFile.objects.filter(pk=row.pk).update(status=FileStatus.FAILED, error="requester deleted")
        return str(FileStatus.FAILED)
    began = time.monotonic()
    ReportFile.objects.filter(pk=row.pk).update(
        status=FileStatus.RUNNING, started_at=timezone.now(), progress=1, step="figures", error=""
    )
    share, pk = SECTIONS_SHARE[row.kind], row.pk
    try:
        with override(row.language):
            report = annual_report(
                year=row.year,
                viewer=viewer,
                progress=lambda done, total: _progress(pk, "sections", share * done // total),
            )
            if row.kind == "pdf":
                steps = {"layout": LAYOUT_AT, "write": WRITE_AT}
                content = report_pdf(report, progress=lambda step: _progress(pk, step, steps[step]))
            else:
                _progress(row.pk, "write", 90)
                content = report_xlsx(report)
    except Exception as exc:  # the failure is shown on the page; the next request queues it again
        log.exception("annual report %s failed", row.key)
        ReportFile.objects.filter(pk=row.pk).update(
            status=FileStatus.FAILED, finished_at=timezone.now(), error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        raise
    with transaction.atomic():
        row = ReportFile.objects.select_for_update().get(pk=row.pk)
        if row.file:  # left by a worker that died after saving: replaced
            row.file.delete(save=False)
        row.file.save(files.filename(row.year, row.kind), ContentFile(content), save=False)
        row.size = len(content)
        row.status, row.progress, row.step = FileStatus.READY, 100, "done"
        row.finished_at = timezone.now()
        row.save()
    dropped = files.drop_stale(row)
    log.info(
        "annual report %s built in %.1f s (%s bytes; %s stale files removed)",
        row.key,
        time.monotonic() - began,
        len(content),
        dropped,
    )
    return str(FileStatus.READY)

"""The annual report files built by the worker, and the version of the data they were built from.

Reporting never writes to the other apps' tables; these two tables are its own cache.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DataVersion(models.Model):
    """A counter raised after every committed write to a table the reports read (see ``freshness``)."""

    name = models.CharField(max_length=40, primary_key=True)
    version = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class FileStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("生成中")
    READY = "ready", _("已生成")
    FAILED = "failed", _("生成失败")


def _report_path(instance: ReportFile, filename: str) -> str:
    return f"reports/annual/{instance.year}/{filename}"


class ReportFile(models.Model):
    """One annual report file (PDF or Excel) of a year, for one audience, from one version of the data.

    ``key`` names everything the file depends on: year, kind, language, audience (``all`` for the secretariat
    and administrators, who see everything; ``u<id>`` for anybody else, who sees through the library's
    visibility rules), data version and, for a year not yet over, the day (1+7+N statuses depend on it).
    """

    key = models.CharField(max_length=120, unique=True)
    year = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=4)  # "pdf" | "xlsx"
    audience = models.CharField(max_length=20)
    language = models.CharField(max_length=10, default="zh-hans")
    data_version = models.BigIntegerField()
    status = models.CharField(max_length=10, choices=FileStatus.choices, default=FileStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)  # 0-100
    step = models.CharField(max_length=40, blank=True)  # a key of tasks.STEPS
    file = models.FileField(upload_to=_report_path, blank=True)
    size = models.PositiveIntegerField(default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["year", "kind", "audience"], name="reportfile_year_kind")]

    def __str__(self) -> str:
        return self.key

    @property
    def seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None

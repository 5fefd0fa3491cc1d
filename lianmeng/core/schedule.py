"""The periodic work of every mechanism, enqueued for `lianmeng worker` by one scheduler.

``lianmeng worker`` runs the scheduler in a thread beside the task worker (``--no-schedule`` turns
it off; ``lianmeng schedule`` runs it alone, once or in a loop, e.g. from cron). Each job's last
run is a row in ``core_schedulerun``, taken with SELECT FOR UPDATE, so several workers on several
machines enqueue each job once per period.
"""

from __future__ import annotations

import datetime
import importlib
import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from .models import ScheduleRun

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    task: str  # dotted path of a django-tasks task
    every: datetime.timedelta
    at_hour: int | None = None  # for daily/weekly jobs: not before this local hour
    weekday: int | None = None  # for weekly jobs: 0 = Monday


MINUTES_5 = datetime.timedelta(minutes=5)
DAY = datetime.timedelta(days=1)
WEEK = datetime.timedelta(days=7)

JOBS: tuple[Job, ...] = (
    Job("lianmeng.governance.tasks.close_due_motions", MINUTES_5),
    Job("lianmeng.publicity.tasks.publish_scheduled_articles", MINUTES_5),
    Job("lianmeng.governance.tasks.notice_reminders", DAY, at_hour=8),
    Job("lianmeng.governance.tasks.task_reminders", DAY, at_hour=8),
    Job("lianmeng.activities.tasks.event_reminders_send", DAY, at_hour=8),
    Job("lianmeng.library.tasks.remind_overdue_consultations", DAY, at_hour=8),
    Job("lianmeng.matchmaking.tasks.expire_resources", DAY, at_hour=1),
    Job("lianmeng.core.pending_uploads.purge_expired", DAY, at_hour=3),
    Job("lianmeng.core.taskqueue.prune_finished_tasks", DAY, at_hour=4),
    Job("lianmeng.matchmaking.tasks.remind_stalled_requests", DAY, at_hour=9),
    Job("lianmeng.notifications.tasks.send_daily_digests", DAY, at_hour=7),
    # 1+7+N reminders go weekly from their start date (1 October), not every day.
    Job("lianmeng.activities.tasks.compliance_reminders_send", WEEK, at_hour=9, weekday=0),
    Job("lianmeng.matchmaking.tasks.send_weekly_digest", WEEK, at_hour=7, weekday=0),
)


def _task(path: str) -> object:
    module, name = path.rsplit(".", 1)
    return getattr(importlib.import_module(module), name)


def is_due(job: Job, last_run: datetime.datetime | None, now: datetime.datetime) -> bool:
    local = timezone.localtime(now)
    if job.at_hour is not None and local.hour < job.at_hour:
        return False
    if job.weekday is not None and local.weekday() != job.weekday:
        return False
    if last_run is None:
        return True
    if job.every >= DAY:
        # Calendar periods: once per local day (or per week on its weekday).
        return timezone.localtime(last_run).date() < local.date()
    return now - last_run >= job.every


def run_due(now: datetime.datetime | None = None, jobs: tuple[Job, ...] = JOBS) -> list[str]:
    """Enqueue every job that is due; returns the names enqueued."""
    now = now or timezone.now()
    enqueued = []
    for job in jobs:
        with transaction.atomic():
            row, _created = ScheduleRun.objects.get_or_create(name=job.task)
            row = ScheduleRun.objects.select_for_update().get(pk=row.pk)
            if not is_due(job, row.last_run_at, now):
                continue
            task = _task(job.task)
            task.enqueue()  # type: ignore[attr-defined]
            row.last_run_at = now
            row.save(update_fields=["last_run_at"])
            enqueued.append(job.task)
            log.info("scheduled %s", job.task)
    return enqueued

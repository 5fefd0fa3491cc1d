"""Faults of the background worker: leases for running tasks, orphans picked up again, failures listed.

django-tasks-db marks a task RUNNING when a worker claims it and SUCCESSFUL/FAILED when it ends; a
worker killed in between (``kill -9``, a lost machine, the OOM killer) leaves the row RUNNING forever.
Here every ``lianmeng worker`` renews a lease while it lives (``beat``: a counter in
``lianmeng.core.counters`` that expires ``lease_seconds()`` after the last renewal, shared by every
process through the database or Redis), and every worker looks for orphans each round
(``reclaim_orphans``): a task RUNNING for longer than the lease whose worker's lease has expired goes
back to READY and is run again by whichever worker claims it next. A task orphaned ``MAX_CLAIMS``
times is marked FAILED instead (it probably kills its worker) and waits on the administrators' page
(``/tasks/``), like every other failed task, for a manual retry.

Tasks therefore run at least once: a task must be idempotent (mails check their state before sending,
the annual report replaces its own file, the periodic jobs look at what is due).
"""

from __future__ import annotations

import datetime
import logging
import os
import socket
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.module_loading import import_string
from django_tasks import task
from django_tasks_db.models import DBTaskResult, get_date_max

from . import counters

log = logging.getLogger(__name__)

MAX_CLAIMS = 3  # a task whose worker died this many times is failed, not tried a fourth time
WORKER_LOST = "lianmeng.core.taskqueue.WorkerLost"


class WorkerLost(Exception):
    """Recorded as the error of a task whose workers kept dying while running it."""


def lease_seconds() -> float:
    """How long a worker's lease lasts without renewal (TASKS_LEASE_SECONDS, default 30)."""
    return float(
        getattr(settings, "TASKS_LEASE_SECONDS", None) or os.environ.get("TASKS_LEASE_SECONDS") or 30
    )


def new_worker_id() -> str:
    """A worker id that says where the worker runs: host, process id and a random suffix (< 64)."""
    return f"{socket.gethostname()[:30]}-{os.getpid()}-{get_random_string(8)}"


def _lease_key(worker_id: str) -> str:
    return f"worker-lease:{worker_id}"


def beat(worker_id: str) -> None:
    """Renew ``worker_id``'s lease (a sliding counter that expires after ``lease_seconds()``)."""
    counters.hit(_lease_key(worker_id), window=lease_seconds(), sliding=True)


def release(worker_id: str) -> None:
    """Give the lease up (a worker that stops cleanly)."""
    counters.clear(_lease_key(worker_id))


def alive(worker_id: str) -> bool:
    return counters.peek(_lease_key(worker_id))[0] > 0


def _last_worker(row: DBTaskResult) -> str | None:
    ids = row.worker_ids or []
    return str(ids[-1]) if ids else None


def reclaim_orphans(now: datetime.datetime | None = None) -> list[str]:
    """Put the tasks of dead workers back in the queue; returns their ids (as text)."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(seconds=lease_seconds())
    reclaimed = []
    for candidate in DBTaskResult.objects.running().filter(started_at__lt=cutoff).only("id", "worker_ids"):
        worker = _last_worker(candidate)
        if worker and alive(worker):
            continue
        with transaction.atomic():
            row = (
                DBTaskResult.objects.select_for_update()
                .filter(pk=candidate.pk, status="RUNNING", started_at__lt=cutoff)
                .first()
            )
            if row is None or _last_worker(row) != worker:  # finished or claimed again meanwhile
                continue
            if len(row.worker_ids or []) >= MAX_CLAIMS:
                row.status = "FAILED"
                row.finished_at = now
                row.exception_class_path = WORKER_LOST
                row.traceback = (
                    f"{WORKER_LOST}: the worker running this task stopped {len(row.worker_ids)} times"
                )
                row.save(update_fields=["status", "finished_at", "exception_class_path", "traceback"])
                log.error("task %s (%s) failed: its workers died %s times", row.pk, row.task_path, MAX_CLAIMS)
            else:
                row.status = "READY"
                row.save(update_fields=["status"])
                log.warning(
                    "task %s (%s) of the lost worker %s is queued again", row.pk, row.task_path, worker
                )
            reclaimed.append(str(row.pk))
    return reclaimed


def retry_later(task: Any, *args: Any, attempt: int) -> bool:
    """Queue ``task(*args, attempt=attempt + 1)`` after NOTIFICATIONS_RETRY_SECONDS x 4^(attempt-1)
    seconds (60 s, 4 min, 16 min, ...); False once NOTIFICATIONS_MAIL_ATTEMPTS attempts are used up, when
    the caller should raise so that the task ends failed (listed on /tasks/)."""
    if attempt >= settings.NOTIFICATIONS_MAIL_ATTEMPTS:
        return False
    delay = datetime.timedelta(seconds=settings.NOTIFICATIONS_RETRY_SECONDS * 4 ** (attempt - 1))
    if task.get_backend().supports_defer:
        task.using(run_after=timezone.now() + delay).enqueue(*args, attempt=attempt + 1)
    else:  # the immediate backend of the tests cannot wait
        task.enqueue(*args, attempt=attempt + 1)
    return True


KEEP_FINISHED_DAYS = 14  # successful task rows are pruned after this; failed ones stay until retried


@task()
def prune_finished_tasks() -> int:
    """Delete successful task rows older than KEEP_FINISHED_DAYS (daily, by the scheduler); returns how
    many. Every mail is a row, so the table would grow without end; failed rows stay for /tasks/."""
    cutoff = timezone.now() - datetime.timedelta(days=KEEP_FINISHED_DAYS)
    deleted, _ = DBTaskResult.objects.successful().filter(finished_at__lt=cutoff).delete()
    return deleted


# The administrators' view -----------------------------------------------------------------------


@dataclass(frozen=True)
class TaskRow:
    id: str
    name: str
    path: str
    status: str  # "failed" | "stuck" | "waiting"
    args: str
    enqueued_at: datetime.datetime
    started_at: datetime.datetime | None
    finished_at: datetime.datetime | None
    attempts: int  # how many workers claimed it
    error: str  # last line of the traceback


def _args_text(args_kwargs: Any) -> str:
    args = (args_kwargs or {}).get("args") or []
    kwargs = (args_kwargs or {}).get("kwargs") or {}
    parts = [repr(a) for a in args] + [f"{k}={v!r}" for k, v in kwargs.items()]
    text = ", ".join(parts)
    return text if len(text) <= 120 else text[:119] + "…"


def _error_line(traceback: str) -> str:
    lines = [line for line in (traceback or "").strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else ""


def _row(r: DBTaskResult, status: str) -> TaskRow:
    return TaskRow(
        id=str(r.pk),
        name=r.task_path.rsplit(".", 1)[-1],
        path=r.task_path,
        status=status,
        args=_args_text(r.args_kwargs),
        enqueued_at=r.enqueued_at,
        started_at=r.started_at,
        finished_at=r.finished_at,
        attempts=len(r.worker_ids or []),
        error=_error_line(r.traceback),
    )


def problem_tasks(*, limit: int = 200, now: datetime.datetime | None = None) -> list[TaskRow]:
    """Failed tasks (newest first), then tasks RUNNING past the lease, then tasks overdue in the queue."""
    now = now or timezone.now()
    lease = datetime.timedelta(seconds=lease_seconds())
    rows = [_row(r, "failed") for r in DBTaskResult.objects.failed().order_by("-finished_at")[:limit]]
    rows += [
        _row(r, "stuck")
        for r in DBTaskResult.objects.running()
        .filter(started_at__lt=now - lease)
        .order_by("started_at")[:limit]
    ]
    # READY and due for longer than a few leases: no worker is taking tasks.
    cutoff = now - 4 * lease
    overdue = DBTaskResult.objects.ready().filter(
        Q(run_after=get_date_max()) | Q(run_after__lt=cutoff), enqueued_at__lt=cutoff
    )
    rows += [_row(r, "waiting") for r in overdue.order_by("enqueued_at")[:limit]]
    return rows


def queue_counts() -> dict[str, int]:
    """Tasks per status (READY, RUNNING, SUCCESSFUL, FAILED)."""
    from django.db.models import Count

    counts = {"READY": 0, "RUNNING": 0, "SUCCESSFUL": 0, "FAILED": 0}
    for r in DBTaskResult.objects.values("status").annotate(n=Count("id")).order_by():
        counts[r["status"]] = r["n"]
    return counts


def retry(task_id: str) -> str | None:
    """Queue a failed or stuck task again with the same arguments; the old row is removed.

    Returns the new task's id, or None when the task is gone or is no longer failed/stuck.
    """
    now = timezone.now()
    lease = datetime.timedelta(seconds=lease_seconds())
    with transaction.atomic():
        row = DBTaskResult.objects.select_for_update().filter(pk=task_id).first()
        if row is None:
            return None
        stuck = row.status == "RUNNING" and row.started_at is not None and row.started_at < now - lease
        if row.status != "FAILED" and not stuck:
            return None
        task = import_string(row.task_path).using(priority=row.priority, queue_name=row.queue_name)
        args = row.args_kwargs.get("args") or []
        kwargs = row.args_kwargs.get("kwargs") or {}
        result = task.enqueue(*args, **kwargs)
        row.delete()
    log.info("task %s (%s) retried as %s", task_id, row.task_path, result.id)
    return str(result.id)

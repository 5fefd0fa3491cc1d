"""`lianmeng worker`: run background tasks (django-tasks database backend) and the scheduler.

Beside the task loop, a thread renews this worker's lease and puts the tasks of dead workers back
in the queue (``lianmeng.core.taskqueue``), every third of the lease (TASKS_LEASE_SECONDS, 30 s).
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from lianmeng.core import taskqueue
from lianmeng.core.schedule import run_due

log = logging.getLogger(__name__)


def _schedule_forever(interval: int) -> None:
    while True:
        try:
            run_due()
        except Exception:  # a failed round must not stop the scheduler; it is logged and retried
            log.exception("scheduler round failed")
        finally:
            close_old_connections()
        time.sleep(interval)


def _lease_forever(worker_id: str) -> None:
    while True:
        try:
            taskqueue.beat(worker_id)
            taskqueue.reclaim_orphans()
        except Exception:  # a failed round must not stop the lease; the next one comes soon
            log.exception("lease round failed")
        finally:
            close_old_connections()
        time.sleep(max(taskqueue.lease_seconds() / 3, 0.5))


class Command(BaseCommand):
    help = "Run the background task worker (reminders, notifications, reports) with the periodic scheduler."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-schedule", action="store_true", help="Only run tasks; do not enqueue jobs.")
        parser.add_argument("--schedule-interval", type=int, default=60)
        parser.add_argument(
            "--interval", type=float, default=1, help="Seconds between polls of an empty queue."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        worker_id = taskqueue.new_worker_id()
        taskqueue.beat(worker_id)  # before the first claim, so no other worker takes this one for dead
        threading.Thread(target=_lease_forever, args=(worker_id,), daemon=True, name="lease").start()
        if not options["no_schedule"]:
            threading.Thread(
                target=_schedule_forever, args=(options["schedule_interval"],), daemon=True, name="scheduler"
            ).start()
        try:
            # No autoreloader: its child process would run the tasks under the parent's lease.
            call_command("db_worker", worker_id=worker_id, reload=False, interval=options["interval"])
        finally:
            taskqueue.release(worker_id)

"""`lianmeng worker`: run background tasks (django-tasks database backend) and the scheduler."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

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


class Command(BaseCommand):
    help = "Run the background task worker (reminders, notifications, reports) with the periodic scheduler."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-schedule", action="store_true", help="Only run tasks; do not enqueue jobs.")
        parser.add_argument("--schedule-interval", type=int, default=60)

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["no_schedule"]:
            threading.Thread(
                target=_schedule_forever, args=(options["schedule_interval"],), daemon=True, name="scheduler"
            ).start()
        call_command("db_worker")

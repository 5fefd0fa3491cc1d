"""`lianmeng governance_schedule`: enqueue governance's periodic work for `lianmeng worker`.

Run it from cron (or a systemd timer), e.g. every 5 minutes::

    */5 * * * *  lianmeng governance_schedule

Motions past their window are closed on every run; the reminders run once a day (the first run
at or after ``--reminder-hour``, default 8:00 Asia/Shanghai) and are idempotent per day anyway.
``--loop SECONDS`` keeps enqueueing at that interval for deployments without cron.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from lianmeng.governance import tasks


class Command(BaseCommand):
    help = "Enqueue governance background work: close due motions, daily notice and task reminders."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", type=int, default=0, help="Repeat every SECONDS (0: run once).")
        parser.add_argument("--reminder-hour", type=int, default=8)
        parser.add_argument("--now", action="store_true", help="Run the tasks here instead of enqueueing.")

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            self._once(options["reminder_hour"], options["now"])
            if not options["loop"]:
                return
            time.sleep(options["loop"])

    def _once(self, reminder_hour: int, run_now: bool) -> None:
        local = timezone.localtime()
        jobs: list[Any] = [tasks.close_due_motions]
        key = f"governance:reminders:{local.date().isoformat()}"
        if local.hour >= reminder_hour and cache.add(key, True, 26 * 3600):
            jobs += [tasks.notice_reminders, tasks.task_reminders]
        for job in jobs:
            if run_now:
                self.stdout.write(f"{job.name}: {job.call()}")
            else:
                result = job.enqueue()
                self.stdout.write(f"{job.name}: enqueued {result.id}")

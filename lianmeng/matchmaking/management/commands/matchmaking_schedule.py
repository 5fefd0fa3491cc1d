"""`lianmeng matchmaking_schedule`: enqueue the periodic matchmaking tasks (run it from cron)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from lianmeng.matchmaking import tasks


class Command(BaseCommand):
    help = "Enqueue post expiry and stalled-request reminders; with --weekly also the suggestion digest."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--weekly", action="store_true", help="Also enqueue the weekly digest.")

    def handle(self, *args: Any, **options: Any) -> None:
        jobs = [tasks.expire_resources, tasks.remind_stalled_requests]
        if options["weekly"]:
            jobs.append(tasks.send_weekly_digest)
        for job in jobs:
            result = job.enqueue()
            self.stdout.write(f"{job.name}: {result.id}")

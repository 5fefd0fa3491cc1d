"""`lianmeng schedule [--loop SECONDS]`: enqueue the periodic work that is due (see core.schedule)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from lianmeng.core.schedule import run_due


class Command(BaseCommand):
    help = "Enqueue due periodic jobs (reminders, auto-closing motions, scheduled articles, digests)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", type=int, default=0, help="Repeat every SECONDS (0: once).")

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            for name in run_due():
                self.stdout.write(f"enqueued {name}")
            if not options["loop"]:
                return
            time.sleep(options["loop"])

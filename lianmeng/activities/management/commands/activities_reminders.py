"""`lianmeng activities_reminders`: enqueue the day-before event reminders and the 1+7+N reminders.

Run it daily from cron; ``lianmeng worker`` sends the mails. Event reminders go once per event;
1+7+N reminders go from the configured date (default 1 October) until the year ends.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from lianmeng.activities import tasks


class Command(BaseCommand):
    help = "Enqueue event reminders and 1+7+N compliance reminders (run daily)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--no-compliance", action="store_true", help="only the event reminders")

    def handle(self, *args: Any, **options: Any) -> None:
        tasks.event_reminders_send.enqueue()
        if not options["no_compliance"]:
            tasks.compliance_reminders_send.enqueue()
        self.stdout.write("activities reminders enqueued")

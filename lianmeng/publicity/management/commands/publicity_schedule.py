"""`lianmeng publicity_schedule`: enqueue the scheduled-publishing task (run it from cron)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from lianmeng.publicity import tasks


class Command(BaseCommand):
    help = "Enqueue publishing of scheduled articles whose time has come."

    def handle(self, *args: Any, **options: Any) -> None:
        result = tasks.publish_scheduled_articles.enqueue()
        self.stdout.write(f"{tasks.publish_scheduled_articles.name}: {result.id}")

"""`lianmeng serve`: run the application with gunicorn."""

from __future__ import annotations

import os
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve Lianmeng with gunicorn (workers = cores by default)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", os.cpu_count() or 2))
        )
        parser.add_argument("--timeout", type=int, default=60)

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(
            f"Lianmeng at http://{options['host']}:{options['port']}/ ({options['workers']} workers)"
        )
        sys.stdout.flush()
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "lianmeng.wsgi:application",
            "--bind",
            f"{options['host']}:{options['port']}",
            "--workers",
            str(options["workers"]),
            "--timeout",
            str(options["timeout"]),
            "--access-logfile",
            "-",
        ]
        os.execv(sys.executable, argv)  # noqa: S606 - fixed argv, no shell

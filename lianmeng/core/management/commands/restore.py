"""`lianmeng restore FILE [--force]` (docs/backup.md)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lianmeng.core.backup import BackupError, quiet_slow_queries, restore


class Command(BaseCommand):
    help = (
        "Restore an archive written by `lianmeng backup` into the empty database that DATABASE_URL names "
        "(migrated first when it has no tables) and the media directory."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", metavar="FILE")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace the rows of a database (and the files of a media directory) that are not empty.",
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar, even on a terminal.")

    def handle(self, *args: Any, **options: Any) -> None:
        with quiet_slow_queries():
            self._handle(**options)

    def _handle(self, **options: Any) -> None:
        started = time.perf_counter()
        try:
            result = restore(
                options["archive"],
                force=options["force"],
                stream=self.stderr._out,  # the terminal itself: OutputWrapper adds newlines and colours
                progress=False if options["no_progress"] else None,
                log=self.stdout.write,
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        for warning in result.warnings:
            self.stderr.write(self.style.WARNING(f"Warning: {warning}"))
        phases = ", ".join(f"{name} {seconds:,.1f} s" for name, seconds in result.seconds.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {result.rows:,} rows and {result.files:,} files from {options['archive']} in "
                f"{time.perf_counter() - started:,.1f} s ({phases}). Restart the web and worker processes"
                " (and clear a shared Redis cache) so nothing stale is served."
            )
        )

"""`lianmeng backup --output FILE` / `lianmeng backup --check FILE` (docs/backup.md)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lianmeng.core.backup import BackupError, verify, write_backup


class Command(BaseCommand):
    help = (
        "Write one archive with the database (portable between SQLite and PostgreSQL) and every uploaded "
        "file, or check an archive with --check."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        action = parser.add_mutually_exclusive_group(required=True)
        action.add_argument("--output", "-o", metavar="FILE", help="Write the archive to FILE (a .zip).")
        action.add_argument(
            "--check", metavar="FILE", help="Verify FILE: structure, SHA-256 of every part, row counts."
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar, even on a terminal.")

    def handle(self, *args: Any, **options: Any) -> None:
        progress = False if options["no_progress"] else None
        if options["check"]:
            self._check(options["check"], progress)
            return
        started = time.perf_counter()
        try:
            manifest = write_backup(options["output"], stream=self.stderr, progress=progress)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        size = Path(options["output"]).stat().st_size
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup written to {options['output']}: {manifest.total_rows:,} rows in "
                f"{len(manifest.tables)} tables, {manifest.files['count']:,} files "
                f"({manifest.files['bytes'] / 1e6:,.1f} MB), archive {size / 1e6:,.1f} MB, "
                f"{time.perf_counter() - started:,.1f} s."
            )
        )

    def _check(self, path: str, progress: bool | None) -> None:
        started = time.perf_counter()
        check = verify(path, stream=self.stderr, progress=progress)
        if check.problems or check.manifest is None:
            raise CommandError(f"{path} is damaged:\n  " + "\n  ".join(check.problems))
        manifest = check.manifest
        self.stdout.write(
            self.style.SUCCESS(
                f"{path} is intact: written {manifest.created_at} by Lianmeng {manifest.app_version} from "
                f"{manifest.source_database}; {manifest.total_rows:,} rows in {len(manifest.tables)} "
                f"tables, {manifest.files['count']:,} files; checked in {time.perf_counter() - started:,.1f} s."
            )
        )

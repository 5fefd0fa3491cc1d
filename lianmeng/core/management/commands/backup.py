"""`lianmeng backup --output FILE | --output-dir DIR [--keep N]` / `lianmeng backup --check FILE` (docs/backup.md)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from lianmeng.core.backup import BackupError, quiet_slow_queries, verify, write_backup
from lianmeng.core.backup.archive import prune


class Command(BaseCommand):
    help = (
        "Write one archive with the database (portable between SQLite and PostgreSQL) and every uploaded "
        "file, or check an archive with --check."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        action = parser.add_mutually_exclusive_group(required=True)
        action.add_argument("--output", "-o", metavar="FILE", help="Write the archive to FILE (a .zip).")
        action.add_argument(
            "--output-dir",
            metavar="DIR",
            help="Write the archive into DIR as lianmeng-YYYYMMDD-HHMMSS.zip (for scheduled backups).",
        )
        action.add_argument(
            "--check", metavar="FILE", help="Verify FILE: structure, SHA-256 of every part, row counts."
        )
        parser.add_argument(
            "--keep",
            type=int,
            metavar="N",
            help="After writing, check the new archive, then delete all but the N newest Lianmeng archives "
            "in its directory (other files are left alone; nothing is deleted if the check fails).",
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar, even on a terminal.")

    def handle(self, *args: Any, **options: Any) -> None:
        with quiet_slow_queries():
            self._handle(**options)

    def _handle(self, **options: Any) -> None:
        progress = False if options["no_progress"] else None
        if options["check"]:
            self._check(options["check"], progress)
            return
        if options["keep"] is not None and options["keep"] < 1:
            raise CommandError("--keep must be at least 1.")
        output = Path(options["output"]) if options["output"] else self._dated(Path(options["output_dir"]))
        started = time.perf_counter()
        try:
            manifest = write_backup(str(output), stream=self.stderr._out, progress=progress)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup written to {output}: {manifest.total_rows:,} rows in "
                f"{len(manifest.tables)} tables, {manifest.files['count']:,} files "
                f"({manifest.files['bytes'] / 1e6:,.1f} MB), archive {output.stat().st_size / 1e6:,.1f} MB, "
                f"{time.perf_counter() - started:,.1f} s."
            )
        )
        if options["keep"] is not None:
            self._check(str(output), progress)
            for path in prune(output.parent, keep=options["keep"]):
                self.stdout.write(f"Deleted the older archive {path}.")

    def _dated(self, directory: Path) -> Path:
        if not directory.is_dir():
            raise CommandError(f"{directory}: no such directory.")
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        path = directory / f"lianmeng-{stamp}.zip"
        n = 1
        while path.exists():
            n += 1
            path = directory / f"lianmeng-{stamp}-{n}.zip"
        return path

    def _check(self, path: str, progress: bool | None) -> None:
        started = time.perf_counter()
        check = verify(path, stream=self.stderr._out, progress=progress)
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

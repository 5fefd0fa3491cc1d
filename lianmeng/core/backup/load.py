"""`lianmeng restore`: check the archive and the target, then load everything in one transaction."""

from __future__ import annotations

import hashlib
import json
import os
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from lianmeng.core.discovery import app_modules
from lianmeng.core.search import index_sql

from .archive import (
    CHUNK,
    MEDIA_PREFIX,
    MIGRATION_SEEDED_TABLES,
    BackupError,
    Manifest,
    backed_up_models,
    decoders,
    iter_files,
    iter_lines,
    key_fingerprint,
    open_archive,
    table_fields,
    verify,
)
from .dump import media_files
from .progress import Progress

ROWS_PER_INSERT = 1000


@dataclass
class RestoreResult:
    manifest: Manifest
    migrated: bool = False
    rows: int = 0
    files: int = 0
    warnings: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)  # verify, migrate, rows, files


def code_migrations() -> set[tuple[str, str]]:
    """Every migration the installed code has (what `lianmeng migrate` would leave applied)."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return set(loader.graph.nodes)


def as_code_sees_it(applied: set[tuple[str, str]], code: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """``applied`` (as django_migrations records it) in the terms of the code's migration graph.

    Django records the migrations a squashed one replaces, not the squashed one: a squashed migration
    counts as applied when all it replaces are. Records of apps the code does not have are left out
    (their tables, if any, are refused by the table check).
    """
    loader = MigrationLoader(None, ignore_no_migrations=True)
    out = set(applied)
    for key, migration in loader.replacements.items():
        if all(target in applied for target in migration.replaces):
            out.add(key)
        out -= set(migration.replaces) - code
    apps_in_code = {app for app, _name in code}
    return {(app, name) for app, name in out if app in apps_in_code}


def migration_mismatch(archive: dict[str, list[str]], code: set[tuple[str, str]]) -> str:
    """Why the archive's migration state is not the code's, or "" when they are the same."""
    saved = as_code_sees_it({(app, name) for app, names in archive.items() for name in names}, code)
    newer = sorted(saved - code)
    older = sorted(code - saved)
    if newer:
        sample = ", ".join(f"{a}.{n}" for a, n in newer[:5])
        return (
            f"The archive was written by a newer Lianmeng: its database has migrations this code does "
            f"not know ({sample}{', …' if len(newer) > 5 else ''}). Install the Lianmeng version that "
            "wrote it (see the manifest's app_version) or a later one, then restore."
        )
    if older:
        sample = ", ".join(f"{a}.{n}" for a, n in older[:5])
        return (
            f"The archive was written by an older Lianmeng: this code has migrations its database did not "
            f"have ({sample}{', …' if len(older) > 5 else ''}). Restore it with the Lianmeng version that "
            "wrote it (see the manifest's app_version), then upgrade as usual (install this version, run "
            "`lianmeng migrate`)."
        )
    return ""


def rows_in_use(alias: str = DEFAULT_DB_ALIAS) -> dict[str, int]:
    """Tables holding rows that `lianmeng migrate` does not write itself: the database is in use."""
    found: dict[str, int] = {}
    for model in backed_up_models():
        if model._meta.db_table in MIGRATION_SEEDED_TABLES:
            continue
        n = model._base_manager.using(alias).count()
        if n:
            found[model._meta.db_table] = n
    return found


def restore(
    path: str,
    *,
    force: bool = False,
    alias: str = DEFAULT_DB_ALIAS,
    media_root: Path | None = None,
    stream: Any = None,
    progress: bool | None = None,
    log: Any = None,
) -> RestoreResult:
    """Verify the archive, prepare the target, load the rows in one transaction, then the files.

    Raises ``BackupError`` (nothing changed) when the archive is damaged, its migration state is not
    the code's, or the target database or media directory is in use and ``force`` is false.
    """
    say = log or (lambda text: None)
    connection = connections[alias]
    media_root = Path(media_root or settings.MEDIA_ROOT)
    say(f"Checking {path} …")
    started = time.perf_counter()
    check = verify(path, stream=stream, progress=progress)
    seconds = {"verify": time.perf_counter() - started}
    if check.problems or check.manifest is None:
        raise BackupError("The archive is damaged, nothing was restored:\n  " + "\n  ".join(check.problems))
    manifest = check.manifest
    code = code_migrations()
    mismatch = migration_mismatch(manifest.migrations, code)
    if mismatch:
        raise BackupError(mismatch)
    result = RestoreResult(manifest=manifest, seconds=seconds)
    if MigrationRecorder.Migration._meta.db_table not in connection.introspection.table_names():
        say("The database has no tables: migrating it first …")
        started = time.perf_counter()
        call_command("migrate", database=alias, interactive=False, verbosity=0)
        seconds["migrate"] = time.perf_counter() - started
        result.migrated = True
    applied = as_code_sees_it(set(MigrationRecorder(connection).applied_migrations()), code)
    if applied != code:
        missing = sorted(code - applied)
        raise BackupError(
            "The target database is not at this code's migration state "
            f"({len(missing)} migrations not applied, e.g. {', '.join(f'{a}.{n}' for a, n in missing[:3])}). "
            "Run `lianmeng migrate` first (or restore into an empty database)."
            if missing
            else "The target database has migrations this code does not know: it belongs to another "
            "version of Lianmeng. Restore into an empty database."
        )
    models_by_table = {m._meta.db_table: m for m in backed_up_models()}
    _check_tables(manifest, models_by_table)
    in_use = rows_in_use(alias)
    existing_files = sum(1 for _ in media_files(media_root))
    if (in_use or existing_files) and not force:
        parts = [f"{t} ({n} rows)" for t, n in sorted(in_use.items(), key=lambda item: -item[1])[:5]]
        if existing_files:
            parts.append(f"{existing_files} files in {media_root}")
        raise BackupError(
            "The target is not empty: "
            + ", ".join(parts)
            + (", …" if len(in_use) > 5 else "")
            + ". Restore into an empty database (a new DATABASE_URL), or pass --force to replace "
            "everything in it with the archive."
        )
    say(f"Restoring {manifest.total_rows:,} rows from {manifest.source_database} ({manifest.created_at}) …")
    with open_archive(path) as archive:
        started = time.perf_counter()
        result.rows = _load_rows(archive, manifest, models_by_table, alias, stream=stream, progress=progress)
        seconds["rows"] = time.perf_counter() - started
        say(f"Restoring {manifest.files.get('count', 0):,} files into {media_root} …")
        started = time.perf_counter()
        result.files = _load_files(archive, manifest, media_root, stream=stream, progress=progress)
        seconds["files"] = time.perf_counter() - started
    ContentType.objects.clear_cache()
    if manifest.key_fingerprint and manifest.key_fingerprint != key_fingerprint():
        result.warnings.append(
            "The archive was written under another SECRET_KEY than the one set now. Everyone signs in "
            "again; password-reset links and half-finished uploads stop working. Set SECRET_KEY to the "
            "key of the site that wrote the backup (docs/backup.md, 'What to keep besides the archive')."
        )
    for _config, module in app_modules("backup_checks"):
        result.warnings.extend(module.after_restore())
    return result


def _check_tables(manifest: Manifest, models_by_table: dict[str, Any]) -> None:
    listed = {t.table for t in manifest.tables}
    for table in manifest.tables:
        model = models_by_table.get(table.table)
        if model is None:
            raise BackupError(f"The archive holds table {table.table}, which this code does not have.")
        columns = [str(f.column) for f in table_fields(model)]
        if columns != table.columns:
            raise BackupError(
                f"Table {table.table}: the archive's columns ({', '.join(table.columns)}) are not this "
                f"code's ({', '.join(columns)})."
            )
    missing = sorted(set(models_by_table) - listed)
    if missing:
        raise BackupError(f"The archive has no rows file for the tables {', '.join(missing)}.")


def _full_text_tables(connection: Any, tables: list[str]) -> list[str]:
    """Tables with a SQLite FTS5 index (their triggers are dropped during the load, then rebuilt)."""
    if connection.vendor != "sqlite":
        return []  # PostgreSQL's search vector is a generated column: the database fills it on insert
    existing = set(connection.introspection.table_names())
    return [t for t in tables if f"{t}_fts" in existing]


def _load_rows(
    archive: zipfile.ZipFile,
    manifest: Manifest,
    models_by_table: dict[str, Any],
    alias: str,
    *,
    stream: Any,
    progress: bool | None,
) -> int:
    connection = connections[alias]
    qn = connection.ops.quote_name
    tables = [t.table for t in manifest.tables]
    fts = _full_text_tables(connection, tables)
    loaded = 0
    with transaction.atomic(using=alias), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL statement_timeout = 0")
            cursor.execute("TRUNCATE " + ", ".join(qn(t) for t in tables))
        else:
            for table in fts:
                for statement in index_sql(table, "sqlite")[1]:
                    cursor.execute(statement)
            for table in reversed(tables):
                cursor.execute(f"DELETE FROM {qn(table)}")
        with Progress(
            "Restoring rows", total=manifest.total_rows, unit="rows", stream=stream, enabled=progress
        ) as bar:
            for entry in manifest.tables:
                model = models_by_table[entry.table]
                fields = table_fields(model)
                codecs = decoders(fields, connection)
                rows = (
                    [
                        v if c is None or v is None else c(v)
                        for c, v in zip(codecs, json.loads(line), strict=True)
                    ]
                    for line in iter_lines(archive, entry.member)
                )
                columns = ", ".join(qn(str(f.column)) for f in fields)
                if connection.vendor == "postgresql":
                    # COPY: several times faster than INSERTs, one statement per table.
                    with cursor.cursor.copy(f"COPY {qn(entry.table)} ({columns}) FROM STDIN") as copy:
                        for n, row in enumerate(rows, start=1):
                            copy.write_row(row)
                            if n % ROWS_PER_INSERT == 0:
                                bar.advance(ROWS_PER_INSERT)
                        loaded += entry.rows
                        bar.advance(entry.rows % ROWS_PER_INSERT)
                    continue
                sql = f"INSERT INTO {qn(entry.table)} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"
                batch: list[list[Any]] = []
                for row in rows:
                    batch.append(row)
                    if len(batch) == ROWS_PER_INSERT:
                        cursor.executemany(sql, batch)
                        loaded += len(batch)
                        bar.advance(len(batch))
                        batch = []
                if batch:
                    cursor.executemany(sql, batch)
                    loaded += len(batch)
                    bar.advance(len(batch))
        if connection.vendor == "postgresql":
            for statement in connection.ops.sequence_reset_sql(no_style(), list(models_by_table.values())):
                cursor.execute(statement)
        for table in fts:
            for statement in index_sql(table, "sqlite")[0]:
                cursor.execute(statement)
    return loaded


def _load_files(
    archive: zipfile.ZipFile, manifest: Manifest, root: Path, *, stream: Any, progress: bool | None
) -> int:
    """Write each file through a temporary name, checking its SHA-256 again as it is written."""
    count = 0
    with Progress(
        "Restoring files",
        total=int(manifest.files.get("bytes", 0)),
        stream=stream,
        enabled=progress,
        scale_bytes=True,
    ) as bar:
        for entry in iter_files(archive):
            target = root / entry["path"]
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(target.name + ".restoring")
            digest = hashlib.sha256()
            with archive.open(MEDIA_PREFIX + entry["path"]) as source, partial.open("wb") as out:
                while chunk := source.read(CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
                    bar.advance(len(chunk))
            if digest.hexdigest() != entry["sha256"]:
                partial.unlink()
                raise BackupError(f"{entry['path']} changed while it was restored; restore again.")
            os.replace(partial, target)
            count += 1
    return count

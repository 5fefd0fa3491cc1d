"""`lianmeng backup`: write the archive from one consistent snapshot of the database, in constant memory."""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import json
import os
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import django
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from .archive import (
    CHUNK,
    FILES_LIST,
    MANIFEST,
    MEDIA_PREFIX,
    TABLES_PREFIX,
    BackupError,
    Manifest,
    TableEntry,
    backed_up_models,
    dumps_line,
    encode_row,
    encoders,
    key_fingerprint,
    model_key,
    table_fields,
)
from .progress import Progress

# Already compressed formats are stored as they are (deflating them again costs time and saves nothing).
STORED_SUFFIXES = frozenset(
    {".pdf", ".jpg", ".jpeg", ".png", ".gif", ".webp", ".zip", ".docx", ".xlsx", ".pptx", ".gz", ".mp4"}
)
ROWS_PER_FETCH = 2000
# zlib level 3: on 100,000 organizations' rows (78 MB of JSON) 14.4 MB in 6.9 s, against 12.1 MB in
# 15.8 s at the default level 6 and 16.4 MB in 6.3 s at level 1.
COMPRESS_LEVEL = 3


def app_version() -> str:
    try:
        return importlib.metadata.version("lianmeng")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


@contextlib.contextmanager
def snapshot(alias: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Every read inside sees the database as it was at the first one, while the site keeps writing.

    PostgreSQL: one REPEATABLE READ, READ ONLY transaction (no statement timeout: a backup is a batch
    job). SQLite: one deferred read transaction; in WAL mode it keeps its snapshot and blocks no writer
    (Django's own transactions are BEGIN IMMEDIATE, which would hold the write lock for the whole
    backup). Inside a caller's transaction (tests), that transaction is the snapshot.
    """
    connection = connections[alias]
    if connection.in_atomic_block:
        yield
        return
    if connection.vendor == "postgresql":
        with transaction.atomic(using=alias):
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                cursor.execute("SET LOCAL statement_timeout = 0")
            yield
        return
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("BEGIN DEFERRED")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ROLLBACK")


def media_files(root: Path) -> Iterator[tuple[str, Path]]:
    """(relative POSIX path, path) of every regular file under ``root``, sorted, symlinks skipped."""
    if not root.is_dir():
        return
    for directory, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(directory) / name
            if path.is_file() and not path.is_symlink():
                yield path.relative_to(root).as_posix(), path


def write_backup(
    output: str,
    *,
    alias: str = DEFAULT_DB_ALIAS,
    media_root: Path | None = None,
    stream: Any = None,
    progress: bool | None = None,
) -> Manifest:
    """Write the archive to ``output`` (through ``output.partial``, renamed when complete)."""
    connection = connections[alias]
    media_root = Path(media_root or settings.MEDIA_ROOT)
    target = Path(output)
    if target.parent and not target.parent.exists():
        raise BackupError(f"{target.parent}: no such directory.")
    partial = target.with_name(target.name + ".partial")
    try:
        with (
            zipfile.ZipFile(
                partial, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL
            ) as archive,
            snapshot(alias),
        ):
            manifest = Manifest(
                created_at=timezone.now().isoformat(),
                app_version=app_version(),
                django_version=django.get_version(),
                source_database=_database_name(connection),
                migrations=_applied_migrations(connection),
                tables=[],
                key_fingerprint=key_fingerprint(),
            )
            models = backed_up_models()
            counts = {m: m._base_manager.using(alias).count() for m in models}
            with Progress(
                "Backing up rows", total=sum(counts.values()), unit="rows", stream=stream, enabled=progress
            ) as bar:
                for index, model in enumerate(models, start=1):
                    manifest.tables.append(_write_table(archive, model, index, alias, bar))
            manifest.files = _write_files(archive, media_root, stream=stream, progress=progress)
            archive.writestr(_member_info(MANIFEST), manifest.to_json())
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return manifest


def _database_name(connection: Any) -> str:
    if connection.vendor == "postgresql":
        major, minor = divmod(connection.pg_version, 10000)
        return f"PostgreSQL {major}.{minor}"
    return f"{connection.display_name} {'.'.join(map(str, connection.Database.sqlite_version_info))}"


def _applied_migrations(connection: Any) -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        applied.setdefault(app, []).append(name)
    return {app: sorted(names) for app, names in sorted(applied.items())}


def _write_table(archive: zipfile.ZipFile, model: Any, index: int, alias: str, bar: Progress) -> TableEntry:
    fields = table_fields(model)
    entry = TableEntry(
        model=model_key(model),
        table=model._meta.db_table,
        member=f"{TABLES_PREFIX}{index:03d}-{model._meta.db_table}.jsonl",
        columns=[str(f.column) for f in fields],
    )
    digest = hashlib.sha256()
    codecs = encoders(fields)
    rows = (
        model._base_manager.using(alias)
        .order_by("pk")
        .values_list(*[f.attname for f in fields])
        .iterator(chunk_size=ROWS_PER_FETCH)
    )
    with archive.open(_member_info(entry.member), "w", force_zip64=True) as member:
        batch: list[bytes] = []
        for row in rows:
            batch.append(dumps_line(encode_row(codecs, row)))
            if len(batch) == ROWS_PER_FETCH:
                entry.rows += _flush(member, digest, batch)
                bar.advance(ROWS_PER_FETCH)
        if batch:
            bar.advance(len(batch))
            entry.rows += _flush(member, digest, batch)
    entry.sha256 = digest.hexdigest()
    return entry


def _member_info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=timezone.localtime().timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    _set_level(info)
    return info


def _set_level(info: zipfile.ZipInfo) -> None:
    # A ZipInfo of our own is compressed at zlib's default level unless told: the attribute is private in
    # Python 3.11 and 3.12 and kept as an alias of ``compress_level`` from 3.13.
    setattr(info, "_compresslevel", COMPRESS_LEVEL)  # noqa: B010


def _flush(member: Any, digest: Any, batch: list[bytes]) -> int:
    data = b"".join(batch)
    digest.update(data)
    member.write(data)
    n = len(batch)
    batch.clear()
    return n


def _write_files(
    archive: zipfile.ZipFile, root: Path, *, stream: Any, progress: bool | None
) -> dict[str, Any]:
    """Copy every file under ``root`` into ``media/``, listing path, size and SHA-256 in files.jsonl.

    The list is spooled to a temporary file (not memory) because only one ZIP member is written at a time.
    """
    listed = list(media_files(root))
    total = sum(p.stat().st_size for _, p in listed)
    count = size_sum = 0
    with (
        tempfile.TemporaryFile() as spool,
        Progress("Backing up files", total=total, stream=stream, enabled=progress, scale_bytes=True) as bar,
    ):
        for rel, path in listed:
            digest = hashlib.sha256()
            size = 0
            try:
                info = zipfile.ZipInfo.from_file(path, MEDIA_PREFIX + rel)
                info.compress_type = (
                    zipfile.ZIP_STORED if path.suffix.lower() in STORED_SUFFIXES else zipfile.ZIP_DEFLATED
                )
                _set_level(info)
                with path.open("rb") as source, archive.open(info, "w", force_zip64=True) as member:
                    while chunk := source.read(CHUNK):
                        digest.update(chunk)
                        member.write(chunk)
                        size += len(chunk)
                        bar.advance(len(chunk))
            except FileNotFoundError:
                # Deleted while the backup ran (the row that named it is gone from later snapshots too).
                continue
            count += 1
            size_sum += size
            record = {"path": rel, "size": size, "sha256": digest.hexdigest()}
            spool.write((json.dumps(record, ensure_ascii=False) + "\n").encode())
        spool.seek(0)
        digest = hashlib.sha256()
        with archive.open(_member_info(FILES_LIST), "w", force_zip64=True) as member:
            while chunk := spool.read(CHUNK):
                digest.update(chunk)
                member.write(chunk)
    return {"member": FILES_LIST, "count": count, "bytes": size_sum, "sha256": digest.hexdigest()}

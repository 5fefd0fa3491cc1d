"""The backup archive: a ZIP file holding the database as JSON Lines, the uploaded files and a manifest.

Layout (docs/backup.md, "The archive"):

    manifest.json                     format, versions, migration state, tables (rows, SHA-256), file list digest
    tables/007-accounts_user.jsonl    one JSON array per row, columns as listed in the manifest, by primary key
    files.jsonl                       {"path", "size", "sha256"} per uploaded file
    media/<path>                      the uploaded files, as under MEDIA_ROOT

ZIP rather than tar: members of unknown length stream in (no temporary copies), each is compressed on its
own with a CRC-32 of its own, and a reader opens the manifest or any member without reading the rest.
"""

from __future__ import annotations

import base64
import datetime
import decimal
import hashlib
import hmac
import json
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils.dateparse import parse_datetime, parse_duration
from django.utils.duration import duration_iso_string

from .progress import Progress

FORMAT = "lianmeng-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
FILES_LIST = "files.jsonl"
MEDIA_PREFIX = "media/"
TABLES_PREFIX = "tables/"
CHUNK = 1024 * 1024

# Rows that `lianmeng migrate` itself writes into a new database: content types and permissions
# (post_migrate) and the vocabularies seeded by data migrations. A database holding rows in any other
# table is "in use" and `lianmeng restore` refuses it without --force. tests/core/test_backup.py checks
# that a freshly migrated database has rows in these tables only.
MIGRATION_SEEDED_TABLES = frozenset(
    {"django_content_type", "auth_permission", "library_expertisefield", "library_strategytag"}
)


class BackupError(Exception):
    """Something the operator must fix; the message says what (the command exits non-zero)."""


def key_fingerprint() -> str:
    """A keyed digest of a constant: equal for equal SECRET_KEYs, and tells nothing about the key."""
    return hmac.new(settings.SECRET_KEY.encode(), b"lianmeng.backup.secret-key-check", "sha256").hexdigest()


def backed_up_models() -> list[type[models.Model]]:
    """Every table of the code, parents before the tables whose foreign keys point at them.

    Concrete, managed models including the automatic many-to-many tables, in INSTALLED_APPS order,
    then sorted so that a row's foreign keys name rows already restored (a cycle, if one appears, is
    cut at the earliest model; the constraints are deferred to the commit anyway).
    """
    candidates = [
        m for m in apps.get_models(include_auto_created=True) if m._meta.managed and not m._meta.proxy
    ]
    position = {m: i for i, m in enumerate(candidates)}
    depends: dict[type[models.Model], set[type[models.Model]]] = {}
    for model in candidates:
        targets = set()
        for f in model._meta.local_concrete_fields:
            remote = f.remote_field.model if f.remote_field else None
            if isinstance(remote, type) and remote in position and remote is not model:
                targets.add(remote)
        depends[model] = targets
    ordered: list[type[models.Model]] = []
    placed: set[type[models.Model]] = set()
    remaining = list(candidates)
    while remaining:
        ready = next((m for m in remaining if depends[m] <= placed), remaining[0])
        ordered.append(ready)
        placed.add(ready)
        remaining.remove(ready)
    return ordered


def table_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    """The columns of ``model``'s own table (generated columns are recomputed by the database)."""
    return [f for f in model._meta.local_concrete_fields if not getattr(f, "generated", False)]


def model_key(model: type[models.Model]) -> str:
    return f"{model._meta.app_label}.{model._meta.model_name}"


# Values to JSON and back, per field type. The JSON is the same whichever database wrote it.
# Columns of these types hold str, int, bool or float, which JSON carries as they are (no conversion).
PLAIN_TYPES = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "SmallAutoField",
        "IntegerField",
        "BigIntegerField",
        "SmallIntegerField",
        "PositiveIntegerField",
        "PositiveBigIntegerField",
        "PositiveSmallIntegerField",
        "BooleanField",
        "FloatField",
        "CharField",
        "TextField",
        "SlugField",
        "FileField",
        "FilePathField",
        "GenericIPAddressField",
    }
)


def column_type(field: models.Field[Any, Any]) -> str:
    """The internal type of the column (a foreign key's is that of the key it points to)."""
    target = field.target_field if isinstance(field, models.ForeignKey) else field
    return str(target.get_internal_type())


def encode(value: Any) -> Any:
    """A value read by Django as JSON: date-times in ISO 8601 with offset, decimals and UUIDs as text,
    durations in ISO 8601, binary as base64."""
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return duration_iso_string(value)
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview | bytearray):
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def encoders(fields: list[models.Field[Any, Any]]) -> list[Any]:
    """Per column, the function turning a non-null value into JSON, or None when it is JSON already."""
    return [
        None if column_type(f) in PLAIN_TYPES or isinstance(f, models.JSONField) else encode for f in fields
    ]


def encode_row(codecs: list[Any], row: Any) -> list[Any]:
    return [v if c is None or v is None else c(v) for c, v in zip(codecs, row, strict=True)]


def decode(field: models.Field[Any, Any], value: Any) -> Any:
    """The Python value of ``field`` that ``encode`` wrote as ``value`` (not None)."""
    if isinstance(field, models.JSONField):
        return value
    kind = column_type(field)
    if kind == "DateTimeField":
        return parse_datetime(value)
    if kind == "DateField":
        return datetime.date.fromisoformat(value)
    if kind == "TimeField":
        return datetime.time.fromisoformat(value)
    if kind == "DurationField":
        return parse_duration(value)
    if kind == "DecimalField":
        return decimal.Decimal(value)
    if kind == "UUIDField":
        return uuid.UUID(value)
    if kind == "BinaryField":
        return base64.b64decode(value)
    return value


def decoders(fields: list[models.Field[Any, Any]], connection: Any) -> list[Any]:
    """Per column, the function turning a non-null JSON value into what the database driver takes, or
    None when the driver takes it as it is. Null stays SQL NULL (also for JSON columns, as Django saves)."""

    def for_field(field: models.Field[Any, Any]) -> Any:
        if column_type(field) in PLAIN_TYPES:
            return None
        return lambda value: field.get_db_prep_save(decode(field, value), connection)

    return [for_field(f) for f in fields]


def dumps_line(values: list[Any]) -> bytes:
    return (json.dumps(values, ensure_ascii=False, separators=(",", ":")) + "\n").encode()


@dataclass
class TableEntry:
    model: str
    table: str
    member: str
    columns: list[str]
    rows: int = 0
    sha256: str = ""


@dataclass
class Manifest:
    created_at: str
    app_version: str
    django_version: str
    source_database: str
    migrations: dict[str, list[str]]
    tables: list[TableEntry]
    files: dict[str, Any] = field(default_factory=dict)
    key_fingerprint: str = ""

    def to_json(self) -> bytes:
        data = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": self.created_at,
            "app_version": self.app_version,
            "django_version": self.django_version,
            "source_database": self.source_database,
            "migrations": self.migrations,
            "secret_key_fingerprint": self.key_fingerprint,
            "tables": [t.__dict__ for t in self.tables],
            "files": self.files,
        }
        return json.dumps(data, ensure_ascii=False, indent=1).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> Manifest:
        try:
            data = json.loads(raw)
        except ValueError as exc:
            raise BackupError(f"manifest.json is not valid JSON ({exc}).") from exc
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise BackupError("manifest.json does not describe a Lianmeng backup.")
        if data.get("format_version") != FORMAT_VERSION:
            raise BackupError(
                f"The archive has format version {data.get('format_version')}; this Lianmeng reads "
                f"version {FORMAT_VERSION}. Restore it with the Lianmeng version that wrote it "
                f"({data.get('app_version', 'unknown')})."
            )
        try:
            return cls(
                created_at=data["created_at"],
                app_version=data["app_version"],
                django_version=data["django_version"],
                source_database=data["source_database"],
                migrations=data["migrations"],
                tables=[TableEntry(**t) for t in data["tables"]],
                files=data["files"],
                key_fingerprint=data.get("secret_key_fingerprint", ""),
            )
        except (KeyError, TypeError) as exc:
            raise BackupError(f"manifest.json misses or garbles an entry ({exc}).") from exc

    @property
    def total_rows(self) -> int:
        return sum(t.rows for t in self.tables)


def safe_media_path(path: str) -> bool:
    """A relative path inside the media directory (no absolute path, no "..", no backslash)."""
    pure = PurePosixPath(path)
    return bool(path) and not pure.is_absolute() and ".." not in pure.parts and "\\" not in path


def open_archive(path: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except FileNotFoundError as exc:
        raise BackupError(f"{path}: no such file.") from exc
    except (zipfile.BadZipFile, OSError) as exc:
        raise BackupError(f"{path} is not a Lianmeng backup or is truncated ({exc}).") from exc


def read_manifest(archive: zipfile.ZipFile) -> Manifest:
    try:
        raw = archive.read(MANIFEST)
    except KeyError as exc:
        raise BackupError("The archive has no manifest.json: not a Lianmeng backup, or cut short.") from exc
    except (zipfile.BadZipFile, OSError) as exc:
        raise BackupError(f"manifest.json is damaged ({exc}).") from exc
    return Manifest.from_json(raw)


def iter_lines(archive: zipfile.ZipFile, member: str) -> Iterator[bytes]:
    with archive.open(member) as stream:
        yield from stream


def iter_files(archive: zipfile.ZipFile) -> Iterator[dict[str, Any]]:
    for line in iter_lines(archive, FILES_LIST):
        yield json.loads(line)


@dataclass
class Check:
    """What `verify` found: problems (the archive must not be restored) and the manifest it read."""

    manifest: Manifest | None
    problems: list[str]


def verify(path: str, *, stream: Any = None, progress: bool | None = None, limit: int = 50) -> Check:
    """Read every member of the archive at ``path`` and compare it with the manifest.

    Checks the structure (manifest, members present, nothing unlisted, safe file paths), each table's
    SHA-256, row count and that every row is a JSON array of the listed columns, and each file's size
    and SHA-256 (ZIP's own CRC-32 catches damage too). Returns the problems instead of stopping at the
    first, up to ``limit``.
    """
    problems: list[str] = []

    def problem(text: str) -> None:
        if len(problems) < limit:
            problems.append(text)

    try:
        archive = open_archive(path)
        manifest = read_manifest(archive)
    except BackupError as exc:
        return Check(None, [str(exc)])
    with archive:
        names = set(archive.namelist())
        expected = {MANIFEST, FILES_LIST} | {t.member for t in manifest.tables}
        total_bytes = int(manifest.files.get("bytes", 0))
        with Progress(
            "Checking tables", total=manifest.total_rows, unit="rows", stream=stream, enabled=progress
        ) as bar:
            for table in manifest.tables:
                if table.member not in names:
                    problem(f"{table.member} ({table.table}) is missing from the archive.")
                    continue
                digest = hashlib.sha256()
                rows = 0
                width = len(table.columns)
                try:
                    for line in iter_lines(archive, table.member):
                        digest.update(line)
                        rows += 1
                        try:
                            values = json.loads(line)
                        except ValueError:
                            values = None
                        if not isinstance(values, list) or len(values) != width:
                            problem(f"{table.member}: row {rows} is not a list of {width} values.")
                        if rows % 1000 == 0:
                            bar.advance(1000)
                    bar.advance(rows % 1000)
                except (zipfile.BadZipFile, OSError, EOFError) as exc:
                    problem(f"{table.member} is damaged ({exc}).")
                    continue
                if rows != table.rows:
                    problem(f"{table.member}: {rows} rows, the manifest says {table.rows}.")
                if digest.hexdigest() != table.sha256:
                    problem(f"{table.member}: SHA-256 differs from the manifest (the data was altered).")
        if FILES_LIST not in names:
            problem("files.jsonl (the list of uploaded files) is missing from the archive.")
            return Check(manifest, problems)
        listed = 0
        with Progress(
            "Checking files", total=total_bytes, stream=stream, enabled=progress, scale_bytes=True
        ) as bar:
            try:
                list_digest = hashlib.sha256()
                for line in iter_lines(archive, FILES_LIST):
                    list_digest.update(line)
                if list_digest.hexdigest() != manifest.files.get("sha256"):
                    problem("files.jsonl: SHA-256 differs from the manifest (the file list was altered).")
                for entry in iter_files(archive):
                    listed += 1
                    rel = entry.get("path", "")
                    if not safe_media_path(rel):
                        problem(f"files.jsonl names an unsafe path {rel!r}.")
                        continue
                    member = MEDIA_PREFIX + rel
                    expected.add(member)
                    if member not in names:
                        problem(f"{member} is missing from the archive.")
                        continue
                    digest = hashlib.sha256()
                    size = 0
                    try:
                        with archive.open(member) as data:
                            while chunk := data.read(CHUNK):
                                digest.update(chunk)
                                size += len(chunk)
                                bar.advance(len(chunk))
                    except (zipfile.BadZipFile, OSError, EOFError) as exc:
                        problem(f"{member} is damaged ({exc}).")
                        continue
                    if size != entry.get("size") or digest.hexdigest() != entry.get("sha256"):
                        problem(f"{member}: size or SHA-256 differs from files.jsonl (the file was altered).")
            except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
                problem(f"files.jsonl is damaged ({exc}).")
        if listed != manifest.files.get("count"):
            problem(f"files.jsonl lists {listed} files, the manifest says {manifest.files.get('count')}.")
        for extra in sorted(names - expected)[:10]:
            if not extra.endswith("/"):
                problem(f"{extra} is in the archive but not in the manifest.")
    return Check(manifest, problems)


def archives_in(directory: Path) -> list[tuple[str, Path]]:
    """(created_at, path) of the Lianmeng archives in ``directory``, newest first; other files are ignored."""
    found: list[tuple[str, Path]] = []
    for path in directory.glob("*.zip"):
        try:
            with zipfile.ZipFile(path) as archive:
                found.append((read_manifest(archive).created_at, path))
        except (BackupError, zipfile.BadZipFile, OSError):
            continue
    return sorted(found, reverse=True)


def prune(directory: Path, *, keep: int) -> list[Path]:
    """Delete all but the ``keep`` newest Lianmeng archives in ``directory``; the deleted paths."""
    deleted = []
    for _created, path in archives_in(directory)[keep:]:
        path.unlink()
        deleted.append(path)
    return deleted

"""`lianmeng backup` / `lianmeng restore` (docs/backup.md).

The round trip runs in both `make test` runs, each in its own direction: the SQLite run backs up its
database and restores it into a new PostgreSQL database, the PostgreSQL run into a new SQLite file.
Both then compare every table's rows, every file's SHA-256 and the secret ballots' tallies, read back
through the ORM in a process pointed at the restored site.
"""

from __future__ import annotations

import datetime
import io
import json
import os
import subprocess
import sys
import uuid
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from lianmeng.core.actors import SYSTEM
from lianmeng.governance.commands import MotionCreate, SeatCreate, VoteCast
from tests.conftest import IN_CI
from tests.core import backup_probe
from tests.demo_snapshot import DEMO
from tests.sites import Prepared

pytestmark = pytest.mark.django_db(transaction=True)

PROJECT = Path(__file__).resolve().parents[2]
LIANMENG = str(Path(sys.executable).parent / "lianmeng")
PG_SERVER = os.environ.get("LIANMENG_TEST_PG", "postgresql://postgres@127.0.0.1:5432")


# Counters the restore itself moves on, on purpose: reporting's data version is raised by the restore's
# writes, so reports cached before it are rebuilt.
ADVANCED_BY_A_RESTORE = frozenset({"reporting_dataversion"})


def assert_same_rows(restored: dict[str, list[Any]], source: dict[str, list[Any]]) -> None:
    assert sorted(restored) == sorted(source)
    for table, rows in source.items():
        if table not in ADVANCED_BY_A_RESTORE:
            assert restored[table] == rows, f"{table} differs after the restore"


def site_env(tmp: Path, database_url: str, **extra: str) -> dict[str, str]:
    """The environment of a second site: its own database and var/ (media) directory."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(
        DATABASE_URL=database_url,
        LIANMENG_VAR_DIR=str(tmp),
        DEBUG="true",
        SECRET_KEY=settings.SECRET_KEY,
        DJANGO_SETTINGS_MODULE="lianmeng.settings",
        **extra,
    )
    return env


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, env=env, cwd=PROJECT, capture_output=True, text=True, timeout=600, check=False
    )


def probe(env: dict[str, str], *args: str) -> Any:
    done = run([sys.executable, "-m", "tests.core.backup_probe", *args], env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture
def postgres_target() -> Iterator[str]:
    """A new, empty PostgreSQL database (dropped afterwards); under CI the server must be there."""
    import psycopg

    name = f"lianmeng_restore_{uuid.uuid4().hex[:10]}"
    try:
        admin = psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        if IN_CI:
            pytest.fail(f"PostgreSQL is not reachable at {PG_SERVER}: {exc}")
        pytest.skip(f"PostgreSQL is not reachable at {PG_SERVER}")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield f"{PG_SERVER}/{name}"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def open_secret_motion(title: str, votes: list[str]) -> None:
    """A secret motion open until next week on which the first seats voted ``votes``."""
    from lianmeng.accounts.models import User
    from lianmeng.governance import services
    from lianmeng.governance.models import CouncilSeat

    secretary = User.objects.get(username="demo-secretariat")
    now = timezone.now()
    motion = services.motion_create(
        cmd=MotionCreate.build(
            {
                "title": title,
                "text": "无记名表决。",
                "kind": "ordinary",
                "ballot": "secret",
                "opens_at": now - datetime.timedelta(hours=1),
                "closes_at": now + datetime.timedelta(days=7),
            }
        ),
        actor=secretary,
        open_now=True,
    )
    seats = list(
        CouncilSeat.objects.valid_on(timezone.localdate()).exclude(representative=None).order_by("pk")
    )
    for seat, choice in zip(seats, votes, strict=False):
        services.vote_cast(
            motion=motion,
            cmd=VoteCast.build(choice=choice, seat=seat.pk),
            actor=seat.representative,
        )


def test_restore_into_the_other_database_keeps_every_row_file_and_secret_tally(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    DEMO.restore(settings.MEDIA_ROOT)  # the demo alliance (tests/demo_snapshot.py)
    open_secret_motion("关于增补监事单位的议案", ["for", "against", "for"])
    media = Path(settings.MEDIA_ROOT)
    (media / "library" / "成果 2026").mkdir(parents=True)
    (media / "library" / "成果 2026" / "年度报告（终稿）.pdf").write_bytes(os.urandom(3 * 1024 * 1024 + 17))
    (media / "library" / "empty.txt").write_bytes(b"")
    source = backup_probe.fingerprint()
    assert len(source["files"]) >= 5  # the demo's letters and ours
    archive = tmp_path / "site.zip"
    call_command("backup", output=str(archive), no_progress=True, stdout=io.StringIO())

    if connection.vendor == "sqlite":
        target_url = request.getfixturevalue("postgres_target")
    else:
        target_url = f"sqlite:///{tmp_path / 'restored.sqlite3'}"
    env = site_env(tmp_path / "target", target_url)
    done = run([LIANMENG, "restore", str(archive), "--no-progress"], env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "migrating it first" in done.stdout
    assert "Warning" not in done.stderr  # same SECRET_KEY: nothing to warn about

    restored = probe(env, "fingerprint")
    assert_same_rows(restored["tables"], source["tables"])
    assert restored["files"] == source["files"]
    assert restored["tallies"] == source["tallies"]
    assert restored["tallies"]["关于增补监事单位的议案"] == {"for": 2, "against": 1}

    # The restored site still finds each seat's secret ballot: a changed vote replaces it.
    assert probe(env, "revote", "关于增补监事单位的议案", "against") == {"for": 1, "against": 2}


@pytest.fixture
def small_site(cities: dict[str, Any], make_org: Callable[..., Any]) -> Path:
    """Cities, one member and one uploaded file."""
    make_org("青岛海纳人力资源有限公司", kind="enterprise")
    letter = Path(settings.MEDIA_ROOT) / "private" / "applications" / "承诺书.pdf"
    letter.parent.mkdir(parents=True)
    letter.write_bytes(b"%PDF-1.4 commitment letter")
    return letter


def rewrite(archive: Path, damaged: Path, change: Callable[[str, bytes], bytes]) -> None:
    """Copy ``archive`` member by member through ``change(name, data)`` (the manifest untouched)."""
    with zipfile.ZipFile(archive) as src, zipfile.ZipFile(damaged, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            out.writestr(info.filename, change(info.filename, src.read(info.filename)))


def test_check_and_restore_refuse_a_damaged_archive(small_site: Path, tmp_path: Path) -> None:
    from lianmeng.membership.models import Organization

    archive = tmp_path / "site.zip"
    call_command("backup", output=str(archive), no_progress=True, stdout=io.StringIO())
    out = io.StringIO()
    call_command("backup", check=str(archive), no_progress=True, stdout=out)
    assert "is intact" in out.getvalue()

    city_rows = tmp_path / "city.zip"
    rewrite(
        archive,
        city_rows,
        lambda n, d: d.replace("青岛".encode(), "北京".encode()) if "core_city" in n else d,
    )
    letter = tmp_path / "letter.zip"
    rewrite(archive, letter, lambda n, d: d + b"tampered" if n.endswith("承诺书.pdf") else d)
    truncated = tmp_path / "truncated.zip"
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    cases = {
        city_rows: "core_city.jsonl: SHA-256 differs from the manifest",
        letter: "承诺书.pdf: size or SHA-256 differs",
        truncated: "is not a Lianmeng backup or is truncated",
    }
    Organization.objects.all().delete()
    for damaged, message in cases.items():
        with pytest.raises(CommandError, match="damaged") as check:
            call_command("backup", check=str(damaged), no_progress=True)
        assert message in str(check.value)
        with pytest.raises(CommandError, match="nothing was restored") as refused:
            call_command("restore", str(damaged), force=True, no_progress=True, stdout=io.StringIO())
        assert message in str(refused.value)
    assert not Organization.objects.exists()  # nothing was restored

    # The command line exits non-zero with the reason.
    done = run(
        [LIANMENG, "backup", "--check", str(city_rows)], site_env(tmp_path / "cli", "sqlite:///:memory:")
    )
    assert done.returncode != 0
    assert "core_city.jsonl: SHA-256 differs from the manifest" in done.stderr


@pytest.mark.one_pass  # restores into a SQLite file whatever the run's database (both ways: the round trip)
def test_restore_refuses_a_database_in_use_unless_forced(
    small_site: Path, tmp_path: Path, prepared: Prepared
) -> None:
    archive = tmp_path / "site.zip"
    call_command("backup", output=str(archive), no_progress=True, stdout=io.StringIO())
    env = site_env(tmp_path / "target", prepared.database(tmp_path, "target", engine="sqlite").url)

    # A database just migrated (as after `lianmeng migrate`) is empty: the rows `migrate` writes itself
    # (content types, seeded vocabularies) do not make it "in use" (MIGRATION_SEEDED_TABLES).
    # The round trip above restores into a database without tables, which is migrated first.
    first = run([LIANMENG, "restore", str(archive), "--no-progress"], env)
    assert first.returncode == 0, first.stderr
    assert "migrating it first" not in first.stdout

    again = run([LIANMENG, "restore", str(archive), "--no-progress"], env)
    assert again.returncode != 0
    assert "The target is not empty" in again.stderr
    assert "membership_organization (1 rows)" in again.stderr
    assert "--force" in again.stderr

    other_key = {**env, "SECRET_KEY": "another-key-" + "x" * 40}
    forced = run([LIANMENG, "restore", str(archive), "--force", "--no-progress"], other_key)
    assert forced.returncode == 0, forced.stderr
    assert "written under another SECRET_KEY" in forced.stderr
    assert (
        probe(env, "fingerprint")["tables"]["membership_organization"]
        == (backup_probe.table_rows()["membership_organization"])
    )


def test_forced_restore_brings_back_rows_files_and_search(
    small_site: Path, tmp_path: Path, make_org: Callable[..., Any]
) -> None:
    from lianmeng.core.search import search_filter
    from lianmeng.membership.models import Organization

    archive = tmp_path / "site.zip"
    call_command("backup", output=str(archive), no_progress=True, stdout=io.StringIO())
    before = backup_probe.table_rows()
    Organization.objects.all().delete()
    small_site.unlink()
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(archive), no_progress=True, stdout=io.StringIO())

    call_command("restore", str(archive), force=True, no_progress=True, stdout=io.StringIO())
    assert_same_rows(backup_probe.table_rows(), before)
    assert small_site.read_bytes() == b"%PDF-1.4 commitment letter"
    found = search_filter(Organization.objects.all(), "海纳人力")
    assert [o.name for o in found] == ["青岛海纳人力资源有限公司"]
    # New rows continue after the restored ids (PostgreSQL sequences were reset).
    newest = Organization.objects.order_by("-pk").first()
    assert newest is not None
    assert make_org("烟台新单位", city="烟台").pk > newest.pk


def test_restore_refuses_an_archive_of_another_migration_state(small_site: Path, tmp_path: Path) -> None:
    archive = tmp_path / "site.zip"
    call_command("backup", output=str(archive), no_progress=True, stdout=io.StringIO())

    def newer(name: str, data: bytes) -> bytes:
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["migrations"]["membership"].append("9999_from_the_future")
        return json.dumps(manifest).encode()

    future = tmp_path / "future.zip"
    rewrite(archive, future, newer)
    with pytest.raises(CommandError, match="written by a newer Lianmeng") as refused:
        call_command("restore", str(future), force=True, no_progress=True, stdout=io.StringIO())
    assert "membership.9999_from_the_future" in str(refused.value)


def test_after_restore_checks_name_what_another_secret_key_breaks(
    make_org: Callable[..., Any], make_user: Callable[..., Any], secretariat: Any, settings: Any
) -> None:
    from lianmeng.accounts import backup_checks as account_checks
    from lianmeng.accounts.models import ApiToken
    from lianmeng.governance import backup_checks as ballot_checks
    from lianmeng.governance import services

    start = timezone.localdate() - datetime.timedelta(days=30)
    seats = [
        services.seat_create(
            cmd=SeatCreate.build(
                organization=make_org(f"理事单位{i}", tier="council").pk,
                representative=make_user(display_name=f"理事{i}").pk,
                starts_on=start,
            ),
            actor=SYSTEM,
        )
        for i in range(3)
    ]
    now = timezone.now()
    motion = services.motion_create(
        cmd=MotionCreate.build(
            {
                "title": "关于增补监事单位的议案",
                "text": "无记名表决。",
                "kind": "ordinary",
                "ballot": "secret",
                "opens_at": now - datetime.timedelta(hours=1),
                "closes_at": now + datetime.timedelta(days=3),
            }
        ),
        actor=secretariat,
        open_now=True,
    )
    for seat in seats[:2]:
        services.vote_cast(
            motion=motion,
            cmd=VoteCast.build(choice="for", seat=seat.pk),
            actor=seat.representative,
        )
    user = seats[0].representative
    ApiToken.objects.create(
        user=user, key_hash=ApiToken.hash_key("k"), key_prefix="k", password_stamp=ApiToken.stamp_for(user)
    )
    assert ballot_checks.after_restore() == []
    assert account_checks.after_restore() == []

    settings.SECRET_KEY = "a-different-key-" + "y" * 40
    [ballots] = ballot_checks.after_restore()
    assert "《关于增补监事单位的议案》" in ballots
    assert "counted twice" in ballots
    [tokens] = account_checks.after_restore()
    assert tokens.startswith("1 active API token(s)")


@pytest.fixture
def live_site(tmp_path: Path) -> Iterator[tuple[str, Callable[[], None]]]:
    """(alias of the database a live site writes to, a write by another process committed at once).

    PostgreSQL: the test database, written through another connection. SQLite: a file in WAL mode as
    `lianmeng serve` uses it (the test database lives in memory, where SQLite keeps no snapshots),
    written by a plain sqlite3 connection.
    """
    import sqlite3
    import threading

    from django.db import connections
    from django.db.utils import load_backend

    if connection.vendor == "postgresql":

        def write_elsewhere() -> None:
            failures: list[BaseException] = []

            def insert() -> None:
                try:
                    with connections["default"].cursor() as cursor:
                        cursor.execute("INSERT INTO backup_snapshot_probe VALUES (2)")
                except BaseException as exc:
                    failures.append(exc)
                finally:
                    connections["default"].close()

            writer = threading.Thread(target=insert)
            writer.start()
            writer.join(timeout=30)
            assert not writer.is_alive(), "the backup blocked a writer"
            assert failures == []

        yield "default", write_elsewhere
        return
    path = tmp_path / "site.sqlite3"
    alias = "backup_live_site"
    wrapper = load_backend("django.db.backends.sqlite3").DatabaseWrapper(
        {**connections.settings["default"], "NAME": str(path)}, alias
    )
    connections[alias] = wrapper

    def write_elsewhere() -> None:
        other = sqlite3.connect(path, timeout=5)  # gives up (raises) if the backup held a write lock
        with other:
            other.execute("INSERT INTO backup_snapshot_probe VALUES (2)")
        other.close()

    try:
        yield alias, write_elsewhere
    finally:
        wrapper.close()
        delattr(connections._connections, alias)


def test_backup_reads_one_snapshot_while_the_site_writes(live_site: tuple[str, Callable[[], None]]) -> None:
    from django.db import connections

    from lianmeng.core.backup.dump import snapshot

    alias, write_elsewhere = live_site

    def count() -> int:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM backup_snapshot_probe")
            return int(cursor.fetchone()[0])

    with connections[alias].cursor() as cursor:
        cursor.execute("CREATE TABLE backup_snapshot_probe (n integer)")
        cursor.execute("INSERT INTO backup_snapshot_probe VALUES (1)")
    try:
        with snapshot(alias):
            assert count() == 1
            write_elsewhere()
            assert count() == 1  # still the snapshot
        assert count() == 2
    finally:
        with connections[alias].cursor() as cursor:
            cursor.execute("DROP TABLE backup_snapshot_probe")


def test_scheduled_backups_keep_the_newest_archives_only(small_site: Path, tmp_path: Path) -> None:
    backups = tmp_path / "backups"
    backups.mkdir()
    (backups / "notes.zip").write_bytes(b"not an archive")
    unrelated = backups / "other.zip"
    with zipfile.ZipFile(unrelated, "w") as other:
        other.writestr("readme.txt", "someone else's archive")
    written = []
    for _ in range(3):
        out = io.StringIO()
        call_command("backup", output_dir=str(backups), keep=2, no_progress=True, stdout=out)
        written.append(out.getvalue().split("Backup written to ", 1)[1].split(":", 1)[0])
        assert "is intact" in out.getvalue()
    assert len(set(written)) == 3
    assert all(Path(p).name.startswith("lianmeng-") for p in written)
    assert sorted(p.name for p in backups.iterdir()) == sorted(
        ["notes.zip", "other.zip", Path(written[1]).name, Path(written[2]).name]
    )
    assert "Deleted the older archive" in out.getvalue()


@pytest.mark.one_pass  # systemd-analyze reads the unit files only
@pytest.mark.parametrize("unit", ["lianmeng-backup.service", "lianmeng-backup.timer"])
def test_backup_units_verify(tmp_path: Path, unit: str) -> None:
    import shutil

    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    for name in ("lianmeng-backup.service", "lianmeng-backup.timer"):
        text = (PROJECT / "deploy" / "systemd" / name).read_text(encoding="utf-8")
        text = (
            text.replace("/srv/lianmeng/.venv/bin/lianmeng", LIANMENG)
            .replace("/etc/lianmeng/lianmeng.env", str(PROJECT / "deploy" / "lianmeng.env.example"))
            .replace("/srv/", f"{tmp_path}/")
        )
        (tmp_path / name).write_text(text, encoding="utf-8")
    done = subprocess.run(
        [analyze, "verify", str(tmp_path / unit)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "lianmeng" not in done.stderr, done.stderr

"""A task of a killed worker (kill -9 in the middle of it) is picked up by another worker after the lease.

Real `lianmeng worker` processes on a database of their own: the SQLite run copies a migrated file, the
PostgreSQL run uses pytest's migrated test database (committed data, flushed afterwards)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.sites import Prepared

from .conftest import PROJECT, base_env

LEASE = 3  # seconds: TASKS_LEASE_SECONDS of the workers


@pytest.fixture
def worker_env(transactional_db: None, tmp_path: Path, prepared: Prepared) -> dict[str, str]:
    var = tmp_path / "var"
    var.mkdir()
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        from django.db import connection

        url = f"{url.rsplit('/', 1)[0]}/{connection.settings_dict['NAME']}"
    else:
        url = prepared.database(var, "faults").url
    env = base_env(
        LIANMENG_VAR_DIR=str(var),
        DATABASE_URL=url,
        SECRET_KEY="fault-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGHI",
        DEBUG="false",
        HOME=str(tmp_path),
        TASKS_LEASE_SECONDS=str(LEASE),
        DJANGO_SETTINGS_MODULE="lianmeng.settings",
    )
    return env


def _python(env: dict[str, str], code: str) -> str:
    # gc.freeze(): the process ends without the collector's last walk over Django (about 1 s)
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup()\n{code}\nimport gc; gc.freeze()"],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def _row(env: dict[str, str], sql: str, *params: Any) -> tuple[Any, ...] | None:
    """One row read straight from the workers' database (polling with a Django process per look cost
    2-3 s of processor time each)."""
    url = env["DATABASE_URL"]
    if url.startswith("sqlite:///"):
        import sqlite3

        with contextlib.closing(sqlite3.connect(url.removeprefix("sqlite:///"), timeout=30)) as conn:
            return conn.execute(sql.replace("%s", "?"), params).fetchone()
    import psycopg

    with psycopg.connect(url) as conn:
        return conn.execute(sql, params).fetchone()


def _worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "lianmeng.cli", "worker", "--no-schedule", "--interval", "0.2"],
        cwd=PROJECT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )


def _lines(path: Path) -> list[str]:
    return path.read_text().split() if path.exists() else []


def _wait(predicate: Any, timeout: float, what: str, logs: list[Path]) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(
        f"{what} within {timeout} s\n" + "\n".join(p.read_text() for p in logs if p.exists())
    )


def test_a_task_of_a_killed_worker_is_finished_by_another(worker_env: dict[str, str], tmp_path: Path) -> None:
    marks = tmp_path / "marks"
    marks.mkdir()
    task_id = _python(
        worker_env,
        f"from tests.ops.fault_tasks import slow_marker; print(slow_marker.enqueue({str(marks)!r}, 4).id)",
    )
    logs = [tmp_path / "worker-a.log", tmp_path / "worker-b.log"]
    first = _worker(worker_env, logs[0])
    second = None
    try:
        _wait(lambda: len(_lines(marks / "starts")) == 1, 90, "the first worker did not start the task", logs)
        assert _lines(marks / "starts") == [str(first.pid)]
        os.kill(first.pid, signal.SIGKILL)  # in the middle of the task: no chance to record anything
        first.wait(timeout=10)
        killed_at = time.monotonic()
        assert _lines(marks / "done") == []

        second = _worker(worker_env, logs[1])
        _wait(lambda: _lines(marks / "done"), 90, "the second worker did not finish the task", logs)
        taken_over_after = time.monotonic() - killed_at
        assert _lines(marks / "starts") == [str(first.pid), str(second.pid)]
        assert _lines(marks / "done") == [str(second.pid)], "finished once, by the second worker"
    finally:
        for proc in (first, second):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                proc.wait(timeout=20)
    state = _python(
        worker_env,
        "from django_tasks_db.models import DBTaskResult\n"
        f"r = DBTaskResult.objects.get(pk={task_id!r}); print(r.status, len(r.worker_ids), r.return_value)",
    )
    assert state == f"SUCCESSFUL 2 {second.pid}", state
    # The lease (3 s) ran out; the second worker's next lease round (every 1 s) put it back in the queue.
    assert taken_over_after < 60


def test_a_failing_mail_server_is_retried_with_backoff_then_the_failure_is_recorded(
    worker_env: dict[str, str], tmp_path: Path
) -> None:
    from .conftest import free_port

    env = {
        **worker_env,
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(free_port()),  # nothing listens: connection refused
        "NOTIFICATIONS_MAIL_ATTEMPTS": "3",
        "NOTIFICATIONS_RETRY_SECONDS": "1",  # waits of 1 s, then 4 s
    }
    pk = _python(
        env,
        "from lianmeng.accounts.models import User\n"
        "from lianmeng.notifications import services\n"
        "from lianmeng.notifications.models import Kind\n"
        "u = User.objects.create_user(username='mail-fault', password='x-long-password-1', email='m@example.cn')\n"
        "[n] = services.notify(recipients=[u], kind=Kind.TASK_ASSIGNED, title='邮件服务器故障测试')\n"
        "print(n.pk)",
    )
    log = tmp_path / "worker-mail.log"
    worker = _worker(env, log)
    try:
        deadline = time.monotonic() + 120
        state = ""
        while time.monotonic() < deadline:
            row = _row(
                env, "SELECT mail_state, mail_attempts FROM notifications_notification WHERE id = %s", int(pk)
            )
            state = " ".join(str(v) for v in row or ())
            if state.startswith("failed"):
                break
            time.sleep(0.5)
    finally:
        worker.terminate()
        worker.wait(timeout=20)
    assert state == "failed 3", f"{state}\n{log.read_text()}"
    retries = _python(
        env,
        "from django_tasks_db.models import DBTaskResult\n"
        "rows = DBTaskResult.objects.filter(task_path__endswith='.notification_mail_send')\n"
        f"rows = sorted((r for r in rows if r.args_kwargs['args'][0] == {pk}), key=lambda r: r.args_kwargs['args'][1])\n"
        "print(' '.join(f\"{r.args_kwargs['args'][1]}:{(r.run_after - r.enqueued_at).total_seconds():.0f}\" "
        "for r in rows))",
    )
    # Attempt 2 was queued to wait 1 s, attempt 3 to wait 4 s (exponential backoff).
    assert retries == "2:1 3:4", retries

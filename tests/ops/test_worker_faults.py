"""A task of a killed worker (kill -9 in the middle of it) is picked up by another worker after the lease.

Real `lianmeng worker` processes on a database of their own: the SQLite run migrates a file, the
PostgreSQL run uses pytest's migrated test database (committed data, flushed afterwards)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from .conftest import PROJECT, base_env, run_cli

LEASE = 3  # seconds: TASKS_LEASE_SECONDS of the workers


@pytest.fixture
def worker_env(transactional_db: None, tmp_path: Path) -> dict[str, str]:
    var = tmp_path / "var"
    var.mkdir()
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        from django.db import connection

        url = f"{url.rsplit('/', 1)[0]}/{connection.settings_dict['NAME']}"
    else:
        url = f"sqlite:///{var / 'faults.sqlite3'}"
    env = base_env(
        LIANMENG_VAR_DIR=str(var),
        DATABASE_URL=url,
        SECRET_KEY="fault-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGHI",
        DEBUG="false",
        HOME=str(tmp_path),
        TASKS_LEASE_SECONDS=str(LEASE),
        DJANGO_SETTINGS_MODULE="lianmeng.settings",
    )
    if url.startswith("sqlite"):
        run_cli(env, "migrate", "--noinput", "-v0", timeout=600)
    return env


def _python(env: dict[str, str], code: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup()\n{code}"],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


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
    # The lease (3 s) ran out, the second worker's next round (every second) put it back in the queue.
    assert taken_over_after < 60

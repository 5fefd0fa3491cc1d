"""Database faults (issue 10, item 8): a database that refuses connections, one that accepts them but never
answers, a statement that runs too long, and a read-only SQLite file answer 503 with Retry-After and a
Chinese message (problem+json on the API) within about the configured timeout, and recover by themselves.

The faulty databases are real: a closed port, a listener thread that accepts and stays silent, and a
SQLite copy opened read-only; each runs the application in a child process with its own DATABASE_URL.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client

CHILD = r"""
import json, os, sys, time
from django.conf import settings
settings.STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"
if os.environ.get("SQLITE_READONLY"):
    settings.DATABASES["default"]["NAME"] = "file:" + os.environ["SQLITE_READONLY"] + "?mode=ro"
import django
django.setup()
from django.test.utils import setup_test_environment
setup_test_environment()
from django.test import Client
client = Client(raise_request_exception=False)
results = []
for method, url, data, kind in json.loads(sys.argv[1]):
    started = time.monotonic()
    if method == "get":
        response = client.get(url)
    elif kind == "json":
        response = client.post(url, json.dumps(data), content_type="application/json")
    else:
        response = client.post(url, data)
    results.append({
        "url": url,
        "status": response.status_code,
        "type": response.get("Content-Type", ""),
        "retry_after": response.get("Retry-After"),
        "seconds": time.monotonic() - started,
        "body": response.content.decode("utf-8", "replace"),
    })
print("RESULTS " + json.dumps(results, ensure_ascii=False))
"""

REQUESTS = [
    ("get", "/api/v1/events", None, ""),
    ("get", "/members/", None, ""),
    ("post", "/accounts/login/", {"username": "demo-member", "password": "correct-horse-battery"}, "form"),
    ("post", "/api/v1/auth/token", {"username": "demo-member", "password": "correct-horse-battery"}, "json"),
]


def _run_child(tmp_path: Path, env: dict[str, str], requests: list[Any] = REQUESTS) -> list[dict[str, Any]]:
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    full_env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "lianmeng.settings",
        "DEBUG": "false",
        "SECRET_KEY": "test-db-faults",
        "CONN_MAX_AGE": "0",
        **env,
    }
    proc = subprocess.run(
        [sys.executable, str(script), json.dumps(requests)],
        env=full_env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULTS ")]
    assert lines, proc.stdout[-2000:] + proc.stderr[-4000:]
    return list(json.loads(lines[-1][len("RESULTS ") :]))


def _assert_unavailable(results: list[dict[str, Any]], max_seconds: float) -> None:
    for r in results:
        assert r["status"] == 503, (r["url"], r["status"], r["body"][:300])
        assert r["retry_after"] and int(r["retry_after"]) > 0
        if r["url"].startswith("/api/"):
            assert r["type"].startswith("application/problem+json"), r["type"]
            body = json.loads(r["body"])
            assert body["status"] == 503 and "数据库暂时无法访问" in body["detail"]
        else:
            assert r["type"].startswith("text/html")
            assert "服务暂时不可用" in r["body"] and 'id="error-page"' in r["body"]
    # The first request also imports the application; every later one waits only for the timeout.
    slowest = max(r["seconds"] for r in results[1:])
    assert slowest < max_seconds, [(r["url"], round(r["seconds"], 2)) for r in results]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.one_pass  # the child's database is a closed port, whatever the run's
def test_database_refusing_connections_gives_503(tmp_path: Path) -> None:
    port = _free_port()  # nothing listens there: connections are refused at once
    results = _run_child(
        tmp_path,
        {"DATABASE_URL": f"postgresql://postgres@127.0.0.1:{port}/lianmeng_gone", "DB_CONNECT_TIMEOUT": "2"},
    )
    _assert_unavailable(results, max_seconds=2.0)


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A TCP listener that accepts connections and never says a word (a hung database host)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(32)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _addr = server.accept()
            except OSError:
                continue
            held.append(conn)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield int(server.getsockname()[1])
    stop.set()
    thread.join(timeout=2)
    for conn in held:
        conn.close()
    server.close()


@pytest.mark.one_pass  # the child's database is a silent listener, whatever the run's
def test_database_accepting_but_not_answering_gives_503_within_the_timeout(
    tmp_path: Path, silent_server: int
) -> None:
    started = time.monotonic()
    results = _run_child(
        tmp_path,
        {
            "DATABASE_URL": f"postgresql://postgres@127.0.0.1:{silent_server}/lianmeng_hung",
            "DB_CONNECT_TIMEOUT": "2",
        },
    )
    _assert_unavailable(results, max_seconds=2 * 2 + 1.5)  # libpq may try twice (SSL, then plain)
    assert time.monotonic() - started < 60  # not gunicorn's 60 s per request


@pytest.mark.django_db(transaction=True)
def test_read_only_sqlite_file_gives_503_on_login(tmp_path: Path, make_user: Any) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("the read-only file is a SQLite fault (the PostgreSQL run covers the other faults)")
    make_user("member_contact", username="demo-member")
    copy = tmp_path / "readonly.sqlite3"
    with sqlite3.connect(copy) as target:
        connection.ensure_connection()
        connection.connection.backup(target)  # type: ignore[union-attr]
        target.execute("PRAGMA journal_mode=WAL")
    # Opened with mode=ro, as a file the server's user cannot write (root ignores chmod, so the test
    # cannot rely on file permissions).
    results = _run_child(
        tmp_path,
        {"DATABASE_URL": f"sqlite:///{copy}", "SQLITE_READONLY": str(copy)},
        [
            ("get", "/members/", None, ""),
            (
                "post",
                "/accounts/login/",
                {"username": "demo-member", "password": "correct-horse-battery"},
                "form",
            ),
            (
                "post",
                "/api/v1/auth/token",
                {"username": "demo-member", "password": "correct-horse-battery"},
                "json",
            ),
        ],
    )
    reading, *writing = results
    assert reading["status"] == 200, reading["body"][:500]  # reading still works
    _assert_unavailable([reading, *writing][1:], max_seconds=5)
    assert writing[0]["status"] == 503 and writing[1]["status"] == 503


@pytest.mark.django_db
def test_statement_timeout_is_set_and_a_slow_statement_gives_503(monkeypatch: Any, cities: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("statement_timeout is a PostgreSQL setting (SQLite: busy_timeout)")
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "30s"

    from lianmeng.activities import selectors

    def slow(*args: Any, **kwargs: Any) -> Any:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL statement_timeout = 300")
            cursor.execute("SELECT pg_sleep(5)")
        return None

    monkeypatch.setattr(selectors, "event_calendar", slow)
    started = time.monotonic()
    response = Client(raise_request_exception=False).get("/api/v1/events")
    assert response.status_code == 503 and response["Retry-After"]
    assert response["Content-Type"].startswith("application/problem+json")
    assert time.monotonic() - started < 3


@pytest.mark.django_db
def test_recovers_by_itself(monkeypatch: Any, cities: Any) -> None:
    """Nothing is remembered after a fault: with the database back, the next request is served."""
    from django.db import OperationalError

    from lianmeng.activities import selectors

    original = selectors.event_calendar
    calls = {"n": 0}

    def flaky(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 1:
            raise OperationalError("connection refused")
        return original(*args, **kwargs)

    monkeypatch.setattr(selectors, "event_calendar", flaky)
    client = Client(raise_request_exception=False)
    assert client.get("/api/v1/events").status_code == 503
    assert client.get("/api/v1/events").status_code == 200

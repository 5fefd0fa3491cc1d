"""Real processes for the operations tests: a migrated database of their own, `lianmeng serve` instances
on free ports, and a way to stop them.

The database follows the run: a SQLite file on the SQLite run, a fresh PostgreSQL database (dropped
afterwards) when DATABASE_URL names PostgreSQL. Commands run as ``python -m lianmeng.cli`` from the
project directory, never with pytest's settings (LIANMENG_TESTING is not passed on)."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.sites import PROJECT, SECRET, Database, Prepared, base_env, run_cli

__all__ = ["PROJECT", "SECRET", "Database", "base_env", "run_cli"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Site:
    """A migrated database and a var/ directory (static files collected) shared by the module's servers."""

    var: Path
    database: Database
    env: dict[str, str] = field(default_factory=dict)


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory, prepared: Prepared) -> Iterator[Site]:
    var = tmp_path_factory.mktemp("ops") / "var"
    var.mkdir()
    database = prepared.database(var, "main")
    env = base_env(
        LIANMENG_VAR_DIR=str(var),
        DATABASE_URL=database.url,
        SECRET_KEY=SECRET,
        DEBUG="false",
        HOME=str(var.parent / "home"),
    )
    (var.parent / "home").mkdir()
    prepared.static(var)
    try:
        yield Site(var=var, database=database, env=env)
    finally:
        database.drop()


@dataclass
class Server:
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def get(
    url: str, *, headers: dict[str, str] | None = None, timeout: float = 10
) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 - loopback test URLs
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


@pytest.fixture
def start_server(site: Site) -> Iterator[Callable[..., Server]]:
    started: list[Server] = []

    def start(*args: str, port: int | None = None, ready: bool = True, **env: str) -> Server:
        port = port or free_port()
        log = site.var.parent / f"serve-{port}.log"
        handle = log.open("wb")
        process = subprocess.Popen(
            [sys.executable, "-m", "lianmeng.cli", "serve", "--port", str(port), "--no-collectstatic", *args],
            cwd=PROJECT,
            env={**site.env, **env},
            stdout=handle,
            stderr=subprocess.STDOUT,
        )
        server = Server(port=port, process=process, log=log)
        started.append(server)
        if ready:
            wait_ready(server)
        return server

    yield start
    for server in started:
        server.stop()


def wait_ready(server: Server, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise AssertionError(f"lianmeng serve exited {server.process.returncode}:\n{server.output()}")
        try:
            status, _, _ = get(server.url + "/healthz", timeout=2)
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"lianmeng serve did not answer within {timeout} s:\n{server.output()}")


def sample(text: str, name: str, **labels: str) -> float:
    """The value of one series in a Prometheus text exposition (0 when absent)."""
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        head, _, value = line.rpartition(" ")
        if head.split("{", 1)[0] != name:
            continue
        found = dict(part.split("=", 1) for part in head.partition("{")[2].rstrip("}").split(",") if part)
        if all(found.get(k) == f'"{v}"' for k, v in labels.items()):
            return float(value)
    return 0.0


def json_lines(text: str) -> list[dict[str, Any]]:
    import json

    lines = []
    for line in text.splitlines():
        if line.startswith("{"):
            try:
                lines.append(json.loads(line))
            except ValueError:
                continue
    return lines

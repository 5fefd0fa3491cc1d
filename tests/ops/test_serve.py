"""`lianmeng serve` as an operator runs it: several instances on one host, several workers, SITE_URL.

Real gunicorn processes on free loopback ports (tests/ops/conftest.py)."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from .conftest import Server, Site, free_port, get, json_lines, run_cli, sample

# Sockets, workers' metrics and addresses do not depend on the database engine: the site (its own
# database, tests/ops/conftest.py) is made once, in the SQLite run.
pytestmark = pytest.mark.one_pass

TOKEN = "ops-metrics-token"


def test_two_instances_keep_their_own_control_socket(site: Site, start_server: Callable[..., Server]) -> None:
    first = start_server("--workers", "1")
    second = start_server("--workers", "1")
    first_socket = site.var / "run" / f"serve-{first.port}" / "gunicorn.ctl"
    second_socket = site.var / "run" / f"serve-{second.port}" / "gunicorn.ctl"
    deadline = time.monotonic() + 20
    while not (first_socket.exists() and second_socket.exists()) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert first_socket.is_socket(), first.output()
    assert second_socket.is_socket(), second.output()
    # nothing in the home directory, where gunicorn's default socket was shared by every instance
    assert not (Path(site.env["HOME"]) / ".gunicorn").exists()

    first.stop()
    assert not first_socket.exists()
    assert second_socket.is_socket()
    assert get(second.url + "/healthz")[0] == 200


def test_metrics_add_up_over_all_workers(site: Site, start_server: Callable[..., Server]) -> None:
    server = start_server("--workers", "2", METRICS_TOKEN=TOKEN, LOG_FORMAT="json")
    auth = {"Authorization": f"Bearer {TOKEN}"}

    def hit(_: int) -> None:
        assert get(server.url + "/healthz", timeout=60)[0] == 200

    status, _, body = get(server.url + "/metrics", headers=auth, timeout=60)
    assert status == 200
    before = sample(body.decode(), "lianmeng_http_requests_total", view="healthz", method="GET", status="200")

    # Concurrent requests until both workers answered some (bounded: at most 400 requests).
    sent = 0
    with ThreadPoolExecutor(max_workers=8) as pool:
        for _ in range(20):
            list(pool.map(hit, range(20)))
            sent += 20
            pids = {line["pid"] for line in json_lines(server.output()) if line.get("view") == "healthz"}
            if len(pids) >= 2:
                break
    assert len(pids) == 2, "both gunicorn workers should have answered"

    for _ in range(4):  # whichever worker answers the scrape, the totals are the same
        status, headers, body = get(server.url + "/metrics", headers=auth, timeout=60)
        assert status == 200
        assert headers["Content-Type"].startswith("text/plain; version=0.0.4")
        text = body.decode()
        total = sample(text, "lianmeng_http_requests_total", view="healthz", method="GET", status="200")
        assert total == before + sent
        assert sample(text, "lianmeng_http_request_duration_seconds_count", view="healthz") == before + sent
        assert sample(text, "lianmeng_task_queue_depth", queue="default") == 0
    assert get(server.url + "/metrics")[0] == 403

    # The request log is JSON with the request id the client got back.
    status, headers, _ = get(server.url + "/healthz")
    time.sleep(0.5)
    line = next(x for x in json_lines(server.output()) if x.get("request_id") == headers["X-Request-ID"])
    assert line["logger"] == "lianmeng.request"
    assert line["view"] == "healthz"
    assert line["status"] == 200
    # Every line is JSON, gunicorn's own included (but the address `lianmeng serve` prints first).
    lines = [x for x in server.output().splitlines() if x.strip() and not x.startswith("Lianmeng at ")]
    assert len(json_lines("\n".join(lines))) == len(lines), server.output()[:3000]
    assert any(x["logger"] == "gunicorn.error" for x in json_lines(server.output()))
    # One line per request: gunicorn's access log stays off (`serve --access-log` brings it back).
    assert not any(x["logger"] == "gunicorn.access" for x in json_lines(server.output())), server.output()[
        :3000
    ]


def test_site_url_follows_the_listening_address(site: Site, start_server: Callable[..., Server]) -> None:
    server = start_server("--workers", "1")
    assert "Warning: SITE_URL" not in server.output()
    shell = run_cli(site.env, "shell", "-c", "from django.conf import settings; print(settings.SITE_URL)")
    assert shell.stdout.strip().splitlines()[-1] == f"http://127.0.0.1:{server.port}"
    explicit = run_cli(
        {**site.env, "SITE_URL": "https://lianmeng.example.cn"},
        "shell",
        "-c",
        "from django.conf import settings; print(settings.SITE_URL)",
    )
    assert explicit.stdout.strip().splitlines()[-1] == "https://lianmeng.example.cn"


def test_serve_warns_when_site_url_points_elsewhere_under_debug(
    site: Site, start_server: Callable[..., Server]
) -> None:
    elsewhere = start_server("--workers", "1", DEBUG="true", SITE_URL="http://127.0.0.1:9")
    assert (
        f"Warning: SITE_URL is http://127.0.0.1:9 but lianmeng serve listens on http://127.0.0.1:{elsewhere.port}"
        in elsewhere.output()
    )
    port = free_port()
    same = start_server("--workers", "1", port=port, DEBUG="true", SITE_URL=f"http://localhost:{port}/")
    assert "Warning: SITE_URL" not in same.output()


def test_hup_replaces_the_workers_and_no_preload_starts_gunicorn_afresh(
    site: Site, start_server: Callable[..., Server]
) -> None:
    """The default master is the command's own process, the application preloaded; HUP gives new workers
    and the site keeps answering. ``--no-preload`` (the systemd unit's) execs a fresh gunicorn, which has
    not imported the application, so that its HUP loads the code on disk (docs/deploy.md)."""
    import os
    import signal

    def workers(pid: int) -> set[int]:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        return {int(c) for c in children}

    preloaded = start_server("--workers", "1")
    command = Path(f"/proc/{preloaded.process.pid}/cmdline").read_bytes().split(b"\0")
    assert b"serve" in command, command
    before = workers(preloaded.process.pid)
    os.kill(preloaded.process.pid, signal.SIGHUP)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and (
        not workers(preloaded.process.pid) or workers(preloaded.process.pid) & before
    ):
        time.sleep(0.2)
    assert workers(preloaded.process.pid) and not workers(preloaded.process.pid) & before, preloaded.output()
    assert get(preloaded.url + "/healthz")[0] == 200

    fresh = start_server("--workers", "1", "--no-preload")
    command = Path(f"/proc/{fresh.process.pid}/cmdline").read_bytes().split(b"\0")
    assert b"gunicorn" in command and b"--preload" not in command, command
    assert get(fresh.url + "/accounts/login/")[0] == 200

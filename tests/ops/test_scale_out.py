"""Scale-out for real: two `lianmeng serve` processes and a `lianmeng worker` sharing PostgreSQL and Redis.

Every case goes over HTTP, spread over both processes, from many client threads at once (urllib):
bearer tokens for the API, a session with its CSRF token for the sign-in form, as real clients do.
Nothing may be counted twice or lost. PostgreSQL only (skipped on the SQLite run); Redis at
REDIS_URL (default redis://127.0.0.1:6379/0), under CI=true both are required.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from tests.sites import Prepared

from .conftest import PROJECT, Server, base_env, get, wait_ready

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
CI = os.environ.get("CI", "").lower() == "true"


def _redis_up() -> bool:
    parsed = urllib.parse.urlparse(REDIS_URL)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), timeout=1):
            return True
    except OSError:
        return False


pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
        reason="needs PostgreSQL (DATABASE_URL); the SQLite run has no second process to share it with",
    ),
]


def _url_of_test_database() -> str:
    """DATABASE_URL naming the database pytest-django created (migrated) for this run."""
    from django.db import connection

    base = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
    return f"{base}/{connection.settings_dict['NAME']}"


@pytest.fixture
def cluster(transactional_db: None, tmp_path: Path, prepared: Prepared) -> Iterator[dict[str, Any]]:
    """Two `lianmeng serve` (2 gunicorn workers each) and a `lianmeng worker` on pytest's migrated test
    database (committed data: transactional_db flushes it afterwards) and Redis."""
    if not _redis_up():
        if CI:
            pytest.fail(f"Redis is required under CI=true ({REDIS_URL})")
        pytest.skip(f"needs Redis at {REDIS_URL}")
    from tests.ops.scale_world import build

    var = tmp_path / "var"
    var.mkdir()
    (tmp_path / "home").mkdir()
    prefix = f"scale{os.getpid()}"
    env = base_env(
        LIANMENG_VAR_DIR=str(var),
        DATABASE_URL=_url_of_test_database(),
        REDIS_URL=REDIS_URL,
        CACHE_KEY_PREFIX=prefix,  # this run's keys only, in a Redis others may use
        SECRET_KEY="scale-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEF",
        DEBUG="false",
        HOME=str(tmp_path / "home"),
        TASKS_LEASE_SECONDS="5",
    )
    world = build()
    # The pages (the cached directory and home) need the static files' manifest of production settings.
    prepared.static(var)
    processes: list[subprocess.Popen[bytes]] = []
    try:
        servers = []
        for name in ("a", "b"):
            port = _free_port()
            log = tmp_path / f"serve-{name}.log"
            proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "lianmeng.cli",
                    "serve",
                    "--port",
                    str(port),
                    "--workers",
                    "2",
                    "--no-collectstatic",
                ],
                cwd=PROJECT,
                env=env,
                stdout=log.open("wb"),
                stderr=subprocess.STDOUT,
            )
            processes.append(proc)
            servers.append(Server(port=port, process=proc, log=log))
        worker_log = tmp_path / "worker.log"
        processes.append(
            subprocess.Popen(
                [sys.executable, "-m", "lianmeng.cli", "worker", "--no-schedule", "--interval", "0.2"],
                cwd=PROJECT,
                env=env,
                stdout=worker_log.open("wb"),
                stderr=subprocess.STDOUT,
            )
        )
        for server in servers:
            wait_ready(server)
        yield {"a": servers[0], "b": servers[1], "world": world, "worker_log": worker_log}
    finally:
        for proc in processes:
            if proc.poll() is None:
                proc.terminate()
        for proc in processes:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        _redis_clear(prefix)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _redis_clear(prefix: str) -> None:
    try:
        import redis

        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)
    except Exception:  # noqa: S110 - leftover keys of a test prefix expire or are harmless
        pass


def api(server: Server, method: str, path: str, token: str | None, body: Any = None) -> tuple[int, Any]:
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(server.url + path, data=data, method=method, headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            raw = response.read()
            ctype = response.headers.get("Content-Type", "")
            return response.status, json.loads(raw) if "json" in ctype else raw
    except urllib.error.HTTPError as exc:
        raw = exc.read()
        try:
            return exc.code, json.loads(raw)
        except ValueError:
            return exc.code, raw


def both(cluster: dict[str, Any]) -> Callable[[int], Server]:
    return lambda i: cluster["a"] if i % 2 == 0 else cluster["b"]


def case_fifty_votes_from_ten_seats_count_each_seat_once(cluster: dict[str, Any]) -> None:
    w, on = cluster["world"], both(cluster)
    choices = ["for"] * 6 + ["against"] * 3 + ["abstain"]

    def vote(i: int) -> int:
        seat = i % 10
        path = f"/api/v1/council/motions/{w['motion']}/votes"
        return api(on(i // 10), "POST", path, w["rep_tokens"][seat], {"choice": choices[seat]})[0]

    with ThreadPoolExecutor(max_workers=25) as pool:
        statuses = list(pool.map(vote, range(50)))
    assert statuses == [201] * 50
    from lianmeng.governance.models import Vote

    votes = Vote.objects.filter(motion_id=w["motion"])
    assert votes.count() == 10, "one vote per seat, whichever process took it"
    assert votes.values("seat").distinct().count() == 10
    by_choice = {c: votes.filter(choice=c).count() for c in ("for", "against", "abstain")}
    assert by_choice == {"for": 6, "against": 3, "abstain": 1}


def case_sixty_registrations_for_twenty_seats(cluster: dict[str, Any]) -> None:
    w, on = cluster["world"], both(cluster)

    def register(i: int) -> tuple[int, str]:
        body = {"name": f"报名人{i}", "mobile": f"1390000{i:04d}", "organization_name": "测试单位"}
        status, out = api(on(i), "POST", f"/api/v1/events/{w['seats_event']}/registrations", None, body)
        return status, out.get("status") if isinstance(out, dict) else str(out)[:200]

    with ThreadPoolExecutor(max_workers=30) as pool:
        results = list(pool.map(register, range(60)))
    assert [s for s, _ in results] == [201] * 60, results
    states = [state for _, state in results]
    assert (states.count("registered"), states.count("waitlisted")) == (20, 40)
    from lianmeng.activities.models import Registration

    stored = Registration.objects.filter(event_id=w["seats_event"])
    assert stored.count() == 60, "none lost"
    assert stored.filter(status="registered").count() == 20, "exactly the capacity confirmed"
    assert stored.filter(status="waitlisted").count() == 40


def case_repeated_check_ins_count_once(cluster: dict[str, Any]) -> None:
    w, on = cluster["world"], both(cluster)

    def check_in(i: int) -> tuple[int, bool]:
        code = w["codes"][i % 5]
        status, out = api(
            on(i // 5),
            "POST",
            f"/api/v1/events/{w['today_event']}/checkin",
            w["office_token"],
            {"code": code},
        )
        return status, bool(out.get("already_checked_in")) if isinstance(out, dict) else False

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(check_in, range(40)))  # each of 5 codes 8 times, on both processes
    assert [s for s, _ in results] == [200] * 40, results
    assert [already for _, already in results].count(False) == 5, "exactly one first check-in per code"
    status, out = api(
        cluster["a"],
        "POST",
        f"/api/v1/events/{w['today_event']}/checkin",
        w["office_token"],
        {"code": w["codes"][0]},
    )
    assert (status, out["already_checked_in"], out["attended"]) == (200, True, 5), out
    from lianmeng.activities.models import Registration

    checked = Registration.objects.filter(event_id=w["today_event"], checked_in_at__isnull=False)
    assert checked.count() == 5


def _token_login(server: Server, username: str, password: str) -> int:
    """Sign in as an API client does: user name and password for a bearer token."""
    body = {"username": username, "password": password, "name": "scale test"}
    return api(server, "POST", "/api/v1/auth/token", None, body)[0]


def case_sign_in_lock_out_is_shared(cluster: dict[str, Any]) -> None:
    member, on = cluster["world"]["member"], both(cluster)
    # Four failures at once, two on each process; then a fifth: LOGIN_MAX_FAILURES (5) in all.
    with ThreadPoolExecutor(max_workers=4) as pool:
        failures = list(
            pool.map(lambda i: _token_login(on(i), member["username"], "wrong-password"), range(4))
        )
    failures.append(_token_login(cluster["b"], member["username"], "wrong-password"))
    assert 201 not in failures, failures
    # Had each process (or gunicorn worker) counted alone, none would have reached five.
    for server in (cluster["a"], cluster["b"]):
        assert _token_login(server, member["username"], member["password"]) == 429, "locked on both processes"


def case_an_edit_is_seen_on_the_other_process_and_renews_the_annual_report(cluster: dict[str, Any]) -> None:
    w, a, b = cluster["world"], cluster["a"], cluster["b"]
    year = time.localtime().tm_year
    path = f"/api/v1/reports/{year}/annual.xlsx"

    def fetch(server: Server) -> tuple[bytes, int]:
        polls = 0
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            status, body = api(server, "GET", path, w["office_token"])
            if status == 200:
                return body, polls
            assert status == 202, (status, body)
            polls += 1
            time.sleep(0.3)
        raise AssertionError(f"the worker did not build the report:\n{cluster['worker_log'].read_text()}")

    first, polls = fetch(a)
    assert polls >= 1, "the first request is answered at once (202) and the worker builds the file"
    again, polls = fetch(b)
    assert (again, polls) == (first, 0), "the other process serves the same cached file at once"

    # The public directory and the portal home are cached in Redis (lianmeng.core.cache): filled on b
    # (and by b's second gunicorn worker), then renewed on both by an edit made through a.
    directory = "/members/?q=kzcs"  # pinyin initials of 扩展测试…: no <mark> splits the name
    for server in (b, b, a):
        page = get(server.url + directory)[2].decode()
        assert "扩展测试承办园区" in page and "（更名）" not in page
        assert "扩展测试承办园区" in get(server.url + "/")[2].decode()

    status, _ = api(
        a,
        "PATCH",
        f"/api/v1/organizations/{w['edit_org']}",
        w["office_token"],
        {"name": "扩展测试承办园区（更名）"},
    )
    assert status == 200
    status, org = api(b, "GET", f"/api/v1/organizations/{w['edit_org']}", None)
    assert (status, org["name"]) == (200, "扩展测试承办园区（更名）")
    for server in (b, b, a):
        assert "扩展测试承办园区（更名）" in get(server.url + directory)[2].decode(), "no stale directory"
        assert "扩展测试承办园区（更名）" in get(server.url + "/")[2].decode(), "no stale home page"
    _renewed, polls = fetch(b)
    assert polls >= 1, "the edit made the cached report stale on the other process too"
    assert get(b.url + "/healthz")[0] == 200


def test_two_app_processes_and_a_worker_count_everything_once(cluster: dict[str, Any]) -> None:
    """The cases in one cluster (starting it is the slow part): each names what it checks on failure."""
    started = time.monotonic()
    case_fifty_votes_from_ten_seats_count_each_seat_once(cluster)
    case_sixty_registrations_for_twenty_seats(cluster)
    case_repeated_check_ins_count_once(cluster)
    case_sign_in_lock_out_is_shared(cluster)
    case_an_edit_is_seen_on_the_other_process_and_renews_the_annual_report(cluster)
    # About a minute on the shared 2-core machine at load 12-17 (36-59 s); twice that means a lock waits.
    assert time.monotonic() - started < 120, "the cases took over two minutes"

"""Lock-out and rate-limit counters hold across app processes, without Redis.

Two real ``lianmeng serve --workers 2`` processes (four gunicorn workers) share one SQLite file and
nothing else: no REDIS_URL. Requests alternate between them, one after another and all at once; the
limits must hold exactly. The same runs again with the Redis store when Redis is available.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.sites import Prepared

# The servers share a SQLite file whatever the run's database: the PostgreSQL run would repeat this.
pytestmark = pytest.mark.one_pass

REDIS = "redis://127.0.0.1:6379/15"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
PASSWORD = "correct-horse-battery"
LIMIT = 5  # LOGIN_MAX_FAILURES of the servers
TOKEN_RATE = 10  # API_RATE_PER_MINUTE of the servers
USERS = ("wang", "li", "zhou", "sun")
LIANMENG = [sys.executable, "-c", "from lianmeng.cli import main; main()"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _redis_available() -> bool:
    import redis

    try:
        redis.Redis.from_url(REDIS).ping()
    except redis.exceptions.ConnectionError:
        return False
    return True


@dataclass
class Site:
    urls: list[str]
    env: dict[str, str]
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def call(self, n: int, method: str, path: str, body: Any = None, token: str = "") -> tuple[int, Any, str]:
        """Request number ``n`` goes to server ``n % 2``. Returns (status, JSON body, Retry-After)."""
        request = urllib.request.Request(  # noqa: S310 - http:// to our own test server
            self.urls[n % len(self.urls)] + path,
            data=None if body is None else json.dumps(body).encode(),
            method=method,
            headers={
                "Content-Type": "application/json",
                **({"Authorization": f"Bearer {token}"} if token else {}),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - our own test server
                return response.status, json.loads(response.read() or b"null"), ""
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null"), error.headers.get("Retry-After", "")

    def sign_in(self, n: int, username: str, password: str) -> tuple[int, Any, str]:
        return self.call(n, "POST", "/api/v1/auth/token", {"username": username, "password": password})


def _environment(tmp: Path, store: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"REDIS_URL", "DATABASE_URL", "LIANMENG_TESTING", "RATE_LIMIT_STORE", "TRUSTED_PROXIES"}
        and not k.startswith(("LOGIN_", "API_RATE_", "PYTEST_"))
    }
    env.update(
        DEBUG="true",
        LIANMENG_VAR_DIR=str(tmp),
        DATABASE_URL=f"sqlite:///{tmp / 'lianmeng.sqlite3'}",
        LOGIN_MAX_FAILURES=str(LIMIT),
        LOGIN_MAX_FAILURES_PER_ADDRESS="1000",
        API_RATE_PER_MINUTE=str(TOKEN_RATE),
        API_RATE_PER_ADDRESS_PER_MINUTE="100000",
        LOG_LEVEL="ERROR",
    )
    if store == "redis":
        env.update(REDIS_URL=REDIS, CACHE_KEY_PREFIX=f"lianmeng-test-{os.getpid()}-{time.time_ns()}")
    return env


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory, prepared: Prepared) -> Path:
    """A migrated SQLite file with the test users (made once, copied for each store)."""
    tmp = tmp_path_factory.mktemp("two-servers-template")
    env = _environment(tmp, "database")
    prepared.database(tmp, "lianmeng", engine="sqlite")
    create = "from lianmeng.accounts.models import User\n" + "".join(
        f"User.objects.create_user({name!r}, password={PASSWORD!r})\n" for name in USERS
    )
    subprocess.run([*LIANMENG, "shell", "-c", create], env=env, check=True)
    return tmp / "lianmeng.sqlite3"


def _start(template: Path, tmp: Path, store: str) -> Site:
    env = _environment(tmp, store)
    for path in template.parent.glob(template.name + "*"):  # the database and its -wal / -shm files
        shutil.copy(path, tmp / path.name)
    ports = [_free_port(), _free_port()]
    site = Site(urls=[f"http://127.0.0.1:{port}" for port in ports], env=env)
    for port in ports:
        site.processes.append(
            subprocess.Popen(
                [*LIANMENG, "serve", "--workers", "2", "--port", str(port)],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=(tmp / f"serve-{port}.log").open("wb"),
            )
        )
    deadline = time.monotonic() + 120
    for url, port in zip(site.urls, ports, strict=True):
        while True:
            try:
                with urllib.request.urlopen(url + "/accounts/login/", timeout=5):  # noqa: S310
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if time.monotonic() > deadline:
                    _stop(site)
                    log = (tmp / f"serve-{port}.log").read_text()
                    pytest.fail(f"{url} did not start: {log}")
                time.sleep(0.3)
    return site


def _stop(site: Site) -> None:
    for process in site.processes:
        process.terminate()
    for process in site.processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="module", params=["database", "redis"])
def site(request: Any, migrated: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    if request.param == "redis" and not _redis_available():
        if IN_CI:
            pytest.fail("Redis is not running at 127.0.0.1:6379")
        pytest.skip("Redis is not running at 127.0.0.1:6379")
    started = _start(migrated, tmp_path_factory.mktemp(f"two-servers-{request.param}"), request.param)
    yield started
    _stop(started)
    if request.param == "redis":
        import redis

        client = redis.Redis.from_url(REDIS)
        for key in client.scan_iter(match=started.env["CACHE_KEY_PREFIX"] + ":*"):
            client.delete(key)


def test_thirty_wrong_passwords_across_two_servers_lock_after_exactly_the_limit(site: Site) -> None:
    answers = [site.sign_in(n, "wang", f"wrong-{n}") for n in range(30)]
    codes = [status for status, _body, _retry in answers]
    assert codes == [422] * LIMIT + [429] * (30 - LIMIT)  # only LIMIT passwords were checked
    assert all(0 < int(retry) <= 60 for _status, _body, retry in answers[LIMIT:])
    # The right password is refused on both servers while the lock lasts; another account signs in.
    assert site.sign_in(0, "wang", PASSWORD)[0] == 429
    assert site.sign_in(1, "wang", PASSWORD)[0] == 429
    assert site.sign_in(1, "sun", PASSWORD)[0] == 201


def test_thirty_simultaneous_wrong_passwords_check_exactly_the_limit(site: Site) -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(pool.map(lambda n: site.sign_in(n, "li", f"wrong-{n}")[0], range(30)))
    assert Counter(codes) == {422: LIMIT, 429: 30 - LIMIT}


def test_the_token_rate_limit_holds_across_two_servers(site: Site) -> None:
    status, body, _retry = site.sign_in(0, "zhou", PASSWORD)
    assert status == 201
    token = body["token"]
    answers = [site.call(n, "GET", "/api/v1/auth/me", token=token) for n in range(15)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers += list(pool.map(lambda n: site.call(n, "GET", "/api/v1/auth/me", token=token), range(15)))
    codes = Counter(status for status, _body, _retry in answers)
    assert codes == {200: TOKEN_RATE, 429: 30 - TOKEN_RATE}
    refused = [(body, retry) for status, body, retry in answers if status == 429]
    assert all(body["status"] == 429 and 0 < int(retry) <= 60 for body, retry in refused)

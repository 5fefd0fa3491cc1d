"""Locust load test of Lianmeng: the main journeys in a realistic mix, signed-in users included.

Run by ``bench/load/run.py`` (which starts the server, creates the accounts and steps the users up);
by hand:

    LOAD_CONTEXT=var/load/context.json .venv/bin/locust -f bench/load/locustfile.py --headless \\
        -u 20 -r 5 -t 60s --host http://127.0.0.1:8011

Environment: ``LOAD_CONTEXT`` (the JSON of ``accounts.py``), ``LOAD_MEMBER_OFFSET`` and
``LOAD_SECRETARIAT_OFFSET`` (the first account of this run: a secretariat account's TOTP code is
accepted once, so each run signs in with accounts not used before), ``LOAD_WRITES=1`` to include the
event registration POST (only on a database the benchmark owns).

Each simulated user comes from its own client address (``X-Forwarded-For``, trusted from 127.0.0.1 by
the server's ``TRUSTED_PROXIES``), so the per-address API limits apply per user as behind nginx, and
signs in once when it starts. The journeys and their weights are in ``journeys.py``.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from locust import HttpUser, TaskSet, between

sys.path.insert(0, str(Path(__file__).resolve().parent))

from journeys import (
    USER_WEIGHTS,
    Journey,
    journeys_for,
    registration_data,
    totp,
)

CONTEXT: dict[str, Any] = json.loads(Path(os.environ["LOAD_CONTEXT"]).read_text(encoding="utf-8"))
WRITES = os.environ.get("LOAD_WRITES") == "1"
_lock = threading.Lock()
_members = itertools.count(int(os.environ.get("LOAD_MEMBER_OFFSET", "0")))
_secretariat = itertools.count(int(os.environ.get("LOAD_SECRETARIAT_OFFSET", "0")))
_addresses = itertools.count(random.randrange(1, 60_000))
_serials = itertools.count(random.randrange(10**8))
_CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _next(counter: itertools.count[int]) -> int:
    with _lock:
        return next(counter)


def _task(journey: Journey) -> Callable[[Any], None]:
    def run(user: LianmengUser) -> None:
        user.visit(journey)

    run.__name__ = journey.name
    return run


def _weighted(role: str) -> list[TaskSet | Callable[..., Any]]:
    """The role's journeys, each repeated by its weight (locust picks one of the list at random)."""
    return [_task(j) for j in journeys_for(role, writes=WRITES) for _n in range(j.weights[role])]


class LianmengUser(HttpUser):
    abstract = True
    role = "visitor"
    wait_time = between(0.5, 1.5)

    def on_start(self) -> None:
        n = _next(_addresses)
        self.client.headers["X-Forwarded-For"] = f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"
        self.client.headers["Accept-Language"] = "zh-hans"
        self.fill: dict[str, object] = {"year": CONTEXT["year"], "event": 0, "resource": 0}
        self.sign_in()

    def sign_in(self) -> None:
        """Anonymous visitors do not sign in."""

    def visit(self, journey: Journey) -> None:
        self.fill["event"] = random.choice(CONTEXT["events"])
        url = journey.url(self.fill)
        params = random.choice(journey.params)
        headers = {"Accept": "application/json"} if journey.api else {}
        data = None
        if journey.method == "POST":
            token = self.client.cookies.get("csrftoken")
            if not token:  # the event page sets it, as a browser would have fetched it first
                self.client.get(url.replace("register/", ""), name="event page")
                token = self.client.cookies.get("csrftoken")
            data = {
                **registration_data(_next(_serials)),
                "organization_name": "压测单位",
                "csrfmiddlewaretoken": token,
            }
        with self.client.request(
            journey.method,
            url,
            params=params,
            data=data,
            headers=headers,
            name=journey.name,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code not in journey.expect:
                response.failure(f"{response.status_code} {url} {params}: {response.text[:200]!r}")

    def _post_form(self, url: str, data: dict[str, str], page: str) -> Any:
        """POST a form the way a browser does: the CSRF token from the page just fetched."""
        match = _CSRF_INPUT.search(page)
        token = match.group(1) if match else self.client.cookies.get("csrftoken", "")
        return self.client.post(
            url, data={**data, "csrfmiddlewaretoken": token}, name="sign in", allow_redirects=False
        )

    def _login(self, username: str) -> str:
        page = self.client.get("/accounts/login/", name="sign in").text
        response = self._post_form(
            "/accounts/login/", {"username": username, "password": CONTEXT["password"]}, page
        )
        if response.status_code != 302:
            raise RuntimeError(f"sign-in of {username} answered {response.status_code}")
        return str(response.headers["Location"])


class Visitor(LianmengUser):
    weight = USER_WEIGHTS["visitor"]
    role = "visitor"
    tasks = _weighted("visitor")


class Member(LianmengUser):
    weight = USER_WEIGHTS["member"]
    role = "member"
    tasks = _weighted("member")

    def sign_in(self) -> None:
        account = CONTEXT["members"][_next(_members) % len(CONTEXT["members"])]
        self.fill["resource"] = account["resource"]
        self._login(account["username"])


class Secretariat(LianmengUser):
    weight = USER_WEIGHTS["secretariat"]
    role = "secretariat"
    tasks = _weighted("secretariat")

    def sign_in(self) -> None:
        index = _next(_secretariat)
        if index >= len(CONTEXT["secretariat"]):
            raise RuntimeError("out of secretariat accounts: create more with accounts.py --secretariat")
        username = CONTEXT["secretariat"][index]["username"]
        self._login(username)  # to /desk/, which sends the secretariat to the second step
        page = self.client.get("/accounts/two-factor/", name="sign in").text
        response = self._post_form("/accounts/two-factor/", {"otp": totp(CONTEXT["totp_secret"])}, page)
        if response.status_code != 302 or "two-factor" in response.headers.get("Location", ""):
            raise RuntimeError(f"second factor of {username} answered {response.status_code}")

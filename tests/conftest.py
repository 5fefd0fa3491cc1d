"""Shared fixtures: the demo cities, users with roles, organizations, API clients, the browser."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def cities(db: None) -> dict[str, Any]:
    """The seven cities of the seed, by Chinese name."""
    from lianmeng.core import demo
    from lianmeng.core.models import City

    demo.load(accounts=False)
    return {c.name: c for c in City.objects.all()}


@pytest.fixture
def make_org(cities: dict[str, Any]) -> Callable[..., Any]:
    from lianmeng.core.demo_support import make_uscc
    from lianmeng.membership.services import organization_create

    counter = {"n": 0}

    def _make(
        name: str | None = None,
        *,
        city: str = "青岛",
        kind: str = "park",
        tier: str = "ordinary",
        status: str = "active",
        **extra: Any,
    ) -> Any:
        counter["n"] += 1
        name = name or f"测试单位{counter['n']}"
        c = cities[city]
        org = organization_create(
            data={
                "name": name,
                "uscc": make_uscc(name, division=c.code, kind=kind),
                "kind": kind,
                "city": c.code,
                **extra,
            },
            actor=None,
            tier=tier,
        )
        if status != "active":
            type(org).objects.filter(pk=org.pk).update(status=status)
            org.refresh_from_db()
        return org

    return _make


@pytest.fixture
def make_user(db: None) -> Callable[..., Any]:
    from lianmeng.accounts.models import RoleAssignment, User

    counter = {"n": 0}

    def _make(
        role: str | None = None,
        *,
        organization: Any = None,
        city: Any = None,
        username: str | None = None,
        password: str = "correct-horse-battery",
        **fields: Any,
    ) -> Any:
        counter["n"] += 1
        user = User.objects.create_user(
            username=username or f"user{counter['n']}",
            password=password,
            email=f"user{counter['n']}@example.cn",
            **fields,
        )
        if role:
            RoleAssignment.objects.create(user=user, role=role, organization=organization, city=city)
        return user

    return _make


@pytest.fixture
def secretariat(make_user: Callable[..., Any]) -> Any:
    return make_user("secretariat", username="secretary", display_name="王秘书")


def api_client_for(user: Any | None) -> Client:
    """A test client that talks to the API with a real bearer token for ``user``."""
    if user is None:
        return Client()
    from lianmeng.accounts.models import ApiToken

    key = ApiToken.new_key()
    ApiToken.objects.create(user=user, key_hash=ApiToken.hash_key(key), key_prefix=key[:10])
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


@pytest.fixture
def api() -> Callable[[Any | None], Client]:
    return api_client_for


# Browser tests: Playwright driving Debian's Chromium (never a downloaded browser).
@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        if IN_CI:
            pytest.fail(f"{CHROMIUM} is missing: browser tests cannot run under CI")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "locale": "zh-CN", "extra_http_headers": {"Accept-Language": "zh-CN"}}


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture
def login(live_server: Any) -> Callable[..., None]:
    """Log a Playwright page in through the real login form."""

    def _login(page: Any, username: str, password: str = "correct-horse-battery") -> None:
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("form button[type=submit]")
        page.wait_for_url(lambda url: "/accounts/login/" not in url)

    return _login

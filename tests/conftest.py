"""Shared fixtures: the demo cities, users with roles, organizations, API clients, the browser."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from tests.sites import Prepared, postgres_url

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"


def pytest_configure(config: Any) -> None:
    _flush_postgres_with_delete()


def _flush_postgres_with_delete() -> None:
    """After a transactional test (live server, browser, real processes) Django empties every table. On
    PostgreSQL it does so with one TRUNCATE of all 107 tables, which replaces each table's files: 0.5 s
    per test, about 100 s of the PostgreSQL run. DELETE of the few rows a test leaves takes 0.03 s. The
    foreign keys Django creates are DEFERRABLE, so the order of the DELETEs does not matter inside the
    flush's transaction. Resetting sequences (not used by this suite) keeps TRUNCATE … RESTART IDENTITY."""
    import django.db.models  # noqa: F401 - loads the ORM before the backend module (import order)
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncate = DatabaseOperations.sql_flush

    def sql_flush(
        self: DatabaseOperations,
        style: Any,
        tables: Any,
        *,
        reset_sequences: bool = False,
        allow_cascade: bool = False,
    ) -> list[str]:
        if reset_sequences or allow_cascade or not tables:
            return truncate(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        return ["SET CONSTRAINTS ALL DEFERRED;", *(f"DELETE FROM {self.quote_name(t)};" for t in tables)]

    DatabaseOperations.sql_flush = sql_flush  # type: ignore[method-assign]


IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def totp_code(device: Any, *, fresh: bool = True) -> str:
    """The code an authenticator app shows now for ``device`` (django-otp's own TOTP).

    ``fresh`` forgets the last code used, so a test may sign the same user in twice within 30 s
    (django-otp refuses a code from an already used time step)."""
    from django_otp.oath import TOTP

    if fresh:
        type(device).objects.filter(pk=device.pk).update(last_t=-1)
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token():06d}"


def authenticator_for(user: Any) -> Any:
    """The user's confirmed TOTP device, made (as if set up on the account page) when missing."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)


@pytest.fixture(autouse=True)
def _force_login_includes_second_factor(monkeypatch: Any) -> None:
    """``Client.force_login`` stands for a completed sign-in: for accounts that need two-factor sign-in
    (secretariat, administrators, anyone who enabled it) the session is marked as verified with a
    device of theirs, as the code page does. Tests of the second step itself post to the login form."""
    original = getattr(Client, "_login")  # noqa: B009 - a private method, patched on purpose

    def _login(self: Client, user: Any, backend: str | None = None) -> None:
        original(self, user, backend)
        from lianmeng.accounts import two_factor

        user = type(user).objects.get(pk=user.pk)  # leave the caller's cached roles alone
        if two_factor.needs_verification(user):
            from django_otp import DEVICE_ID_SESSION_KEY

            session = self.session
            session[DEVICE_ID_SESSION_KEY] = authenticator_for(user).persistent_id
            session.save()

    monkeypatch.setattr(Client, "_login", _login)


@pytest.fixture
def cities(db: None) -> dict[str, Any]:
    """The seven cities of the seed, by Chinese name."""
    from lianmeng.core import demo
    from lianmeng.core.models import City

    demo.load(accounts=False)
    return {c.name: c for c in City.objects.all()}


@pytest.fixture
def make_org(cities: dict[str, Any]) -> Callable[..., Any]:
    from lianmeng.core.actors import SYSTEM
    from lianmeng.core.demo_support import make_uscc
    from lianmeng.membership.commands import OrganizationCreate
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
            cmd=OrganizationCreate.build(
                {
                    "name": name,
                    "uscc": make_uscc(name, division=c.code, kind=kind),
                    "kind": kind,
                    "city": c.code,
                    "tier": tier,
                    **extra,
                }
            ),
            actor=SYSTEM,
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
    # `make test` runs the suite on SQLite and on PostgreSQL side by side. A test marked `one_pass` sets
    # up the databases it needs itself (or needs none), so the PostgreSQL run would only repeat it.
    repeated = pytest.mark.skip(reason="one_pass: runs in the SQLite run; it does not use the run's database")
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)
        if postgres_url() and item.get_closest_marker("one_pass"):
            item.add_marker(repeated)


@pytest.fixture(scope="session")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Prepared]:
    """Migrated template databases and collected static files for tests running real processes."""
    site = Prepared(tmp_path_factory.mktemp("prepared"))
    yield site
    site.close()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any, prepared: Prepared) -> None:
    """pytest-django's test database, which then becomes ``prepared``'s template for its engine."""
    from django.db import connection

    with django_db_blocker.unblock():
        prepared.adopt(connection)


@pytest.fixture
def login(live_server: Any) -> Callable[..., None]:
    """Log a Playwright page in through the real login form, and the code page where the account
    needs two-factor sign-in (its authenticator is set up first when it has none; the code is
    computed from the device's key, as the phone app would)."""

    def _login(page: Any, username: str, password: str = "correct-horse-battery") -> None:
        from lianmeng.accounts import two_factor
        from lianmeng.accounts.models import User

        user = User.objects.filter(username=username).first()
        device = authenticator_for(user) if user and two_factor.needs_verification(user) else None
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("form button[type=submit]")
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        if device is not None:
            page.fill("#id_otp", totp_code(device))
            page.click("form button[type=submit]")
            page.wait_for_url(lambda url: "/accounts/two-factor/" not in url)

    return _login

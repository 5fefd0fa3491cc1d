"""`lianmeng serve` refuses to start with DEBUG off while accounts carry the published demo credentials."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from lianmeng.accounts.models import Role, User
from lianmeng.core.demo_support import DEMO_PASSWORD
from tests.demo_snapshot import DEMO

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_gunicorn(monkeypatch: Any) -> list[list[str]]:
    """Record instead of running gunicorn's master loop in the test process (and skip collectstatic)."""
    from django.conf import settings

    import lianmeng.core.management.commands.serve as serve

    started: list[list[str]] = []
    monkeypatch.setattr(serve, "start_gunicorn", lambda argv, preload: started.append(["gunicorn", *argv]))
    # serve points the settings at the address it listens on; put them back afterwards
    for name in ("LISTEN_URL", "SITE_URL"):
        monkeypatch.setattr(settings, name, getattr(settings, name))
    # serve sets these for the gunicorn it would become; monkeypatch puts them back afterwards so they do
    # not leak into later tests (the metrics would read an empty multiprocess directory).
    for name in ("LIANMENG_LISTEN_URL", "PROMETHEUS_MULTIPROC_DIR"):
        monkeypatch.setenv(name, "x")
        monkeypatch.delenv(name)
    real = serve.call_command
    monkeypatch.setattr(
        serve,
        "call_command",
        lambda name, *a, **kw: None if name == "collectstatic" else real(name, *a, **kw),
    )
    return started


@pytest.fixture
def demo_accounts(settings: Any) -> None:
    """The demo alliance as `lianmeng demo --allow-demo-accounts` leaves it (tests/demo_snapshot.py)."""
    settings.DEBUG = False
    DEMO.restore(settings.MEDIA_ROOT)


@override_settings(DEBUG=False)
def test_serve_refuses_demo_accounts_and_says_how_to_fix(demo_accounts: None, no_gunicorn: list) -> None:
    with pytest.raises(CommandError) as refused:
        call_command("serve")
    message = str(refused.value)
    for name in ("demo-admin", "demo-secretariat", "demo-member"):
        assert name in message
    assert "lianmeng changepassword <name>" in message and "--allow-demo-accounts" in message
    assert no_gunicorn == []


@override_settings(DEBUG=False)
def test_serve_exits_non_zero_from_the_command_line(
    demo_accounts: None, no_gunicorn: list, capsys: Any
) -> None:
    from lianmeng.core.management.commands.serve import Command

    with pytest.raises(SystemExit) as exited:
        Command().run_from_argv(["lianmeng", "serve"])
    assert exited.value.code != 0
    assert "demo-admin" in capsys.readouterr().err
    assert no_gunicorn == []


@override_settings(DEBUG=False)
def test_serve_starts_once_every_demo_credential_is_gone(demo_accounts: None, no_gunicorn: list) -> None:
    for user in User.objects.filter(username__startswith="demo-"):
        if user.username in ("demo-admin", "demo-secretariat"):
            user.set_password("a-real-password-2026")
            user.save()
        else:
            user.is_active = False
            user.save()
    with pytest.raises(CommandError) as refused:
        call_command("serve")
    # The published authenticator secret is still on the two privileged accounts.
    assert "two-factor secret" in str(refused.value)
    assert "demo-admin" in str(refused.value) and "demo-member" not in str(refused.value)
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.filter(user__username__in=["demo-admin", "demo-secretariat"]).delete()
    call_command("serve", stdout=io.StringIO())
    assert no_gunicorn and "gunicorn" in no_gunicorn[0]


@override_settings(DEBUG=False)
def test_demo_password_on_a_privileged_account_not_named_demo_is_caught(
    make_user: Any, no_gunicorn: list
) -> None:
    make_user(Role.SECRETARIAT, username="wang", password=DEMO_PASSWORD)
    make_user(Role.MEMBER_CONTACT, username="plain")
    with pytest.raises(CommandError, match="wang"):
        call_command("serve")


@override_settings(DEBUG=False)
def test_allow_demo_accounts_starts_anyway(demo_accounts: None, no_gunicorn: list) -> None:
    call_command("serve", allow_demo_accounts=True, stdout=io.StringIO())
    assert len(no_gunicorn) == 1


def test_debug_server_does_not_check(settings: Any, no_gunicorn: list) -> None:
    settings.DEBUG = True
    User.objects.create_user(username="demo-x", password=DEMO_PASSWORD)
    call_command("serve", stdout=io.StringIO())
    assert len(no_gunicorn) == 1


def test_the_demo_without_accounts_leaves_nobody_with_the_demo_password(
    settings: Any, no_gunicorn: list
) -> None:
    """`lianmeng demo --no-accounts` is the way to show the demo data in production: every app's demo
    (the research reviewers included) then creates people who cannot sign in, and serve starts."""
    settings.DEBUG = False
    call_command("demo", skip_migrate=True, no_accounts=True, stdout=io.StringIO())
    from lianmeng.research.demo import REVIEWERS

    reviewers = User.objects.filter(username__in=[r[0] for r in REVIEWERS])
    assert reviewers.count() == len(REVIEWERS) and not any(u.has_usable_password() for u in reviewers)
    assert [u.username for u in User.objects.all() if u.check_password(DEMO_PASSWORD)] == []
    call_command("serve", stdout=io.StringIO())
    assert no_gunicorn, "serve went on to start gunicorn"

"""A demo alliance built by the other apps' own demo loaders (services underneath).

Loading it takes 2 s on SQLite and 5 s on PostgreSQL, so it is built once per test module inside a
transaction rolled back at the module's end; each test runs in its own savepoint (pytest-django's
``db``) and gets a copy of the files the loaders wrote in its own MEDIA_ROOT."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.test import override_settings


def _load() -> None:
    from lianmeng.activities import demo as activities_demo
    from lianmeng.core import demo as core_demo
    from lianmeng.governance import demo as governance_demo
    from lianmeng.library import demo as library_demo
    from lianmeng.matchmaking import demo as matchmaking_demo
    from lianmeng.membership import demo as membership_demo
    from lianmeng.publicity import demo as publicity_demo
    from lianmeng.research import demo as research_demo

    for module in (
        core_demo,
        membership_demo,
        governance_demo,
        activities_demo,
        library_demo,
        research_demo,
        matchmaking_demo,
        publicity_demo,
    ):
        module.load(accounts=True)


@pytest.fixture(scope="module")
def demo_media(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any) -> Iterator[Path]:
    media_root = tmp_path_factory.mktemp("demo-media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media_root), transaction.atomic():
        _load()
        yield media_root
        transaction.set_rollback(True)


@pytest.fixture
def demo_alliance(db: None, demo_media: Path, settings: Any) -> dict[str, Any]:
    from lianmeng.accounts.models import User

    shutil.copytree(demo_media, settings.MEDIA_ROOT, dirs_exist_ok=True)
    return {u.username: u for u in User.objects.filter(username__startswith="demo-")}

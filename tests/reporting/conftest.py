"""The demo alliance (tests/demo_snapshot.py: loaded for real once per starting state, replayed as rows
after that), built once per test module inside a transaction rolled back at the module's end; each test
runs in its own savepoint (pytest-django's ``db``) and gets a copy of the demo's files in its own
MEDIA_ROOT."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.test import override_settings

from tests.demo_snapshot import DEMO


@pytest.fixture(scope="module")
def demo_media(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any) -> Iterator[Path]:
    media_root = tmp_path_factory.mktemp("demo-media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media_root), transaction.atomic():
        DEMO.restore(media_root)
        yield media_root
        transaction.set_rollback(True)


@pytest.fixture
def demo_alliance(db: None, demo_media: Path, settings: Any) -> dict[str, Any]:
    from lianmeng.accounts.models import User

    shutil.copytree(demo_media, settings.MEDIA_ROOT, dirs_exist_ok=True)
    return {u.username: u for u in User.objects.filter(username__startswith="demo-")}

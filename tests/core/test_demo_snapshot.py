"""The demo snapshot of the tests (tests/demo_snapshot.py) gives what a real load of the demo gives."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.test import Client, override_settings

from lianmeng.accounts.models import User
from lianmeng.core.demo_support import DEMO_PASSWORD
from tests.demo_snapshot import DemoSnapshot, _counts, _load_for_real, _tables

pytestmark = pytest.mark.django_db


def _world(media: Path) -> dict[str, Any]:
    """What a user would notice: how many rows of each kind, the files, what search finds, who signs in."""
    found = Client().get("/api/v1/organizations", {"q": "青岛"})
    assert found.status_code == 200
    return {
        "counts": _counts(_tables()),
        # names are random per load: the folders and kinds of the files
        "files": sorted(
            (*p.relative_to(media).parts[:2], p.suffix, p.stat().st_size > 0)
            for p in media.rglob("*")
            if p.is_file()
        ),
        "search": sorted(o["name"] for o in found.json()["items"]),
        "demo accounts": sorted(
            User.objects.filter(username__startswith="demo-").values_list("username", flat=True)
        ),
    }


def test_a_replayed_demo_has_the_rows_files_and_search_of_a_real_load(tmp_path: Path) -> None:
    real_media, first_media, replay_media = tmp_path / "real", tmp_path / "first", tmp_path / "replay"
    with transaction.atomic():
        with override_settings(MEDIA_ROOT=real_media):
            _load_for_real()
        real = _world(real_media)
        transaction.set_rollback(True)

    snapshot = DemoSnapshot()
    with transaction.atomic():
        snapshot.restore(first_media)  # loads for real, rolls back, replays
        first = _world(first_media)
        transaction.set_rollback(True)
    assert (snapshot.loads, snapshot.replays) == (1, 0)

    with transaction.atomic():
        snapshot.restore(replay_media)  # the same starting state: rows written back, no load
        replayed = _world(replay_media)
        # a demo account signs in with the published password on the replayed rows
        assert Client().login(username="demo-member", password=DEMO_PASSWORD)
        transaction.set_rollback(True)
    assert (snapshot.loads, snapshot.replays) == (1, 1)

    assert real["counts"]["membership_organization"] > 40
    assert real["search"], real["search"]
    assert real["files"], real["files"]
    assert len(real["demo accounts"]) >= 6, real["demo accounts"]
    for got in (first, replayed):
        differ = {t: (n, real["counts"][t]) for t, n in got["counts"].items() if n != real["counts"][t]}
        assert not differ, differ  # table: (rows after the snapshot, rows after a real load)
        assert got == real


def test_another_starting_state_gets_its_own_real_load(tmp_path: Path, make_user: Any) -> None:
    snapshot = DemoSnapshot()
    with transaction.atomic():
        snapshot.restore(tmp_path / "a")
        transaction.set_rollback(True)
    make_user(username="someone-else")  # a row the first state did not have: replaying would not be exact
    with transaction.atomic():
        snapshot.restore(tmp_path / "b")
        assert User.objects.filter(username="demo-secretariat").exists()
        assert User.objects.filter(username="someone-else").exists()
        transaction.set_rollback(True)
    assert (snapshot.loads, snapshot.replays) == (2, 0)

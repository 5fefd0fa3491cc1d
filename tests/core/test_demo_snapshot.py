"""The demo snapshot of the tests (tests/demo_snapshot.py) gives what a real load of the demo gives, and
never replays into a starting state other than the one it recorded."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from lianmeng.accounts.models import User
from lianmeng.core.demo_support import DEMO_PASSWORD
from tests import demo_snapshot
from tests.demo_snapshot import DemoSnapshot, _counts, _key, _state, _tables

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


def test_a_replay_has_the_rows_files_search_and_sign_ins_of_the_real_load(tmp_path: Path) -> None:
    snapshot = DemoSnapshot()
    snapshot.observe = _world  # the world of the real load, seen before it is rolled back
    with transaction.atomic():
        snapshot.restore(tmp_path / "first")  # loads for real, rolls back, replays
        first = _world(tmp_path / "first")
        transaction.set_rollback(True)
    real = snapshot.observed
    assert (snapshot.loads, snapshot.replays) == (1, 0)

    with transaction.atomic():
        snapshot.restore(tmp_path / "again")  # the same starting state: rows written back, no load
        again = _world(tmp_path / "again")
        # a demo account signs in with the published password on the replayed rows
        assert Client().login(username="demo-member", password=DEMO_PASSWORD)
        transaction.set_rollback(True)
    assert (snapshot.loads, snapshot.replays) == (1, 1)

    assert real["counts"]["membership_organization"] > 40
    assert real["search"], real["search"]
    assert real["files"], real["files"]
    assert len(real["demo accounts"]) >= 6, real["demo accounts"]
    for replayed in (first, again):
        differ = {t: (n, real["counts"][t]) for t, n in replayed["counts"].items() if n != real["counts"][t]}
        assert not differ, differ  # table: (rows after the replay, rows after the real load)
        assert replayed == real


def test_another_starting_state_or_day_gets_its_own_real_load(
    tmp_path: Path, make_user: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    tables = _tables()
    today = _key(_state(tables))
    monkeypatch.setattr(timezone, "localdate", lambda: datetime.date(2030, 1, 1))
    assert _key(_state(tables)) != today  # the demo's dates are relative to the day
    monkeypatch.undo()

    def load() -> None:  # a stand-in for the demo: one account
        User.objects.create(username="demo-stand-in")

    monkeypatch.setattr(demo_snapshot, "_load_for_real", load)
    snapshot = DemoSnapshot()
    with transaction.atomic():
        snapshot.restore(tmp_path / "a")
        transaction.set_rollback(True)
    make_user(username="someone-else")  # a row the first state did not have: replaying would not be exact
    assert _key(_state(tables)) != today
    with transaction.atomic():
        snapshot.restore(tmp_path / "b")
        assert User.objects.filter(username="someone-else").exists()
        assert User.objects.filter(username="demo-stand-in").count() == 1
        transaction.set_rollback(True)
    assert (snapshot.loads, snapshot.replays) == (2, 0)

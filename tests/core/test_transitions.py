"""State machines (lianmeng.core.transitions): every app's machine is complete, and the helper says no
in the house's one style."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models

from lianmeng.core.discovery import app_modules
from lianmeng.core.transitions import MACHINES, Machine, T


class Door(models.TextChoices):
    OPEN = "open", "开着"
    SHUT = "shut", "关着"
    GONE = "gone", "拆除"


def only_keyholder(user: Any, obj: Any) -> bool:
    return user == "keyholder"


def door() -> Machine:
    machine = Machine(
        "tests.door",
        states=Door,
        initial=[Door.SHUT],
        final=[Door.GONE],
        transitions=[
            T(Door.SHUT, "open", Door.OPEN, guard="only_keyholder"),
            T(Door.OPEN, "shut", Door.SHUT),
            T(Door.SHUT, "remove", Door.GONE),
        ],
        policies=__name__,
    )
    MACHINES.pop("tests.door")
    return machine


def test_targets_guards_and_the_one_message() -> None:
    machine = door()
    assert machine.target(Door.OPEN, "shut") == Door.SHUT
    assert machine.check(Door.SHUT, "open", actor="keyholder") == Door.OPEN
    with pytest.raises(PermissionDenied):
        machine.check(Door.SHUT, "open", actor="visitor")
    with pytest.raises(ValidationError) as caught:
        machine.target(Door.GONE, "open")
    assert caught.value.message_dict == {"status": ["当前状态为“拆除”，不能执行该操作"]}
    assert machine.allowed(Door.SHUT, actor="visitor") == ["remove"]
    assert machine.allowed(Door.SHUT, actor="keyholder") == ["open", "remove"]
    assert machine.problems() == []


def test_an_incomplete_machine_is_caught() -> None:
    broken = Machine(
        "tests.broken",
        states=Door,
        initial=[Door.SHUT],
        final=[],
        transitions=[T(Door.SHUT, "open", Door.OPEN, guard="no_such_policy")],
        policies=__name__,
    )
    MACHINES.pop("tests.broken")
    problems = broken.problems()
    assert "tests.broken: guard 'no_such_policy' is no policy" in problems
    assert "tests.broken: state 'gone' cannot be reached" in problems
    assert "tests.broken: state 'open' is a dead end but not final" in problems


def test_every_machine_of_every_app_is_complete() -> None:
    list(app_modules("machines"))  # importing them registers them
    assert MACHINES, "no state machine registered (lianmeng/<app>/machines.py)"
    problems = [p for machine in MACHINES.values() for p in machine.problems()]
    assert problems == []

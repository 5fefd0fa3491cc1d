"""Fixtures for governance: a council with seats and representatives, motions, the rotation."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from lianmeng.core.actors import SYSTEM
from lianmeng.governance import services
from lianmeng.governance.commands import RotationPlanCreate, SeatCreate, SeatEnd, VoteCast
from lianmeng.governance.models import Motion
from tests.factories import motion_opened


@pytest.fixture
def council(make_org: Callable[..., Any], make_user: Callable[..., Any]) -> Callable[[int], list[Any]]:
    """``council(n)``: n seats valid from a year ago, each with its own representative."""

    def _make(n: int) -> list[Any]:
        seats = []
        start = timezone.localdate() - datetime.timedelta(days=365)
        for i in range(n):
            org = make_org(f"理事单位{i + 1:03d}", tier="council")
            rep = make_user(display_name=f"理事{i + 1}")
            seats.append(
                services.seat_create(
                    cmd=SeatCreate.build(organization=org.pk, representative=rep.pk, starts_on=start),
                    actor=SYSTEM,
                )
            )
        return seats

    return _make


@pytest.fixture
def open_motion(secretariat: Any) -> Callable[..., Motion]:
    def _make(**fields: Any) -> Motion:
        return motion_opened(secretariat, **fields)

    return _make


@pytest.fixture
def carried_motion(
    council: Callable[[int], list[Any]], open_motion: Callable[..., Motion]
) -> tuple[Motion, list[Any]]:
    """An open motion each of three seats voted for: (motion, seats)."""
    seats = council(3)
    motion = open_motion()
    for seat in seats:
        services.vote_cast(motion=motion, cmd=VoteCast.build(choice="for"), actor=seat.representative)
    return motion, seats


@pytest.fixture
def lapsed_seats(council: Callable[[int], list[Any]], secretariat: Any) -> list[Any]:
    """Two seats, the first of which ended yesterday."""
    seats = council(2)
    services.seat_end(
        seat=seats[0],
        cmd=SeatEnd.build(ends_on=timezone.localdate() - datetime.timedelta(days=1)),
        actor=secretariat,
    )
    return seats


@pytest.fixture
def rotation(make_org: Callable[..., Any], make_user: Callable[..., Any], secretariat: Any) -> dict[str, Any]:
    """The seven founding bureaus rotating yearly from a year ago (the first term is current)."""
    names = ["青岛", "烟台", "潍坊", "威海", "日照", "滨州", "东营"]
    bureaus = [make_org(f"{n}市人力资源和社会保障局", city=n, kind="bureau", tier="founding") for n in names]
    contacts = [make_user("member_contact", organization=b, display_name=f"{b.name}联络员") for b in bureaus]
    start = timezone.localdate() - datetime.timedelta(days=200)
    plan = services.rotation_plan_create(
        cmd=RotationPlanCreate.build(start_date=start, term_months=12, order=[o.pk for o in bureaus]),
        actor=secretariat,
    )
    return {"plan": plan, "bureaus": bureaus, "contacts": contacts, "start": start}


@pytest.fixture
def confirm_handover(council: Callable[[int], list[Any]], secretariat: Any) -> Callable[[], Any]:
    """``confirm_handover()``: the council passes the motion confirming the pending handover; returns its
    resolution (a handover is recorded only with it)."""

    def _confirm() -> Any:
        from lianmeng.governance.models import CouncilSeat

        seat = CouncilSeat.objects.valid_on(timezone.localdate()).first() or council(1)[0]
        motion = services.handover_motion_open(actor=secretariat)
        services.vote_cast(motion=motion, cmd=VoteCast.build(choice="for"), actor=seat.representative)
        motion = services.motion_close(motion=motion, actor=secretariat)
        return motion.resolution

    return _confirm

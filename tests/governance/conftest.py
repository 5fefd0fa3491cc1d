"""Fixtures for governance: a council with seats and representatives, motions, the rotation."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from lianmeng.core.actors import SYSTEM
from lianmeng.governance import services
from lianmeng.governance.commands import MotionCreate, RotationPlanCreate, SeatCreate, VoteCast
from lianmeng.governance.models import Motion


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
        now = timezone.now()
        data = {
            "title": "关于举办年度理事会全会的议案",
            "text": "拟于 12 月在青岛召开年度理事会全会。",
            "kind": "ordinary",
            "ballot": "open",
            "opens_at": now - datetime.timedelta(hours=1),
            "closes_at": now + datetime.timedelta(days=3),
            **fields,
        }
        return services.motion_create(cmd=MotionCreate.build(data), actor=secretariat, open_now=True)

    return _make


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

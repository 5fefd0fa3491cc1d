"""One vote per seat under concurrent requests (PostgreSQL: real row locks, separate connections)."""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections
from django.utils import timezone

from lianmeng.governance import services
from lianmeng.governance.commands import VoteCast
from lianmeng.governance.models import Motion, Vote
from tests.factories import motion_opened

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (set DATABASE_URL)")
def test_fifty_concurrent_votes_from_ten_seats_make_exactly_ten_votes(
    council: Callable[..., list[Any]], secretariat: Any
) -> None:
    seats = council(10)
    now = timezone.now()
    motion = motion_opened(
        secretariat,
        title="并发表决测试议案",
        text="正文",
        opens_at=now - datetime.timedelta(minutes=5),
        closes_at=now + datetime.timedelta(days=1),
    )
    choices = ["for", "for", "for", "for", "for", "for", "against", "against", "abstain", "for"]
    barrier = threading.Barrier(50)
    errors: list[BaseException] = []

    def vote(seat: Any, choice: str) -> None:
        try:
            barrier.wait(timeout=30)
            services.vote_cast(
                motion=Motion(pk=motion.pk), cmd=VoteCast.build(choice=choice), actor=seat.representative
            )
        except (ValidationError, PermissionDenied) as exc:  # pragma: no cover - would fail the test below
            errors.append(exc)
        finally:
            connections.close_all()

    # Each seat sends its own choice five times at once: 50 requests.
    threads = [
        threading.Thread(target=vote, args=(seat, choice))
        for _round in range(5)
        for seat, choice in zip(seats, choices, strict=True)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert Vote.objects.filter(motion=motion).count() == 10
    assert Vote.objects.filter(motion=motion).values("seat").distinct().count() == 10
    closed = services.motion_close(motion=motion, actor=secretariat)
    assert (closed.votes_for, closed.votes_against, closed.votes_abstain) == (7, 2, 1)
    assert closed.status == "passed"

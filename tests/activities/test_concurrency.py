"""Exact capacity under concurrency (PostgreSQL, threads with their own connections)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection, connections

from lianmeng.activities import services
from lianmeng.activities.commands import RegistrationCheckIn, RegistrationCreate
from lianmeng.activities.models import Event, Registration

from .conftest import person

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL)"),
]

# 100 requests at once from 25 threads: below PostgreSQL's default max_connections, shared with others.
WORKERS = 25


def _in_thread(fn: Callable[[], Any]) -> Any:
    try:
        return fn()
    finally:
        connections.close_all()


def test_hundred_registrations_for_twenty_seats_then_cancellations_promote_in_order(
    make_event: Callable[..., Event],
) -> None:
    event = make_event(capacity=20)
    start = threading.Barrier(WORKERS)

    def register(i: int) -> str:
        if i < WORKERS:
            start.wait()  # the first wave starts together
        return _in_thread(
            lambda: (
                services.registration_create(
                    event=event, cmd=RegistrationCreate.build(person(i)), actor=None
                ).status
            )
        )

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        statuses = list(pool.map(register, range(100)))
    assert statuses.count("registered") == 20
    assert statuses.count("waitlisted") == 80
    assert Registration.objects.filter(event=event, status="registered").count() == 20

    waiting_in_order = list(
        Registration.objects.filter(event=event, status="waitlisted")
        .order_by("id")
        .values_list("pk", flat=True)
    )
    to_cancel = list(Registration.objects.filter(event=event, status="registered").order_by("id")[:5])

    def cancel(reg: Registration) -> str:
        return _in_thread(
            lambda: services.registration_cancel(registration=reg, actor=None, token=reg.token).status
        )

    with ThreadPoolExecutor(max_workers=5) as pool:
        assert list(pool.map(cancel, to_cancel)) == ["cancelled"] * 5
    seated = Registration.objects.filter(event=event, status="registered")
    assert seated.count() == 20
    promoted = set(seated.filter(promoted_at__isnull=False).values_list("pk", flat=True))
    assert promoted == set(waiting_in_order[:5])
    assert Registration.objects.filter(event=event, status="waitlisted").count() == 75


def test_concurrent_check_in_of_one_code_counts_once(make_event: Callable[..., Event], contact: Any) -> None:
    event = make_event()
    registration = services.registration_create(
        event=event, cmd=RegistrationCreate.build(person(1)), actor=None
    )

    def check_in(_: int) -> bool:
        return _in_thread(
            lambda: (
                services.registration_check_in(
                    event=event, cmd=RegistrationCheckIn.build(code=registration.code), actor=contact
                ).already
            )
        )

    with ThreadPoolExecutor(max_workers=8) as pool:
        already = list(pool.map(check_in, range(8)))
    assert already.count(False) == 1
    assert Registration.objects.get(pk=registration.pk).status == "attended"

"""One-to-one slots at a matchmaking session: nobody is booked twice at the same time."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from lianmeng.matchmaking import services
from lianmeng.matchmaking.commands import MatchRequestAnswer, MatchRequestCreate, SlotBook
from lianmeng.matchmaking.models import SessionSlot
from tests.matchmaking.conftest import SESSION_START

pytestmark = pytest.mark.django_db

START = SESSION_START


def test_booking_and_no_double_booking(
    session: Any,
    accepted: Callable[..., Any],
    park_contact: Any,
    make_user: Callable[..., Any],
    make_org: Any,
) -> None:
    first = accepted(park_contact, "股权投资一")
    slot = services.slot_book(
        cmd=SlotBook.build(event=session.pk, starts_at=START), request=first, actor=park_contact
    )
    assert slot.ends_at == START + datetime.timedelta(minutes=20)
    assert {s.person_id for s in slot.seats.all()} == {first.requester_id, first.responder_id}
    # The fund's contact meets someone else: the same time is refused, naming who is busy.
    other = make_user("member_contact", organization=make_org("烟台园区", city="烟台"), display_name="孙烟台")
    second = accepted(other, "股权投资二")
    with pytest.raises(ValidationError) as exc:
        services.slot_book(cmd=SlotBook.build(event=session.pk, starts_at=START), request=second, actor=other)
    assert "林投资" in exc.value.message_dict["starts_at"][0]
    later = services.slot_book(
        cmd=SlotBook.build(event=session.pk, starts_at=START + datetime.timedelta(minutes=20)),
        request=second,
        actor=other,
    )
    assert later.pk
    services.slot_cancel(slot=slot, actor=park_contact)
    assert services.slot_book(
        cmd=SlotBook.build(event=session.pk, starts_at=START), request=second, actor=other
    ).pk
    assert SessionSlot.objects.count() == 2


@pytest.mark.parametrize(
    ("offset", "ok"), [(0, True), (40, True), (10, False), (-20, False), (170, False), (160, True)]
)
def test_slots_follow_the_session_grid(
    session: Any, accepted: Callable[..., Any], park_contact: Any, offset: int, ok: bool
) -> None:
    req = accepted(park_contact, "股权投资")
    when = START + datetime.timedelta(minutes=offset)
    if ok:
        assert services.slot_book(
            cmd=SlotBook.build(event=session.pk, starts_at=when), request=req, actor=park_contact
        ).pk
    else:
        with pytest.raises(ValidationError) as exc:
            services.slot_book(
                cmd=SlotBook.build(event=session.pk, starts_at=when), request=req, actor=park_contact
            )
        assert "每 20 分钟" in exc.value.message_dict["starts_at"][0]


def test_only_accepted_requests_at_published_sessions(
    session: Any, park_contact: Any, fund_contact: Any, make_post: Callable[..., Any]
) -> None:
    post = make_post(fund_contact, direction="supply", title="股权投资")
    req = services.match_request_create(
        cmd=MatchRequestCreate.build(resource=post, message="约谈"), actor=park_contact
    )
    with pytest.raises(ValidationError):
        services.slot_book(
            cmd=SlotBook.build(event=session.pk, starts_at=START), request=req, actor=park_contact
        )
    req = services.match_request_answer(
        cmd=MatchRequestAnswer.build(action="accept"), request=req, actor=fund_contact
    )
    with pytest.raises(ValidationError) as exc:
        services.slot_book(cmd=SlotBook.build(event=999999, starts_at=START), request=req, actor=park_contact)
    assert "event" in exc.value.message_dict


def test_booking_in_the_page_and_the_api(
    session: Any, accepted: Callable[..., Any], park_contact: Any, api: Callable[[Any], Any]
) -> None:
    req = accepted(park_contact, "股权投资")
    client = Client()
    client.force_login(park_contact)
    page = client.get(req.get_absolute_url()).content.decode()
    assert "对接会洽谈时段" in page and "胶东人力资源服务资源对接会" in page
    r = client.post(
        f"{req.get_absolute_url()}slots/", {"event": session.pk, "starts_at": "2027-03-18T09:20"}, follow=True
    )
    assert "洽谈时段已预约" in r.content.decode()
    r = api(park_contact).post(
        f"/api/v1/match-requests/{req.pk}/slots",
        {"event": session.pk, "starts_at": "2027-03-18T09:20:00+08:00"},
        content_type="application/json",
    )
    assert r.status_code == 422 and "starts_at" in r.json()["errors"]

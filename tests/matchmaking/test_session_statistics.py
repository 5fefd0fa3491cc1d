"""Per-session statistics of a matchmaking session: slots, meetings, accepted requests, outcomes, amounts."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from lianmeng.matchmaking import services
from lianmeng.matchmaking.commands import (
    MeetingRecord,
    OutcomeRecord,
    SlotBook,
)
from lianmeng.matchmaking.selectors import session_statistics
from tests.factories import published_event
from tests.matchmaking.conftest import SESSION_START

pytestmark = pytest.mark.django_db

START = SESSION_START


@pytest.fixture
def played(
    session: Any,
    park_contact: Any,
    accepted: Callable[..., Any],
    make_user: Any,
    make_org: Any,
) -> Any:
    """Three requests at the session: one agreement of 500 万元, one no deal, one still pending; plus a
    request met online elsewhere that must not count."""
    other = make_user("member_contact", organization=make_org("烟台园区", city="烟台"), display_name="孙烟台")
    deal = accepted(park_contact, "股权投资一")
    services.slot_book(
        cmd=SlotBook.build(event=session.pk, starts_at=START), request=deal, actor=park_contact
    )
    services.meeting_record(
        request=deal,
        actor=park_contact,
        cmd=MeetingRecord.build(
            {"mode": "session", "event": session.pk, "held_at": START.isoformat(), "notes": "洽谈顺利"}
        ),
    )
    services.match_request_conclude(
        request=deal, actor=park_contact, cmd=OutcomeRecord.build({"outcome": "agreement", "amount": "500"})
    )
    nodeal = accepted(other, "股权投资二")
    services.slot_book(
        cmd=SlotBook.build(event=session.pk, starts_at=START + datetime.timedelta(minutes=20)),
        request=nodeal,
        actor=other,
    )
    services.match_request_conclude(
        request=nodeal, actor=other, cmd=OutcomeRecord.build({"outcome": "no_deal", "note": "方向不符"})
    )
    elsewhere = accepted(other, "股权投资三")
    services.meeting_record(
        request=elsewhere,
        actor=other,
        cmd=MeetingRecord.build({"mode": "online", "held_at": START.isoformat()}),
    )
    return session


def test_statistics_count_what_happened_at_the_session(
    played: Any, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(3):
        stats = session_statistics(event_id=played.pk)
    assert stats["slots_booked"] == 2
    assert stats["meetings_held"] == 1
    assert stats["requests"] == 2 and stats["requests_accepted"] == 2
    assert stats["organizations"] == 3
    by = {row["outcome"]: row["count"] for row in stats["outcomes"]}
    assert by == {"no_deal": 1, "agreement": 1, "project_created": 0, "talent_placed": 0}
    assert stats["agreement_amount"] == Decimal("500") and stats["successful"] == 1


def test_session_page_and_api(
    played: Any, park_contact: Any, secretariat: Any, api: Callable[[Any], Client]
) -> None:
    public = Client().get(f"/resources/sessions/{played.pk}/")
    text = public.content.decode()
    assert public.status_code == 200
    assert "对接会成果" in text and "预约洽谈时段" in text and "500 万元" in text
    assert "洽谈安排" not in text  # the schedule (who meets whom) is for organizers only
    manager = Client()
    manager.force_login(secretariat)
    text = manager.get(f"/resources/sessions/{played.pk}/").content.decode()
    assert "洽谈安排" in text and "烟台园区" in text and "09:00" in text
    body = api(None).get(f"/api/v1/match-sessions/{played.pk}").json()
    assert body["slots_booked"] == 2 and body["requests_accepted"] == 2
    assert body["agreement_amount"] == "500.00" or float(body["agreement_amount"]) == 500
    event_page = Client().get(played.get_absolute_url()).content.decode()
    assert "对接会成果" in event_page and f"/resources/sessions/{played.pk}/" in event_page


def test_other_events_are_not_sessions(secretariat: Any, park: Any, api: Callable[[Any], Client]) -> None:
    forum = published_event(park, secretariat, starts=START, hours=3, audience="public")
    assert Client().get(f"/resources/sessions/{forum.pk}/").status_code == 404
    assert api(None).get(f"/api/v1/match-sessions/{forum.pk}").status_code == 404
    assert api(None).get("/api/v1/match-sessions/999999").status_code == 404


def test_secretariat_overview_lists_sessions_with_figures(
    played: Any,
    secretariat: Any,
    park_contact: Any,
    api: Callable[[Any], Client],
    django_assert_max_num_queries: Any,
) -> None:
    from lianmeng.matchmaking.selectors import sessions_overview

    with django_assert_max_num_queries(4):
        rows = sessions_overview(viewer=secretariat)
    assert [(e.pk, st["successful"]) for e, st in rows] == [(played.pk, 1)]
    staff = Client()
    staff.force_login(secretariat)
    text = staff.get("/resources/requests/").content.decode()
    assert 'id="session-overview"' in text and "胶东人力资源服务资源对接会" in text
    member = Client()
    member.force_login(park_contact)
    assert 'id="session-overview"' not in member.get("/resources/requests/").content.decode()
    listed = api(None).get("/api/v1/match-sessions").json()
    assert [(r["event"], r["slots_booked"], r["meetings_held"]) for r in listed] == [(played.pk, 2, 1)]

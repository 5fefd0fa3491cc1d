"""The governance list endpoints read a fixed number of queries however many rows they list (2 vs 12)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lianmeng.governance.models import (
    AgendaItem,
    CharterVersion,
    CouncilSeat,
    Meeting,
    MeetingPaper,
    Motion,
    MotionStatus,
    Notice,
    NoticeAttachment,
    NoticeStatus,
    Resolution,
    ResolutionStatus,
    Task,
)
from tests.queries import counted

pytestmark = pytest.mark.django_db

LISTS = (
    "/api/v1/council/seats",
    "/api/v1/council/meetings",
    "/api/v1/council/motions",
    "/api/v1/notices",
    "/api/v1/tasks",
    "/api/v1/charter",
    "/api/v1/council/meetings/{meeting}/papers",
)


def _world(n: int, make_org: Callable[..., Any], make_user: Callable[..., Any], office: Any) -> int:
    """``n`` rows of every list (each with its related rows); returns a meeting with ``n`` papers."""
    now = timezone.now()
    day = timezone.localdate()
    first_meeting = 0
    for i in range(n):
        org = make_org(f"园区{n}-{i}", tier="council")
        person = make_user(display_name=f"理事{n}-{i}")
        CouncilSeat.objects.create(
            organization=org, representative=person, starts_on=day - datetime.timedelta(days=10)
        )
        meeting = Meeting.objects.create(
            kind="ordinary", title=f"会议{i}", starts_at=now + datetime.timedelta(days=i + 1), place="青岛"
        )
        first_meeting = first_meeting or meeting.pk
        AgendaItem.objects.create(meeting=meeting, position=1, title="议程一")
        AgendaItem.objects.create(meeting=meeting, position=2, title="议程二")
        MeetingPaper.objects.create(
            meeting_id=first_meeting,
            title=f"材料{i}",
            file=f"papers/x{i}.pdf",
            content_type="application/pdf",
        )
        motion = Motion.objects.create(
            title=f"议案{i}",
            text="正文",
            kind="ordinary",
            ballot="open",
            opens_at=now - datetime.timedelta(days=2),
            closes_at=now - datetime.timedelta(days=1),
            status=MotionStatus.PASSED,
            proposer=office,
            seats_count=3,
            votes_for=2,
        )
        resolution = Resolution.objects.create(
            motion=motion,
            number=f"决〔2026〕{n * 100 + i}号",
            title=motion.title,
            adopted_on=day,
            status=ResolutionStatus.IN_FORCE,
        )
        CharterVersion.objects.create(
            number=n * 100 + i, text=f"章程{i}", effective_on=day, resolution=resolution, recorded_by=office
        )
        notice = Notice.objects.create(
            title=f"通知{i}",
            body="正文",
            audience="all",
            status=NoticeStatus.PUBLISHED,
            published_at=now,
            author=office,
        )
        NoticeAttachment.objects.create(
            notice=notice, title="附件", file=f"notices/x{i}.pdf", content_type="application/pdf"
        )
        Task.objects.create(
            title=f"任务{i}",
            due_on=day,
            owner_organization=org,
            owner_user=person,
            resolution=resolution,
            created_by=office,
        )
    return first_meeting


def _counts(client: Any, meeting: int, n: int) -> dict[str, int]:
    out = {}
    for path in LISTS:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path.format(meeting=meeting))
        assert response.status_code == 200, path
        body = response.json()
        items = body["items"] if isinstance(body, dict) else body
        assert len(items) == n, path
        out[path] = counted(queries.captured_queries)
    return out


def test_list_endpoints_do_not_query_per_row(
    make_org: Callable[..., Any], make_user: Callable[..., Any], secretariat: Any, api: Callable[..., Any]
) -> None:
    client = api(secretariat)
    meeting = _world(2, make_org, make_user, secretariat)
    _counts(client, meeting, 2)  # warm-up: the first requests also load the session's user and caches
    small = _counts(client, meeting, 2)
    CouncilSeat.objects.all().delete()
    for model in (Task, CharterVersion, NoticeAttachment, Notice, MeetingPaper, AgendaItem, Meeting):
        model.objects.all().delete()
    Resolution.objects.all().delete()
    Motion.objects.all().delete()
    large = _counts(client, _world(12, make_org, make_user, secretariat), 12)
    assert large == small

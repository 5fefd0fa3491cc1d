"""The research list endpoints read a fixed number of queries however many rows they list (2 vs 12)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lianmeng.research.models import (
    AwardTier,
    CallStatus,
    Criterion,
    Entry,
    EntryStatus,
    Proposal,
    RoundStatus,
    SelectionRound,
    Topic,
    TopicCall,
)
from tests.queries import counted

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 3, 1)


def _round(n: int, status: str = RoundStatus.REVIEW) -> SelectionRound:
    selection = SelectionRound.objects.create(
        kind="typical_case",
        year=2026,
        title=f"评选{n}",
        status=status,
        entries_close_on=DAY,
        review_due_on=DAY,
    )
    Criterion.objects.create(round=selection, position=0, name="创新性", weight=100, max_score=10)
    AwardTier.objects.create(round=selection, position=0, level="first", quota_percent=50)
    return selection


def _world(n: int, make_org: Callable[..., Any]) -> dict[str, Any]:
    orgs = [make_org(f"园区{n}-{i}") for i in range(n)]
    for i in range(n):
        call = TopicCall.objects.create(
            year=2026, title=f"指南{i}", opens_on=DAY, deadline=DAY, status=CallStatus.OPEN
        )
        topic = Topic.objects.create(call=call, position=0, code=f"T{i}", title=f"课题{i}")
        Topic.objects.create(call=call, position=1, code=f"U{i}", title=f"课题{i}乙")
        Proposal.objects.create(
            topic=topic,
            organization=orgs[i],
            title=f"申报{i}",
            leader="张三",
            team="张三",
            plan="计划",
            budget=1,
        )
    rounds = [_round(i) for i in range(n)]
    public = _round(99, status=RoundStatus.PUBLICITY)
    for i, org in enumerate(orgs):
        Entry.objects.create(
            round=rounds[0],
            organization=org,
            title=f"案例{i}",
            authors="作者",
            summary="简介",
            status=EntryStatus.ELIGIBLE,
        )
        Entry.objects.create(
            round=public,
            organization=org,
            title=f"公示{i}",
            authors="作者",
            summary="简介",
            status=EntryStatus.ELIGIBLE,
            rank=i + 1,
            score=90 - i,
            award="first" if i == 0 else "",
        )
    return {"round": rounds[0], "public": public}


def _queries(client: Any, url: str) -> tuple[int, int]:
    client.get(url)  # the first request of a token also records its use
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content
    body = response.json()
    rows = body["items"] if isinstance(body, dict) else body
    return counted(ctx.captured_queries), len(rows)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/topics/calls",
        "/api/v1/topics/proposals",
        "/api/v1/selections",
        "/api/v1/selections/{round}/entries",
        "/api/v1/selections/{public}/results",
    ],
)
def test_list_endpoints_do_not_grow_with_their_rows(
    path: str, api: Callable[..., Any], secretariat: Any, make_org: Callable[..., Any]
) -> None:
    client = api(secretariat)
    counts = {}
    for n in (2, 12):
        world = _world(n, make_org)
        url = path.format(round=world["round"].pk, public=world["public"].pk)
        counts[n] = _queries(client, url)
        Entry.objects.all().delete()
        Proposal.objects.all().delete()
        SelectionRound.objects.all().delete()
        Topic.objects.all().delete()
        TopicCall.objects.all().delete()
    (small, small_rows), (large, large_rows) = counts[2], counts[12]
    assert small_rows < large_rows
    assert small == large, f"{path}: {small} queries for {small_rows} rows, {large} for {large_rows}"


def test_an_experts_reviews_do_not_grow_with_their_number(
    round_with_entries: Callable[..., Any],
    make_expert: Callable[..., Any],
    secretariat: Any,
    api: Callable[..., Any],
) -> None:
    from lianmeng.research import services

    selection, _entries = round_with_entries(5, max_load=4)
    experts = [make_expert(city=c, keywords="零工市场") for c in ("烟台", "日照", "滨州", "东营")]
    services.assignment_compute(selection=selection, mode="total", actor=secretariat)
    services.assignment_invite(selection=selection, actor=secretariat)
    expert = max(experts, key=lambda x: selection.assignments.filter(expert=x).count())
    client = api(expert.user)
    many = _queries(client, "/api/v1/reviews")  # the warm-up opens a draft per invitation
    for a in list(selection.assignments.filter(expert=expert).order_by("id"))[1:]:
        services.assignment_remove(assignment=a, actor=secretariat)
    one = _queries(client, "/api/v1/reviews")
    assert many[1] >= 2 and one[1] == 1
    assert many[0] == one[0], f"{many[0]} queries for {many[1]} reviews, {one[0]} for {one[1]}"

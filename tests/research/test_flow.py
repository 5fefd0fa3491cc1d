"""The selection round end to end through the services: assignment, reviews, 公示, objections, finalisation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError

from lianmeng.library.models import Achievement
from lianmeng.research import selectors, services
from lianmeng.research.commands import ObjectionAnswer, ObjectionFile, ReviewSave
from lianmeng.research.models import AssignmentStatus, Entry, RoundStatus

from .conftest import end_publicity

pytestmark = pytest.mark.django_db


def _score_all(selection: Any, scores: dict[str, tuple[int, int]]) -> None:
    """Every invited expert scores every entry they hold: scores[title_prefix] = (创新性, 实用性)."""
    for a in selection.assignments.filter(status=AssignmentStatus.INVITED).select_related(
        "expert__user", "entry"
    ):
        user = a.expert.user
        review = services.review_open(assignment=a, actor=user)
        crit = list(selection.criteria.all())
        s = next(v for k, v in scores.items() if a.entry.title.startswith(k))
        services.review_save(
            review=review,
            cmd=ReviewSave.build(
                {"scores": {c.pk: {"score": s[i], "comment": "论证充分"} for i, c in enumerate(crit)}}
            ),
            actor=user,
            submit=True,
        )


def test_round_from_assignment_to_achievement(
    round_with_entries: Callable[..., Any], make_expert: Callable[..., Any], secretariat: Any
) -> None:
    selection, _entries = round_with_entries(3)
    experts = [
        make_expert(city="烟台", keywords="零工市场、数字化"),
        make_expert(city="日照", keywords="海洋产业、人才飞地"),
        make_expert(city="滨州", keywords="劳务协作"),
    ]
    services.assignment_compute(selection=selection, mode="total", actor=secretariat)
    selection.refresh_from_db()
    assert selection.assignment_figures["pairs"] == 6
    assert selection.assignment_figures["load_max"] <= 3
    services.assignment_invite(selection=selection, actor=secretariat)
    # the expert sees only their own assignments
    mine = selectors.my_assignments(viewer=experts[0].user)
    assert mine and all(a.expert_id == experts[0].pk for a in mine)
    _score_all(selection, {"零工": (9, 9), "海洋": (7, 8), "县域": (5, 5)})
    services.round_transition(selection=selection, action="publish", actor=secretariat)
    ranked = list(Entry.objects.filter(round=selection).order_by("rank"))
    assert [e.title[:2] for e in ranked] == ["零工", "海洋", "县域"]
    assert [e.award for e in ranked] == ["first", "second", ""]
    services.entry_set_result(entry=ranked[0], award="first", showcase=True, actor=secretariat)
    objection = services.objection_file(
        selection=selection,
        cmd=ObjectionFile.build(
            {
                "entry": ranked[1].pk,
                "name": "张三",
                "contact": "13800000000",
                "reasons": "该案例的数据来源不清楚，请核实。",
            }
        ),
        actor=AnonymousUser(),
    )
    end_publicity(selection)
    with pytest.raises(ValidationError) as exc:
        services.round_transition(selection=selection, action="finalise", actor=secretariat)
    assert "异议" in str(exc.value)
    services.objection_respond(
        objection=objection,
        cmd=ObjectionAnswer.build(outcome="dismissed", response="经核实，数据来源于园区年报。"),
        actor=secretariat,
    )
    services.round_transition(selection=selection, action="finalise", actor=secretariat)
    selection.refresh_from_db()
    assert selection.status == RoundStatus.FINAL
    winner = Entry.objects.get(pk=ranked[0].pk)
    achievement = Achievement.objects.get(pk=winner.result_achievement_id)
    assert "一等奖" in achievement.awards
    assert achievement.showcase and achievement.showcase_year == 2026
    assert Achievement.objects.filter(awards__contains="二等奖").count() == 1
    assert not Achievement.objects.filter(title=ranked[2].title).exists()


def test_decline_is_reassigned_automatically(
    round_with_entries: Callable[..., Any], make_expert: Callable[..., Any], secretariat: Any
) -> None:
    selection, _entries = round_with_entries(2)
    experts = [make_expert(city=c) for c in ("烟台", "日照", "滨州")]
    services.assignment_compute(selection=selection, mode="total", actor=secretariat)
    services.assignment_invite(selection=selection, actor=secretariat)
    declined = selection.assignments.filter(expert=experts[0]).first()
    services.assignment_respond(assignment=declined, accept=False, reason="出差", actor=experts[0].user)
    active = selection.assignments.exclude(status=AssignmentStatus.DECLINED)
    assert active.filter(entry=declined.entry).count() == 2
    assert not active.filter(expert=experts[0], entry=declined.entry).exists()
    assert active.filter(source="reassign", status="invited").exists()
    with pytest.raises(PermissionDenied):
        services.assignment_respond(assignment=active.first(), accept=True, actor=secretariat)

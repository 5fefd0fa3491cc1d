"""The rotating presidency: derived terms, equality, changes only by resolution, handovers."""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from lianmeng.governance import services
from lianmeng.governance.commands import HandoverRecord, RotationChangeCmd, RotationPlanCreate, VoteCast
from lianmeng.governance.models import PresidencyHandover, RotationChange
from lianmeng.governance.presidency import presidency_schedule, president_organization_id
from lianmeng.governance.rotation import (
    DEFER,
    REORDER,
    SKIP,
    TERM_LENGTH,
    Change,
    ChangeRefused,
    Rotation,
    add_months,
    check_change,
)

START = datetime.date(2025, 12, 2)


def test_founding_schedule_one_year_terms_in_the_alliance_order() -> None:
    rotation = Rotation(start_date=START, term_months=12, order=[1, 2, 3, 4, 5, 6, 7])
    terms = rotation.terms_until(datetime.date(2026, 11, 28))
    assert [t.organization for t in terms] == [1, 2, 3, 4, 5, 6, 7, 1]
    assert (terms[0].starts_on, terms[0].ends_on) == (START, datetime.date(2026, 12, 1))
    assert terms[1].starts_on == datetime.date(2026, 12, 2)
    assert rotation.term_on(datetime.date(2026, 12, 2)).organization == 2  # type: ignore[union-attr]


def test_month_ends_are_clamped() -> None:
    assert add_months(datetime.date(2026, 1, 31), 1) == datetime.date(2026, 2, 28)
    assert add_months(datetime.date(2027, 11, 30), 3) == datetime.date(2028, 2, 29)


def test_skip_defer_and_equality_refusals() -> None:
    rotation = Rotation(start_date=START, term_months=12, order=[1, 2, 3])
    state = rotation.state_at(1)  # 1 has served
    with pytest.raises(ChangeRefused) as exc:
        check_change(state, Change(SKIP, 1, organization=1))
    assert exc.value.code == "already_had_turn"
    with pytest.raises(ChangeRefused):
        check_change(state, Change(REORDER, 1, order=(2, 2)))
    with pytest.raises(ChangeRefused):
        check_change(state, Change(DEFER, 1, organization=9))
    deferred = Rotation(
        start_date=START, term_months=12, order=[1, 2, 3], changes=[Change(DEFER, 1, organization=2)]
    )
    assert [t.organization for t in deferred.terms_until(START)][:4] == [1, 3, 2, 1]


@st.composite
def plans(draw: Any) -> tuple[list[int], list[Change], int]:
    size = draw(st.integers(min_value=1, max_value=7))
    order = list(range(1, size + 1))
    changes: list[Change] = []
    sequence = 0
    for _ in range(draw(st.integers(min_value=0, max_value=12))):
        sequence += draw(st.integers(min_value=0, max_value=4))
        kind = draw(st.sampled_from([REORDER, SKIP, DEFER, TERM_LENGTH]))
        if kind == REORDER:
            pool = list(range(1, 10))
            new = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=8, unique=True))
            changes.append(Change(REORDER, sequence, order=tuple(new)))
        elif kind in (SKIP, DEFER):
            changes.append(Change(kind, sequence, organization=draw(st.integers(min_value=1, max_value=9))))
        else:
            changes.append(
                Change(TERM_LENGTH, sequence, term_months=draw(st.integers(min_value=1, max_value=24)))
            )
    return order, changes, sequence


def _allowed(order: list[int], proposed: list[Change]) -> list[Change]:
    """Keep the changes the service would accept, each checked against the rotation at its term."""
    accepted: list[Change] = []
    for change in proposed:
        rotation = Rotation(start_date=START, term_months=12, order=order, changes=accepted)
        try:
            check_change(rotation.state_at(change.effective_sequence), change)
        except ChangeRefused:
            continue
        accepted.append(change)
    return accepted


@settings(max_examples=150, deadline=None)
@given(plans())
def test_equality_holds_and_terms_never_overlap_or_leave_gaps(
    plan: tuple[list[int], list[Change], int],
) -> None:
    order, proposed, last = plan
    changes = _allowed(order, proposed)
    rotation = Rotation(start_date=START, term_months=12, order=order, changes=changes)
    horizon = add_months(START, 12 * (last + 20))
    terms = rotation.terms_until(horizon)
    assert terms[0].starts_on == START
    for previous, term in itertools.pairwise(terms):
        assert term.starts_on == previous.ends_on + datetime.timedelta(days=1)  # no gap, no overlap
        assert term.ends_on >= term.starts_on
        assert term.sequence == previous.sequence + 1
    skipped = rotation.state_at(terms[-1].sequence + 1).skipped
    by_cycle: dict[int, list[int]] = {}
    for term in terms:
        by_cycle.setdefault(term.cycle, []).append(term.organization)
    for cycle, holders in by_cycle.items():
        assert len(holders) == len(set(holders)), f"a second term in cycle {cycle}"
    # A new cycle starts only when every holder of the order in force has had its turn.
    for previous, term in itertools.pairwise(terms):
        if term.cycle != previous.cycle:
            in_force = rotation.state_at(term.sequence).order
            had_turn = set(by_cycle[previous.cycle]) | {org for c, org in skipped if c == previous.cycle}
            assert set(in_force) <= had_turn


@pytest.mark.django_db
def test_schedule_shows_current_and_next_president(rotation: dict[str, Any]) -> None:
    schedule = presidency_schedule()
    assert schedule.current is not None and schedule.next is not None
    assert schedule.current.organization == rotation["bureaus"][0]
    assert schedule.next.organization == rotation["bureaus"][1]
    assert president_organization_id() == rotation["bureaus"][0].pk


@pytest.mark.django_db
def test_a_change_without_a_resolution_is_refused(rotation: dict[str, Any], secretariat: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        services.rotation_change(
            cmd=RotationChangeCmd.build(kind="skip", organization=rotation["bureaus"][1].pk, resolution=None),
            actor=secretariat,
        )
    assert "理事会决议" in exc.value.message_dict["resolution"][0]
    assert not RotationChange.objects.exists()


@pytest.mark.django_db
def test_skip_with_a_passed_resolution_changes_the_next_term(
    rotation: dict[str, Any], secretariat: Any, council: Callable[..., list[Any]], open_motion: Any
) -> None:
    seat = council(1)[0]
    motion = open_motion(title="关于烟台本轮暂不担任轮值主席的议案")
    services.vote_cast(motion=motion, cmd=VoteCast.build(choice="for"), actor=seat.representative)
    services.motion_close(motion=motion, actor=secretariat)
    services.rotation_change(
        cmd=RotationChangeCmd.build(
            kind="skip", organization=rotation["bureaus"][1].pk, resolution=motion.resolution.pk
        ),
        actor=secretariat,
    )
    assert presidency_schedule().next.organization == rotation["bureaus"][2]  # type: ignore[union-attr]
    with pytest.raises(ValidationError) as exc:  # the current president cannot be skipped: it has served
        services.rotation_change(
            cmd=RotationChangeCmd.build(
                kind="skip", organization=rotation["bureaus"][0].pk, resolution=motion.resolution.pk
            ),
            actor=secretariat,
        )
    assert "resolution" in exc.value.message_dict or "organization" in exc.value.message_dict


@pytest.mark.django_db
def test_handover_only_by_the_outgoing_president(
    rotation: dict[str, Any], secretariat: Any, confirm_handover: Any
) -> None:
    today = timezone.localdate()
    with pytest.raises(PermissionDenied):
        services.handover_record(cmd=HandoverRecord.build({"date": today}), actor=rotation["contacts"][1])
    with pytest.raises(PermissionDenied):
        services.handover_record(cmd=HandoverRecord.build({"date": today}), actor=secretariat)
    resolution = confirm_handover()
    handover = services.handover_record(
        cmd=HandoverRecord.build(
            {"date": today, "notes": "移交印章与档案", "documents": "联盟印章\n年度档案"}
        ),
        actor=rotation["contacts"][0],
    )
    assert handover.from_organization == rotation["bureaus"][0]
    assert handover.to_organization == rotation["bureaus"][1]
    assert handover.document_list == ["联盟印章", "年度档案"]
    assert handover.resolution == resolution
    with pytest.raises(ValidationError):  # term 2 has not begun: nothing more to hand over
        services.handover_record(cmd=HandoverRecord.build({"date": today}), actor=rotation["contacts"][1])
    assert PresidencyHandover.objects.count() == 1


@pytest.mark.django_db
def test_plan_is_set_once(rotation: dict[str, Any], secretariat: Any) -> None:
    with pytest.raises(ValidationError):
        services.rotation_plan_create(
            cmd=RotationPlanCreate.build(
                start_date=rotation["start"], term_months=12, order=[o.pk for o in rotation["bureaus"]]
            ),
            actor=secretariat,
        )

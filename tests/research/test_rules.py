"""Aggregation, tiers, tie rules, transition tables and the conflict rules (property tests)."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from lianmeng.research import machines
from lianmeng.research.matching import EntryFacts, ExpertFacts, affinity, conflict_reasons
from lianmeng.research.models import ReviewStatus, RoundStatus
from lianmeng.research.services.results import aggregate, tier_counts, zscores


def test_every_machine_is_complete_and_guarded_by_policies() -> None:
    tables = (
        machines.CALL,
        machines.PROPOSAL,
        machines.ROUND,
        machines.ENTRY,
        machines.ASSIGNMENT,
        machines.REVIEW,
        machines.OBJECTION,
    )
    for machine in tables:
        assert machine.problems() == [], machine.name


def test_round_runs_one_way_and_final_is_final() -> None:
    path = ["open", "start_review", "publish", "finalise"]
    status: str = RoundStatus.DRAFT
    for action in path:
        assert machines.ROUND.actions(status) == [action]
        status = machines.ROUND.target(status, action)
    assert status == RoundStatus.FINAL and machines.ROUND.actions(status) == []


def test_submitted_reviews_only_reopen() -> None:
    assert machines.REVIEW.actions(ReviewStatus.SUBMITTED) == ["reopen"]
    assert machines.REVIEW.target(ReviewStatus.SUBMITTED, "reopen") == ReviewStatus.DRAFT


def test_trimmed_mean_from_five_reviews() -> None:
    assert aggregate([60, 70, 80, 90]) == 75
    assert aggregate([10, 70, 80, 90, 100]) == 80  # 10 and 100 dropped
    assert aggregate([]) is None


def test_zscores_put_strict_and_lenient_experts_on_one_scale() -> None:
    z = zscores({1: [(1, 60.0), (2, 80.0)], 2: [(3, 90.0), (4, 95.0)], 3: [(5, 70.0)]})
    assert z[(1, 2)] == z[(2, 4)] == 60.0  # each expert's better entry
    assert z[(1, 1)] == z[(2, 3)] == 40.0
    assert z[(3, 5)] == 50.0  # a single review carries no spread


def test_tier_counts_use_cumulative_rounding() -> None:
    assert tier_counts(10, [Decimal(10), Decimal(20), Decimal(30)]) == [1, 2, 3]
    assert tier_counts(7, [Decimal(10), Decimal(20), Decimal(30)]) == [1, 1, 2]  # 0.7→1, 2.1→2, 4.2→4
    assert tier_counts(3, [Decimal(34), Decimal(33)]) == [1, 1]
    assert sum(tier_counts(5, [Decimal(50), Decimal(50), Decimal(50)])) == 5


names = st.sampled_from(["张三", "李四", "王五", "赵六"])


@given(
    expert_org=st.integers(1, 4),
    entry_org=st.integers(1, 4),
    expert_city=st.sampled_from(["370200", "370600"]),
    entry_city=st.sampled_from(["370200", "370600"]),
    declared=st.frozensets(st.integers(1, 4)),
    expert_name=names,
    authors=st.frozensets(names),
    same_city=st.booleans(),
)
def test_conflict_rules_hold_exactly(
    expert_org: int,
    entry_org: int,
    expert_city: str,
    entry_city: str,
    declared: frozenset[int],
    expert_name: str,
    authors: frozenset[str],
    same_city: bool,
) -> None:
    expert = ExpertFacts(1, expert_name, expert_org, "", expert_city, None, declared, ())
    entry = EntryFacts(1, entry_org, "", entry_city, authors)
    reasons = conflict_reasons(expert, entry, same_city=same_city)
    expected = (
        expert_org == entry_org
        or (same_city and expert_city == entry_city)
        or entry_org in declared
        or expert_name in authors
    )
    assert bool(reasons) == expected
    assert ("same_city" in reasons) == (same_city and expert_city == entry_city)


def test_affinity_is_explained_by_matched_terms() -> None:
    from lianmeng.core.search import tokens

    text = "数字化零工市场一码通服务 零工市场、灵活用工"
    entry = EntryFacts(1, 1, "", "370700", token_set=frozenset(tokens(text)))
    expert = ExpertFacts(
        1, "顾晓琳", 2, "", "371000", None, frozenset(), ("零工市场", "灵活用工", "人才测评")
    )
    points, why = affinity(expert, entry)
    assert points == 67
    assert [w["term"] for w in why] == ["零工市场", "灵活用工"]
    unrelated = ExpertFacts(2, "某", 3, "", "370500", None, frozenset(), ("石化行业",))
    assert affinity(unrelated, entry) == (0, [])

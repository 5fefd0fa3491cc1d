"""Fair mode on skewed rounds: the proven ceiling, the gap, validity with fixed pairs, the time limit,
and a generated topic-skewed round where the previous method stayed far below the ceiling."""

from __future__ import annotations

import time

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lianmeng.research import fair as fair_module
from lianmeng.research.fair import (
    _best_sets,
    _bottleneck_start,
    _Clock,
    _cover_ceiling,
    _lagrangian_cover,
    _lagrangian_total,
    _LPInput,
    _priced_bound,
    _Repair,
    _set_start,
    _Sets,
    _sets_total,
    solve_fair,
    total_bound_at,
)
from lianmeng.research.solver import NoValidAssignment, Problem, Reduced, _reduced, solve_total

from .instances import instance
from .test_solver import brute_force, check_valid, instances

pytestmark = pytest.mark.one_pass  # the solver's own instances, no database


@st.composite
def with_fixed(draw: st.DrawFn) -> Problem:
    """A small instance with up to two pairs already fixed (manual choices, reviews under way)."""
    p = draw(instances())
    free = [(e, x) for e in range(p.n_entries) for x in range(p.n_experts) if p.allowed[e, x]]
    chosen = draw(st.lists(st.sampled_from(free), max_size=2, unique=True)) if free else []
    return Problem(p.affinity, p.allowed, p.k, p.max_load, p.min_load, fixed=chosen)


def brute_force_fixed(p: Problem) -> tuple[int, int] | None:
    """The best (worst, total) among the assignments that contain the fixed pairs."""
    best = None
    for combo in _assignments(p):
        pairs = {(e, x) for e, c in enumerate(combo) for x in c}
        if not set(p.fixed) <= pairs:
            continue
        sums = [int(sum(p.affinity[e, x] for x in c)) for e, c in enumerate(combo)]
        key = (min(sums), sum(sums))
        best = key if best is None else max(best, key)
    return best


def _assignments(p: Problem) -> list[tuple[tuple[int, ...], ...]]:
    import itertools

    n_e, n_x = p.affinity.shape
    lo, hi = p.loads()
    options = [
        [c for c in itertools.combinations(range(n_x), p.k) if all(p.allowed[e, x] for x in c)]
        for e in range(n_e)
    ]
    found = []
    for combo in itertools.product(*options):
        loads = np.zeros(n_x, dtype=int)
        for c in combo:
            for x in c:
                loads[x] += 1
        if (loads <= hi).all() and (loads >= lo).all():
            found.append(combo)
    return found


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(with_fixed())
def test_fair_mode_with_fixed_pairs_equals_brute_force_under_its_ceiling(p: Problem) -> None:
    best = brute_force_fixed(p)
    try:
        solution = solve_fair(p)
    except NoValidAssignment:
        assert best is None
        return
    assert best is not None, "fair mode answered where no assignment keeps the fixed pairs"
    check_valid(p, solution.pairs)
    assert set(p.fixed) <= set(solution.pairs), "a fixed pair was dropped"
    assert solution.worst == best[0]
    assert solution.total == best[1]
    assert solution.ceiling is not None and solution.ceiling >= best[0], "the ceiling is below the optimum"
    assert solution.worst_optimal and solution.gap == 0


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_the_ceiling_is_never_below_the_brute_force_optimum(p: Problem) -> None:
    _total, best = brute_force(p)
    if best is None:
        return
    solution = solve_fair(p)
    assert solution.ceiling is not None and solution.ceiling >= best[0]
    assert solution.total_optimum == _total


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(with_fixed(), st.lists(st.floats(0, 1), min_size=6, max_size=6))
def test_the_whole_reviewer_ceiling_is_never_below_the_brute_force_optimum(
    p: Problem, prices: list[float]
) -> None:
    # whatever sets of experts it counts (here from random load prices), it proves an upper bound
    best = brute_force_fixed(p)
    if best is None:
        return
    need, _lo, hi, allowed = _reduced(p)
    fixed_sum = np.zeros(p.n_entries, dtype=np.int64)
    for e, x in p.fixed:
        fixed_sum[e] += p.affinity[e, x]
    price = np.array(prices[: p.n_experts])
    bound = _cover_ceiling(p, need, hi, allowed, fixed_sum, price, 10**6, 5.0)
    assert bound >= best[0], (bound, best)


def test_the_whole_reviewer_ceiling_sees_what_the_lp_shares_in_fractions() -> None:
    # two entries want the same expert (10), who can review only one of them; everyone else scores 1.
    # The LP gives each half of him (5.5 each); whole reviewers leave one entry at 1, the true optimum.
    p = Problem(np.array([[10, 1, 1], [10, 1, 1]]), np.ones((2, 3), dtype=bool), k=1, max_load=1)
    need, _lo, hi, allowed = _reduced(p)
    assert _cover_ceiling(p, need, hi, allowed, np.zeros(2, dtype=np.int64), None, 10, 5.0) == 1
    fair = solve_fair(p)
    assert fair.worst == 1 and fair.ceiling == 1 and fair.gap == 0


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    with_fixed(),
    st.lists(st.floats(0, 1), min_size=5, max_size=5),
    st.lists(st.floats(0, 2), min_size=6, max_size=6),
    st.lists(st.floats(0, 2), min_size=6, max_size=6),
)
def test_the_priced_bound_is_never_below_the_brute_force_optimum(
    p: Problem, weights: list[float], loads: list[float], minimums: list[float]
) -> None:
    # any entry weights and expert prices prove an upper bound on the max-min LP, hence on every assignment
    best = brute_force_fixed(p)
    if best is None:
        return
    need, lo, hi, allowed = _reduced(p)
    fixed_sum = np.zeros(p.n_entries)
    for e, x in p.fixed:
        fixed_sum[e] += p.affinity[e, x]
    n_e, n_x = p.n_entries, p.n_experts
    bound = _priced_bound(
        _LPInput(p.affinity.astype(float), allowed, need, lo, hi, fixed_sum),
        np.array(weights[:n_e]),
        np.array(loads[:n_x]),
        np.array(minimums[:n_x]),
    )
    assert bound >= best[0] - 1e-6, (bound, best)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_the_bottleneck_start_is_valid_and_has_the_largest_smallest_pair(p: Problem) -> None:
    # the start's smallest pair equals the best smallest pair over all assignments (brute force)
    options = _assignments(p)
    try:
        base = solve_total(p)
    except NoValidAssignment:
        assert not options
        return
    need, lo, hi, allowed = _reduced(p)
    pairs = _bottleneck_start(p.affinity, allowed, need, lo, hi, base.pairs, _Clock(60, None, None))
    assert pairs is not None
    check_valid(p, pairs)
    best = max(min(int(p.affinity[e, x]) for e, c in enumerate(combo) for x in c) for combo in options)
    assert min(int(p.affinity[e, x]) for e, x in pairs) == best


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(with_fixed(), st.floats(0.5, 1.3))
def test_the_set_start_is_valid_and_says_unreachable_only_above_the_optimum(p: Problem, share: float) -> None:
    # thresholds around the brute-force optimum's worst entry: "unreachable" (the dual bound's proof)
    # only above it; an answer, with the fixed pairs, is always a valid assignment
    best = brute_force_fixed(p)
    if best is None:
        return
    threshold = int(share * best[0])
    r = Reduced.of(p)
    how, pairs = _set_start(p.affinity, r, threshold, [], _Sets(p.n_entries), _Clock(60, None, None), 5.0)
    if how == "unreachable":
        assert threshold > best[0]
    if pairs is None:
        assert how in ("short", "time", "unreachable")
        return
    assert how == "ok"
    check_valid(p, pairs + list(p.fixed))
    assert not set(pairs) & set(p.fixed)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(with_fixed(), st.floats(0.6, 1.4), st.lists(st.floats(0, 0.7), min_size=6, max_size=6))
def test_the_best_sets_and_the_cover_bound_agree_with_brute_force(
    p: Problem, share: float, prices: list[float]
) -> None:
    # per entry, the best weighted set reaching a threshold around the optimum's worst entry equals
    # enumeration; the cover bound is above 0 only where no assignment (brute force) reaches it
    import itertools

    r = Reduced.of(p)
    best = brute_force_fixed(p)
    if (r.need < 0).any() or best is None:  # e.g. more fixed pairs than reviewers: no assignment
        return
    threshold = int(share * best[0])
    beta = np.array(prices[: p.n_experts])
    weights = np.broadcast_to(-beta[None, :], p.affinity.shape)
    found = _best_sets(p.affinity, r, threshold, weights)
    expected = []
    for e in range(p.n_entries):
        free = [x for x in range(p.n_experts) if r.allowed[e, x]]
        values = [
            float(sum(weights[e, x] for x in c))
            for c in itertools.combinations(free, int(r.need[e]))
            if int(sum(p.affinity[e, x] for x in c)) + int(r.fixed_sum[e]) >= threshold
        ]
        expected.append(max(values) if values else None)
    if any(v is None for v in expected):
        assert found is None
    else:
        assert found is not None and np.allclose(found, [float(v or 0.0) for v in expected])
        # and the sets it names are allowed, of the right size, reach the threshold and weigh that much
        members: list[tuple[int, ...]] = []
        _best_sets(p.affinity, r, threshold, weights, None, members)
        for e, xs in enumerate(members):
            assert len(set(xs)) == len(xs) == int(r.need[e]) and all(r.allowed[e, x] for x in xs)
            assert int(sum(p.affinity[e, x] for x in xs)) + int(r.fixed_sum[e]) >= threshold
            assert np.isclose(sum(weights[e, x] for x in xs), found[e])
    bound = _lagrangian_cover(p.affinity, r, threshold, beta)
    if bound is not None and bound > 1e-6:
        assert best[0] < threshold


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(), st.floats(0.3, 1.0), st.lists(st.floats(0, 2), min_size=6, max_size=6))
def test_the_total_bound_at_a_threshold_is_never_below_brute_force(
    p: Problem, share: float, prices: list[float]
) -> None:
    # the largest total among the assignments whose every entry reaches the threshold (brute force) is
    # never above the bound: with the configuration LP's prices and with any prices >= 0
    if p.k != 3:
        p = Problem(p.affinity, p.allowed, 3, p.max_load, p.min_load)
    if p.n_experts < 3:
        return
    options = _assignments(p)
    if not options:
        return
    best_worst = max(
        min(int(sum(p.affinity[e, x] for x in c)) for e, c in enumerate(combo)) for combo in options
    )
    threshold = int(share * best_worst)
    best_total = max(
        sum(int(p.affinity[e, x]) for e, c in enumerate(combo) for x in c)
        for combo in options
        if min(int(sum(p.affinity[e, x] for x in c)) for e, c in enumerate(combo)) >= threshold
    )
    bound = total_bound_at(p, threshold, [], seconds=30)
    assert bound is not None and bound >= best_total - 1e-6
    scale = float(max(1, int(p.affinity.max())))
    beta = np.array(prices[: p.n_experts])
    assert _lagrangian_total(p, Reduced.of(p), threshold, beta, scale) >= best_total - 1e-6


def test_the_total_bound_proves_both_targets_out_of_reach_on_hot_101() -> None:
    # hot 500 x 300 seed 101: any assignment whose worst entry reaches 0.97 x the ceiling (1.6509, the
    # per-entry bound, which the LP ceiling equals there) has a total under 99 % of the total-mode optimum
    scores, conflicts = instance("hot", 500, 300, 101)
    p = Problem(np.round(scores * 1_000_000).astype(np.int64), ~conflicts, k=3, max_load=6)
    r = Reduced.of(p)
    ceiling = int(np.sort(np.where(r.allowed, p.affinity, -1), axis=1)[:, -3:].sum(axis=1).min())
    # 15 s: the heuristic pricing proves it (98.80 %, about 6 s); the exact rounds only tighten it
    bound = total_bound_at(p, int(np.ceil(0.97 * ceiling)), [solve_total(p).pairs], seconds=15.0)
    assert bound is not None and bound < 0.99 * solve_total(p).total


def test_whole_reviewer_sets_reach_what_lp_rounding_and_augmenting_paths_did_not() -> None:
    # hot 500 x 300 seed 101 (the round), k = 3, at most 6: the LP ceiling is the per-entry bound
    # (1.6509); LP rounding and augmenting paths stopped at 0.962 of it (every start ended at 1.588270).
    # Whole sets at 0.97 of the ceiling: the MIP over the sets leaves a few entries without one, and the
    # repair brings them up to the threshold.
    scores, conflicts = instance("hot", 500, 300, 101)
    p = Problem(np.round(scores * 1_000_000).astype(np.int64), ~conflicts, k=3, max_load=6)
    r = Reduced.of(p)
    ceiling = int(np.sort(np.where(r.allowed, p.affinity, -1), axis=1)[:, -3:].sum(axis=1).min())
    threshold = int(np.ceil(0.97 * ceiling))
    assert threshold > 1_588_270
    how, pairs = _set_start(p.affinity, r, threshold, [], _Sets(500), _Clock(120, None, None), 3.0)
    assert how == "ok" and pairs is not None
    state = _Repair(p.affinity, r.allowed, r.lo, r.hi, r.fixed_sum, pairs)
    assert state.reach(threshold, _Clock(60, None, None))
    check_valid(p, state.pairs())
    assert state.worst >= threshold


def test_whole_reviewer_sets_from_the_total_mode_answer_reach_0_97_of_the_ceiling_on_hot_105() -> None:
    # hot 500 x 300 seed 105: fair mode's ceiling is the set ceiling 1.544177; until 1 December every
    # start stopped at 1.480783 (0.959 of it), and whether 0.97 of it was reachable at all was unknown.
    # The MIP over whole sets priced from the total-mode answer alone covers every entry at 0.975 of it
    # (about 3 s on a quiet machine; 8 s allowed here), so the target is reachable and fair mode now keeps it.
    scores, conflicts = instance("hot", 500, 300, 105)
    p = Problem(np.round(scores * 1_000_000).astype(np.int64), ~conflicts, k=3, max_load=6)
    r = Reduced.of(p)
    threshold = int(np.ceil(0.97 * 1_544_177))
    how, pairs = _set_start(
        p.affinity,
        r,
        int(np.ceil(0.975 * 1_544_177)),
        [solve_total(p).pairs],
        _Sets(500),
        _Clock(120, None, None),
        8.0,
    )
    assert how == "ok" and pairs is not None
    state = _Repair(p.affinity, r.allowed, r.lo, r.hi, r.fixed_sum, pairs)
    assert state.reach(threshold, _Clock(60, None, None))
    check_valid(p, state.pairs())
    assert state.worst >= threshold > 1_480_783


@pytest.mark.parametrize("family", ["topics", "sparse"])
def test_whole_sets_raise_the_total_at_the_worst_value_and_keep_every_entry_there(family: str) -> None:
    # a medium round: the fair answer's worst value W, then the largest total by whole sets with every
    # entry at W or more; the fair answer's own sets are among the columns, so the MIP (gap 0.01 %)
    # cannot end far below its total, and the answer it gives must be valid with every entry at W
    scores, conflicts = instance(family, 150, 90, 104)
    p = Problem(np.round(scores * 1_000_000).astype(np.int64), ~conflicts, k=3, max_load=6)
    r = Reduced.of(p)
    fair = solve_fair(p, time_limit=5)
    pairs = _sets_total(p.affinity, r, fair.worst, [fair.pairs], _Clock(60, None, None), 0, 10.0)
    assert pairs is not None
    check_valid(p, pairs)
    sums = np.zeros(p.n_entries, dtype=np.int64)
    for e, x in pairs:
        sums[e] += p.affinity[e, x]
    assert sums.min() >= fair.worst
    assert sums.sum() >= 0.9999 * fair.total
    # nothing to gain over a total at least the LP's: None
    assert _sets_total(p.affinity, r, fair.worst, [fair.pairs], _Clock(60, None, None), 10**15, 10.0) is None


def test_the_set_ceiling_proves_the_lp_ceiling_loose_on_hot_102() -> None:
    # hot 500 x 300 seed 102: the LP ceiling is 1.812020; the configuration LP's prices prove that no
    # assignment gives every entry 0.975 of it (1.766720), so fair mode reports that as its ceiling
    scores, conflicts = instance("hot", 500, 300, 102)
    p = Problem(np.round(scores * 1_000_000).astype(np.int64), ~conflicts, k=3, max_load=6)
    threshold = int(np.ceil(0.975 * 1_812_020))
    how, pairs = _set_start(
        p.affinity, Reduced.of(p), threshold, [solve_total(p).pairs], _Sets(500), _Clock(120, None, None), 3.0
    )
    assert (how, pairs) == ("unreachable", None)


def test_a_round_too_large_for_the_lp_gets_a_valid_answer_from_the_bottleneck_start(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # 2,000 x 1,000 skips the LP; the same path on a 120 x 80 round, quickly
    monkeypatch.setattr(fair_module, "LP_PAIRS", 0)
    monkeypatch.setattr(fair_module, "SEARCH_PAIRS", 0)  # nor CP-SAT, as on a large round
    p = _generated("topics", 120, 80, 109, load=5)
    total = solve_total(p)
    started = time.perf_counter()
    fair = solve_fair(p, time_limit=4)
    assert time.perf_counter() - started < 4 + 4  # a step under way finishes (load 19: 4.3-6.9 s)
    check_valid(p, fair.pairs)
    assert fair.method.startswith("bottleneck flow"), fair.method
    assert fair.ceiling is not None and fair.ceiling >= fair.worst > 1.5 * total.worst
    assert fair.total >= 0.95 * total.total


def _generated(family: str, entries: int, experts: int, seed: int, load: int) -> Problem:
    scores, conflicts = instance(family, entries, experts, seed)
    return Problem(np.round(scores * 1000).astype(np.int64), ~conflicts, k=3, max_load=load)


def test_a_topic_skewed_round_gets_within_three_percent_of_the_ceiling() -> None:
    # 120 entries x 80 experts, k = 3, at most 5 each: the previous method (a MIP at the per-entry bound,
    # then CP-SAT bisection) returned a worst entry of 53 % of the ceiling in 10 s on this round.
    p = _generated("topics", 120, 80, 109, load=5)
    total = solve_total(p)
    fair = solve_fair(p, time_limit=10)
    check_valid(p, fair.pairs)
    assert fair.ceiling is not None and fair.gap is not None
    assert fair.worst >= 0.97 * fair.ceiling, (fair.worst, fair.ceiling, fair.method)
    assert fair.worst > 1.5 * total.worst
    assert fair.total_optimum == total.total and fair.total >= 0.95 * total.total
    assert fair.method.startswith("LP rounding")


def test_the_time_limit_holds_and_the_answer_says_how_it_was_reached() -> None:
    p = _generated("hot", 200, 120, 101, load=6)
    started = time.perf_counter()
    fair = solve_fair(p, time_limit=2.0)
    assert time.perf_counter() - started < 2.0 + 1.5  # the last step finishes; nothing new starts
    check_valid(p, fair.pairs)
    assert fair.ceiling is not None and fair.worst <= fair.ceiling
    assert fair.method  # never silently the total-mode answer
    stopped = solve_fair(p, time_limit=20, should_stop=lambda: True)
    check_valid(p, stopped.pairs)
    assert stopped.method.endswith("(cancelled)")


def test_progress_reports_stages_and_a_rising_worst_entry() -> None:
    p = _generated("topics", 120, 80, 109, load=5)
    seen: list[tuple[str, int | None, float | None]] = []
    solve_fair(
        p, time_limit=10, progress=lambda stage, worst, ceiling, _s: seen.append((stage, worst, ceiling))
    )
    stages = [s for s, _w, _c in seen]
    assert stages[0] == "total" and "ceiling" in stages and "repair" in stages
    worsts = [w for _s, w, _c in seen if w is not None]
    assert worsts == sorted(worsts)


def test_a_medium_hot_topic_round_gets_cp_sat_from_the_best_answer_for_the_time_left() -> None:
    # 120 entries x 80 experts (about 9,000 allowed pairs), 40 % of the entries on a topic few experts
    # know, k = 3, at most 5 each: LP rounding and augmenting paths alone stop at 1266 of a ceiling of
    # 1308 (96.8 %) after about 1.5 s. CP-SAT from that answer then runs for most of the time left; on a
    # loaded 2-core machine it reached 1271-1283 (97.2-98.1 %) in 3 of 5 runs of 20 s and found nothing
    # better in the others, so this asserts what always holds: the time is used, the worst entry never
    # falls below the repair's, the answer stays valid and says how it was reached.
    p = _generated("hot", 120, 80, 111, load=5)
    seen: list[str] = []
    fair = solve_fair(p, time_limit=6, progress=lambda stage, _w, _c, _s: seen.append(stage))
    check_valid(p, fair.pairs)
    assert "exact" in seen
    assert fair.ceiling is not None and fair.ceiling >= fair.worst >= 1266, (fair.worst, fair.ceiling)
    assert fair.method.split(" (")[0] in (  # "(time limit reached)" on a loaded machine
        "CP-SAT",
        "LP rounding + augmenting paths",
        "whole reviewer sets + augmenting paths",
        "bottleneck flow + augmenting paths",
    )
    assert fair.total_optimum is not None and fair.total >= 0.95 * fair.total_optimum


def test_every_stage_fair_mode_reports_has_a_label_on_the_round_page() -> None:
    # the progress panel shows the stage by its label; an unlabelled one would show its code ("sets")
    import re
    from pathlib import Path

    from lianmeng.research.views import STAGES

    source = Path(fair_module.__file__).read_text(encoding="utf-8")
    reported = set(re.findall(r'report\("([a-z]+)"', source))
    assert reported and reported <= set(STAGES), reported - set(STAGES)

"""The solver on random small instances: every entry gets k reviewers, no load limit is exceeded, no
conflict is used, the total equals the exact optimum of an independent LP (SciPy HiGHS), and the fair
mode equals brute force."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog
from scipy.sparse import lil_matrix

from lianmeng.research.fair import solve_fair
from lianmeng.research.solver import NoValidAssignment, Problem, solve_total

pytestmark = pytest.mark.one_pass  # the solver's own instances, no database


@st.composite
def instances(draw: st.DrawFn) -> Problem:
    n_e = draw(st.integers(1, 5))
    n_x = draw(st.integers(2, 6))
    k = draw(st.integers(1, min(3, n_x)))
    aff = np.array(
        draw(st.lists(st.integers(0, 100), min_size=n_e * n_x, max_size=n_e * n_x)), dtype=np.int64
    )
    allowed = np.array(draw(st.lists(st.booleans(), min_size=n_e * n_x, max_size=n_e * n_x)), dtype=bool)
    # Conflicts are rarer than free pairs, as in real rounds.
    allowed |= np.array(draw(st.lists(st.booleans(), min_size=n_e * n_x, max_size=n_e * n_x)), dtype=bool)
    max_load = draw(st.integers(1, 4))
    min_load = draw(st.integers(0, 1))
    return Problem(aff.reshape(n_e, n_x), allowed.reshape(n_e, n_x), k, max_load, min(min_load, max_load))


def lp_optimum(p: Problem) -> float | None:
    """max Σ a·x subject to Σ_x x = k per entry, min ≤ Σ_e x ≤ max per expert, 0 ≤ x ≤ 1, conflicts 0."""
    n_e, n_x = p.affinity.shape
    lo, hi = p.loads()
    n = n_e * n_x
    a_eq = lil_matrix((n_e, n))
    for e in range(n_e):
        a_eq[e, e * n_x : (e + 1) * n_x] = 1
    a_ub = lil_matrix((2 * n_x, n))
    for x in range(n_x):
        for e in range(n_e):
            a_ub[x, e * n_x + x] = 1
            a_ub[n_x + x, e * n_x + x] = -1
    bounds = [(0, 1 if p.allowed[e, x] else 0) for e in range(n_e) for x in range(n_x)]
    res = linprog(
        -p.affinity.reshape(-1).astype(float),
        A_ub=a_ub.tocsr(),
        b_ub=np.concatenate([hi, -lo]),
        A_eq=a_eq.tocsr(),
        b_eq=np.full(n_e, p.k),
        bounds=bounds,
        method="highs",
    )
    return -res.fun if res.status == 0 else None


def brute_force(p: Problem) -> tuple[int | None, tuple[int, int] | None]:
    """(best total, best (worst, total)) by enumerating every assignment."""
    n_e, n_x = p.affinity.shape
    lo, hi = p.loads()
    options = [
        [c for c in itertools.combinations(range(n_x), p.k) if all(p.allowed[e, x] for x in c)]
        for e in range(n_e)
    ]
    best_total = None
    best_fair = None
    for combo in itertools.product(*options):
        loads = np.zeros(n_x, dtype=int)
        for c in combo:
            for x in c:
                loads[x] += 1
        if (loads > hi).any() or (loads < lo).any():
            continue
        sums = [int(sum(p.affinity[e, x] for x in c)) for e, c in enumerate(combo)]
        total = sum(sums)
        best_total = total if best_total is None else max(best_total, total)
        key = (min(sums), total)
        best_fair = key if best_fair is None else max(best_fair, key)
    return best_total, best_fair


def check_valid(p: Problem, pairs: list[tuple[int, int]]) -> None:
    n_e, n_x = p.affinity.shape
    lo, hi = p.loads()
    per_entry = np.zeros(n_e, dtype=int)
    loads = np.zeros(n_x, dtype=int)
    assert len(set(pairs)) == len(pairs)
    for e, x in pairs:
        assert p.allowed[e, x], "a conflicted pair was used"
        per_entry[e] += 1
        loads[x] += 1
    assert (per_entry == p.k).all(), "an entry did not get k reviewers"
    assert (loads <= hi).all() and (loads >= lo).all(), "a load limit was broken"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_total_mode_is_valid_and_equals_the_lp_optimum(p: Problem) -> None:
    optimum = lp_optimum(p)
    try:
        solution = solve_total(p)
    except NoValidAssignment:
        assert optimum is None, "the solver said infeasible but the LP found an assignment"
        return
    check_valid(p, solution.pairs)
    assert optimum is not None
    assert solution.total == round(optimum)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_fair_mode_equals_brute_force(p: Problem) -> None:
    best_total, best_fair = brute_force(p)
    try:
        solution = solve_fair(p)
    except NoValidAssignment:
        assert best_fair is None
        return
    check_valid(p, solution.pairs)
    assert (solution.worst, solution.total) == best_fair
    assert best_total is not None and solution.total <= best_total


def test_fixed_pairs_stay_and_count_against_loads() -> None:
    aff = np.array([[90, 10, 50], [80, 70, 20]], dtype=np.int64)
    p = Problem(aff, np.ones((2, 3), dtype=bool), k=1, max_load=1, fixed=[(1, 0)])
    solution = solve_total(p)
    assert (1, 0) in solution.pairs
    assert (0, 0) not in solution.pairs  # expert 0 is full
    assert solution.pairs == [(0, 2), (1, 0)]


def test_infeasible_names_the_entry() -> None:
    allowed = np.array([[True, True], [False, True]])
    p = Problem(np.ones((2, 2), dtype=np.int64), allowed, k=2, max_load=2)
    with pytest.raises(NoValidAssignment) as exc:
        solve_total(p, labels=["甲案例", "乙案例"])
    assert exc.value.entries == [1]
    assert "乙案例" in str(exc.value)


def test_fair_mode_lifts_the_worst_entry() -> None:
    # Total mode gives both good experts to entry 0; fair mode shares them.
    aff = np.array([[100, 90, 0, 0], [60, 50, 5, 5]], dtype=np.int64)
    p = Problem(aff, np.ones((2, 4), dtype=bool), k=2, max_load=1)
    total = solve_total(p)
    fair = solve_fair(p)
    assert total.total == 200 and total.worst == 10
    assert fair.worst > total.worst
    assert fair.total <= total.total


def test_fair_mode_below_an_unreachable_upper_bound_uses_the_bisection() -> None:
    # Both entries want expert X (load 1). The per-entry bound min(100, 50) = 50 cannot be reached:
    # the best worst entry is 40 (A gets Y, B gets X), which fair mode proves; total mode gives 100/0.
    aff = np.array([[100, 40, 0], [50, 0, 0]], dtype=np.int64)
    allowed = np.array([[True, True, False], [True, False, True]])
    p = Problem(aff, allowed, k=1, max_load=1)
    total = solve_total(p)
    fair = solve_fair(p)
    assert (total.total, total.worst) == (100, 0)
    assert (fair.worst, fair.total) == (40, 90)
    assert fair.optimal and fair.worst_optimal
    assert sorted(fair.pairs) == [(0, 1), (1, 0)]


def test_fair_mode_reports_best_found_when_out_of_time() -> None:
    aff = np.array([[100, 40, 0], [50, 0, 0]], dtype=np.int64)
    allowed = np.array([[True, True, False], [True, False, True]])
    fair = solve_fair(Problem(aff, allowed, k=1, max_load=1), time_limit=0.0)
    assert sorted(fair.pairs) == [(0, 0), (1, 2)]  # the total-mode answer: valid, not the fair optimum
    assert not fair.optimal and not fair.worst_optimal

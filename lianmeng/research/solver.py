"""Optimal reviewer assignment (no Django here: the same code serves the web app and ``lianmeng assign``).

Two modes over the same constraints — every entry gets exactly ``k`` reviewers, every expert reviews
between ``min_load`` and ``max_load`` entries, conflicted pairs are never used, pairs already fixed
(manual choices, reviews under way) stay:

- ``total``: maximum total affinity. A min-cost flow (OR-Tools ``SimpleMinCostFlow``) on
  source -> expert (load) -> entry (capacity 1). The constraint matrix is totally unimodular, so the
  integral flow is the exact optimum of the integer problem (tests compare it with an LP on HiGHS and
  with brute force).
- ``fair``: maximise the worst entry's affinity (the sum over its reviewers), then the total among the
  assignments that reach that worst value, with a proven ceiling and the gap to it (``fair.py``:
  LP relaxation on HiGHS, rounding by min-cost flow, augmenting-path repair, exact phases on small
  rounds).

Affinities are integers (the web app uses 0-100 points; CSV scores are scaled to integers by the
caller), so "equals the optimum" is an exact comparison.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

MODES = ("total", "fair")
FAIR_TIME_LIMIT = 20.0  # seconds for the whole fair computation; then the best found is returned

# progress(stage, best worst entry so far or None, ceiling or None, seconds since the start)
Progress = Callable[[str, "int | None", "float | None", float], None]


class NoValidAssignment(Exception):
    """No assignment satisfies k, the loads and the conflicts. ``reasons`` say why, naming entries."""

    def __init__(self, reasons: list[str], entries: list[int] | None = None) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = reasons
        self.entries = entries or []


@dataclass
class Problem:
    """``affinity[e, x]`` for entry e and expert x; ``allowed[e, x]`` False where a conflict forbids it."""

    affinity: NDArray[np.int64]
    allowed: NDArray[np.bool_]
    k: int
    max_load: int | NDArray[np.int64]
    min_load: int | NDArray[np.int64] = 0
    fixed: list[tuple[int, int]] = field(default_factory=list)

    @property
    def n_entries(self) -> int:
        return int(self.affinity.shape[0])

    @property
    def n_experts(self) -> int:
        return int(self.affinity.shape[1])

    def loads(self) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        n = self.n_experts
        hi = np.broadcast_to(np.asarray(self.max_load, dtype=np.int64), (n,)).copy()
        lo = np.broadcast_to(np.asarray(self.min_load, dtype=np.int64), (n,)).copy()
        return lo, hi


@dataclass
class Solution:
    pairs: list[tuple[int, int]]  # (entry index, expert index), fixed pairs included
    total: int
    worst: int  # the smallest per-entry affinity sum
    worst_entry: int | None
    loads: NDArray[np.int64]
    seconds: float
    mode: str
    optimal: bool = True  # every objective of the mode proven optimal
    worst_optimal: bool = True  # fair mode: the worst entry's value proven optimal (step 2)
    # fair mode: a proven upper bound on the worst entry (the LP relaxation, or the per-entry bound
    # when that is lower), the total-mode optimum for comparison, and how the answer was reached
    ceiling: int | None = None
    total_optimum: int | None = None
    method: str = ""

    @property
    def gap(self) -> float | None:
        """The worst entry's distance to the proven ceiling, as a share of the ceiling (0 = optimal)."""
        if self.ceiling is None:
            return None
        if self.ceiling <= 0:
            return 0.0
        return max(0.0, (self.ceiling - self.worst) / self.ceiling)

    @property
    def load_spread(self) -> int:
        used = self.loads
        return int(used.max() - used.min()) if used.size else 0


def _reduced(
    problem: Problem,
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64], NDArray[np.bool_]]:
    """Per-entry remaining k, per-expert remaining (min, max) loads and allowed pairs, after fixed pairs."""
    lo, hi = problem.loads()
    need = np.full(problem.n_entries, problem.k, dtype=np.int64)
    allowed = problem.allowed.copy()
    for e, x in problem.fixed:
        need[e] -= 1
        hi[x] -= 1
        lo[x] = max(0, lo[x] - 1)
        allowed[e, x] = False
    return need, lo, hi, allowed


class Reduced(NamedTuple):
    """``_reduced``'s arrays and each entry's affinity from its fixed pairs (``fixed_sum``): what the
    fair mode's steps work on (``need, lo, hi, allowed, fixed_sum = r``)."""

    need: NDArray[np.int64]
    lo: NDArray[np.int64]
    hi: NDArray[np.int64]
    allowed: NDArray[np.bool_]
    fixed_sum: NDArray[np.int64]

    @classmethod
    def of(cls, problem: Problem) -> Reduced:
        need, lo, hi, allowed = _reduced(problem)
        fixed_sum = np.zeros(problem.n_entries, dtype=np.int64)
        for e, x in problem.fixed:
            fixed_sum[e] += problem.affinity[e, x]
        return cls(need, lo, hi, allowed, fixed_sum)


def check_feasible(problem: Problem, labels: list[str] | None = None) -> None:
    """Cheap necessary conditions, with a message naming what is wrong. Raises NoValidAssignment."""
    need, lo, hi, allowed = _reduced(problem)
    name = (lambda e: labels[e]) if labels else (lambda e: f"#{e + 1}")
    reasons: list[str] = []
    bad_entries: list[int] = []
    if (need < 0).any():
        for e in np.flatnonzero(need < 0):
            reasons.append(f"entry {name(int(e))}: more fixed reviewers than k={problem.k}")
            bad_entries.append(int(e))
    if (hi < 0).any():
        reasons.append("an expert has more fixed entries than the maximum load")
    usable = (allowed & (hi > 0)[None, :]).sum(axis=1)
    for e in np.flatnonzero(usable < need):
        reasons.append(
            f"entry {name(int(e))}: only {int(usable[e])} non-conflicted experts available, {int(need[e])} needed"
        )
        bad_entries.append(int(e))
    if need.sum() > np.maximum(hi, 0).sum():
        reasons.append(
            f"{int(need.sum())} reviews needed but the experts' maximum loads allow only {int(np.maximum(hi, 0).sum())}"
        )
    if lo.sum() > need.sum():
        reasons.append(
            f"minimum loads add up to {int(lo.sum())} reviews, more than the {int(need.sum())} needed"
        )
    if reasons:
        raise NoValidAssignment(reasons, bad_entries)


def _finish(
    problem: Problem,
    new_pairs: list[tuple[int, int]],
    started: float,
    mode: str,
    optimal: bool,
    worst_optimal: bool | None = None,
) -> Solution:
    pairs = sorted({*problem.fixed, *new_pairs})
    per_entry = np.zeros(problem.n_entries, dtype=np.int64)
    loads = np.zeros(problem.n_experts, dtype=np.int64)
    for e, x in pairs:
        per_entry[e] += problem.affinity[e, x]
        loads[x] += 1
    worst_entry = int(per_entry.argmin()) if per_entry.size else None
    return Solution(
        pairs=pairs,
        total=int(per_entry.sum()),
        worst=int(per_entry.min()) if per_entry.size else 0,
        worst_entry=worst_entry,
        loads=loads,
        seconds=time.perf_counter() - started,
        mode=mode,
        optimal=optimal,
        worst_optimal=optimal if worst_optimal is None else worst_optimal,
    )


def max_weight_pairs(
    weights: NDArray[np.int64],
    allowed: NDArray[np.bool_],
    need: NDArray[np.int64],
    lo: NDArray[np.int64],
    hi: NDArray[np.int64],
) -> list[tuple[int, int]] | None:
    """The pairs of largest total ``weights`` with ``need[e]`` experts per entry and loads within
    ``[lo, hi]``, over the ``allowed`` pairs: a min-cost flow, exact (None when there is none)."""
    from ortools.graph.python import min_cost_flow

    n_e, n_x = allowed.shape
    source = 0
    expert_node = np.arange(1, n_x + 1, dtype=np.int64)
    entry_node = np.arange(n_x + 1, n_x + 1 + n_e, dtype=np.int64)
    ee, xx = np.nonzero(allowed)
    ee = ee.astype(np.int64)
    xx = xx.astype(np.int64)
    tails = np.concatenate([np.full(n_x, source, dtype=np.int64), expert_node[xx]])
    heads = np.concatenate([expert_node, entry_node[ee]])
    caps = np.concatenate([hi - lo, np.ones(len(ee), dtype=np.int64)])
    costs = np.concatenate([np.zeros(n_x, dtype=np.int64), -weights[ee, xx].astype(np.int64)])
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    # Lower bounds on loads: the expert node supplies its minimum itself, the source the rest.
    supplies = np.concatenate([[int(need.sum() - lo.sum())], lo, -need]).astype(np.int64)
    flow.set_nodes_supplies(np.arange(n_x + n_e + 1, dtype=np.int64), supplies)
    if flow.solve() != flow.OPTIMAL:
        return None
    used = flow.flows(np.arange(n_x, n_x + len(ee), dtype=np.int64)) > 0
    return list(zip(ee[used].tolist(), xx[used].tolist(), strict=True))


def solve_total(problem: Problem, labels: list[str] | None = None) -> Solution:
    """Maximum total affinity, exact (min-cost flow)."""
    started = time.perf_counter()
    check_feasible(problem, labels)
    need, lo, hi, allowed = _reduced(problem)
    new_pairs = max_weight_pairs(problem.affinity, allowed, need, lo, hi)
    if new_pairs is None:
        raise NoValidAssignment(
            [
                "no assignment satisfies k, the load limits and the conflicts together (the experts that "
                "entries could use are already at their maximum load)"
            ]
        )
    return _finish(problem, new_pairs, started, "total", True)


def _usable_at(
    problem: Problem,
    threshold: int,
    need: NDArray[np.int64],
    allowed: NDArray[np.bool_],
    fixed_sum: NDArray[np.int64],
) -> NDArray[np.bool_]:
    """The allowed pairs that can be part of an assignment where every entry reaches ``threshold``.

    A pair (e, x) with affinity a can only be used if a plus the best ``need[e] - 1`` other allowed
    experts of e reaches ``threshold - fixed_sum[e]``. Dropping the other pairs loses no solution, so
    the check and the optimum are unchanged (exact), and the model shrinks to the pairs that matter
    (a fifth of them on the 500 x 300 benchmark)."""
    n_e = problem.n_entries
    masked = np.where(allowed, problem.affinity, -1).astype(np.int64)
    keep = np.zeros_like(allowed)
    top = -np.sort(-masked, axis=1)
    for e in range(n_e):
        n = int(need[e])
        if n <= 0:
            continue
        goal = threshold - int(fixed_sum[e])
        s_need = int(top[e, :n].sum())
        s_rest = int(top[e, : n - 1].sum())
        v_need = int(top[e, n - 1])
        row = masked[e]
        keep[e] = allowed[e] & (
            ((row >= v_need) & (s_need >= goal)) | ((row < v_need) & (row + s_rest >= goal))
        )
    return keep


def _check(
    problem: Problem,
    pairs: list[tuple[int, int]],
    need: NDArray[np.int64],
    lo: NDArray[np.int64],
    hi: NDArray[np.int64],
    keep: NDArray[np.bool_],
    fixed_sum: NDArray[np.int64],
    threshold: int,
) -> bool:
    """Integer re-check of a solver's answer (k, loads, conflicts, thresholds) before it is trusted."""
    per_entry = fixed_sum.copy()
    count = np.zeros(problem.n_entries, dtype=np.int64)
    loads = np.zeros(problem.n_experts, dtype=np.int64)
    for e, x in pairs:
        if not keep[e, x]:
            return False
        per_entry[e] += problem.affinity[e, x]
        count[e] += 1
        loads[x] += 1
    return bool(
        (count == need).all()
        and (loads >= lo).all()
        and (loads <= hi).all()
        and (per_entry >= threshold).all()
    )


def _best_total_at(
    problem: Problem, r: Reduced, threshold: int, seconds: float
) -> tuple[str, list[tuple[int, int]]]:
    """The largest total with every entry at least ``threshold``: a mixed-integer program solved by
    HiGHS through OR-Tools MathOpt with zero relative gap, over the pairs that can reach the threshold
    (entries that reach it with any reviewers get no threshold row). "optimal" only when the solver's
    dual bound is less than one point above the solution (affinities are integers), after an integer
    re-check of the solution. Returns ("optimal" | "feasible" | "infeasible" | "unknown", new pairs)."""
    from ortools.math_opt.python import mathopt

    need, lo, hi, allowed, fixed_sum = r
    keep = _usable_at(problem, threshold, need, allowed, fixed_sum)
    ee, xx = np.nonzero(keep)
    values = problem.affinity[ee, xx]
    model = mathopt.Model(name="fair")
    variables = [model.add_binary_variable() for _ in range(len(ee))]
    by_entry: list[list[int]] = [[] for _ in range(problem.n_entries)]
    by_expert: list[list[int]] = [[] for _ in range(problem.n_experts)]
    for i, (e, x) in enumerate(zip(ee.tolist(), xx.tolist(), strict=True)):
        by_entry[e].append(i)
        by_expert[x].append(i)
    for e in range(problem.n_entries):
        n = int(need[e])
        goal = threshold - int(fixed_sum[e])
        if not n:
            if goal > 0:
                return "infeasible", []
            continue
        model.add_linear_constraint(mathopt.fast_sum(variables[i] for i in by_entry[e]) == n)
        if int(np.sort(values[by_entry[e]])[:n].sum()) < goal:
            model.add_linear_constraint(
                mathopt.fast_sum(int(values[i]) * variables[i] for i in by_entry[e]) >= goal
            )
    for x in range(problem.n_experts):
        if by_expert[x]:
            load = mathopt.fast_sum(variables[i] for i in by_expert[x])
            model.add_linear_constraint(load <= int(hi[x]))
            if lo[x] > 0:
                model.add_linear_constraint(load >= int(lo[x]))
        elif lo[x] > 0:
            return "infeasible", []
    model.maximize(mathopt.fast_sum(int(values[i]) * v for i, v in enumerate(variables)))
    params = mathopt.SolveParameters(
        relative_gap_tolerance=0.0,
        absolute_gap_tolerance=0.5,
        time_limit=datetime.timedelta(seconds=max(0.1, seconds)),
        enable_output=False,
    )
    try:
        result = mathopt.solve(model, mathopt.SolverType.HIGHS, params=params)
    except (RuntimeError, ValueError):
        return "unknown", []
    reason = result.termination.reason
    if reason in (mathopt.TerminationReason.INFEASIBLE, mathopt.TerminationReason.INFEASIBLE_OR_UNBOUNDED):
        return "infeasible", []
    if not result.has_primal_feasible_solution():
        return "unknown", []
    solution = result.variable_values(variables)
    pairs = [(int(ee[i]), int(xx[i])) for i, value in enumerate(solution) if value > 0.5]
    if not _check(problem, pairs, need, lo, hi, keep, fixed_sum, threshold):
        return "unknown", []
    total = int(values[[i for i, value in enumerate(solution) if value > 0.5]].sum())
    bound = result.termination.objective_bounds.dual_bound
    proven = reason == mathopt.TerminationReason.OPTIMAL and bound < total + 1
    return ("optimal" if proven else "feasible"), pairs


def solve(
    problem: Problem,
    mode: str = "total",
    labels: list[str] | None = None,
    time_limit: float = FAIR_TIME_LIMIT,
    progress: Progress | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> Solution:
    if mode == "fair":
        # cycle: fair mode (research.fair) builds on this module's Problem and Reduced
        from .fair import solve_fair

        return solve_fair(problem, labels, time_limit=time_limit, progress=progress, should_stop=should_stop)
    if mode == "total":
        return solve_total(problem, labels)
    raise ValueError(f"unknown mode {mode!r}")

"""Optimal reviewer assignment (no Django here: the same code serves the web app and ``lianmeng assign``).

Two modes over the same constraints — every entry gets exactly ``k`` reviewers, every expert reviews
between ``min_load`` and ``max_load`` entries, conflicted pairs are never used, pairs already fixed
(manual choices, reviews under way) stay:

- ``total``: maximum total affinity. A min-cost flow (OR-Tools ``SimpleMinCostFlow``) on
  source -> expert (load) -> entry (capacity 1). The constraint matrix is totally unimodular, so the
  integral flow is the exact optimum of the integer problem (tests compare it with an LP on HiGHS and
  with brute force).
- ``fair``: maximise the worst entry's affinity (the sum over its reviewers), then the total among the
  assignments that reach that worst value. Two CP-SAT solves, the first hinted with the total-mode
  answer.

Affinities are integers (the web app uses 0-100 points; CSV scores are scaled to integers by the
caller), so "equals the optimum" is an exact comparison.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

MODES = ("total", "fair")


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
    optimal: bool = True

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
    problem: Problem, new_pairs: list[tuple[int, int]], started: float, mode: str, optimal: bool
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
    )


def solve_total(problem: Problem, labels: list[str] | None = None) -> Solution:
    """Maximum total affinity, exact (min-cost flow)."""
    from ortools.graph.python import min_cost_flow

    started = time.perf_counter()
    check_feasible(problem, labels)
    need, lo, hi, allowed = _reduced(problem)
    n_e, n_x = problem.n_entries, problem.n_experts
    source = 0
    expert_node = np.arange(1, n_x + 1, dtype=np.int64)
    entry_node = np.arange(n_x + 1, n_x + 1 + n_e, dtype=np.int64)
    ee, xx = np.nonzero(allowed)
    ee = ee.astype(np.int64)
    xx = xx.astype(np.int64)
    tails = np.concatenate([np.full(n_x, source, dtype=np.int64), expert_node[xx]])
    heads = np.concatenate([expert_node, entry_node[ee]])
    caps = np.concatenate([hi - lo, np.ones(len(ee), dtype=np.int64)])
    costs = np.concatenate([np.zeros(n_x, dtype=np.int64), -problem.affinity[ee, xx].astype(np.int64)])
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    # Lower bounds on loads: the expert node supplies its minimum itself, the source the rest.
    supplies = np.concatenate([[int(need.sum() - lo.sum())], lo, -need]).astype(np.int64)
    flow.set_nodes_supplies(np.arange(n_x + n_e + 1, dtype=np.int64), supplies)
    status = flow.solve()
    if status != flow.OPTIMAL:
        raise NoValidAssignment(
            [
                "no assignment satisfies k, the load limits and the conflicts together (the experts that "
                "entries could use are already at their maximum load)"
            ]
        )
    used = flow.flows(np.arange(n_x, n_x + len(ee), dtype=np.int64)) > 0
    new_pairs = list(zip(ee[used].tolist(), xx[used].tolist(), strict=True))
    return _finish(problem, new_pairs, started, "total", True)


def solve_fair(problem: Problem, labels: list[str] | None = None, time_limit: float = 20.0) -> Solution:
    """Maximise the worst entry's affinity, then the total among assignments reaching it (CP-SAT)."""
    from ortools.sat.python import cp_model

    started = time.perf_counter()
    base = solve_total(problem, labels)  # feasibility, a hint, and the fallback
    need, lo, hi, allowed = _reduced(problem)
    n_e, n_x = problem.n_entries, problem.n_experts
    fixed_sum = np.zeros(n_e, dtype=np.int64)
    for e, x in problem.fixed:
        fixed_sum[e] += problem.affinity[e, x]
    # Upper bound of the worst entry: each entry with its best allowed experts. When the total-mode
    # answer already reaches it, that answer is also the fair optimum (it has the largest total).
    bound = None
    for e in range(n_e):
        row = np.sort(problem.affinity[e][allowed[e]])[::-1][: int(need[e])]
        value = int(row.sum()) + int(fixed_sum[e])
        bound = value if bound is None else min(bound, value)
    if bound is not None and base.worst >= bound:
        return _finish(problem, [p for p in base.pairs if p not in set(problem.fixed)], started, "fair", True)
    base_set = set(base.pairs)

    model = cp_model.CpModel()
    ee, xx = np.nonzero(allowed)
    variables = {}
    by_entry: list[list[tuple[int, Any]]] = [[] for _ in range(n_e)]
    by_expert: list[list[Any]] = [[] for _ in range(n_x)]
    for e, x in zip(ee.tolist(), xx.tolist(), strict=True):
        v = model.new_bool_var(f"x{e}_{x}")
        variables[(e, x)] = v
        by_entry[e].append((int(problem.affinity[e, x]), v))
        by_expert[x].append(v)
        model.add_hint(v, (e, x) in base_set)
    worst = model.new_int_var(0, int(bound or 0), "worst")
    entry_sums = []
    for e in range(n_e):
        if by_entry[e]:
            model.add(cp_model.LinearExpr.sum([v for _a, v in by_entry[e]]) == int(need[e]))
        s = cp_model.LinearExpr.weighted_sum(
            [v for _a, v in by_entry[e]], [a for a, _v in by_entry[e]]
        ) + int(fixed_sum[e])
        entry_sums.append(s)
        model.add(worst <= s)
    for x in range(n_x):
        if by_expert[x]:
            model.add_linear_constraint(cp_model.LinearExpr.sum(by_expert[x]), int(lo[x]), int(hi[x]))
        elif lo[x] > 0:
            raise NoValidAssignment([f"expert #{x + 1} cannot reach the minimum load"])
    model.maximize(worst)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = 2
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return base
    best_worst = int(solver.value(worst))
    optimal = status == cp_model.OPTIMAL
    # Second objective: the total, keeping the worst entry at least as good.
    model.clear_hints()
    for v in variables.values():
        model.add_hint(v, bool(solver.boolean_value(v)))
    model.add(worst >= best_worst)
    model.maximize(cp_model.LinearExpr.sum(entry_sums))
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return base
    optimal = optimal and status == cp_model.OPTIMAL
    new_pairs = [(e, x) for (e, x), v in variables.items() if solver.boolean_value(v)]
    return _finish(problem, new_pairs, started, "fair", optimal)


def solve(problem: Problem, mode: str = "total", labels: list[str] | None = None) -> Solution:
    if mode == "fair":
        return solve_fair(problem, labels)
    if mode == "total":
        return solve_total(problem, labels)
    raise ValueError(f"unknown mode {mode!r}")

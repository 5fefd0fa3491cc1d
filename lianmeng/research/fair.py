"""Fair mode of the reviewer assignment: the largest worst entry, with a proven ceiling (no Django here).

Same constraints as ``solver.solve_total`` (k per entry, loads, conflicts, fixed pairs). The worst entry
is the smallest per-entry affinity sum; fair mode maximises it, then the total at that worst value.
The exact problem is hard on skewed rounds (the popular topics' best experts are wanted by far more
entries than their loads allow), so fair mode combines a proof and fast heuristics, anytime:

1. The total-mode answer (exact min-cost flow): the fallback, the lower bound, the total for comparison.
2. The **ceiling**: the LP relaxation of max-min (HiGHS through SciPy, by column generation — the
   restricted LP over each entry's best experts grows until no left-out pair has a positive reduced
   cost, which proves it is the LP over all pairs), and the per-entry bound (each entry's best
   ``need`` experts), then the whole-reviewer ceiling (``_cover_ceiling``: sets of scarce experts
   counted in whole reviewers, which the LP shares out in fractions). No assignment's worst entry
   exceeds the smallest; the answer reports its gap to it.
3. **LP rounding**: the LP "largest total with every entry at least T" (T a little under the ceiling),
   rounded by a min-cost flow on affinity plus a bonus for the LP's fractional choices.
4. **Augmenting-path repair** (in the spirit of FairFlow / PeerReview4All): the weakest entry swaps a
   reviewer for a better one; the expert it takes, if full, leaves another entry which takes someone
   else, and so on until an expert with spare load (or the one just released) is reached. Every
   other entry stays at or above the threshold; the shortest chain by total affinity lost is chosen
   (Dijkstra over experts). Raising the threshold by bisection between the best worst value and the
   ceiling gives the anytime behaviour: the answer only gets better while time is left.
4a. **Whole reviewer sets** (``_set_start``), when the first start stays more than 3 % under the
   ceiling: the configuration LP (each entry a convex combination of sets of k experts reaching a
   threshold, loads) by column generation, a MIP over the sets found, the repair from there. Whole sets
   follow what the pair LP shares out in fractions (hot 500 x 300 seed 101: 0.962 -> 0.979 x ceiling).
   Where its master leaves entries short, the master's load prices give the **set ceiling**
   (``_lagrangian_cover``, exact, tried during the generation once few sets are added): a proof that no
   assignment reaches that threshold. The set start's answer is kept even when no time is left to climb.
4b. **The total at the worst value by whole sets** (``_sets_total``), where the answer gives up more than
   1 % of the total-mode optimum and the search above left half the limit: the configuration LP "largest
   total with every entry at W", then the MIP over its sets (topics 500 x 300 seed 102: 98.08 -> 98.31 %,
   sparse 104: 98.93 -> 99.14 %). Kept when it is valid and its total is larger.
5. Small rounds are then solved exactly (CP-SAT max-min with the best answer as hint, then the
   largest total at that worst value as a MIP on HiGHS), so the answer is proven optimal there; medium
   rounds (``SEARCH_PAIRS``) get the same CP-SAT max-min for most of the time left.

Everything runs within ``time_limit`` seconds; ``progress`` hears the stage, the best worst entry and
the ceiling as they improve; ``should_stop`` returning True ends the computation with the best found.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

from .solver import (
    FAIR_TIME_LIMIT,
    Problem,
    Progress,
    Reduced,
    Solution,
    _best_total_at,
    _finish,
    _usable_at,
    max_weight_pairs,
    solve_total,
)

INF = np.iinfo(np.int64).max // 4
EXACT_PAIRS = 4_000  # rounds with at most this many allowed pairs get the exact phases (5.)
SEARCH_PAIRS = 20_000  # and up to this many, CP-SAT max-min from the best answer for the time left
LP_COLUMNS = 15  # each entry's best experts in the first restricted LP
LP_BOUND_GAP = 5e-4  # the max-min LP stops when its Lagrangian bound is this close (relative)
SHORT_ROUNDS = 3  # rounds of the threshold LP before "falls short" sends it to the max-min LP
POLISH_PAIRS = 3_000  # the total's exchange polish works on pair x pair tables up to this many pairs
LAGRANGE_SECONDS = 1.5  # for the quick Lagrangian ceiling when the per-entry bound is out of reach
LP_SHARE = 0.5  # of the time limit, at most, for the LP (the ceiling and the solution to round)
MAX_STARTS = 12  # starts of the repair (LP roundings, the total-mode answer) while the gap is above 3 %
COVER_SECONDS = 1.0  # for the whole-reviewer ceiling (_cover_ceiling)
LP_PAIRS = 1_000_000  # above this many allowed pairs (2,000 x 1,000) the LP is skipped: it needs minutes
DEADLINE_MARGIN = 0.05  # of the time limit, kept for the step under way when the plan ends
POLISH_SHARE = 0.1  # of the time limit kept for the total's polish (hard rounds use the rest climbing)
SET_WIDTH = 60  # the set start prices each entry's sets among at most this many of its best experts
SET_SUBSETS = 6_000  # and at most this many sets per entry and round (33 experts for 3 reviewers)
PROOF_ADDED = 0.2  # the set start tries its proof once fewer sets than this share of the entries are added
SET_CHUNK = 250  # entries priced at once (memory: chunk x sets x k)
COVER_PAIRS = 50_000_000  # the set ceiling enumerates pairs of experts per entry: 22 M at 500 x 300, 1 G at 2,000 x 1,000
SET_SHARE = 0.35  # of the time limit, at most, for the set start's column generation and MIP
SETS_TOTAL_SHARE = 0.5  # of the time limit, left at least, for the total by whole sets (_sets_total)
SETS_TOTAL_BELOW = 0.99  # ... tried where the answer's total is below this share of the total-mode optimum
SHORTFALL = 100.0  # the threshold LP's price of one unit (the largest affinity) below the threshold


class _Clock:
    def __init__(
        self, time_limit: float, progress: Progress | None, should_stop: Callable[[], bool] | None
    ) -> None:
        self.started = time.perf_counter()
        # planned for 95 % of the limit: a step under way when the plan ends (a min-cost flow, an LP
        # round) still finishes within it, also on a loaded machine
        self.deadline = self.started + (1.0 - DEADLINE_MARGIN) * time_limit
        self.progress = progress
        self.should_stop = should_stop
        self.stopped = False

    def left(self) -> float:
        return self.deadline - time.perf_counter()

    def over(self) -> bool:
        if self.stopped or self.left() <= 0:
            return True
        if self.should_stop is not None and self.should_stop():
            self.stopped = True
        return self.stopped

    def report(self, stage: str, worst: int | None, ceiling: float | None) -> None:
        if self.progress is not None:
            self.progress(stage, worst, ceiling, time.perf_counter() - self.started)


# ---------------------------------------------------------------------------------------------- LP


class _LPInput(NamedTuple):
    """What the LPs (``_lp``, ``_priced_bound``) read: affinities and fixed sums scaled to the largest
    affinity (``a``, ``fixed``), and ``Reduced``'s pairs still allowed, remaining k and loads."""

    a: NDArray[np.float64]
    allowed: NDArray[np.bool_]
    need: NDArray[np.int64]
    lo: NDArray[np.int64]
    hi: NDArray[np.int64]
    fixed: NDArray[np.float64]


def _lp(
    data: _LPInput,
    keep: NDArray[np.bool_],
    threshold: float | None,
    clock: _Clock,
    weights_out: list[NDArray[np.float64]] | None = None,
) -> tuple[str, float, NDArray[np.float64], NDArray[np.bool_]]:
    """Column generation on HiGHS (SciPy). ``threshold`` None: max W with every entry's sum >= W (the
    ceiling); else: max total with every entry's sum >= threshold, elastic (an entry may fall short at
    a price of ``SHORTFALL`` per unit, so every restricted LP is feasible). Returns (status, value, z,
    columns). Max-min: "optimal" with the Lagrangian bound (the restricted LP's value plus the positive
    reduced costs of the left-out pairs: an upper bound on the LP over all pairs) once it is within
    ``LP_BOUND_GAP`` of the restricted value. Threshold: "optimal" as soon as no entry falls short (a
    feasible point of the full LP: the threshold is below the LP ceiling), "short" when entries still
    fall short after ``SHORT_ROUNDS`` rounds or with no column left to add."""
    from scipy.optimize import linprog
    from scipy.sparse import coo_matrix, vstack

    a, allowed, need, lo, hi, fixed = data
    n_e, n_x = a.shape
    with_w = threshold is None
    use_lo = bool((lo > 0).any())
    keep = keep & allowed
    best_bound, best_z = math.inf, np.zeros(a.shape)  # max-min: every round's bound is a valid one

    def out_of_time() -> tuple[str, float, NDArray[np.float64], NDArray[np.bool_]]:
        if with_w and math.isfinite(best_bound):
            return "bound", best_bound, best_z, keep
        return "timeout", 0.0, np.zeros(a.shape), keep

    for _round in range(40):
        left = clock.left()
        if left <= 0.2:
            return out_of_time()
        ee, xx = np.nonzero(keep)
        n = len(ee)
        cols = np.arange(n)
        width = n + 1 if with_w else n + n_e
        values = a[ee, xx]
        c = np.zeros(width)
        if with_w:
            c[-1] = -1.0
        else:
            c[:n] = -values
            c[n:] = SHORTFALL
        a_eq = coo_matrix((np.ones(n), (ee, cols)), shape=(n_e, width)).tocsr()
        blocks = [coo_matrix((np.ones(n), (xx, cols)), shape=(n_x, width))]
        rhs = [hi.astype(float)]
        if use_lo:
            blocks.append(coo_matrix((-np.ones(n), (xx, cols)), shape=(n_x, width)))
            rhs.append(-lo.astype(float))
        if with_w:
            rows = np.concatenate([ee, np.arange(n_e)])
            cc = np.concatenate([cols, np.full(n_e, n)])
            blocks.append(
                coo_matrix((np.concatenate([-values, np.ones(n_e)]), (rows, cc)), shape=(n_e, width))
            )
            rhs.append(fixed.copy())
        else:
            rows = np.concatenate([ee, np.arange(n_e)])
            cc = np.concatenate([cols, n + np.arange(n_e)])
            coefficients = np.concatenate([-values, -np.ones(n_e)])
            blocks.append(coo_matrix((coefficients, (rows, cc)), shape=(n_e, width)))
            rhs.append(fixed - float(threshold or 0.0))
        bounds = np.zeros((width, 2))
        bounds[:, 1] = 1.0
        if with_w:
            bounds[-1] = (-np.inf, np.inf)
        else:
            bounds[n:, 1] = np.inf
        res = linprog(
            c,
            A_ub=vstack(blocks).tocsr(),
            b_ub=np.concatenate(rhs),
            A_eq=a_eq,
            b_eq=need.astype(float),
            bounds=bounds,
            method="highs-ipm",
            options={"time_limit": max(0.1, left - 0.1)},
        )
        if res.status == 2:
            return "infeasible", 0.0, np.zeros(a.shape), keep
        if res.status != 0 or res.x is None:
            return out_of_time()
        alpha = res.eqlin.marginals
        duals = res.ineqlin.marginals
        beta = duals[:n_x]
        gamma = duals[n_x : 2 * n_x] if use_lo else np.zeros(n_x)
        mu = duals[-n_e:]
        if weights_out is not None:  # the entries' weights for a Lagrangian ceiling (_lagrangian_ceiling)
            # and the experts' load prices, for the scarce expert sets of _cover_ceiling
            weights_out[:] = [np.maximum(-mu, 0.0), np.maximum(-beta, 0.0)]
        cost = np.zeros(a.shape) if with_w else -a
        reduced = cost - (alpha[:, None] + beta[None, :] - gamma[None, :] - a * mu[:, None])
        violated = allowed & ~keep & (reduced < -1e-7 * max(1.0, abs(res.fun)))
        z = np.zeros(a.shape)
        z[ee, xx] = res.x[:n]
        if with_w:
            # Lagrangian bounds on the LP over all pairs: the left-out pairs (each at most 1) can add at
            # most their reduced costs; tighter, the restricted LP's prices with each entry's rows kept
            # (_priced_bound). Close enough is proven enough.
            bound = min(
                float(-res.fun) - float(reduced[violated].sum()),
                _priced_bound(data, -mu, -beta, -gamma),
            )
            if bound < best_bound:
                best_bound, best_z = bound, z
            if not violated.any() or bound - float(-res.fun) <= LP_BOUND_GAP * max(1e-9, abs(bound)):
                return "optimal", bound, z, keep
        else:
            shortfall = float(res.x[n:].sum())
            if shortfall <= 1e-6:  # every entry reaches the threshold: a feasible point of the full LP
                return "optimal", float(values @ res.x[:n]), z, keep
            if not violated.any() or _round + 1 >= SHORT_ROUNDS:
                return "short", shortfall, z, keep
        worst_first = np.argsort(np.where(violated, reduced, 0.0), axis=1)[:, :20]
        add = np.zeros_like(keep)
        add[np.arange(n_e)[:, None], worst_first] = True
        keep = keep | (add & violated)
    return out_of_time()


def _priced_bound(
    data: _LPInput,
    mu: NDArray[np.float64],
    beta: NDArray[np.float64],
    gamma: NDArray[np.float64],
) -> float:
    """An upper bound on the max-min LP over all pairs from prices: entry weights ``mu`` >= 0 (scaled to
    sum 1) on the rows "entry's sum >= W", expert prices ``beta`` >= 0 on the maximum loads and
    ``gamma`` >= 0 on the minimum loads. Lagrangian relaxation of those rows only: for any such prices,
    W <= sum_x beta_x hi_x - sum_x gamma_x lo_x + sum_e (mu_e fixed_e + the largest sum of need_e
    values mu_e a_ex - beta_x + gamma_x over e's allowed x, each x at most once), since every feasible
    point satisfies the entry rows (exactly need_e experts, each between 0 and 1) and the relaxed terms
    are >= 0 there. With the restricted LP's duals this is the textbook column-generation bound; unlike
    summing every left-out pair's reduced cost it counts at most need_e of them per entry."""
    a, allowed, need, lo, hi, fixed = data
    mu = np.maximum(mu, 0.0)
    if mu.sum() <= 0:
        return math.inf
    mu = mu / mu.sum()
    k = int(need.max(initial=0))
    n_x = a.shape[1]
    found = math.inf
    # any prices >= 0 give a bound: the LP's own, and the same scaled down (a restricted LP's load
    # prices can be far too high for experts its few columns force on some entries)
    for share in (1.0, 0.5, 0.2, 0.0):
        b = share * np.maximum(beta, 0.0)
        g = share * np.maximum(gamma, 0.0)
        if k <= 0 or not n_x:
            return float(mu @ fixed + b @ hi - g @ lo)
        profit = np.where(allowed, mu[:, None] * a - b[None, :] + g[None, :], -np.inf)
        top = -np.partition(-profit, k - 1, axis=1)[:, :k] if n_x > k else profit
        top = -np.sort(-top, axis=1)
        # an entry takes its need_e best values, negative ones included (it must take need_e)
        take = np.arange(top.shape[1])[None, :] < need[:, None]
        if (take & ~np.isfinite(top)).any():
            return math.inf  # an entry without enough allowed experts: no bound from these prices
        best = np.where(take, top, 0.0).sum(axis=1)
        found = min(found, float(b @ hi - g @ lo + mu @ fixed + best.sum()))
    return found


def _lagrangian_ceiling(
    problem: Problem, r: Reduced, weights: NDArray[np.float64], clock: _Clock, seconds: float
) -> float:
    """A proven upper bound on the worst entry from entry weights mu >= 0 (sum 1): no assignment's worst
    entry exceeds its mu-weighted mean, and the largest mu-weighted total over all assignments is a
    min-cost flow (integral, exact). Weights are scaled to integers rounding down, so the flow's optimum
    plus one per pair bounds the real one. The weights then move towards the entries the flow left low
    (multiplicative steps) while ``seconds`` last; the smallest bound is returned (inf without weights)."""
    need, lo, hi, allowed, fixed_sum = r
    mu = np.maximum(weights, 0.0)
    if mu.sum() <= 0:
        return math.inf
    mu = mu / mu.sum()
    a = problem.affinity
    spread = float(max(1, int(a.max(initial=0)))) * max(1, int(need.max(initial=1)))
    stop = time.perf_counter() + seconds
    best = math.inf
    for _step in range(50):
        w = mu[:, None] * a
        top = float(w.max(initial=0.0))
        if top <= 0:
            break
        factor = 1e9 / top
        scaled = np.floor(w * factor).astype(np.int64)
        pairs = max_weight_pairs(scaled, allowed, need, lo, hi)
        if pairs is None:
            break
        ee = np.array([e for e, _x in pairs], dtype=np.int64)
        xx = np.array([x for _e, x in pairs], dtype=np.int64)
        flow = int(scaled[ee, xx].sum()) if len(pairs) else 0
        bound = (flow + len(pairs)) / factor + float(mu @ fixed_sum)
        best = min(best, bound * (1 + 1e-9))
        if time.perf_counter() > stop or clock.over():
            break
        sums = fixed_sum.astype(float)
        np.add.at(sums, ee, a[ee, xx])
        mu = mu * np.exp(-2.0 * (sums - float(sums @ mu)) / spread)
        mu = mu / mu.sum()
    return best


def _cover_ceiling(
    problem: Problem,
    need: NDArray[np.int64],
    hi: NDArray[np.int64],
    allowed: NDArray[np.bool_],
    fixed_sum: NDArray[np.int64],
    prices: NDArray[np.float64] | None,
    upper: int,
    seconds: float,
) -> int:
    """A proven upper bound on the worst entry that counts reviewers in whole numbers (the LP shares a
    scarce expert out in fractions). For a set S of experts, an entry that holds exactly j of them has at
    most its best j affinities in S plus its best ``need - j`` outside S (plus its fixed pairs); so to
    reach W it needs at least c(W) of them, the smallest j where that reaches W. If the entries' c(W) add
    up to more than the loads of S, no assignment has every entry at W or more. The sets S are the
    prefixes of the experts ordered by their LP load price (``prices``) and by demand over load (how many
    entries have them among their best ``need``); the largest W that passes every set tried is returned
    (``upper`` when none cuts), each set's W found by bisection, while ``seconds`` last."""
    a = np.where(allowed, problem.affinity, -1).astype(np.int64)
    n_e, n_x = a.shape
    k = int(need.max(initial=0))
    if not n_e or not n_x or k <= 0:
        return upper
    stop = time.perf_counter() + seconds
    impossible = np.iinfo(np.int64).min // 4
    ranked = np.argsort(-a, axis=1, kind="stable")
    top_cols = ranked[:, :k]
    in_top = np.zeros(a.shape, dtype=bool)
    for j in range(k):
        take = need > j
        in_top[np.flatnonzero(take), top_cols[take, j]] = True
    in_top &= allowed
    demand = in_top.sum(axis=0) / np.maximum(hi, 1)
    orders = []
    if prices is not None and (prices > 0).any():
        orders.append(np.argsort(-prices, kind="stable")[: int((prices > 0).sum())])
    busy = int((demand > 1).sum())
    if busy:
        orders.append(np.argsort(-demand, kind="stable")[: min(n_x, 3 * busy)])

    def top_k(table: NDArray[np.int64]) -> NDArray[np.int64]:
        part = -np.partition(-table, k - 1, axis=1)[:, :k] if table.shape[1] > k else table
        return -np.sort(-part, axis=1)

    def bound(order: NDArray[np.int64], size: int, upper: int) -> int:
        chosen = np.zeros(n_x, dtype=bool)
        chosen[order[:size]] = True
        cap = int(hi[chosen].sum())
        s_in = top_k(np.where(chosen[None, :], a, -1))
        s_out = top_k(np.where(chosen[None, :], -1, a))
        # value[e, j]: the best sum with exactly j experts of S (impossible where e lacks them)
        value = np.full((n_e, k + 1), impossible, dtype=np.int64)
        for j in range(k + 1):
            sum_in = np.where(s_in[:, :j] >= 0, s_in[:, :j], impossible).sum(axis=1)
            width = need - j
            cols = np.arange(k)[None, :] < width[:, None]
            sum_out = np.where(cols, np.where(s_out >= 0, s_out, impossible), 0).sum(axis=1)
            ok = (width >= 0) & (sum_in > impossible // 2) & (sum_out > impossible // 2)
            value[:, j] = np.where(ok, sum_in + sum_out + fixed_sum, impossible)
        low, high = 0, upper
        while low < high:
            w = (low + high + 1) // 2
            reach = value >= w
            count = np.where(reach.any(axis=1), reach.argmax(axis=1), n_x * k + 1)
            if int(count.sum()) <= cap:
                low = w
            else:
                high = w - 1
        return low

    # every order coarsely (20 prefix sizes), then every size around the best coarse one
    best = upper
    found: list[tuple[int, int, int]] = []  # (bound, order, size)
    for number, order in enumerate(orders):
        for size in sorted({max(1, round(len(order) * f)) for f in np.linspace(0, 1, 21)[1:]}):
            if time.perf_counter() > stop:
                return best
            value = bound(order, size, best)
            found.append((value, number, size))
            best = min(best, value)
    if not found:
        return best
    _value, number, size = min(found)
    order = orders[number]
    step = max(1, len(order) // 20)
    for near in sorted(
        range(max(1, size - step), min(len(order), size + step) + 1), key=lambda v: abs(v - size)
    ):
        if time.perf_counter() > stop:
            break
        best = min(best, bound(order, near, best))
    return best


def _bottleneck_start(
    a: NDArray[np.int64],
    allowed: NDArray[np.bool_],
    need: NDArray[np.int64],
    lo: NDArray[np.int64],
    hi: NDArray[np.int64],
    valid: list[tuple[int, int]],
    clock: _Clock,
    flow_seconds: float = 0.0,
) -> list[tuple[int, int]] | None:
    """The bottleneck assignment: the largest t such that every entry can get all its reviewers among
    experts of affinity >= t within the loads (a max-flow per step of a bisection over the affinities),
    then the largest total over those pairs (min-cost flow). Every entry's sum is then at least need x t:
    a strong start where the round is too large for the LP in time (2,000 x 1,000: worst entry 1.76
    against 1.52 from the total-mode answer after 20 s of repair), and cheap everywhere."""
    from ortools.graph.python import max_flow

    n_e, n_x = a.shape
    total_need = int(need.sum())
    source, sink = n_e + n_x, n_e + n_x + 1

    def feasible(mask: NDArray[np.bool_]) -> bool:
        if (lo > 0).any():  # minimum loads: the min-cost flow with its supplies decides
            return max_weight_pairs(np.zeros_like(a), mask, need, lo, hi) is not None
        ee, xx = np.nonzero(mask)
        flow = max_flow.SimpleMaxFlow()
        tails = np.concatenate([np.full(n_x, source), n_e + xx, np.arange(n_e)]).astype(np.int64)
        heads = np.concatenate([n_e + np.arange(n_x), ee, np.full(n_e, sink)]).astype(np.int64)
        caps = np.concatenate([np.maximum(hi, 0), np.ones(len(ee), dtype=np.int64), need]).astype(np.int64)
        flow.add_arcs_with_capacity(tails, heads, caps)
        return flow.solve(source, sink) == flow.OPTIMAL and flow.optimal_flow() == total_need

    # t lies between the smallest affinity of a valid assignment's pairs (``valid``: the first check
    # passes) and the smallest need-th best affinity of an entry
    masked = np.where(allowed, a, -1)
    start = min((int(a[e, x]) for e, x in valid), default=0)
    ordered = -np.sort(-masked, axis=1)
    top = int(min((ordered[e, int(need[e]) - 1] for e in range(n_e) if need[e] > 0), default=0))
    values = np.unique(a[allowed & (a >= start) & (a <= top)])
    if not len(values):
        return None
    low, high = 0, len(values) - 1
    while low < high and not clock.over():
        middle = (low + high + 1) // 2
        if feasible(allowed & (a >= values[middle])):
            low = middle
        else:
            high = middle - 1
    if clock.left() < flow_seconds:  # the last min-cost flow (as long as the total mode's) would not fit
        return None
    return max_weight_pairs(a, allowed & (a >= values[low]), need, lo, hi)


# ------------------------------------------------------------------------------------------ repair


# ------------------------------------------------------------------------------------- set start


class _Sets:
    """The set start's columns: whole reviewer sets (an entry and ``need[e]`` experts) with their
    affinity sums, kept across thresholds (a set reaching W also reaches any lower one)."""

    def __init__(self, n_entries: int) -> None:
        self.entry: list[int] = []
        self.members: list[tuple[int, ...]] = []
        self.values: list[int] = []
        self.seen: set[tuple[int, ...]] = set()
        self.n_entries = n_entries

    def add(self, e: int, experts: Any, value: int) -> bool:
        key = (e, *sorted(int(x) for x in experts))
        if key in self.seen:
            return False
        self.seen.add(key)
        self.entry.append(e)
        self.members.append(key[1:])
        self.values.append(value)
        return True


class _SetLP:
    """The configuration LP at one threshold: each entry a convex combination of its sets whose sums
    (with the entry's fixed pairs) reach the threshold, every expert within its maximum load; an entry
    may be left short (a variable per entry). ``master`` solves the LP restricted to the sets found
    (``total``: the largest total, a shortfall costing ``penalty``; else the fewest shortfalls);
    ``price`` adds, per entry, its set of most negative reduced cost among its ``SET_WIDTH``-limited best
    experts plus its best experts at price zero (a heuristic, not exhaustive)."""

    def __init__(
        self,
        a: NDArray[np.int64],
        r: Reduced,
        threshold: int,
        sets: _Sets,
        starts: list[list[tuple[int, int]]],
    ) -> None:
        need, _lo, hi, allowed, fixed_sum = r
        self.a, self.r, self.sets = a, r, sets
        n_x = a.shape[1]
        self.goal = threshold - fixed_sum  # what each entry's free experts must add up to
        self.active = need > 0
        self.possible = not (self.goal[~self.active] > 0).any()
        self.scale = float(max(1, int(a.max(initial=0))))
        self.penalty = 2.0 * float(need.max(initial=1))
        self.masked = np.where(allowed, a, -1)
        order = np.argsort(-self.masked, axis=1, kind="stable")
        for pairs in starts:  # the sets of known assignments, where they reach the threshold
            held: dict[int, list[int]] = {}
            for e, x in pairs:
                held.setdefault(e, []).append(x)
            for e, xs in held.items():
                value = int(a[e, xs].sum())
                if self.active[e] and value >= self.goal[e]:
                    sets.add(e, xs, value)
        self.groups = []
        for g in sorted({int(v) for v in need[self.active]}):
            members = np.flatnonzero(need == g)
            m = g
            while m < min(n_x, SET_WIDTH) and math.comb(m + 1, g) <= SET_SUBSETS:
                m += 1
            combos = np.array(list(itertools.combinations(range(m), g)), dtype=np.int64).reshape(-1, g)
            tops = order[members, : max(g, m - g)]
            self.groups.append((members, combos, tops))
            for e, row in zip(members.tolist(), tops, strict=True):  # each entry's best set
                value = int(a[e, row[:g]].sum())
                if int(self.masked[e, row[:g]].min(initial=0)) >= 0 and value >= self.goal[e]:
                    sets.add(e, row[:g], value)
        self.hi = hi

    def matrices(self) -> tuple[Any, Any, NDArray[np.int64], NDArray[np.float64]]:
        """(A_eq over the sets and the entries' shortfalls, A_ub of the loads, the sets' ids, values)."""
        from scipy.sparse import coo_matrix

        sets, n_e, n_x = self.sets, self.sets.n_entries, self.a.shape[1]
        ids = np.array(
            [i for i, e in enumerate(sets.entry) if self.active[e] and sets.values[i] >= self.goal[e]],
            dtype=np.int64,
        )
        n = len(ids)
        entries = np.array([sets.entry[i] for i in ids], dtype=np.int64)
        lengths = np.array([len(sets.members[i]) for i in ids], dtype=np.int64)
        flat = np.array([x for i in ids for x in sets.members[i]], dtype=np.int64)
        a_eq = coo_matrix(
            (np.ones(n + n_e), (np.concatenate([entries, np.arange(n_e)]), np.arange(n + n_e))),
            shape=(n_e, n + n_e),
        ).tocsr()
        a_ub = coo_matrix(
            (np.ones(len(flat)), (flat, np.repeat(np.arange(n), lengths))), shape=(n_x, n + n_e)
        ).tocsr()
        values = np.array([sets.values[i] for i in ids], dtype=np.float64)
        return a_eq, a_ub, ids, values

    def cost(self, values: NDArray[np.float64], total: bool) -> NDArray[np.float64]:
        if total:
            return np.concatenate([-values / self.scale, self.penalty * self.active])
        return np.concatenate([np.zeros(len(values)), self.active.astype(float)])

    def master(self, total: bool, seconds: float) -> Any:
        """The restricted master on HiGHS (interior point): SciPy's result (``fun``, ``eqlin`` and
        ``ineqlin`` marginals), None when it did not finish."""
        from scipy.optimize import linprog

        a_eq, a_ub, _ids, values = self.matrices()
        res = linprog(
            self.cost(values, total),
            A_ub=a_ub,
            b_ub=self.hi.astype(float),
            A_eq=a_eq,
            b_eq=np.ones(self.sets.n_entries),
            bounds=(0, None),
            method="highs-ipm",
            options={"time_limit": max(0.1, seconds)},
        )
        return res if res.status == 0 and res.x is not None else None

    def price(self, alpha: NDArray[np.float64], beta: NDArray[np.float64], total: bool) -> int:
        """Adds each entry's set of most negative reduced cost (beta: the load prices, >= 0); how many."""
        a, allowed = self.a, self.r.allowed
        free = beta <= 1e-9
        added = 0
        for members, combos, tops in self.groups:
            g = combos.shape[1]
            for chunk in range(0, len(members), SET_CHUNK):
                rows = members[chunk : chunk + SET_CHUNK]
                top = tops[chunk : chunk + SET_CHUNK]
                spare = np.where(allowed[rows] & free[None, :], a[rows], -1)
                spare[np.arange(len(rows))[:, None], top] = -1
                extra = np.argsort(-spare, axis=1, kind="stable")[:, :g]
                extra_ok = np.take_along_axis(spare, extra, 1) >= 0
                cand = np.concatenate([top, extra], axis=1)
                values = np.take_along_axis(self.masked[rows], cand, 1)
                values[:, top.shape[1] :] = np.where(extra_ok, values[:, top.shape[1] :], -1)
                valid = (values[:, combos] >= 0).all(axis=2)
                sums = np.where(values >= 0, values, 0)[:, combos].sum(axis=2)
                reduced = beta[cand][:, combos].sum(axis=2) - alpha[rows][:, None]
                if total:
                    reduced -= sums / self.scale
                reduced = np.where(valid & (sums >= self.goal[rows][:, None]), reduced, np.inf)
                best = np.argmin(reduced, axis=1)
                for i in np.flatnonzero(reduced[np.arange(len(rows)), best] < -1e-7):
                    if self.sets.add(int(rows[i]), cand[i, combos[best[i]]], int(sums[i, best[i]])):
                        added += 1
        return added

    def mip(self, seconds: float) -> list[tuple[int, int]] | None:
        """The MIP over the sets found (HiGHS, gap 0.01 %): as many entries covered as possible, then the
        largest total. The pairs of the chosen sets (an entry left without one has none), None when no
        solution came within ``seconds``."""
        from scipy.optimize import Bounds, LinearConstraint, milp

        a_eq, a_ub, ids, values = self.matrices()
        n = len(ids)
        found = milp(
            self.cost(values, total=True),
            constraints=[LinearConstraint(a_eq, 1, 1), LinearConstraint(a_ub, 0, self.hi.astype(float))],
            integrality=np.ones(n + self.sets.n_entries),
            bounds=Bounds(0, 1),
            options={"time_limit": max(0.1, seconds), "mip_rel_gap": 1e-4},
        )
        if found.x is None:
            return None
        return [(self.sets.entry[i], x) for i in ids[found.x[:n] > 0.5] for x in self.sets.members[i]]

    def solve(
        self, total: bool, clock: _Clock, proof: Callable[[NDArray[np.float64]], bool] | None = None
    ) -> tuple[str, Any]:
        """Column generation until no set is added: ("done" | "time" | "unreachable", the last master's
        result). ``proof`` (load prices -> proven unreachable) is tried once few sets are still being
        added while entries stay short, then every third round: where the threshold is out of reach the
        proof comes several rounds before the generation ends (hot 500 x 300 seed 102: round 11 of 17)."""
        res = None
        waited = 0
        while not clock.over():
            res = self.master(total, clock.left())
            if res is None:
                return "time", None
            if not total and res.fun <= 1e-6:
                return "done", res
            alpha = res.eqlin.marginals
            beta = np.maximum(-res.ineqlin.marginals, 0.0)
            added = self.price(alpha, beta, total)
            if not added:
                return "done", res
            waited -= 1
            if (
                proof is not None
                and res.fun > 0.5
                and added < PROOF_ADDED * self.active.sum()
                and waited <= 0
            ):
                if proof(beta):
                    return "unreachable", res
                waited = 3
        return "time", res


def total_bound_at(
    problem: Problem, threshold: int, starts: list[list[tuple[int, int]]], seconds: float = 120.0
) -> float | None:
    """A proven upper bound on the total of any assignment whose every entry reaches ``threshold`` (k = 3,
    no fixed pairs); None when some entry cannot reach it at all. Load prices beta >= 0 come from the
    configuration LP's "largest total" master (``_SetLP``, column generation with its heuristic pricing);
    any beta gives a bound by Lagrangian relaxation of the loads: total <= sum_x beta_x max_x + sum_e (the
    largest sum of a - beta over e's sets of 3 allowed experts reaching the threshold), the second term
    computed exactly here (every pair of experts, the best third among those high enough)."""
    if problem.k != 3 or problem.fixed:
        raise ValueError("total_bound_at: k = 3 and no fixed pairs only")
    r = Reduced.of(problem)
    lp = _SetLP(problem.affinity, r, threshold, _Sets(problem.n_entries), starts)
    if not lp.possible:
        return None
    clock = _Clock(seconds, None, None)
    _status, res = lp.solve(True, clock)
    # then exact pricing (every set reaching the threshold, ``_best_sets``) while time is left: the
    # prices converge to the configuration LP's own, whose bound is its optimum (topics 500 x 300 seed
    # 102 at 0.97 x ceiling: 99.88 % of the total-mode optimum with the heuristic's prices, 98.66 % exact)
    weights = problem.affinity / lp.scale
    while res is not None and not clock.over():
        beta = np.maximum(-res.ineqlin.marginals, 0.0)
        best: list[tuple[int, ...]] = []
        found = _best_sets(problem.affinity, r, threshold, weights - beta[None, :], clock, best)
        if not isinstance(found, np.ndarray) or len(best) != problem.n_entries:
            break
        added = 0
        for e in np.flatnonzero(-found - res.eqlin.marginals < -1e-7):
            xs = best[int(e)]
            added += lp.sets.add(int(e), xs, int(problem.affinity[int(e), list(xs)].sum()))
        if not added:
            break
        following = lp.master(True, clock.left())
        if following is None:
            break
        res = following
    # without the master's prices (out of time) beta = 0 still gives a bound: each entry's best set
    beta = np.zeros(problem.n_experts) if res is None else np.maximum(-res.ineqlin.marginals, 0.0)
    bound = min(_lagrangian_total(problem, r, threshold, share * beta, lp.scale) for share in (1.0, 0.9, 1.1))
    return None if bound == -np.inf else bound


def _lagrangian_total(
    problem: Problem, r: Reduced, threshold: int, beta: NDArray[np.float64], scale: float
) -> float:
    """scale x (sum_x beta_x hi_x + sum_e max over 3-sets S reaching the threshold of sum_S (a / scale - beta))."""
    best = _best_sets(problem.affinity, r, threshold, problem.affinity / scale - beta[None, :])
    return -np.inf if best is None else (float(beta @ r.hi) + float(best.sum())) * scale


def _lagrangian_cover(
    a: NDArray[np.int64], r: Reduced, threshold: int, beta: NDArray[np.float64], clock: _Clock | None = None
) -> float | None:
    """The fewest entries the configuration LP at ``threshold`` leaves short is at least
    sum_e min(1, e's cheapest set reaching it, priced by beta) - sum_x beta_x hi_x, for any beta >= 0
    (its dual with these prices). Above 0, no assignment gives every entry a set reaching the
    threshold: the worst entry is below it. inf when an entry has no such set at all, None when not
    computed (more than 3 free reviewers per entry, or out of time)."""
    best = _best_sets(a, r, threshold, np.broadcast_to(-beta[None, :], a.shape), clock)
    if isinstance(best, str):
        return None
    return np.inf if best is None else float(np.minimum(1.0, -best).sum() - beta @ r.hi)


def _best_sets(
    a: NDArray[np.int64],
    r: Reduced,
    threshold: int,
    weights: NDArray[np.float64],
    clock: _Clock | None = None,
    members: list[tuple[int, ...]] | None = None,
) -> Any:
    """Per entry, the largest sum of ``weights[e]`` over its sets of ``need[e]`` (at most 3) allowed
    experts whose affinities, with its fixed pairs, reach ``threshold``, exactly: every pair of experts,
    then the best third among those whose affinity is high enough (each prefix's best weights, in
    affinity order); for one or two the same with fewer. An array; None when an entry has no such set;
    "skipped" when an entry needs more than 3 or the clock runs out. ``members``, when given, receives
    each entry's best set (the experts' columns; empty for an entry that needs none)."""
    need, _lo, _hi, allowed, fixed_sum = r
    if int(need.max(initial=0)) > 3:
        return "skipped"
    found = np.zeros(a.shape[0])
    for e in range(a.shape[0]):
        if clock is not None and clock.over():
            return "skipped"
        g, goal = int(need[e]), int(threshold - fixed_sum[e])
        ids = np.flatnonzero(allowed[e])
        v = a[e, ids]
        order = np.argsort(-v, kind="stable")
        ids, v = ids[order], v[order]
        w = weights[e, ids]
        m = len(v)
        if g < 0 or m < g or int(v[:g].sum()) < goal:
            return None
        if g == 0:
            if members is not None:
                members.append(())
            continue
        # the g largest w among positions [0, p), for every prefix length p
        tops = np.full((m + 1, g), -1, dtype=np.int64)
        current: list[int] = []
        for p in range(m):
            current = sorted([*current, p], key=lambda q: -w[q])[:g]
            tops[p + 1, : len(current)] = current
        if g == 1:
            one = int(tops[np.searchsorted(-v, -goal, side="right"), 0])
            found[e] = float(w[one])
            if members is not None:
                members.append((int(ids[one]),))
            continue
        if g == 2:
            i = np.arange(m)
            partial = w[i]
            excluded = [i]
        else:
            i, j = np.triu_indices(m, 1)
            partial = w[i] + w[j]
            excluded = [i, j]
        reach = np.searchsorted(-v, -(goal - v[i] - (v[excluded[1]] if g == 3 else 0)), side="right")
        last = np.full(len(i), -1, dtype=np.int64)
        for column in range(g - 1, -1, -1):
            candidate = tops[reach, column]
            good = candidate >= 0
            for other in excluded:
                good &= candidate != other
            last = np.where(good, candidate, last)
        sums = partial + np.where(last >= 0, w[last], -np.inf)
        top = int(np.argmax(sums))
        found[e] = float(sums[top])
        if members is not None:
            chosen = [q[top] for q in excluded] + [last[top]]
            members.append(tuple(int(ids[q]) for q in chosen))
    return found


def _set_start(
    a: NDArray[np.int64],
    r: Reduced,
    threshold: int,
    starts: list[list[tuple[int, int]]],
    sets: _Sets,
    clock: _Clock,
    mip_seconds: float,
) -> tuple[str, list[tuple[int, int]] | None]:
    """A start where every entry gets a whole reviewer set reaching ``threshold``: the configuration LP
    (``_SetLP``: each entry a convex combination of its sets, expert loads) by column generation, then a
    MIP over the sets found. The LP rounding of the pair LP shares scarce experts out in fractions that
    no assignment follows; whole sets cannot. The pricing is a heuristic (not exhaustive), so nothing
    here is a proof. ("short", None) when the master still leaves entries short (the threshold is
    probably too high), ("unreachable", None) when the configuration LP's dual proves that no assignment
    reaches it (``_lagrangian_cover``, exact), ("ok", pairs) with a valid assignment (entries the MIP leaves without a set get
    the best experts left by a min-cost flow; the repair raises them), ("time", None) when out of time."""

    need, lo, hi, allowed, _fixed_sum = r
    n_e, n_x = a.shape
    lp = _SetLP(a, r, threshold, sets, starts)
    if not lp.possible:
        return "short", None
    widest = int(allowed.sum(axis=1).max(initial=0))
    coverable = n_e * widest * widest // 2 <= COVER_PAIRS

    def proof(beta: NDArray[np.float64]) -> bool:
        bound = _lagrangian_cover(a, r, threshold, beta, clock)
        return bound is not None and bound > 1e-6

    status, res = lp.solve(False, clock, proof if coverable else None)
    if status == "unreachable":
        return "unreachable", None
    if status == "time" or res is None:
        return "time", None
    if res.fun > 1e-6 and coverable:
        # entries left short: maybe provably (the exact dual bound with the master's prices)
        bound = _lagrangian_cover(a, r, threshold, np.maximum(-res.ineqlin.marginals, 0.0), clock)
        if bound is not None and bound > 1e-6:
            return "unreachable", None
    if res.fun > 0.5:
        return "short", None
    pairs = lp.mip(min(mip_seconds, clock.left()))
    if pairs is None:
        return "time", None
    used = np.zeros(n_x, dtype=np.int64)
    short = lp.active.copy()
    for e, x in pairs:
        used[x] += 1
        short[e] = False
    if short.any():  # the best experts left, by a min-cost flow (min loads met here or not at all)
        rest = max_weight_pairs(
            a, allowed & short[:, None], np.where(short, need, 0), np.maximum(lo - used, 0), hi - used
        )
        if rest is None:
            return "short", None
        pairs += rest
    elif (used < lo).any():
        return "short", None
    return "ok", pairs


def _sets_total(
    a: NDArray[np.int64],
    r: Reduced,
    threshold: int,
    starts: list[list[tuple[int, int]]],
    clock: _Clock,
    current: int,
    mip_seconds: float,
) -> list[tuple[int, int]] | None:
    """The largest total found with every entry at ``threshold`` or more, by whole reviewer sets: the
    configuration LP "largest total" (``_SetLP`` with ``total``, column generation) and the MIP over the
    sets it found, for the time the clock leaves. The exchange polish moves one or two reviewers at a
    time; whole sets move what several entries share (topics 500 x 300 seed 102: 98.08 -> 98.31 % of the
    total-mode optimum at the same worst entry, 20 s limit). None when out of time, when the MIP leaves an entry
    without a set, when a minimum load is not met, or when the LP's total (the sets' values without
    fixed pairs) is not above ``current`` (the free pairs' total of the answer so far): nothing to gain."""
    need, lo, _hi, _allowed, _fixed_sum = r
    lp = _SetLP(a, r, threshold, _Sets(a.shape[0]), starts)
    if not lp.possible:
        return None
    status, res = lp.solve(True, clock)
    if status != "done" or res is None or clock.left() <= 0.1:
        return None
    _a_eq, _a_ub, ids, values = lp.matrices()
    n = len(ids)
    if res.x[n:][lp.active].sum() > 1e-6 or float(values @ res.x[:n]) <= current * (1 + 1e-4):
        return None
    pairs = lp.mip(min(mip_seconds, clock.left()))
    if pairs is None or len(pairs) != int(need[lp.active].sum()):  # out of time, or an entry without a set
        return None
    used = np.bincount([x for _e, x in pairs], minlength=a.shape[1])
    return None if (used < lo).any() else pairs


class _Repair:
    """An assignment being improved: ``assigned`` (free pairs, fixed ones excluded), per-entry
    ``score`` (fixed pairs included) and expert ``load`` (free pairs, against the reduced limits)."""

    def __init__(
        self,
        a: NDArray[np.int64],
        allowed: NDArray[np.bool_],
        lo: NDArray[np.int64],
        hi: NDArray[np.int64],
        fixed_sum: NDArray[np.int64],
        pairs: list[tuple[int, int]],
    ) -> None:
        self.a = a
        self.allowed = allowed
        self.lo = lo
        self.hi = hi
        self.assigned = np.zeros(a.shape, dtype=bool)
        for e, x in pairs:
            self.assigned[e, x] = True
        self.score = fixed_sum + (a * self.assigned).sum(axis=1)
        self.load = self.assigned.sum(axis=0).astype(np.int64)
        self.hop = max(1, int(a.max(initial=0)) // 1000)  # prefer shorter chains among equal losses

    def copy(self) -> _Repair:
        other = object.__new__(_Repair)
        other.__dict__.update(self.__dict__)
        other.assigned = self.assigned.copy()
        other.score = self.score.copy()
        other.load = self.load.copy()
        return other

    @property
    def worst(self) -> int:
        return int(self.score.min()) if self.score.size else 0

    def pairs(self) -> list[tuple[int, int]]:
        ee, xx = np.nonzero(self.assigned)
        return list(zip(ee.tolist(), xx.tolist(), strict=True))

    def _rows(self, e: int, threshold: int) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """Entry e's possible swaps: for each expert y it holds, the cost (loss + hop, INF where not
        allowed) of taking each z instead while staying at or above min(threshold, its sum)."""
        a = self.a[e]
        ys = np.flatnonzero(self.assigned[e])
        slack = max(0, int(self.score[e]) - threshold)
        loss = a[ys][:, None] - a[None, :]
        ok = (self.allowed[e] & ~self.assigned[e])[None, :] & (loss <= slack)
        return ys, np.where(ok, np.maximum(loss, 0) + self.hop, INF)

    def _improve(self, e0: int, threshold: int, goal: int, moves_: _Moves) -> bool:
        """One chain raising entry e0 to at least ``goal`` (others stay >= min(threshold, own))."""
        from scipy.sparse import csr_matrix
        from scipy.sparse.csgraph import dijkstra

        a = self.a
        n_x = a.shape[1]
        reviewers = np.flatnonzero(self.assigned[e0])
        if not len(reviewers):
            return False
        best, which = moves_.without(e0)
        ys, zs = np.nonzero(best < INF)
        spare = self.load < self.hi
        found: tuple[float, int, int, NDArray[Any]] | None = None
        for r in reviewers.tolist():
            start = self.allowed[e0] & ~self.assigned[e0] & (a[e0] - a[e0, r] >= goal - self.score[e0])
            if not start.any():
                continue
            starts = np.flatnonzero(start)
            rows = np.concatenate([ys, np.full(len(starts), n_x)])
            cols = np.concatenate([zs, starts])
            weights = np.concatenate(
                [best[ys, zs], np.maximum(a[e0, r] - a[e0, starts], 0) + self.hop]
            ).astype(float)
            graph = csr_matrix((weights, (rows, cols)), shape=(n_x + 1, n_x + 1))
            dist, pred = dijkstra(graph, directed=True, indices=n_x, return_predecessors=True)
            ends = spare.copy() if self.load[r] - 1 >= self.lo[r] else np.zeros(n_x, dtype=bool)
            ends[r] = True
            reach = np.where(ends, dist[:n_x], np.inf)
            end = int(reach.argmin())
            if math.isfinite(reach[end]) and (found is None or reach[end] < found[0]):
                found = (float(reach[end]), r, end, pred)
        if found is None:
            return False
        _, r, end, pred = found
        moves = []
        z = end
        while pred[z] != n_x:
            y = int(pred[z])
            moves.append((int(which[y, z]), y, z))
            z = y
        moves.append((e0, r, z))
        saved = (self.assigned.copy(), self.score.copy(), self.load.copy())
        before = {e: int(self.score[e]) for e, _y, _z in moves}
        for e, y, z in moves:
            if not self.assigned[e, y] or self.assigned[e, z] or not self.allowed[e, z]:
                self.assigned, self.score, self.load = saved
                return False
            self.assigned[e, y] = False
            self.assigned[e, z] = True
            self.score[e] += a[e, z] - a[e, y]
            self.load[y] -= 1
            self.load[z] += 1
        if any(e != e0 and self.score[e] < min(threshold, old) for e, old in before.items()) or not (
            self.score[e0] > saved[1][e0]
        ):
            self.assigned, self.score, self.load = saved  # an entry used twice in the chain
            return False
        moves_.changed(set(before), {y for _e, y, _z in moves} | {z for _e, _y, z in moves})
        return True

    def polish(self, floor: int, clock: _Clock) -> int:
        """Raise the total while every entry stays at or above ``floor``: two entries exchange reviewers,
        or an entry takes an expert with spare load instead of one of its own, best gains first (several
        moves on distinct entries and experts per round). Returns the number of moves."""
        a = self.a
        moves = 0
        last = 0.0  # the last round's seconds: no round starts that would end after the deadline
        while not clock.over() and clock.left() > last:
            began = time.perf_counter()
            ee, yy = np.nonzero(self.assigned)
            m = len(ee)
            if not m:
                break
            own = a[ee, yy]
            score = self.score[ee]
            if m <= POLISH_PAIRS:  # the pair x pair table of exchanges; larger rounds get single moves
                cross = a[ee][:, yy]  # a[e_i, y_j]
                takes = self.allowed[ee][:, yy] & ~self.assigned[ee][:, yy]
                keeps = score[:, None] - own[:, None] + cross >= floor
                ok = takes & keeps
                swap = np.where(
                    ok & ok.T & (ee[:, None] != ee[None, :]), cross + cross.T - own[:, None] - own[None, :], 0
                )
            else:
                swap = np.zeros((0, 0), dtype=np.int64)
            spare = (self.load < self.hi)[None, :] & (self.load[yy] > self.lo[yy])[:, None]
            gain = a[ee] - own[:, None]
            single = np.where(
                self.allowed[ee] & ~self.assigned[ee] & spare & (score[:, None] + gain >= floor), gain, 0
            )
            candidates: list[tuple[int, str, int, int]] = []
            for kind, table in (("swap", swap), ("single", single)):
                flat = np.flatnonzero(table > 0)
                if len(flat):
                    top = flat[np.argsort(-table.flat[flat], kind="stable")[: max(200, m // 5)]]
                    candidates += [(int(table.flat[t]), kind, *divmod(int(t), table.shape[1])) for t in top]
            if not candidates:
                break
            candidates.sort(key=lambda c: -c[0])
            busy_entries: set[int] = set()
            busy_experts: set[int] = set()
            done = 0
            for _gain, kind, i, j in candidates:
                e1, y1 = int(ee[i]), int(yy[i])
                if kind == "swap":
                    e2, y2 = int(ee[j]), int(yy[j])
                    if {e1, e2} & busy_entries or {y1, y2} & busy_experts:
                        continue
                    self.assigned[e1, y1] = self.assigned[e2, y2] = False
                    self.assigned[e1, y2] = self.assigned[e2, y1] = True
                    self.score[e1] += a[e1, y2] - a[e1, y1]
                    self.score[e2] += a[e2, y1] - a[e2, y2]
                    busy_entries |= {e1, e2}
                    busy_experts |= {y1, y2}
                else:
                    z = j
                    if e1 in busy_entries or {y1, z} & busy_experts or self.load[z] >= self.hi[z]:
                        continue
                    self.assigned[e1, y1] = False
                    self.assigned[e1, z] = True
                    self.score[e1] += a[e1, z] - a[e1, y1]
                    self.load[y1] -= 1
                    self.load[z] += 1
                    busy_entries.add(e1)
                    busy_experts |= {y1, z}
                done += 1
            moves += done
            if not done:
                break
            last = time.perf_counter() - began
        return moves

    def reach(self, threshold: int, clock: _Clock) -> bool:
        """Raise every entry to ``threshold``, weakest first; False when an entry cannot be raised."""
        if self.worst >= threshold:
            return True
        moves_ = _Moves(self, threshold)
        while not clock.over():
            e0 = int(self.score.argmin())
            s0 = int(self.score[e0])
            if s0 >= threshold:
                return True
            if not (
                self._improve(e0, threshold, threshold, moves_)
                or self._improve(e0, threshold, s0 + (threshold - s0) // 2 + 1, moves_)
                or self._improve(e0, threshold, s0 + 1, moves_)
            ):
                return False
        return False


class _Moves:
    """The expert -> expert moves of a repair at one threshold, kept up to date incrementally: for
    every expert y and z, the cheapest entry holding y that can take z instead (``best``, ``which``)."""

    def __init__(self, state: _Repair, threshold: int) -> None:
        self.state = state
        self.threshold = threshold
        n_e, n_x = state.a.shape
        self.rows: list[tuple[NDArray[np.int64], NDArray[np.int64]]] = [
            state._rows(e, threshold) for e in range(n_e)
        ]
        self.best = np.full((n_x, n_x), INF, dtype=np.int64)
        self.which = np.full((n_x, n_x), -1, dtype=np.int64)
        self._refresh(range(n_x))

    def _refresh(self, experts: Any, skip: int = -1) -> None:
        assigned = self.state.assigned
        for y in experts:
            best = np.full(self.best.shape[1], INF, dtype=np.int64)
            which = np.full(self.best.shape[1], -1, dtype=np.int64)
            for e in np.flatnonzero(assigned[:, y]).tolist():
                if e == skip:
                    continue
                ys, cost = self.rows[e]
                row = cost[int(np.searchsorted(ys, y))]
                better = row < best
                best = np.where(better, row, best)
                which = np.where(better, e, which)
            self.best[y] = best
            self.which[y] = which

    def without(self, e0: int) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """The moves when entry e0 is the one being raised (it gives nobody away)."""
        mine = np.flatnonzero(self.state.assigned[e0])
        saved = self.best[mine].copy(), self.which[mine].copy()
        self._refresh(mine.tolist(), skip=e0)
        best, which = self.best.copy(), self.which.copy()
        self.best[mine], self.which[mine] = saved
        return best, which

    def changed(self, entries: set[int], experts: set[int]) -> None:
        for e in entries:
            self.rows[e] = self.state._rows(e, self.threshold)
            experts.update(np.flatnonzero(self.state.assigned[e]).tolist())
        self._refresh(sorted(experts))


# ------------------------------------------------------------------------------------------- exact


def _exact_worst(
    problem: Problem,
    r: Reduced,
    lower: int,
    upper: int,
    hint: set[tuple[int, int]],
    seconds: float,
) -> tuple[str, int, list[tuple[int, int]]]:
    """CP-SAT: the largest W in [lower, upper] with every entry's sum >= W. ("optimal" | "feasible" |
    "unknown", W, new pairs)."""
    from ortools.sat.python import cp_model

    need, lo, hi, allowed, fixed_sum = r
    keep = _usable_at(problem, lower, need, allowed, fixed_sum)
    model = cp_model.CpModel()
    worst = model.new_int_var(lower, upper, "worst")
    variables: dict[tuple[int, int], Any] = {}
    by_expert: list[list[Any]] = [[] for _ in range(problem.n_experts)]
    for e in range(problem.n_entries):
        xs = np.flatnonzero(keep[e]).tolist()
        vs = []
        for x in xs:
            v = model.new_bool_var(f"x{e}_{x}")
            variables[(e, x)] = v
            by_expert[x].append(v)
            model.add_hint(v, (e, x) in hint)
            vs.append(v)
        model.add(cp_model.LinearExpr.sum(vs) == int(need[e]))
        affinities = [int(problem.affinity[e, x]) for x in xs]
        model.add(cp_model.LinearExpr.weighted_sum(vs, affinities) + int(fixed_sum[e]) >= worst)
    for x in range(problem.n_experts):
        model.add_linear_constraint(cp_model.LinearExpr.sum(by_expert[x]), int(lo[x]), int(hi[x]))
    model.add_hint(worst, lower)
    model.maximize(worst)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.1, seconds)
    solver.parameters.num_workers = 2
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return "unknown", lower, []
    pairs = [p for p, v in variables.items() if solver.boolean_value(v)]
    return ("optimal" if status == cp_model.OPTIMAL else "feasible"), int(solver.value(worst)), pairs


# -------------------------------------------------------------------------------------------- main


def solve_fair(
    problem: Problem,
    labels: list[str] | None = None,
    time_limit: float = FAIR_TIME_LIMIT,
    progress: Progress | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> Solution:
    """The largest worst entry found within ``time_limit`` seconds, then the largest total found at
    that worst value, with the proven ceiling (``Solution.ceiling``, ``Solution.gap``)."""
    clock = _Clock(time_limit, progress, should_stop)
    clock.report("total", None, None)
    base = solve_total(problem, labels)  # raises NoValidAssignment with reasons
    # the last step (the largest total at the worst value found) is a min-cost flow like the total
    # mode's: its time is kept for it
    reserve = min(0.25 * time_limit, 1.5 * (time.perf_counter() - clock.started))
    reduced = Reduced.of(problem)
    need, lo, hi, allowed, fixed_sum = reduced
    n_e = problem.n_entries
    fixed_set = set(problem.fixed)
    masked = np.where(allowed, problem.affinity, -1)
    top = -np.sort(-masked, axis=1)
    large = int(allowed.sum()) > LP_PAIRS
    per_entry = [int(top[e, : int(need[e])].sum()) + int(fixed_sum[e]) for e in range(n_e)]
    ceiling = min(per_entry, default=base.worst)
    base_pairs = [p for p in base.pairs if p not in fixed_set]
    best = _Repair(problem.affinity, allowed, lo, hi, fixed_sum, base_pairs)
    method = "total-mode answer"
    bottleneck = _bottleneck_start(
        problem.affinity, allowed, need, lo, hi, base_pairs, clock, time.perf_counter() - clock.started
    )
    if bottleneck is not None:
        start = _Repair(problem.affinity, allowed, lo, hi, fixed_sum, bottleneck)
        if start.worst > best.worst:
            best, method = start, "bottleneck flow"
    first_method = method
    clock.report("ceiling", best.worst, float(ceiling))

    def done(
        pairs: list[tuple[int, int]], how: str, optimal: bool = False, worst_optimal: bool = False
    ) -> Solution:
        result = _finish(problem, pairs, clock.started, "fair", optimal, worst_optimal)
        result.ceiling = max(ceiling, result.worst)
        result.total_optimum = base.total
        result.method = how + (
            " (cancelled)" if clock.stopped else " (time limit reached)" if clock.left() <= 0 else ""
        )
        if result.worst >= ceiling:
            result.worst_optimal = True
        return result

    # 2. the ceiling: the LP relaxation of max-min (column generation). First the LP "largest total
    # with every entry at the per-entry bound": when no entry falls short, the LP ceiling is that bound
    # (one LP, the usual case); otherwise the max-min LP itself, then the threshold LP at its value.
    scale = float(max(1, int(problem.affinity.max(initial=0))))
    lp_input = _LPInput(problem.affinity / scale, allowed, need, lo, hi, fixed_sum / scale)
    n_x = problem.n_experts
    width = min(n_x, LP_COLUMNS)
    columns = np.zeros_like(allowed)
    if width and n_e:
        columns[np.arange(n_e)[:, None], np.argsort(-masked, axis=1)[:, :width]] = True
    for e, x in base_pairs:
        columns[e, x] = True
    # The LP gets at most LP_SHARE of the limit: without it the repair still runs (from the total-mode
    # answer) and the per-entry bound is the ceiling.
    deadline = clock.deadline
    clock.deadline = min(deadline, clock.started + LP_SHARE * time_limit)
    entry_weights: list[NDArray[np.float64]] = []
    if large:  # the LP would not finish in time: the per-entry and whole-reviewer ceilings only
        status, z = "skipped", np.zeros(allowed.shape)
    else:
        status, _value, z, columns = _lp(lp_input, columns, ceiling / scale, clock, entry_weights)
    if status == "short":  # the LP ceiling is below the per-entry bound: the max-min LP itself
        # first a quick proven ceiling from the threshold LP's entry weights (a few min-cost flows)
        if entry_weights:
            bound = _lagrangian_ceiling(problem, reduced, entry_weights[0], clock, LAGRANGE_SECONDS)
            if math.isfinite(bound):
                ceiling = min(ceiling, math.floor(bound))
                clock.report("ceiling", best.worst, float(ceiling))
        status, value, z, columns = _lp(lp_input, columns, None, clock)
        if status in ("optimal", "bound"):  # "bound": out of time, the last Lagrangian bound
            ceiling = min(ceiling, math.floor(value * scale + 1e-6 * scale))
            status = "optimal"
            clock.report("ceiling", best.worst, float(ceiling))
            # the max-min LP's point ignores the total: the threshold LP just under the ceiling, if time
            t_status, _value, t_z, columns = _lp(lp_input, columns, 0.99 * ceiling / scale, clock)
            if t_status in ("optimal", "short"):
                z = t_z
    clock.deadline = deadline
    # whole reviewers: the LP may share a scarce expert out in fractions no assignment can follow
    if best.worst < ceiling and not clock.over():
        prices = entry_weights[1] if len(entry_weights) > 1 else None
        cover = _cover_ceiling(
            problem,
            need,
            hi,
            allowed,
            fixed_sum,
            prices,
            ceiling,
            min(COVER_SECONDS, time_limit / 20),
        )
        ceiling = max(best.worst, min(ceiling, cover))
    clock.report("ceiling", best.worst, float(ceiling))
    if method == "total-mode answer" and (best.worst >= ceiling or clock.over()):
        # the total-mode answer reaching the ceiling is optimal for both objectives
        return done(base_pairs, method, optimal=best.worst >= ceiling, worst_optimal=best.worst >= ceiling)
    if clock.over():
        return done(best.pairs(), method, worst_optimal=best.worst >= ceiling)
    final_deadline = clock.deadline
    # kept for the total: the polish (a tenth of the limit) and the last flow
    clock.deadline -= reserve + POLISH_SHARE * time_limit

    # 3.-4. starts: the LP rounded by a min-cost flow on affinity plus a bonus for the LP's choices
    # (three bonus sizes), and the total-mode answer; from each, augmenting-path repair raises the
    # threshold by bisection up to the ceiling while time is left. The best answer is kept.
    def climb(state: _Repair, how: str, first: int | None = None) -> None:
        """Bisection between the state's worst entry and the ceiling; ``first``: the threshold tried
        first (the set start's, which all but a few entries already reach)."""
        nonlocal best, method
        if state.worst > best.worst:  # the start itself, kept even when no time is left to climb
            best, method = state, how
            clock.report("repair", best.worst, float(ceiling))
        lower, upper = state.worst, ceiling
        while lower < upper and not clock.over():
            threshold = max(lower + 1, (lower + upper + 1) // 2)
            if first is not None and lower < first <= upper:
                threshold, first = first, None
            trial = state.copy()
            reached = trial.reach(threshold, clock)
            if trial.worst > state.worst:
                state = trial
                lower = state.worst
                if state.worst > best.worst:
                    best, method = state, how
                    clock.report("repair", best.worst, float(ceiling))
            if not reached and not clock.over():
                upper = threshold - 1
            if upper - lower <= ceiling // 500:  # within 0.2 %: the last steps cost the most
                break

    # The first start gets the time it needs. While the gap stays above 3 %, more starts follow (the
    # total-mode answer, then LP roundings with other bonuses and random noise), each with at most a
    # quarter of the limit: a round where the first start did well ends early, a hard one uses the time.
    sets = _Sets(n_e)

    def set_start() -> None:
        """Whole reviewer sets at a threshold under the ceiling (``_set_start``), lowered by bisection
        towards the best worst entry while the master leaves entries short; the repair climbs from it."""
        nonlocal ceiling
        deadline = clock.deadline
        clock.deadline = min(deadline, time.perf_counter() + SET_SHARE * time_limit)
        threshold = max(best.worst + 1, math.ceil(0.975 * ceiling))
        while not clock.over() and best.worst < threshold <= ceiling:
            clock.report("sets", best.worst, float(ceiling))
            how, pairs = _set_start(
                problem.affinity,
                reduced,
                threshold,
                [base_pairs],
                sets,
                clock,
                min(5.0, 0.25 * time_limit),
            )
            if pairs is not None:
                clock.deadline = min(deadline, time.perf_counter() + time_limit / 5)
                climb(
                    _Repair(problem.affinity, allowed, lo, hi, fixed_sum, pairs),
                    "whole reviewer sets + augmenting paths",
                    threshold,
                )
                break
            if how == "unreachable":  # proven: a tighter ceiling
                ceiling = threshold - 1
                clock.report("ceiling", best.worst, float(ceiling))
            if how == "time" or threshold - best.worst <= ceiling // 500:
                break
            threshold = (best.worst + threshold + 1) // 2
        clock.deadline = deadline

    rng = np.random.default_rng(0)
    lp_ok = status == "optimal"
    number = 0
    small = int(allowed.sum()) <= EXACT_PAIRS  # solved exactly below: one start is enough there
    tried_sets = small
    while not clock.over() and best.worst < ceiling and number < (1 if small else MAX_STARTS):
        if number and best.worst >= 0.97 * ceiling:
            break
        if number and not tried_sets:
            # the first start left a gap above 3 %: whole reviewer sets before the other starts
            tried_sets = True
            set_start()
            continue
        if number == 1 or not lp_ok:
            # the bottleneck start only without the LP: where the LP is there, the repair from it reached
            # higher worst values on topics 100 and hot 102 but with totals of 92 % and 88.5 % that the
            # polish could not recover within the limit; the total-mode answer keeps the total
            start, how = (
                (
                    _Repair(problem.affinity, allowed, lo, hi, fixed_sum, bottleneck),
                    "bottleneck flow + augmenting paths",
                )
                if bottleneck is not None and first_method == "bottleneck flow" and not lp_ok
                else (_Repair(problem.affinity, allowed, lo, hi, fixed_sum, base_pairs), "augmenting paths")
            )
            if not lp_ok and number:
                break
        else:
            bonus = 0.5 if number == 0 else float(rng.choice([0.2, 1.0, 2.0]))
            noise = 0.0 if number == 0 else 0.05
            weights = problem.affinity + np.round(scale * (bonus * z + noise * rng.random(z.shape))).astype(
                np.int64
            )
            rounded = max_weight_pairs(weights, allowed, need, lo, hi)
            if rounded is None:
                break
            start, how = (
                _Repair(problem.affinity, allowed, lo, hi, fixed_sum, rounded),
                "LP rounding + augmenting paths",
            )
        clock.report("rounding" if how.startswith("LP") else "repair", best.worst, float(ceiling))
        deadline = clock.deadline
        if number:
            clock.deadline = min(deadline, time.perf_counter() + time_limit / 20)
        elif not tried_sets:  # the set start follows when this one stays more than 3 % under the ceiling
            clock.deadline = min(deadline, time.perf_counter() + time_limit / 5)
        climb(start, how)
        clock.deadline = deadline
        number += 1

    # 5. exact phases on small rounds; elsewhere the largest total the min-cost flow gives at W, or
    # exchanges that raise the total at W
    clock.deadline = final_deadline - reserve
    if large:  # no last flow there (its relaxation leaves entries short on large rounds): more polish
        clock.deadline = final_deadline
    if not clock.over():  # a tenth of the limit at most (a quarter on large rounds)
        deadline = clock.deadline
        clock.deadline = min(deadline, time.perf_counter() + time_limit / (4 if large else 10))
        best.polish(best.worst, clock)
        clock.deadline = deadline
    pairs = best.pairs()
    worst_optimal = best.worst >= ceiling
    # medium rounds: CP-SAT max-min from the best answer (the hint) for most of the time left
    medium = int(allowed.sum()) <= SEARCH_PAIRS
    if (small or medium) and not worst_optimal and not clock.over():
        clock.report("exact", best.worst, float(ceiling))
        seconds = clock.left() if small else 0.7 * clock.left()
        status, w, exact_pairs = _exact_worst(problem, reduced, best.worst, ceiling, set(pairs), seconds)
        if exact_pairs and w > best.worst:
            method = "CP-SAT"
            best = _Repair(problem.affinity, allowed, lo, hi, fixed_sum, exact_pairs)
            if not clock.over():  # CP-SAT ignored the total: the polish again
                deadline = clock.deadline
                clock.deadline = min(deadline, time.perf_counter() + time_limit / 10)
                best.polish(best.worst, clock)
                clock.deadline = deadline
            pairs = best.pairs()
        if status == "optimal":
            worst_optimal = True
            ceiling = best.worst
    # the total at the worst value by whole reviewer sets, where fairness costs more than 1 % of the
    # total-mode optimum and the worst entry's search left half the limit
    if (
        not (small or large)
        and int(best.score.sum()) < SETS_TOTAL_BELOW * base.total
        and clock.left() >= SETS_TOTAL_SHARE * time_limit
    ):
        clock.report("total", best.worst, float(ceiling))
        set_pairs = _sets_total(
            problem.affinity,
            reduced,
            best.worst,
            [pairs, base_pairs],
            clock,
            int((best.score - fixed_sum).sum()),
            time_limit / 8,
        )
        if set_pairs is not None:
            found = _Repair(problem.affinity, allowed, lo, hi, fixed_sum, set_pairs)
            if found.worst >= best.worst and found.score.sum() > best.score.sum():
                best = found
                if not clock.over():
                    deadline = clock.deadline
                    clock.deadline = min(deadline, time.perf_counter() + time_limit / 20)
                    best.polish(best.worst, clock)
                    clock.deadline = deadline
                pairs = best.pairs()
    clock.deadline = final_deadline
    if not clock.over() and not large:
        clock.report("total", best.worst, float(ceiling))
        flow_pairs = _flow_at(problem, reduced, best.worst)
        if flow_pairs is not None:
            return done(flow_pairs, method, optimal=worst_optimal, worst_optimal=worst_optimal)
        if small:
            t_status, t_pairs = _best_total_at(problem, reduced, best.worst, clock.left())
            if t_status in ("optimal", "feasible"):
                return done(
                    t_pairs,
                    method,
                    optimal=worst_optimal and t_status == "optimal",
                    worst_optimal=worst_optimal,
                )
    return done(pairs, method, worst_optimal=worst_optimal)


def _flow_at(problem: Problem, r: Reduced, threshold: int) -> list[tuple[int, int]] | None:
    """The largest total over the pairs usable at ``threshold`` (a superset of the assignments where
    every entry reaches it): when that flow reaches the threshold it is the exact answer of step 2."""
    need, lo, hi, allowed, fixed_sum = r
    keep = _usable_at(problem, threshold, need, allowed, fixed_sum)
    pairs = max_weight_pairs(problem.affinity, keep, need, lo, hi)
    if pairs is None:
        return None
    sums = fixed_sum.copy()
    for e, x in pairs:
        sums[e] += problem.affinity[e, x]
    return pairs if (sums >= threshold).all() else None

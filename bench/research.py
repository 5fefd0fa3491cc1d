"""Benchmark: optimal reviewer assignment on topic-skewed instances with organisation/city conflicts.

    .venv/bin/python bench/research.py                    # 500 x 300 and 2,000 x 1,000, k = 3, load <= 6
    .venv/bin/python bench/research.py --runs 5 --no-lp   # quicker, without the exact LP check

Instances are not uniform random scores: there are 24 research topics with Zipf-skewed popularity;
each entry has a main and a side topic, each expert one to three topics (popular topics have more
experts, but not in proportion), and the affinity is 0-100 points (main-topic match ~70, side-topic
~35, plus noise). Entries and experts belong to organisations in the seven cities; a pair is forbidden
when both are in the same organisation or the same city (the default rule), and 1% of pairs more are
declared conflicts.

Reported per size: the median and p95 over the runs of building the problem and solving it in total
mode (time from the affinity matrix and conflict mask to the pairs), the total against the exact
optimum of an independent LP (SciPy HiGHS on the same instance; the bipartite b-matching polytope is
integral so the LP optimum is the integer optimum), the worst entry, the load spread; and one fair-mode
solve of the smaller size. Targets (issue 6): 500 x 300 under 0.5 s, 2,000 x 1,000 under 10 s.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lianmeng.research.solver import Problem, solve_fair, solve_total

TOPICS = 24
CITIES = 7


def instance(n_entries: int, n_experts: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    popularity = 1 / np.arange(1, TOPICS + 1) ** 1.1
    popularity /= popularity.sum()
    expert_pop = np.sqrt(popularity)
    expert_pop /= expert_pop.sum()
    main = rng.choice(TOPICS, size=n_entries, p=popularity)
    side = rng.choice(TOPICS, size=n_entries, p=popularity)
    expert_topics = np.zeros((n_experts, TOPICS), dtype=bool)
    for x in range(n_experts):
        expert_topics[x, rng.choice(TOPICS, size=rng.integers(1, 4), replace=False, p=expert_pop)] = True
    aff = rng.integers(0, 11, size=(n_entries, n_experts))
    aff += 70 * expert_topics[:, main].T + 35 * expert_topics[:, side].T
    aff = np.minimum(aff, 100).astype(np.int64)
    n_orgs = max(CITIES, (n_entries + n_experts) // 4)
    org_city = rng.integers(0, CITIES, size=n_orgs)
    entry_org = rng.integers(0, n_orgs, size=n_entries)
    expert_org = rng.integers(0, n_orgs, size=n_experts)
    allowed = (entry_org[:, None] != expert_org[None, :]) & (
        org_city[entry_org][:, None] != org_city[expert_org][None, :]
    )
    allowed &= rng.random((n_entries, n_experts)) > 0.01
    return aff, allowed


def lp_optimum(problem: Problem) -> float:
    from scipy.optimize import linprog
    from scipy.sparse import coo_matrix

    n_e, n_x = problem.affinity.shape
    ee, xx = np.nonzero(problem.allowed)
    n = len(ee)
    cols = np.arange(n)
    a_eq = coo_matrix((np.ones(n), (ee, cols)), shape=(n_e, n)).tocsr()
    a_ub = coo_matrix((np.ones(n), (xx, cols)), shape=(n_x, n)).tocsr()
    res = linprog(
        -problem.affinity[ee, xx].astype(float),
        A_ub=a_ub,
        b_ub=np.full(n_x, problem.max_load),
        A_eq=a_eq,
        b_eq=np.full(n_e, problem.k),
        bounds=(0, 1),
        method="highs",
    )
    if res.status != 0:
        raise SystemExit(f"LP failed: {res.message}")
    return float(-res.fun)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--no-lp", action="store_true")
    parser.add_argument("--sizes", default="500x300,2000x1000")
    args = parser.parse_args()
    for size in args.sizes.split(","):
        n_e, n_x = (int(v) for v in size.split("x"))
        runs = args.runs if n_e <= 500 else max(3, args.runs // 3)
        times = []
        for run in range(runs):
            aff, allowed = instance(n_e, n_x, seed=run)
            started = time.perf_counter()
            problem = Problem(affinity=aff, allowed=allowed, k=3, max_load=6)
            solution = solve_total(problem)
            times.append(time.perf_counter() - started)
        aff, allowed = instance(n_e, n_x, seed=0)
        problem = Problem(affinity=aff, allowed=allowed, k=3, max_load=6)
        solution = solve_total(problem)
        print(f"{n_e} entries x {n_x} experts, k=3, load<=6, {int(allowed.mean() * 100)}% pairs allowed")
        print(
            f"  total mode (build + solve): median {statistics.median(times) * 1000:.0f} ms, "
            f"p95 {pct(times, 0.95) * 1000:.0f} ms over {runs} instances"
        )
        print(
            f"  total {solution.total}, worst entry {solution.worst}, loads {solution.loads.min()}-{solution.loads.max()}"
        )
        if not args.no_lp:
            started = time.perf_counter()
            optimum = lp_optimum(problem)
            print(
                f"  exact optimum (SciPy HiGHS LP, {time.perf_counter() - started:.1f} s): {optimum:.0f} "
                f"-> gap {optimum - solution.total:.0f} ({(optimum - solution.total) / optimum * 100:.4f}%)"
            )
        if n_e <= 500:
            started = time.perf_counter()
            fair = solve_fair(problem)
            print(
                f"  fair mode: {time.perf_counter() - started:.1f} s, worst entry {fair.worst} "
                f"(total mode {solution.worst}), total {fair.total}, proven optimal: {fair.optimal}"
            )


if __name__ == "__main__":
    main()

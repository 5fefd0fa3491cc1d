"""The reviewer-assignment instance generator of the shared benchmarks (``bench/assignment_instances.py``
of the project's shared folder; numpy only), kept here so the tests and ``bench/research.py --fair``
run on exactly the same instances without that folder. Affinities in [0, 1], conflicts a boolean mask.

Families: ``uniform`` (independent affinities, 5 % random conflicts), ``topics`` (entries and experts
mix 12 topics of independently skewed popularity; affinity = cosine; conflicts for the same
organization or city, about 6 % of pairs), ``hot`` (40 % of the entries on one topic that 5 % of the
experts know) and ``sparse`` (each expert knows one or two topics).
"""

from __future__ import annotations

import numpy as np

TOPICS = 12
FAMILIES = ("uniform", "topics", "hot", "sparse")


def _mixtures(rng: np.random.Generator, n: int, popularity: np.ndarray, concentration: float) -> np.ndarray:
    main = rng.choice(TOPICS, size=n, p=popularity)
    mix = rng.dirichlet(np.full(TOPICS, concentration), size=n)
    mix[np.arange(n), main] += 1.0
    return mix / np.linalg.norm(mix, axis=1, keepdims=True)


def _org_city_conflicts(rng: np.random.Generator, entries: int, experts: int) -> np.ndarray:
    org_e, org_x = rng.integers(0, 80, entries), rng.integers(0, 80, experts)
    city_e, city_x = rng.integers(0, 20, entries), rng.integers(0, 20, experts)
    return (org_e[:, None] == org_x[None, :]) | (city_e[:, None] == city_x[None, :])


def instance(family: str, entries: int, experts: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(affinity in [0, 1], conflict mask) of one generated round."""
    rng = np.random.default_rng((seed, 2032))
    if family == "uniform":
        return rng.random((entries, experts)), rng.random((entries, experts)) < 0.05
    pop_e = rng.dirichlet(np.full(TOPICS, 0.6))
    pop_x = rng.dirichlet(np.full(TOPICS, 0.6))
    concentration_x = 0.15
    if family == "hot":
        hot = int(rng.integers(TOPICS))
        pop_e = pop_e * 0.6 / (pop_e.sum() - pop_e[hot] or 1.0)
        pop_e[hot] = 0.4
        pop_x[hot] = 0.0
        pop_x = pop_x * 0.95 / pop_x.sum()
        pop_x[hot] = 0.05
    elif family == "sparse":
        concentration_x = 0.02
    elif family != "topics":
        raise ValueError(f"unknown family {family!r}: uniform, topics, hot or sparse")
    e, x = _mixtures(rng, entries, pop_e, 0.15), _mixtures(rng, experts, pop_x, concentration_x)
    return np.clip(e @ x.T, 0.0, 1.0), _org_city_conflicts(rng, entries, experts)

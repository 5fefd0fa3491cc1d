"""Match quality on a generated market with planted true pairs, and explainable scores."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from lianmeng.matchmaking.market import generate
from lianmeng.matchmaking.matching import allocate, suggestions_for
from lianmeng.matchmaking.models import Resource

pytestmark = pytest.mark.django_db


@pytest.fixture
def market(make_org: Callable[..., Any], cities: dict[str, Any]) -> Any:
    names = list(cities)
    orgs = [make_org(f"生成单位{i}", city=names[i % len(names)]) for i in range(30)]
    return generate(organizations=orgs, cities=list(cities.values()), pairs=120, noise=1500, seed=11)


def test_true_partner_is_in_the_top_five_for_at_least_90_percent_of_posts(market: Any) -> None:
    posts = Resource.objects.in_bulk([p.demand_id for p in market] + [p.supply_id for p in market])
    hits = 0
    for pair in market:
        for mine, partner in ((pair.demand_id, pair.supply_id), (pair.supply_id, pair.demand_id)):
            top = [s.resource.pk for s in suggestions_for(posts[mine], limit=5)]
            hits += partner in top
    share = hits / (2 * len(market))
    assert share >= 0.9, f"true partner in top 5 for only {share:.0%} of posts"


def test_every_explanation_adds_up_to_its_score(market: Any) -> None:
    posts = Resource.objects.in_bulk([p.demand_id for p in market[:30]])
    seen = 0
    for post in posts.values():
        for s in suggestions_for(post, limit=10):
            assert sum(p.points for p in s.parts) == s.score
            assert all(0 <= p.points <= p.maximum for p in s.parts)
            assert {p.key for p in s.parts} == {"category", "text", "tags", "city", "strategy", "freshness"}
            seen += 1
    assert seen > 100


def test_allocation_keeps_the_sum_whatever_the_fractions() -> None:
    raw = {"a": 10.4, "b": 10.4, "c": 10.4, "d": 0.35}
    points = allocate(raw)
    assert sum(points.values()) == round(sum(raw.values())) == 32
    assert all(abs(points[k] - raw[k]) < 1 for k in raw)


def test_suggestions_are_the_other_direction_open_and_from_other_organizations(market: Any) -> None:
    post = Resource.objects.get(pk=market[0].demand_id)
    found = suggestions_for(post, limit=20)
    assert found
    for s in found:
        assert s.resource.direction == "supply"
        assert s.resource.status == "open"
        assert s.resource.organization_id != post.organization_id

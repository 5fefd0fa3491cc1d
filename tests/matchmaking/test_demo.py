"""The demo market loads, is idempotent, and gives the demo member something to do."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import F

from lianmeng.matchmaking import demo
from lianmeng.matchmaking.matching import suggestions_for
from lianmeng.matchmaking.models import MatchRequest, Resource

pytestmark = pytest.mark.django_db


def test_demo_market(cities: dict[str, Any]) -> None:
    from lianmeng.membership import demo as membership_demo

    membership_demo.load(accounts=True)
    demo.load(accounts=True)
    demo.load(accounts=True)
    assert Resource.objects.count() == len(demo.POSTS) >= 60
    assert Resource.objects.values("category").distinct().count() == 10
    assert Resource.objects.filter(cities__code="370500").exists()
    statuses = set(MatchRequest.objects.values_list("status", flat=True))
    assert statuses == {"pending", "accepted", "declined", "concluded"}
    assert not MatchRequest.objects.filter(requester_organization=F("resource__organization")).exists()
    assert MatchRequest.objects.filter(
        status="pending", resource__organization__name="中国青岛人力资源服务产业园"
    ).exists()
    created = MatchRequest.objects.get(outcome="project_created")
    assert created.project is not None
    park_post = Resource.objects.get(title="园区入驻企业股权融资需求")
    top = [s.resource.title for s in suggestions_for(park_post, limit=3)]
    assert "人力资源服务业股权投资基金" in top

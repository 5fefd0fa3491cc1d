"""The demo articles load idempotently and cover every kind."""

from __future__ import annotations

from typing import Any

import pytest

from lianmeng.publicity import demo
from lianmeng.publicity.models import Article

pytestmark = pytest.mark.django_db


def test_demo_articles(cities: dict[str, Any]) -> None:
    from lianmeng.membership import demo as membership_demo

    membership_demo.load(accounts=True)
    demo.load(accounts=True)
    demo.load(accounts=True)
    assert Article.objects.count() == len(demo.ARTICLES) >= 15
    published = Article.objects.filter(status="published")
    assert set(published.values_list("kind", flat=True)) == {"news", "notice", "media", "policy"}
    assert published.count() >= 15
    assert all("<p>" in a.body for a in published)
    assert Article.objects.get(status="review").author.username == "demo-member"

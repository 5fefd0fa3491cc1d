"""Fixtures of the publicity tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from lianmeng.publicity.commands import ArticleCreate


@pytest.fixture
def park(make_org: Callable[..., Any]) -> Any:
    return make_org("中国青岛人力资源服务产业园", city="青岛", kind="park")


@pytest.fixture
def member(make_user: Callable[..., Any], park: Any) -> Any:
    return make_user("member_contact", organization=park, username="park", display_name="陈园区")


@pytest.fixture
def make_article(secretariat: Any) -> Callable[..., Any]:
    from lianmeng.publicity.services import article_create, article_transition

    def _make(title: str = "联盟召开理事会全会", *, publish: bool = True, **data: Any) -> Any:
        article = article_create(
            cmd=ArticleCreate.build(
                {"kind": "news", "title": title, "body": "<p>会议审议通过了年度工作计划。</p>", **data}
            ),
            actor=secretariat,
        )
        if publish:
            article = article_transition(article=article, action="publish", actor=secretariat)
        return article

    return _make

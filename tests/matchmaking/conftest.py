"""Fixtures of the matchmaking tests: member organizations with contacts, and posts."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from lianmeng.matchmaking.commands import MatchRequestAnswer, MatchRequestCreate, ResourceCreate
from tests.factories import published_event


@pytest.fixture
def park(make_org: Callable[..., Any]) -> Any:
    return make_org("中国青岛人力资源服务产业园", city="青岛", kind="park")


@pytest.fixture
def fund(make_org: Callable[..., Any]) -> Any:
    return make_org("青岛蓝海人才创投基金管理有限公司", city="青岛", kind="financial_institution")


@pytest.fixture
def park_contact(make_user: Callable[..., Any], park: Any) -> Any:
    return make_user("member_contact", organization=park, username="park", display_name="陈园区")


@pytest.fixture
def fund_contact(make_user: Callable[..., Any], fund: Any) -> Any:
    return make_user("member_contact", organization=fund, username="fund", display_name="林投资")


@pytest.fixture
def post_data() -> Callable[..., dict[str, Any]]:
    def _data(**overrides: Any) -> dict[str, Any]:
        data: dict[str, Any] = {
            "direction": "demand",
            "category": "finance",
            "title": "人力资源服务企业股权融资需求",
            "description": "园区内数字化招聘企业寻求天使轮股权投资，用于人力资源信息化平台研发。",
            "cities": ["370200"],
            "tags": ["投融资", "数字化"],
            "strategy_tags": [],
            "valid_until": (timezone.localdate() + datetime.timedelta(days=60)).isoformat(),
            "contact_name": "陈园区",
            "contact_phone": "13806420000",
            "contact_email": "park@example.cn",
        }
        data.update(overrides)
        return data

    return _data


@pytest.fixture
def make_post(post_data: Callable[..., dict[str, Any]]) -> Callable[..., Any]:
    from lianmeng.matchmaking.services import resource_create

    def _make(actor: Any, **overrides: Any) -> Any:
        return resource_create(actor=actor, cmd=ResourceCreate.build(post_data(**overrides)))

    return _make


SESSION_START = timezone.make_aware(datetime.datetime(2027, 3, 18, 9, 0))


@pytest.fixture
def session(secretariat: Any, park: Any) -> Any:
    """A published public matchmaking session of the park, from SESSION_START for three hours."""
    return published_event(
        park,
        secretariat,
        "胶东人力资源服务资源对接会",
        starts=SESSION_START,
        hours=3,
        kind="matchmaking",
        venue="青岛人服园报告厅",
        audience="public",
    )


@pytest.fixture
def accepted(fund_contact: Any, make_post: Callable[..., Any]) -> Callable[..., Any]:
    """``accepted(requester, title)``: the fund's supply post ``title``, the requester's request, accepted."""

    def _make(requester: Any, title: str) -> Any:
        from lianmeng.matchmaking import services

        post = make_post(fund_contact, direction="supply", title=title)
        req = services.match_request_create(
            cmd=MatchRequestCreate.build(resource=post, message="约谈"), actor=requester
        )
        return services.match_request_answer(
            cmd=MatchRequestAnswer.build(action="accept"), request=req, actor=fund_contact
        )

    return _make

"""The market and post pages: what members and the public see, with bounded queries."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def market(park_contact: Any, fund_contact: Any, make_post: Callable[..., Any]) -> list[Any]:
    posts = [make_post(park_contact, title=f"园区需求{i}", cities=["370200", "370600"]) for i in range(15)]
    posts += [
        make_post(fund_contact, direction="supply", title=f"股权投资服务{i}", tags=["投融资", f"标签{i}"])
        for i in range(15)
    ]
    return posts


def _client(user: Any | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_market_lists_posts_with_bounded_queries(
    market: list[Any], django_assert_max_num_queries: Any, park_contact: Any
) -> None:
    client = _client(park_contact)
    with django_assert_max_num_queries(12):
        r = client.get("/resources/")
    text = r.content.decode()
    assert r.status_code == 200
    assert "共 30 条资源" in text
    with django_assert_max_num_queries(12):
        r = client.get("/resources/?page=2&direction=supply")
    assert "共 15 条资源" in r.content.decode()


def test_market_search_and_category(market: list[Any]) -> None:
    text = _client(None).get("/resources/", {"q": "股权投资服务3"}).content.decode()
    assert "共 1 条资源" in text
    text = _client(None).get("/resources/", {"category": "talent"}).content.decode()
    assert "共 0 条资源" in text


def test_market_stops_counting_at_the_cap(market: list[Any], monkeypatch: pytest.MonkeyPatch) -> None:
    from lianmeng.core import pagination

    monkeypatch.setattr(pagination, "COUNT_CAP", 20)
    assert "超过 20 条资源" in _client(None).get("/resources/").content.decode()
    assert "共 15 条资源" in _client(None).get("/resources/", {"direction": "supply"}).content.decode()
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.cookies["django_language"] = "en"
    english = client.get("/resources/").content.decode()
    assert "More than 20 resources" in english


def test_post_page_shows_suggestions_to_owner_and_contact_to_members_only(
    market: list[Any], park_contact: Any, fund_contact: Any, django_assert_max_num_queries: Any
) -> None:
    demand = market[0]
    owner = _client(park_contact)
    # 20 for the page and its posts' suggestions, 5 for the library block (a finance post: projects with
    # their cities and strategy tags, the settings and the city names).
    with django_assert_max_num_queries(25):
        r = owner.get(f"/resources/{demand.pk}/")
    text = r.content.decode()
    assert "推荐对接方" in text and "股权投资服务" in text and "匹配度" in text
    public = _client(None).get(f"/resources/{demand.pk}/").content.decode()
    assert "13806420000" not in public and "仅对联盟成员可见" in public
    assert "推荐对接方" not in public
    other = _client(fund_contact).get(f"/resources/{demand.pk}/").content.decode()
    assert "13806420000" in other and "发送对接请求" in other


def test_request_flow_in_the_browser_forms(market: list[Any], park_contact: Any, fund_contact: Any) -> None:
    supply = market[-1]
    park = _client(park_contact)
    r = park.post(f"/resources/{supply.pk}/request/", {"message": ""}, follow=True)
    assert "请填写对接留言" in r.content.decode()
    r = park.post(f"/resources/{supply.pk}/request/", {"message": "希望约谈"}, follow=True)
    assert "对接请求已发送" in r.content.decode()
    req_url = r.redirect_chain[-1][0]
    fund = _client(fund_contact)
    r = fund.post(req_url + "decline/", {"message": ""})
    assert "婉拒时请简要说明原因" in r.content.decode()
    r = fund.post(req_url + "accept/", {"message": "欢迎"}, follow=True)
    assert "的对接请求，已通知对方" in r.content.decode() and "已接受" in r.content.decode()
    r = fund.post(req_url + "meeting/", {"mode": "online", "held_at": ""})
    assert "请填写洽谈时间" in r.content.decode()
    r = fund.post(
        req_url + "meeting/",
        {"mode": "online", "held_at": "2026-11-20T10:00", "notes": "首次洽谈"},
        follow=True,
    )
    assert "洽谈记录已保存" in r.content.decode() and "首次洽谈" in r.content.decode()
    r = park.post(req_url + "outcome/", {"outcome": "agreement", "amount": "1200"}, follow=True)
    text = r.content.decode()
    assert "签订合作协议" in text and "1,200 万元" in text


def test_desk_shows_waiting_requests_and_new_suggestions(
    market: list[Any], park_contact: Any, fund_contact: Any
) -> None:
    _client(park_contact).post(f"/resources/{market[-1].pk}/request/", {"message": "希望约谈"})
    text = _client(fund_contact).get("/desk/").content.decode()
    assert "待我答复的对接请求" in text and market[-1].title in text
    assert "条新推荐" in text

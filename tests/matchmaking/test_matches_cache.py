"""A post's suggestions are cached (per post, limit and day; the library ones per viewer and roles) and
any committed change to the market renews them (transactional: inside a test's open transaction the
cache is bypassed)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lianmeng.accounts.models import RoleAssignment
from lianmeng.core import cache
from lianmeng.matchmaking import selectors

pytestmark = pytest.mark.django_db(transaction=True)


def test_suggestions_come_from_the_cache_until_the_market_changes(
    make_post: Callable[..., Any], park_contact: Any, fund_contact: Any
) -> None:
    post = make_post(park_contact)
    make_post(fund_contact, direction="supply", title="人力资源服务企业股权投资基金")

    def titles() -> tuple[int, list[str]]:
        with CaptureQueriesContext(connection) as queries:
            found, _items = selectors.resource_suggestions(viewer=park_contact, resource=post, library=False)
        return len(queries), [s.resource.title for s in found]

    first, shown = titles()
    assert shown == ["人力资源服务企业股权投资基金"]
    again, shown_again = titles()
    assert shown_again == shown and again < first
    make_post(fund_contact, direction="supply", title="数字化人力资源平台天使投资")  # committed
    assert sorted(titles()[1]) == sorted([*shown, "数字化人力资源平台天使投资"])


def test_a_role_granted_gives_the_viewer_a_new_key(park_contact: Any, secretariat: Any) -> None:
    before = cache.viewer_parts(park_contact)
    assert before[:2] == ("user", park_contact.pk) and cache.viewer_parts(None) == ("public",)
    RoleAssignment.objects.create(user=park_contact, role="secretariat")
    park_contact.__dict__.pop("role_assignments", None)  # a new request loads the roles again
    assert cache.viewer_parts(park_contact) != before
    assert cache.viewer_parts(secretariat) != cache.viewer_parts(park_contact)


def test_the_market_list_is_cached_per_reach_and_renewed_by_an_edit(
    make_post: Callable[..., Any], park_contact: Any, fund_contact: Any, secretariat: Any
) -> None:
    from django.test import Client

    from lianmeng.matchmaking.models import Resource

    open_post = make_post(park_contact, title="园区招聘平台建设需求")
    closed = make_post(fund_contact, direction="supply", title="人才基金已结束的投资计划")
    Resource.objects.filter(pk=closed.pk).update(status="closed")

    def page(client: Client, **params: str) -> tuple[int, str]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/resources/", params)
        assert response.status_code == 200
        return len(queries), response.content.decode()

    visitor = Client()
    first, html = page(visitor)
    again, html_again = page(visitor)
    assert again < first
    for shown in (html, html_again):
        assert "园区招聘平台建设需求" in shown and "人才基金已结束的投资计划" not in shown

    office = Client()
    office.force_login(secretariat)
    assert "人才基金已结束的投资计划" in page(office)[1]  # every status: never the public copy
    assert "人才基金已结束的投资计划" not in page(visitor)[1]

    member = Client()
    member.force_login(fund_contact)
    mine = page(member, mine="1")[1]  # the organization's own posts, closed ones included
    assert "人才基金已结束的投资计划" in mine and "园区招聘平台建设需求" not in mine

    Resource.objects.filter(pk=open_post.pk).update(title="园区数字化招聘平台建设需求")  # committed
    assert "园区数字化招聘平台建设需求" in page(visitor)[1]


def test_the_suggestions_html_is_cached_and_its_forms_carry_the_request_s_own_token(
    make_post: Callable[..., Any], park_contact: Any, fund_contact: Any
) -> None:
    from django.test import Client
    from django.urls import reverse

    from lianmeng.matchmaking.models import MatchRequest
    from lianmeng.matchmaking.views import CSRF_PLACEHOLDER

    post = make_post(park_contact)
    fund = make_post(fund_contact, direction="supply", title="人力资源服务企业股权投资基金")
    client = Client(enforce_csrf_checks=True)
    client.force_login(park_contact)

    def page() -> tuple[int, str]:
        with CaptureQueriesContext(connection) as queries:
            html = client.get(post.get_absolute_url()).content.decode()
        return len(queries), html

    built, html = page()
    cached, html_again = page()
    assert cached < built  # the second page reads the suggestions' HTML from the cache
    action = reverse("matchmaking:resource-request", args=[fund.pk])
    for shown in (html, html_again):
        assert "人力资源服务企业股权投资基金" in shown and CSRF_PLACEHOLDER not in shown
    form = html_again.split(f'action="{action}"', 1)[1].split("</form>", 1)[0]
    token = form.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    assert len(token) == 64 and token.isalnum()

    sent = client.post(
        action,
        {"csrfmiddlewaretoken": token, "from_resource": post.pk, "score": 50, "message": "希望对接基金"},
    )
    assert sent.status_code == 302, sent.content.decode()[:500]
    assert MatchRequest.objects.filter(resource=fund, from_resource=post).exists()
    # the request is a committed write to the market: the card now says it was sent
    assert "已发起对接" in page()[1]
    # without the token the same form is refused
    refused = client.post(action, {"from_resource": post.pk, "score": 50, "message": "再次对接"})
    assert refused.status_code == 403

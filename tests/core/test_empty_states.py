"""Empty lists say what to do next, with the button to do it (includes/empty_state.html)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _get(path: str, user: Any = None, **params: str) -> str:
    client = Client()
    if user is not None:
        client.force_login(user)
    response = client.get(path, params)
    assert response.status_code == 200, path
    return response.content.decode()


def _empty_state(html: str, element_id: str) -> str:
    match = re.search(rf'<(li|div) class="lm-empty[^"]*" id="{element_id}">(.*?)</\1>', html, re.S)
    assert match, f"no empty state #{element_id}"
    return match.group(2)


def _button(block: str) -> tuple[str, str]:
    match = re.search(r'<a class="btn btn-primary btn-sm lm-empty-action" href="([^"]+)">([^<]+)</a>', block)
    assert match, block
    return match.group(1), match.group(2)


def test_empty_library_search_suggests_pinyin_and_browsing(cities: Any) -> None:
    block = _empty_state(_get(reverse("library:search"), q="完全不存在的词语"), "search-empty")
    assert "没有找到结果" in block and "拼音首字母" in block
    assert _button(block) == (reverse("library:home"), "浏览资源库")


def test_a_new_members_workbench_shows_first_steps(make_org: Any, make_user: Any) -> None:
    org = make_org("新入盟测试企业", kind="enterprise")
    contact = make_user("member_contact", organization=org, display_name="新联络员")
    block = _empty_state(_get(reverse("core:desk"), contact), "desk-first-steps")
    assert "目前没有需要您处理的事项" in block and "完善单位资料" in block
    assert _button(block) == (reverse("membership:organization-edit", args=[org.pk]), "完善单位资料")
    assert reverse("matchmaking:resource-new") in block  # the second step: post a resource


def test_a_city_without_landed_projects_points_to_the_projects(cities: Any) -> None:
    block = _empty_state(_get(reverse("library:landed-city", args=["370600"])), "landed-empty")
    assert "烟台暂无落地项目" in block and "登记落地情况" in block
    assert _button(block) == (reverse("library:projects"), "查看共建项目")
    assert reverse("library:landed") in block


def test_empty_event_list_offers_clearing_filters_or_creating_an_event(cities: Any, make_user: Any) -> None:
    url = reverse("activities:calendar")
    block = _empty_state(_get(url, q="没有这个活动"), "events-empty")
    assert "暂无符合条件的活动" in block and _button(block) == (url, "清除筛选")
    block = _empty_state(_get(url), "events-empty")
    assert _button(block) == ("?when=past", "查看往期活动")
    coordinator = make_user("city_coordinator", city=cities["青岛"])
    block = _empty_state(_get(url, coordinator), "events-empty")
    assert _button(block) == (reverse("activities:create"), "发起活动")


def test_a_workbench_with_something_to_do_shows_no_first_steps(make_org: Any, make_user: Any) -> None:
    park = make_org("新入盟测试产业园", kind="park")  # a park owes its 1+7+N themed activities
    contact = make_user("member_contact", organization=park)
    html = _get(reverse("core:desk"), contact)
    assert 'id="desk-first-steps"' not in html and "1+7+N" in html

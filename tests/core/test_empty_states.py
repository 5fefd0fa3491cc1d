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


def _no_button(block: str) -> None:
    assert "lm-empty-action" not in block, block


# Every app's main lists on an empty database: the message, the button for a viewer who may use it, and
# no button for one who may not.


def test_empty_project_list_offers_submitting_to_members_only(make_org: Any, make_user: Any) -> None:
    url = reverse("library:projects")
    contact = make_user("member_contact", organization=make_org("空项目库测试企业", kind="enterprise"))
    block = _empty_state(_get(url, contact), "projects-empty")
    assert "还没有共建项目" in block
    assert _button(block) == (reverse("library:project-create"), "提交项目")
    block = _empty_state(_get(url), "projects-empty")
    assert "还没有共建项目" in block
    _no_button(block)
    block = _empty_state(_get(url, contact, city="370200"), "projects-empty")
    assert "没有找到符合条件的项目" in block and _button(block) == (url, "清除筛选")


def test_empty_market_offers_posting_a_resource(make_org: Any, make_user: Any) -> None:
    url = reverse("matchmaking:market")
    contact = make_user("member_contact", organization=make_org("空大厅测试企业", kind="enterprise"))
    block = _empty_state(_get(url, contact), "market-empty")
    assert "还没有资源发布" in block and _button(block) == (reverse("matchmaking:resource-new"), "发布资源")
    block = _empty_state(_get(url, contact, mine="1"), "market-empty")
    assert "本单位还没有发布资源" in block and _button(block)[1] == "发布资源"
    _no_button(_empty_state(_get(url), "market-empty"))  # anonymous: nothing to post with


def test_a_new_members_request_boxes_say_how_requests_arrive(make_org: Any, make_user: Any) -> None:
    url = reverse("matchmaking:requests")
    contact = make_user("member_contact", organization=make_org("空对接测试企业", kind="enterprise"))
    block = _empty_state(_get(url, contact, box="incoming"), "requests-empty")
    assert "还没有收到对接请求" in block and _button(block) == (
        reverse("matchmaking:resource-new"),
        "发布资源",
    )
    block = _empty_state(_get(url, contact, box="outgoing"), "requests-empty")
    assert "还没有发出对接请求" in block and _button(block) == (reverse("matchmaking:market"), "浏览资源")


def test_empty_governance_lists_give_the_secretariat_the_button(
    make_org: Any, make_user: Any, secretariat: Any
) -> None:
    contact = make_user("member_contact", organization=make_org("空督办测试企业", kind="enterprise"))
    tasks, notices = reverse("governance:tasks"), reverse("governance:notices")
    block = _empty_state(_get(tasks, secretariat), "tasks-empty")
    assert "还没有督办任务" in block and _button(block) == (reverse("governance:task-new"), "交办任务")
    block = _empty_state(_get(tasks, contact), "tasks-empty")
    assert "本单位没有督办任务" in block
    _no_button(block)
    block = _empty_state(_get(notices, secretariat), "notices-empty")
    assert _button(block) == (reverse("governance:notice-new"), "发布通知")
    block = _empty_state(_get(notices, contact), "notices-empty")
    assert "还没有发给本单位的通知" in block
    _no_button(block)
    block = _empty_state(_get(notices, contact, unread="1"), "notices-empty")
    assert _button(block) == (notices, "清除筛选")


def test_empty_event_management_for_a_coordinator_and_a_bystander(cities: Any, make_user: Any) -> None:
    url = reverse("activities:manage")
    coordinator = make_user("city_coordinator", city=cities["烟台"])
    block = _empty_state(_get(url, coordinator), "managed-empty")
    assert "还没有可管理的活动" in block and _button(block) == (reverse("activities:create"), "发起活动")
    expert = make_user("expert")
    block = _empty_state(_get(url, expert), "managed-empty")
    assert "您没有可管理的活动" in block and _button(block) == (
        reverse("activities:calendar"),
        "去活动日历看看",
    )
    block = _empty_state(_get(reverse("activities:mine"), expert), "registrations-empty")
    assert "暂无即将参加的活动" in block and _button(block)[1] == "去活动日历看看"


def test_empty_directory_invites_visitors_to_apply(make_user: Any, cities: Any) -> None:
    url = reverse("membership:directory")
    block = _empty_state(_get(url), "directory-empty")
    assert "名录里还没有成员单位" in block and _button(block) == (reverse("membership:apply"), "申请入盟")
    _no_button(_empty_state(_get(url, make_user("expert")), "directory-empty"))
    block = _empty_state(_get(url, q="没有这家单位"), "directory-empty")
    assert "没有找到符合条件的单位" in block and _button(block) == (url, "清除筛选")


def test_empty_research_and_library_lists_for_the_secretariat(
    make_org: Any, make_user: Any, secretariat: Any
) -> None:
    block = _empty_state(_get(reverse("research:index"), secretariat), "rounds-empty")
    assert _button(block) == (reverse("research:round-new"), "新建评选")
    contact = make_user("member_contact", organization=make_org("空评选测试企业", kind="enterprise"))
    block = _empty_state(_get(reverse("research:index"), contact), "rounds-empty")
    assert "目前没有开放的评选" in block
    _no_button(block)
    block = _empty_state(_get(reverse("library:experts"), secretariat), "experts-empty")
    assert _button(block) == (reverse("library:expert-create"), "新增专家")
    _no_button(_empty_state(_get(reverse("library:experts"), contact), "experts-empty"))
    block = _empty_state(_get(reverse("library:consultations"), contact), "consultations-empty")
    assert _button(block) == (reverse("library:consultation-create"), "提出咨询")
    block = _empty_state(_get(reverse("membership:applications"), secretariat), "applications-empty")
    assert "还没有待处理的入盟申请" in block


def test_empty_news_offers_writing_to_whom_may_write(make_org: Any, make_user: Any, secretariat: Any) -> None:
    url = reverse("publicity:articles")
    block = _empty_state(_get(url, secretariat), "articles-empty")
    assert "还没有发布文章" in block and _button(block) == (reverse("publicity:article-new"), "投稿")
    _no_button(_empty_state(_get(url), "articles-empty"))
    block = _empty_state(_get(url, q="没有这篇文章"), "articles-empty")
    assert _button(block) == (url, "清除筛选")


def test_empty_workbench_panels_carry_their_button(make_org: Any, make_user: Any) -> None:
    contact = make_user("member_contact", organization=make_org("空面板测试企业", kind="enterprise"))
    html = _get(reverse("core:desk"), contact)
    posts = re.search(r"我的资源的新推荐.*?</section>", html, re.S)
    assert posts and "本单位暂无对接中的资源" in posts.group(0)
    assert f'lm-empty-action" href="{reverse("matchmaking:resource-new")}">发布资源' in posts.group(0)
    registrations = re.search(r"即将参加的活动.*?</section>", html, re.S)
    assert registrations and f'href="{reverse("activities:calendar")}">去活动日历看看' in registrations.group(
        0
    )


def test_a_city_report_with_nothing_yet_points_to_the_calendar_and_landings(
    cities: Any, secretariat: Any
) -> None:
    html = _get(reverse("reporting:city", args=["370600"]), secretariat)
    events = _empty_state(html, "city-events-empty")
    assert "本年度尚无已举办的活动" in events and f"{reverse('activities:calendar')}?city=370600" in events
    landings = _empty_state(html, "city-landings-empty")
    assert reverse("library:landed-city", args=["370600"]) in landings
    assert "本市还没有成员单位" in _empty_state(html, "city-members-empty")


def test_empty_notifications_say_what_will_arrive(make_user: Any) -> None:
    user = make_user("expert")
    block = _empty_state(_get(reverse("notifications:list"), user), "notifications-empty")
    assert "还没有消息" in block and reverse("notifications:preferences") in block

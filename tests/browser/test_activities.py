"""At phone width: a coordinator publishes a forum, a member registers two people, the coordinator
checks one in by typed code, files the summary, and the 1+7+N view turns the city green."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from lianmeng.activities.models import Event, Registration

pytestmark = pytest.mark.django_db(transaction=True)
PHONE = {"width": 375, "height": 812}


def _phone(browser: Browser) -> Page:
    context = browser.new_context(
        viewport=PHONE, locale="zh-CN", extra_http_headers={"Accept-Language": "zh-CN"}, has_touch=True
    )
    return context.new_page()


def _no_horizontal_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} scrolls sideways ({width}px)"


def test_forum_from_publication_to_compliance_on_a_phone(
    browser: Browser, live_server: Any, make_org: Any, make_user: Any, cities: Any, login: Any
) -> None:
    park = make_org("青岛浏览器测试人力资源服务产业园", city="青岛", kind="park")
    make_user("city_coordinator", city=cities["青岛"], username="coord", display_name="张联络")
    other_park = make_org("青岛另一人力资源服务产业园", city="青岛", kind="park")
    make_user("member_contact", organization=other_park, username="member", display_name="陈园区")
    now = timezone.localtime()
    starts, ends = now - datetime.timedelta(hours=1), now + datetime.timedelta(hours=3)

    # 1. The coordinator creates the forum on the phone and publishes it.
    coord = _phone(browser)
    login(coord, "coord")
    coord.goto(f"{live_server.url}/events/new/")
    coord.fill("#id_title", "青岛人力资源服务创新论坛")
    coord.select_option("#id_kind", "forum")
    coord.locator("#id_organizer").press_sequentially(park.name[:4])  # the type-ahead picker
    coord.locator(f"#id_organizer_results [data-picker-option='{park.pk}']").click()
    expect(coord.locator("#id_organizer_picker input[name=organizer]")).to_have_value(str(park.pk))
    coord.fill("#id_starts_at", f"{starts:%Y-%m-%dT%H:%M}")
    coord.fill("#id_ends_at", f"{ends:%Y-%m-%dT%H:%M}")
    coord.fill("#id_venue", "青岛国际会议中心")
    coord.fill("#id_capacity", "30")
    coord.fill("#id_registration_closes_at", f"{ends:%Y-%m-%dT%H:%M}")
    _no_horizontal_scroll(coord)
    coord.click("#save-event")
    expect(coord.locator(".alert-success")).to_contain_text("草稿")
    coord.click("#publish")
    expect(coord.locator("h1")).to_contain_text("青岛人力资源服务创新论坛")
    expect(coord.locator(".badge").first).to_have_text("已发布")
    _no_horizontal_scroll(coord)
    event = Event.objects.get()
    assert event.status == "published"

    # The city is only scheduled while the forum is not held.
    coord.goto(f"{live_server.url}/events/compliance/")
    expect(coord.locator('[data-city="370200"] .badge')).to_have_text("已安排")

    # 2. The park's contact registers two people.
    member = _phone(browser)
    login(member, "member")
    member.goto(f"{live_server.url}/events/{event.pk}/")
    for name, mobile in (("王磊", "13800000001"), ("李娜", "13800000002")):
        member.fill("#id_name", name)
        member.fill("#id_mobile", mobile)
        member.fill("#id_role", "项目经理")
        member.click("#submit-registration")
        expect(member.locator(".alert-success")).to_contain_text(f"{name} 报名成功")
    expect(member.locator("#registrations")).to_contain_text("王磊")
    expect(member.locator("#registrations")).to_contain_text("138****0002")  # not the organizer: masked
    expect(member.locator("#registrations")).to_contain_text("青岛另一人力资源服务产业园")
    _no_horizontal_scroll(member)

    # 3. The coordinator checks one in by typing the code; a second try says so.
    code = Registration.objects.get(name="王磊").code
    coord.goto(f"{live_server.url}/events/{event.pk}/checkin/")
    _no_horizontal_scroll(coord)
    submit = coord.locator("#checkin-submit")
    box = submit.bounding_box()
    assert box is not None and box["height"] >= 44 and box["y"] + box["height"] <= PHONE["height"]
    coord.fill("#code", f"{code[:4].lower()}-{code[4:].lower()}")
    submit.click()
    expect(coord.locator("#checkin-result")).to_contain_text("签到成功：王磊")
    expect(coord.locator("#count-attended")).to_have_text("1")
    coord.fill("#code", code)
    submit.click()
    expect(coord.locator("#checkin-result")).to_contain_text("已于")
    expect(coord.locator("#count-attended")).to_have_text("1")

    # 4. After the forum, the coordinator files the summary; the city turns green.
    coord.goto(f"{live_server.url}/events/{event.pk}/summary/")
    coord.fill("#id_summary", "论坛顺利举办，签约合作协议 2 项。")
    coord.fill("#id_agreements_signed", "2")
    coord.click("#save-summary")
    expect(coord.locator("#event-summary")).to_contain_text("签约合作协议 2 项")
    coord.goto(f"{live_server.url}/events/compliance/")
    badge = coord.locator('[data-city="370200"] .badge')
    expect(badge).to_have_text("已完成")
    expect(badge).to_have_class("badge text-bg-success")
    _no_horizontal_scroll(coord)

"""Two tabs on the same event's edit form: the second save is refused with a message naming what
changed, who changed it and when; what the user typed stays in the form; saving again goes through."""

from __future__ import annotations

import datetime
import os
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from tests.factories import make_event

pytestmark = pytest.mark.django_db(transaction=True)
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


def _no_horizontal_scroll(page: Page, width: int) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{page.url} scrolls sideways ({scroll}px at {width}px)"


def test_second_tab_sees_what_changed_and_keeps_its_input(
    browser: Browser, live_server: Any, make_org: Any, make_user: Any, cities: Any, login: Any, tmp_path: Path
) -> None:
    park = make_org("青岛两个标签页人力资源服务产业园", city="青岛", kind="park")
    make_user("city_coordinator", city=cities["青岛"], username="coord", display_name="张联络")
    starts = timezone.now().replace(second=0, microsecond=0) + datetime.timedelta(days=10)
    event = make_event(park, "青岛人力资源服务创新论坛", starts=starts, capacity=50)
    context = browser.new_context(
        viewport=PHONE, locale="zh-CN", extra_http_headers={"Accept-Language": "zh-CN"}
    )
    tab1 = context.new_page()
    login(tab1, "coord")
    tab2 = context.new_page()
    edit = f"{live_server.url}/events/{event.pk}/edit/"
    tab1.goto(edit)
    tab2.goto(edit)

    tab1.fill("#id_venue", "青岛国际会展中心")
    tab1.click("#save-event")
    expect(tab1.locator(".alert-success")).to_contain_text("活动信息已保存")

    tab2.fill("#id_title", "胶东人力资源服务创新论坛")
    tab2.fill("#id_capacity", "80")
    tab2.click("#save-event")
    conflict = tab2.locator("#edit-conflict")
    expect(conflict).to_be_visible()
    expect(conflict).to_contain_text("此记录已被 张联络")
    expect(conflict).to_contain_text("地点")
    expect(conflict).to_contain_text("青岛国际会展中心")
    expect(conflict).to_contain_text("请核对后再保存")
    for untouched in ("开始时间", "结束时间", "协办单位", "合作单位", "活动名称"):
        expect(conflict).not_to_contain_text(untouched)
    expect(tab2.locator("[data-conflict-field=venue]")).to_contain_text("他人已改为：青岛国际会展中心")
    expect(tab2.locator("#id_title")).to_have_value("胶东人力资源服务创新论坛")
    expect(tab2.locator("#id_capacity")).to_have_value("80")
    expect(tab2.locator("#id_venue")).to_have_value(
        "青岛国际会议中心"
    )  # what this tab had, not silently replaced
    event.refresh_from_db()
    assert (
        event.title == "青岛人力资源服务创新论坛"
        and event.venue == "青岛国际会展中心"
        and event.capacity == 50
    )

    shots = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    _no_horizontal_scroll(tab2, PHONE["width"])
    tab2.screenshot(path=str(shots / "two-tabs-phone.png"), full_page=True)
    tab2.set_viewport_size(DESKTOP)
    _no_horizontal_scroll(tab2, DESKTOP["width"])
    tab2.screenshot(path=str(shots / "two-tabs-desktop.png"), full_page=True)

    # Having checked, the user keeps the new venue and saves again: it goes through.
    tab2.fill("#id_venue", "青岛国际会展中心")
    tab2.click("#save-event")
    expect(tab2.locator(".alert-success")).to_contain_text("活动信息已保存")
    event.refresh_from_db()
    assert (event.title, event.venue, event.capacity, event.version) == (
        "胶东人力资源服务创新论坛",
        "青岛国际会展中心",
        80,
        3,
    )
    context.close()

"""On a phone, the dashboard draws its charts (canvas inside each chart container) without sideways
scrolling, and a city coordinator finds their city highlighted in the table."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, expect

pytestmark = pytest.mark.django_db(transaction=True)
PHONE = {"width": 375, "height": 812}


def test_dashboard_charts_render_on_a_phone(
    browser: Browser, live_server: Any, cities: Any, make_org: Any, make_user: Any, login: Any
) -> None:
    make_org("青岛浏览器报告测试产业园", city="青岛", kind="park")
    make_org("烟台浏览器报告测试协会", city="烟台", kind="association")
    make_user("city_coordinator", city=cities["青岛"], username="coord", display_name="张联络")
    context = browser.new_context(
        viewport=PHONE, locale="zh-CN", extra_http_headers={"Accept-Language": "zh-CN"}, has_touch=True
    )
    page = context.new_page()
    login(page, "coord")
    page.goto(f"{live_server.url}/reports/")
    expect(page.locator("h1")).to_contain_text("统计报告")
    for chart in ("chart-map", "chart-landings", "chart-cities"):
        expect(page.locator(f"#{chart} canvas")).to_have_count(1)
        box = page.locator(f"#{chart} canvas").bounding_box()
        assert box is not None and box["width"] > 200 and box["height"] > 200
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the dashboard scrolls sideways ({width}px)"
    expect(page.locator('tr[data-city="370200"]')).to_have_class("table-primary rep-mine")
    expect(page.locator('tr[data-city="370200"]')).to_contain_text("本市")
    page.locator('tr[data-city="370200"] a').click()
    expect(page.locator("h1")).to_contain_text("青岛")
    expect(page.locator("#city-members")).to_contain_text("青岛浏览器报告测试产业园")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    context.close()

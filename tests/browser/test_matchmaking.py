"""A park posts a finance demand; a financial institution's supply is suggested; the request is accepted,
a meeting recorded, and the outcome creates a project that shows in the library and the portal figures."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from tests.factories import fund_supply

pytestmark = pytest.mark.django_db(transaction=True)


def _figure(page: Any, label: str) -> int:
    card = page.locator("#key-figures a", has_text=label)
    return int(card.locator(".lm-stat").inner_text())


def test_finance_demand_to_project(
    browser: Browser, live_server: Any, make_org: Any, make_user: Any, login: Any
) -> None:
    fund_supply(make_org, make_user, tags=["投融资", "数字化"])
    home = browser.new_page()
    home.goto(f"{live_server.url}/")
    projects_before = _figure(home, "对接形成项目")

    # 1. The park's contact posts a finance demand on a phone.
    park_page = browser.new_page(viewport={"width": 375, "height": 812})
    login(park_page, "park")
    park_page.goto(f"{live_server.url}/resources/")
    park_page.click("#post-resource")
    park_page.check("input[name=direction][value=demand]")
    park_page.select_option("#id_category", "finance")
    park_page.fill("#id_title", "园区入驻企业股权融资需求")
    park_page.fill("#id_description", "园区数字化招聘企业寻求天使轮股权投资，用于人力资源信息化平台研发。")
    park_page.fill("#id_tags", "投融资 数字化")
    park_page.click("#save-resource")
    expect(park_page.locator("#resource-title")).to_have_text("园区入驻企业股权融资需求")
    assert park_page.evaluate("document.documentElement.scrollWidth") <= 375

    # 2. The fund's supply is the first suggestion, with an explained score.
    first = park_page.locator(".mm-suggestion").first
    expect(first).to_contain_text("人力资源服务业股权投资基金")
    expect(first).to_contain_text("资源类别 30/30")
    score = int(first.locator(".mm-score").inner_text())
    points = [int(x) for x in re.findall(r"(\d+)/\d+", first.locator("ul").inner_text())]
    assert sum(points) == score
    first.locator("input[name=message]").fill("希望安排项目路演，洽谈股权投资。")
    first.locator("button[type=submit]").click()
    expect(park_page.locator("#request-status")).to_contain_text("待答复")
    request_url = park_page.url

    # 3. The fund accepts and records the meeting.
    fund_page = browser.new_page()
    login(fund_page, "fund")
    fund_page.goto(f"{live_server.url}/desk/")
    fund_page.get_by_role("link", name="人力资源服务业股权投资基金").first.click()
    fund_page.fill("#id_message", "欢迎来访。")
    fund_page.click("#accept-request")
    expect(fund_page.locator("#request-status")).to_contain_text("已接受")
    fund_page.click("#add-meeting")
    fund_page.select_option("#id_mode", "onsite")
    fund_page.fill("#id_held_at", "2026-11-20T10:00")
    fund_page.fill("#id_place", "青岛人服园 3 楼会议室")
    fund_page.fill("#id_notes", "确定共建人服企业投资孵化平台。")
    fund_page.click("#save-meeting")
    expect(fund_page.locator("#meetings")).to_contain_text("青岛人服园 3 楼会议室")

    # 4. The park records the outcome: a project is created in the library.
    park_page.goto(request_url)
    park_page.select_option("#id_outcome", "project_created")
    park_page.fill("#id_project_name", "人服企业投资孵化平台")
    park_page.once("dialog", lambda d: d.accept())  # 办结后不能再修改
    park_page.click("#save-outcome")
    expect(park_page.locator("#request-outcome")).to_contain_text("形成共建项目")
    park_page.click("#project-link")
    expect(park_page.locator("h1")).to_contain_text("人服企业投资孵化平台")
    expect(park_page.locator("body")).to_contain_text("青岛蓝海人才创投基金管理有限公司")

    # 5. The portal's key figures count it.
    home.goto(f"{live_server.url}/")
    assert _figure(home, "对接形成项目") == projects_before + 1
    assert _figure(home, "对接达成合作") >= 1

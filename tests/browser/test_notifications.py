"""Two people, two browsers: one acts, the other's bell counts up without a reload (htmx polls the
unread count every NOTIFICATIONS_POLL_SECONDS), under the strict CSP, at phone and desktop width."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from tests.factories import fund_supply

pytestmark = pytest.mark.django_db(transaction=True)


def _csp_errors(page: Any) -> list[str]:
    errors: list[str] = []
    page.on(
        "console",
        lambda m: errors.append(m.text) if "Content Security Policy" in m.text or m.type == "error" else None,
    )
    return errors


@pytest.mark.parametrize("width", [390, 1366])
def test_a_request_and_its_answer_reach_the_other_side_without_reload(
    browser: Browser, live_server: Any, make_org: Any, make_user: Any, login: Any, settings: Any, width: int
) -> None:
    settings.NOTIFICATIONS_POLL_SECONDS = 1
    supply = fund_supply(make_org, make_user)
    viewport = {"width": width, "height": 800}

    # B, the post's owner, waits on the workbench: the bell shows no count.
    fund_page = browser.new_page(viewport=viewport)
    errors = _csp_errors(fund_page)
    login(fund_page, "fund")
    fund_page.goto(f"{live_server.url}/desk/")
    bell = fund_page.locator("#lm-bell")
    expect(bell).to_be_visible()
    expect(bell).to_have_attribute("data-unread", "0")
    fund_page.evaluate("window.__stillHere = 'yes'")  # gone if the page reloads

    # A, the park's contact, sends a matchmaking request in another browser.
    park_page = browser.new_page(viewport=viewport)
    login(park_page, "park")
    park_page.goto(f"{live_server.url}{supply.get_absolute_url()}")
    park_page.fill("#id_message", "希望安排项目路演，洽谈股权投资。")
    park_page.click("#send-request")
    expect(park_page.locator("#request-status")).to_contain_text("待答复")
    park_bell = park_page.locator("#lm-bell")
    expect(park_bell).to_have_attribute("data-unread", "0")
    park_page.evaluate("window.__stillHere = 'yes'")

    # B's bell counts up by itself, the page was not reloaded.
    expect(bell).to_have_attribute("data-unread", "1", timeout=10_000)
    expect(bell.locator(".lm-bell-count")).to_have_text("1")
    assert fund_page.evaluate("window.__stillHere") == "yes"

    # B opens the notification from the list: it leads to the request and is then read.
    bell.click()
    expect(fund_page.locator("h1")).to_contain_text("站内消息")
    fund_page.get_by_role("button", name="收到新的对接请求").click()
    expect(fund_page.locator("#request-status")).to_contain_text("待答复")
    expect(fund_page.locator("#lm-bell")).to_have_attribute("data-unread", "0")

    # B accepts; A's bell (still on the request page) counts up without reload.
    fund_page.fill("#id_message", "欢迎来访。")
    fund_page.click("#accept-request")
    expect(fund_page.locator("#request-status")).to_contain_text("已接受")
    expect(park_bell).to_have_attribute("data-unread", "1", timeout=10_000)
    assert park_page.evaluate("window.__stillHere") == "yes"
    park_page.goto(f"{live_server.url}/desk/")
    expect(park_page.locator("body")).to_contain_text("最近动态")
    expect(park_page.locator("body")).to_contain_text("对接请求有新答复")
    assert park_page.evaluate("document.documentElement.scrollWidth") <= width

    # mark all read
    park_page.goto(f"{live_server.url}/notifications/")
    park_page.get_by_role("button", name="全部标为已读").click()
    expect(park_page.locator("#lm-bell")).to_have_attribute("data-unread", "0")
    assert not [e for e in errors if "Content Security Policy" in e], errors
    # stop polling before the live server and its database go away
    fund_page.close()
    park_page.close()

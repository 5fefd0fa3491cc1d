"""On a phone, filters come before the results and fold away (Bootstrap collapse, no inline script):
the event filters open with their button and stay open while a filter is active; the search facets sit
above the results. At 1366 px the filters are simply shown."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, expect

from tests.factories import make_event

pytestmark = pytest.mark.django_db(transaction=True)

SHOWN = re.compile(r"(^|\s)show(\s|$)")


def _page(browser: Browser, width: int) -> Any:
    return browser.new_context(
        viewport={"width": width, "height": 844},
        locale="zh-CN",
        extra_http_headers={"Accept-Language": "zh-CN"},
    ).new_page()


def test_event_filters_fold_on_a_phone(browser: Browser, live_server: Any, make_org: Any) -> None:
    park = make_org("青岛筛选测试产业园")
    starts = timezone.now() + datetime.timedelta(days=2)
    make_event(park, "青岛筛选测试论坛", starts=starts, hours=2, venue="")
    phone = _page(browser, 390)
    phone.goto(f"{live_server.url}/events/")
    form, toggle = phone.locator("#event-filters"), phone.locator("[data-bs-target='#event-filters']")
    expect(form).to_be_hidden()
    expect(phone.locator("#event-list")).to_contain_text("青岛筛选测试论坛")
    toggle.click()
    # the collapse's transition over (Bootstrap adds `show` at its end): a tap on the submit button while
    # the form was still growing sent nothing once on PostgreSQL under load
    expect(form).to_have_class(SHOWN)
    phone.fill("#q", "论坛")
    phone.locator("#event-filters button[type=submit]").click()
    # the filtered page (the form stayed visible on the old one: asserting before it came was a race)
    phone.wait_for_url(lambda url: "q=" in url)
    expect(phone.locator("#event-filters")).to_be_visible()  # a filter is active: it stays open
    expect(phone.locator("[data-bs-target='#event-filters']")).to_contain_text("已筛选")
    box_filters = phone.locator("#event-filters").bounding_box()
    box_results = phone.locator("#event-list").bounding_box()
    assert box_filters and box_results and box_filters["y"] < box_results["y"]
    phone.context.close()

    desk = _page(browser, 1366)
    desk.goto(f"{live_server.url}/events/")
    expect(desk.locator("#event-filters")).to_be_visible()
    expect(desk.locator("[data-bs-target='#event-filters']")).to_be_hidden()
    desk.context.close()


def test_search_facets_come_before_results_on_a_phone(
    browser: Browser, live_server: Any, make_org: Any
) -> None:
    make_org("青岛搜索筛选测试产业园")
    phone = _page(browser, 390)
    phone.goto(f"{live_server.url}/library/search/?q=青岛")
    toggle = phone.locator("[data-bs-target='#search-facets']")
    expect(toggle).to_be_visible()
    expect(phone.locator("#search-facets")).to_be_hidden()
    toggle_box, results_box = toggle.bounding_box(), phone.locator("#search-results").bounding_box()
    assert toggle_box and results_box and toggle_box["y"] < results_box["y"]
    toggle.click()
    expect(phone.locator("#search-facets [data-facet=type]")).to_be_visible()
    phone.context.close()


def test_the_work_menu_is_a_dropdown_on_a_phone(
    browser: Browser, live_server: Any, make_org: Any, make_user: Any, login: Any
) -> None:
    park = make_org("青岛工作菜单测试产业园")
    make_user("member_contact", organization=park, username="menu")
    phone = _page(browser, 390)
    login(phone, "menu")
    phone.goto(f"{live_server.url}/desk/")
    expect(phone.locator(".lm-workbar ul.nav")).to_be_hidden()  # no sideways-scrolling strip
    toggle = phone.locator("#workbar-menu")
    expect(toggle).to_contain_text("工作台")  # says where you are
    toggle.click()
    menu = phone.locator("#workbar-phone .dropdown-menu")
    expect(menu).to_be_visible()
    expect(menu.locator(".dropdown-item.active")).to_have_text("工作台")
    menu.locator(".dropdown-item", has_text="活动").first.click()
    phone.wait_for_url(lambda url: "/desk/" not in url)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.context.close()


@pytest.mark.parametrize(
    ("path", "form", "filters", "results", "select"),
    [
        ("/library/projects/", "#project-search", "#project-filters", "#project-results", "city"),
        ("/members/", "#directory-search", "#directory-filters", "#directory-results", "kind"),
        ("/resources/", "#market-search", "#market-filters", "#market-results", "category"),
        (
            "/library/achievements/",
            "#achievement-search",
            "#achievement-filters",
            "#achievement-results",
            "kind",
        ),
        ("/library/experts/", "#expert-search", "#expert-filters", "#expert-results", "title"),
    ],
    ids=["projects", "directory", "market", "achievements", "experts"],
)
def test_list_filters_fold_on_a_phone_and_show_on_a_desk(
    browser: Browser,
    live_server: Any,
    make_org: Any,
    path: str,
    form: str,
    filters: str,
    results: str,
    select: str,
) -> None:
    make_org("青岛折叠筛选测试产业园")
    phone = _page(browser, 390)
    phone.goto(f"{live_server.url}{path}")
    search, toggle = phone.locator(f"{form} #q"), phone.locator(f"[data-bs-target='{filters}']")
    expect(search).to_be_visible()  # the search box stays in view
    expect(toggle).to_be_visible()
    expect(phone.locator(filters)).to_be_hidden()
    box_form, box_results = phone.locator(form).bounding_box(), phone.locator(results).bounding_box()
    assert box_form and box_results and box_form["y"] + box_form["height"] <= box_results["y"]
    toggle.click()
    expect(phone.locator(filters)).to_have_class(SHOWN)  # the collapse's transition over
    expect(phone.locator(f"{filters} select[name={select}]")).to_be_visible()
    phone.select_option(f"{filters} select[name={select}]", index=1)
    phone.locator(f"{form} button[type=submit]").click()
    phone.wait_for_url(lambda url: f"{select}=" in url)  # the filtered page, not the one it was sent from
    expect(phone.locator(filters)).to_be_visible()  # a filter is active: it stays open
    expect(phone.locator(f"[data-bs-target='{filters}']")).to_contain_text("已筛选")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.context.close()

    desk = _page(browser, 1366)
    desk.goto(f"{live_server.url}{path}")
    expect(desk.locator(f"{filters} select[name={select}]")).to_be_visible()
    expect(desk.locator(f"[data-bs-target='{filters}']")).to_be_hidden()
    box_form, box_results = desk.locator(form).bounding_box(), desk.locator(results).bounding_box()
    assert box_form and box_results and box_form["y"] < box_results["y"]
    desk.context.close()

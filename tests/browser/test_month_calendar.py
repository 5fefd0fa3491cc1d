"""The month calendar with the demo's events: seven equal columns that fit the page at 1366 px, titles
wrapped inside their day, and a list of days (no grid) on a 390 px phone, in Chinese and English."""

from __future__ import annotations

import datetime
from collections import Counter
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser

from lianmeng.activities import demo
from lianmeng.activities.models import Event, EventStatus
from tests.factories import make_event

pytestmark = pytest.mark.django_db(transaction=True)
LONG_TITLE = "胶东经济圈人力资源服务业高质量发展暨人力资源服务产业园区协同创新与数字化转型高峰论坛（第三届）"
LONG_LATIN = "Jiaodong-Human-Resources-Service-Industry-Digital-Transformation-Summit-2026"


def _busiest_month(make_org: Any, cities: Any) -> datetime.date:
    """Load the demo's events (their organizers first) and add two long titles on the busiest
    month's first Monday, where the column collapsed before."""
    for name in {e[2] for e in demo.EVENTS}:
        make_org(name, city="青岛", kind="park")
    demo.load(accounts=False)
    months = Counter(
        timezone.localtime(e.starts_at).date().replace(day=1)
        for e in Event.objects.exclude(status=EventStatus.DRAFT)
    )
    month, _count = months.most_common(1)[0]
    monday = month + datetime.timedelta(days=(7 - month.weekday()) % 7)
    organizer = Event.objects.first().organizer  # type: ignore[union-attr]
    for title in (LONG_TITLE, LONG_LATIN):
        starts = timezone.make_aware(datetime.datetime(monday.year, monday.month, monday.day, 14))
        make_event(organizer, title, starts=starts, hours=2, status=EventStatus.PUBLISHED)
    return month


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_month_grid_fits_1366_and_phone_shows_a_list(
    browser: Browser, live_server: Any, make_org: Any, cities: Any, lang: str
) -> None:
    month = _busiest_month(make_org, cities)
    url = f"{live_server.url}/events/month/?month={month:%Y-%m}"

    desk = browser.new_context(
        viewport={"width": 1366, "height": 900}, locale=lang, extra_http_headers={"Accept-Language": lang}
    ).new_page()
    desk.goto(url)
    grid = desk.locator("#month-grid")
    assert grid.is_visible()
    table_width = grid.evaluate("t => t.getBoundingClientRect().width")
    page_width = desk.evaluate("document.documentElement.scrollWidth")
    assert page_width <= 1366, f"the page scrolls sideways ({page_width}px)"
    assert table_width <= 1366, f"the month table is {table_width}px wide"
    columns = desk.locator("#month-grid thead th").evaluate_all(
        "ths => ths.map(th => th.getBoundingClientRect().width)"
    )
    assert len(columns) == 7 and min(columns) >= 0.95 * max(columns), columns  # no collapsed Monday
    # The long titles wrap inside their day: each link stays within its cell.
    for title in (LONG_TITLE, LONG_LATIN):
        link = desk.locator("#month-grid a", has_text=title)
        box, cell = link.evaluate(
            "a => [a.getBoundingClientRect().toJSON(), a.closest('td').getBoundingClientRect().toJSON()]"
        )
        assert box["right"] <= cell["right"] + 0.5 and box["height"] > 30, (title, box, cell)
    desk.context.close()

    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, locale=lang, extra_http_headers={"Accept-Language": lang}
    ).new_page()
    phone.goto(url)
    assert not phone.locator("#month-grid").is_visible()
    assert phone.locator("#month-days").get_by_text(LONG_TITLE).is_visible()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the phone page scrolls sideways ({width}px)"
    phone.context.close()

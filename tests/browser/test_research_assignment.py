"""On a phone: the secretariat computes a fair assignment, reads whether it is proven, removes a reviewer
and adds a suggested expert instead (best match first, conflicted experts never offered)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from lianmeng.research.models import Assignment

from ..research.conftest import (  # noqa: F401  (fixtures shared with the service tests)
    contact_for,
    make_expert,
    open_round,
    round_with_entries,
)

PHONE = {"width": 375, "height": 812}


@pytest.mark.django_db(transaction=True)
def test_fair_assignment_and_a_suggested_expert_on_a_phone(
    live_server: Any,
    browser: Any,
    login: Callable[..., None],
    secretariat: Any,
    round_with_entries: Callable[..., Any],  # noqa: F811
    make_expert: Callable[..., Any],  # noqa: F811
) -> None:
    selection, entries = round_with_entries(3, max_load=3)
    for city, words in (("烟台", "零工市场、数字化"), ("日照", "海洋产业、人才飞地"), ("滨州", "劳务协作")):
        make_expert(city=city, keywords=words)
    make_expert("候补专家", city="东营", keywords="零工市场")
    make_expert("青岛专家", city="青岛", keywords="零工市场")  # same city as the first entry

    context = browser.new_context(
        viewport=PHONE, locale="zh-CN", extra_http_headers={"Accept-Language": "zh-CN"}
    )
    page = context.new_page()
    login(page, "secretary")
    page.goto(f"{live_server.url}/research/rounds/{selection.pk}/assignment/")
    page.select_option("select[name=mode]", "fair")
    page.click("#compute")  # computed by the worker (here the test backend, at once); then applied
    expect(page.locator("#job-status")).to_contain_text("计算完成")
    page.click("#job-apply")
    expect(page.locator("#optimality")).to_contain_text("已证明最优")
    first = page.locator("section.lm-card").filter(has_text=entries[0].title)
    options = first.locator("select[name=expert] option")
    labels = [options.nth(i).inner_text() for i in range(options.count())]
    assert not any(label.startswith("青岛专家") for label in labels)
    assert "匹配度" in labels[1]
    first.locator("button[value=remove]").first.click()  # k still applies: make room first
    expect(page.locator("body")).to_contain_text("已移除")
    first = page.locator("section.lm-card").filter(has_text=entries[0].title)
    options = first.locator("select[name=expert] option")
    best = options.nth(1)  # suggestions leave out experts already on the entry
    name = best.inner_text().split(" · ")[0]
    first.locator("select[name=expert]").select_option(best.get_attribute("value"))
    first.locator("button[value=add]").first.click()  # the suggestion form (the picker form follows)
    expect(page.locator("body")).to_contain_text(f"已添加 {name}")
    assert Assignment.objects.filter(entry=entries[0], expert__name=name, source="manual").exists()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    context.close()

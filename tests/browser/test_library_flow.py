"""A member submits a project, the secretariat lands it in two cities, a visitor finds it by a
traditional-character word and sees it on the city's landed list."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.mark.django_db(transaction=True)
def test_project_submitted_landed_and_found(
    live_server: Any, page: Any, login: Any, make_org: Any, make_user: Any, secretariat: Any
) -> None:
    park = make_org("中国青岛人力资源服务产业园")
    make_org("中国烟台人力资源服务产业园", city="烟台")
    make_user("member_contact", organization=park, username="member")

    login(page, "member")
    page.goto(f"{live_server.url}/library/projects/new/")
    page.fill("#id_name", "胶东人才联盟共享平台")
    page.fill("#id_summary", "七市园区共享岗位与人才信息。")
    page.check("input[name=cities][value='370200']")
    page.check("input[name=integration_tags][value='technology']")
    page.click("button.lm-submit")
    page.wait_for_selector("#history")
    assert "已申报" in page.inner_text("body")
    project_url = page.url

    page.context.clear_cookies()
    login(page, "secretary")
    page.goto(project_url)
    for label in ("转为“评估中”", "转为“孵化中”"):
        page.get_by_role("button", name=label).click()
        page.wait_for_selector(".alert-success")
    for city, park_name in (
        ("370200", "中国青岛人力资源服务产业园"),
        ("370600", "中国烟台人力资源服务产业园"),
    ):
        page.get_by_role(
            "link", name="登记落地"
        ).first.click()  # the header button (the empty list offers it too)
        page.select_option("#id_city", city)
        page.select_option("#id_park", label=park_name)
        page.fill("#id_date", "2026-03-01")
        page.fill("#id_investment", "1200")
        page.fill("#id_jobs", "80")
        page.click("button.lm-submit")
        page.wait_for_selector("#landings")
    page.get_by_role("button", name="转为“已落地”").click()
    page.wait_for_selector(".alert-success")
    assert page.inner_text("#landings").count("2026年3月1日") == 2

    page.context.clear_cookies()
    page.goto(f"{live_server.url}/library/search/?q=聯盟")
    results = page.inner_text("#search-results")
    assert "胶东人才联盟共享平台" in results
    assert page.locator("#search-results mark", has_text="联盟").count() >= 1
    page.goto(f"{live_server.url}/library/landed/370600/")
    assert "胶东人才联盟共享平台" in page.inner_text("#city-landed")
    assert "1,200 万元" in page.inner_text("#city-landed")

"""A selection round in the browser: the secretariat opens it, three members enter, the solver assigns,
two experts review on phones, results go to 公示, an objection is filed and answered, the round is
finalised, and the winner appears in the achievement library and the showcase."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from lianmeng.accounts.models import Role
from lianmeng.core.actors import SYSTEM
from lianmeng.library.commands import ExpertCreate
from lianmeng.library.services import expert_create
from lianmeng.research.models import SelectionRound

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1366, "height": 900}


def _switch(page: Page, login: Any, username: str, viewport: dict[str, int]) -> None:
    page.context.clear_cookies()
    page.set_viewport_size(viewport)
    login(page, username)


def _no_horizontal_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_selection_round_from_entries_to_showcase(
    page: Page, live_server: Any, cities: Any, secretariat: Any, make_user: Any, make_org: Any, login: Any
) -> None:
    url = live_server.url
    members = []
    for i, city in enumerate(("青岛", "潍坊", "威海")):
        org = make_org(f"浏览器园区{i + 1}", city=city)
        members.append((make_user(Role.MEMBER_CONTACT, organization=org, username=f"member{i + 1}"), org))
    experts = []
    for i, city in enumerate(("烟台", "日照")):
        user = make_user(Role.EXPERT, username=f"reviewer{i + 1}")
        org = make_org(f"评审大学{i + 1}", city=city, kind="university")
        experts.append(
            expert_create(
                cmd=ExpertCreate.build(
                    {
                        "name": f"评审{i + 1}",
                        "organization": org.pk,
                        "city": cities[city].code,
                        "title": "senior",
                        "keywords": "零工市场、园区运营",
                    }
                ),
                actor=SYSTEM,
                user=user,
            )
        )

    # 1. The secretariat sets up the round (desktop) and opens it.
    _switch(page, login, "secretary", DESKTOP)
    page.goto(f"{url}/research/rounds/new/")
    page.select_option("#id_kind", "typical_case")
    page.fill("#id_year", "2026")
    page.fill("#id_title", "浏览器典型案例评选")
    page.fill("#id_entries_close_on", "2099-12-31")
    page.fill("#id_review_due_on", "2099-12-31")
    page.fill("#id_reviewers_per_entry", "2")
    page.fill("#id_max_load", "3")
    page.fill("#id_first_percent", "34")
    page.fill("#id_second_percent", "33")
    page.fill("#id_third_percent", "")
    page.click("form button.btn-primary")
    expect(page.locator("#round-status")).to_contain_text("筹备中")
    page.click("button[value=open]")
    expect(page.locator("#round-status")).to_contain_text("征集中")
    round_path = page.url.replace(url, "")

    # 2. Three members enter on their phones.
    for i, (user, _org) in enumerate(members):
        _switch(page, login, user.username, PHONE)
        page.goto(f"{url}{round_path}")
        page.click("text=我要申报")
        page.fill("#id_title", f"零工市场服务案例{i + 1}")
        page.fill("#id_authors", f"申报人{i + 1}")
        page.fill("#id_summary", "园区建设零工市场，服务灵活就业。")
        page.fill("#id_keywords", "零工市场、园区运营")
        page.click("form button[type=submit], form button.btn-primary")
        expect(page.get_by_text("申报已提交")).to_be_visible()

    # 3. Eligibility, review stage, optimal assignment, invitations.
    _switch(page, login, "secretary", DESKTOP)
    page.goto(f"{url}{round_path}")
    for _ in range(3):
        page.locator("button[value=accept]").first.click()
        expect(page.get_by_text("资格审查结果已保存")).to_be_visible()
    asked_first: list[str] = []
    page.once("dialog", lambda d: (asked_first.append(d.message), d.accept()))
    page.click("button[value=start_review]")
    expect(page.locator("#round-status")).to_contain_text("评审中")
    assert "不能再申报" in asked_first[0]
    page.click("text=专家分配与评审进度")
    page.click("text=计算最优分配")
    page.click("#job-apply")
    expect(page.locator("#figures")).to_contain_text("总匹配度")
    page.click("#invite")
    expect(page.get_by_text("已向专家发出 6 份评审邀请")).to_be_visible()

    # 4. Two experts review every assigned entry on phones.
    for n, expert in enumerate(experts):
        _switch(page, login, expert.user.username, PHONE)
        for i in range(3):
            page.goto(f"{url}/research/reviews/")
            page.locator("#main a.fw-semibold").nth(i).click()
            _no_horizontal_scroll(page)
            for field in page.locator("input[type=number]").all():
                field.fill(str(9 - i - n * 0.5))
            for box in page.locator("textarea[name^=comment_]").all():
                box.fill("做法扎实，可推广。")
            page.click("#submit-review")
            expect(page.locator("#review-status")).to_contain_text("已提交")

    # 5. Results to 公示; the first prize is recommended for the showcase.
    _switch(page, login, "secretary", DESKTOP)
    page.goto(f"{url}{round_path}")
    page.once("dialog", lambda d: (asked_first.append(d.message), d.accept()))
    page.click("button[value=publish]")
    expect(page.locator("#round-status")).to_contain_text("公示中")
    assert "公示" in asked_first[1] and "异议" in asked_first[1]
    page.click("text=查看结果")
    first = page.locator("#results li").first
    expect(first).to_contain_text("一等奖")
    winner = first.locator("a").first.inner_text()
    first.locator("input[name=showcase]").check()
    first.locator("button").click()
    expect(page.get_by_text("结果已调整")).to_be_visible()
    result_path = page.url.replace(url, "")

    # 6. Anyone (no login) objects; the secretariat answers.
    page.context.clear_cookies()
    page.set_viewport_size(PHONE)
    page.goto(f"{url}{result_path}")
    page.fill("#id_name", "公众甲")
    page.fill("#id_contact", "13912345678")
    page.fill("#id_reasons", "请说明第一名的服务人数是否属实。")
    page.click("#objection-form button")
    expect(page.get_by_text("异议已提交")).to_be_visible()
    _switch(page, login, "secretary", DESKTOP)
    page.goto(f"{url}{result_path}")
    page.check("input[name=outcome][value=dismissed]")
    page.fill("textarea[name=response]", "经核实，服务人数有园区台账为证。")
    page.click("text=保存答复")
    expect(page.locator("#objections")).to_contain_text("异议不成立")

    # 7. The 公示 period ends; the round is finalised.
    SelectionRound.objects.filter(title="浏览器典型案例评选").update(
        publicity_ends_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    page.goto(f"{url}{round_path}")
    asked: list[str] = []
    page.once("dialog", lambda d: (asked.append(d.message), d.accept()))
    page.click("button[value=finalise]")
    expect(page.locator("#round-status")).to_contain_text("已定稿")
    assert asked, "finalising asks first"

    # 8. The winner is in the achievement library and in the showcase.
    page.goto(f"{url}/library/showcase/")
    expect(page.locator("#main")).to_contain_text(winner)
    page.get_by_role("link", name=winner).first.click()
    expect(page.locator("#main")).to_contain_text("浏览器典型案例评选 一等奖")

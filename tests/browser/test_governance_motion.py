"""The motion flow in a real browser: the secretariat opens a motion, three council representatives
vote on phones, the motion closes, the resolution appears with a task, the task owner completes it."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from lianmeng.core.actors import SYSTEM
from lianmeng.governance import services
from lianmeng.governance.commands import SeatCreate

PHONE = {"width": 375, "height": 812}


@pytest.fixture
def council_reps(make_org: Callable[..., Any], make_user: Callable[..., Any]) -> list[Any]:
    reps = []
    for i, (name, city) in enumerate(
        (
            ("中国青岛人力资源服务产业园", "青岛"),
            ("中国烟台人力资源服务产业园", "烟台"),
            ("威海市人力资源服务产业园", "威海"),
        )
    ):
        org = make_org(name, city=city, tier="council")
        rep = make_user(username=f"rep{i}", display_name=f"理事{i}")
        services.seat_create(
            cmd=SeatCreate.build(
                organization=org.pk,
                representative=rep.pk,
                starts_on=timezone.localdate() - datetime.timedelta(days=30),
            ),
            actor=SYSTEM,
        )
        reps.append(rep)
    return reps


def _no_horizontal_scroll(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


@pytest.mark.django_db(transaction=True)
def test_motion_to_resolution_to_completed_task(
    live_server: Any,
    browser: Any,
    page: Any,
    login: Callable[..., None],
    secretariat: Any,
    council_reps: list[Any],
    make_user: Callable[..., Any],
) -> None:
    owner = make_user(username="owner", display_name="赵办理")

    # The secretariat puts a motion to the vote.
    login(page, "secretary")
    page.goto(f"{live_server.url}/governance/motions/new/")
    page.fill("#id_title", "关于举办2026年度理事会全会的议案")
    page.fill("#id_text", "拟于12月在烟台举办年度理事会全会。")
    page.check("#id_open_now")
    page.click("form button.btn-primary")
    page.wait_for_selector("#motion-status")
    assert "表决中" in page.inner_text("#motion-status")
    motion_url = page.url

    # Three representatives vote on their phones.
    for rep, choice in zip(council_reps, ["for", "for", "against"], strict=True):
        context = browser.new_context(
            viewport=PHONE, locale="zh-CN", extra_http_headers={"Accept-Language": "zh-CN"}
        )
        phone = context.new_page()
        login(phone, rep.username)
        phone.goto(f"{live_server.url}/desk/")
        assert "待我表决的议案" in phone.content()
        phone.goto(motion_url)
        assert _no_horizontal_scroll(phone)
        submit = phone.locator("#vote-form button[type=submit]")
        assert submit.bounding_box()["y"] < PHONE["height"]  # the primary action shows without scrolling
        phone.check(f"#vote-form input[value={choice}]")
        submit.click()
        phone.wait_for_selector("#my-vote")
        assert "您已投票" in phone.inner_text("#my-vote")
        context.close()

    # The secretariat closes the vote: passed, with a resolution number.
    page.goto(motion_url)
    asked: list[str] = []
    page.once("dialog", lambda d: (asked.append(d.message), d.accept()))
    page.click("#close-motion")
    page.wait_for_selector("#result")
    assert asked and "表决" in asked[0]  # closing asks first, saying what will happen
    assert "已通过" in page.inner_text("#motion-status")
    page.click("#resolution-link")
    page.wait_for_selector("#resolution-number")
    assert page.inner_text("#resolution-number").startswith("胶东人服联决〔")

    # It spawns a task for 赵办理, due in a week.
    page.select_option("#id_owner_user", str(owner.pk))
    page.fill("#id_title", "发出全会通知并落实会场")
    page.fill("#id_due_on", (timezone.localdate() + datetime.timedelta(days=7)).isoformat())
    page.click("#add-task")
    page.wait_for_selector("#resolution-tasks a")
    assert "发出全会通知并落实会场" in page.inner_text("#resolution-tasks")

    # The owner completes it on a phone.
    context = browser.new_context(
        viewport=PHONE, locale="zh-CN", extra_http_headers={"Accept-Language": "zh-CN"}
    )
    phone = context.new_page()
    login(phone, "owner")
    phone.goto(f"{live_server.url}/governance/tasks/")
    phone.click("#tasks a")
    assert _no_horizontal_scroll(phone)
    phone.fill("#id_note", "通知已发出，会场已落实。")
    phone.click("#complete-task")
    phone.wait_for_selector("text=办理进展已登记")
    assert "已办结" in phone.inner_text("#task-status")
    context.close()

"""At phone width: checking someone in before the event's day asks first (and says the event has not
started); cancelling checks nobody in, confirming does."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Dialog, expect

from lianmeng.activities import services
from lianmeng.activities.commands import RegistrationCreate
from lianmeng.activities.models import Registration
from tests.factories import make_event

pytestmark = pytest.mark.django_db(transaction=True)
PHONE = {"width": 390, "height": 844}


def test_early_check_in_asks_first_on_a_phone(
    browser: Browser, live_server: Any, make_org: Any, make_user: Any, login: Any
) -> None:
    park = make_org("青岛签到测试人力资源服务产业园", city="青岛", kind="park")
    make_user("member_contact", organization=park, username="host", display_name="陈园区")
    starts = timezone.now().replace(microsecond=0) + datetime.timedelta(days=5)
    event = make_event(park, "五天后的论坛", starts=starts, capacity=20)
    reg = services.registration_create(
        event=event,
        cmd=RegistrationCreate.build(
            {"name": "参会人甲", "mobile": "13900000001", "organization_name": "测试单位"}
        ),
        actor=None,
    )
    context = browser.new_context(
        viewport=PHONE, locale="zh-CN", extra_http_headers={"Accept-Language": "zh-CN"}, has_touch=True
    )
    page = context.new_page()
    login(page, "host")
    page.goto(f"{live_server.url}/events/{event.pk}/checkin/")
    expect(page.locator("#checkin-timing")).to_contain_text("活动尚未开始")

    questions: list[str] = []

    def dismiss(dialog: Dialog) -> None:
        questions.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.fill("#code", reg.code)
    # The question opens just after the answer is shown (a timeout of 0): wait for it, not for the text.
    with page.expect_event("dialog"):
        page.click("#checkin-submit")
    expect(page.locator("#checkin-result")).to_contain_text("确定仍要签到吗")
    assert questions and "活动尚未开始" in questions[0]
    expect(page.locator("#count-attended")).to_have_text("0")
    assert Registration.objects.get(pk=reg.pk).status == "registered"

    page.once("dialog", lambda dialog: dialog.accept())
    page.fill("#code", reg.code)
    page.click("#checkin-submit")
    expect(page.locator("#checkin-result")).to_contain_text("签到成功：参会人甲")
    expect(page.locator("#count-attended")).to_have_text("1")
    assert Registration.objects.get(pk=reg.pk).status == "attended"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    context.close()

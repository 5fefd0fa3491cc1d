"""On the demo alliance: the secretariat finds a person, previews and erases them; a member downloads
their data. Screenshots of both pages at phone and desktop width (Chinese) go to var/screenshots/privacy."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import Browser, Page, expect

from tests.demo_snapshot import DEMO

pytestmark = pytest.mark.django_db(transaction=True)
DEMO_PASSWORD = "lianmeng-demo"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots" / "privacy"


@pytest.fixture
def demo(live_server: Any) -> None:
    DEMO.restore(settings.MEDIA_ROOT)  # the vocabulary a flush emptied included


def _page(browser: Browser, viewport: dict[str, int]) -> Page:
    context = browser.new_context(
        viewport=viewport,
        locale="zh-CN",
        extra_http_headers={"Accept-Language": "zh-CN"},
        accept_downloads=True,
    )
    return context.new_page()


def _no_sideways_scroll(page: Page, viewport: dict[str, int]) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"], f"{page.url} scrolls sideways ({width}px)"


def test_secretariat_previews_and_erases_a_demo_person(
    browser: Browser, live_server: Any, demo: None, login: Any
) -> None:
    from lianmeng.activities.models import Registration
    from lianmeng.library.models import Expert
    from lianmeng.research.models import Review

    expert = Expert.objects.get(user__username="demo-expert")
    scores = sorted(
        str(s)
        for s in Review.objects.filter(assignment__expert=expert).values_list("weighted_score", flat=True)
    )
    registrations = Registration.objects.count()
    SHOTS.mkdir(parents=True, exist_ok=True)
    for name, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        page = _page(browser, viewport)
        login(page, "demo-secretariat", DEMO_PASSWORD)
        page.goto(f"{live_server.url}/privacy/erasures/")
        page.fill("#person-q", "刘教授")
        page.locator("form[role=search] button").click()
        result = page.locator("#person-results li").filter(has_text="demo-expert")
        expect(result).to_have_count(1)
        result.get_by_role("link", name="查看").click()
        preview = page.locator("#erasure-preview")
        expect(preview).to_contain_text("将要删除：刘教授")
        expect(preview.locator('tr[data-model="library.Expert"]')).to_contain_text("身份证号码")
        expect(preview.locator('tr[data-model="accounts.User"] td').nth(1)).to_have_text("1")
        _no_sideways_scroll(page, viewport)
        page.screenshot(path=str(SHOTS / f"erasure-preview-{name}.png"), full_page=True)
        if name == "phone":
            page.context.close()
            continue
        asked: list[str] = []
        page.on("dialog", lambda d, asked=asked: (asked.append(d.message), d.accept()))
        page.locator("#erase-button").click()  # without the reason and the tick: refused, nothing erased
        expect(page.locator("#form-errors")).to_contain_text("删除依据")
        expect(page.locator("#form-errors")).to_contain_text("请勾选确认后再删除")
        assert Expert.objects.get(pk=expert.pk).name == "刘教授"
        page.fill("#id_reason", "本人于 2026 年 11 月 3 日书面申请删除其个人信息")
        page.check("#id_confirm")
        page.locator("#erase-button").click()
        expect(page.locator(".alert-success")).to_contain_text("已删除用户 #")
        assert (
            "删除刘教授" in asked[-1] and "不能恢复" in asked[-1]
        )  # the button asked first, naming the person
        expect(page.locator("#erasure-log")).to_contain_text(
            "本人于 2026 年 11 月 3 日书面申请删除其个人信息"
        )
        page.screenshot(path=str(SHOTS / f"erasure-done-{name}.png"), full_page=True)
        page.context.close()

    expert.refresh_from_db()
    assert expert.name.startswith("已删除用户 #") and expert.mobile == "" and expert.id_number == ""
    assert expert.user is not None and not expert.user.is_active
    after = sorted(
        str(s)
        for s in Review.objects.filter(assignment__expert=expert).values_list("weighted_score", flat=True)
    )
    assert after == scores and Registration.objects.count() == registrations


def test_member_downloads_their_data(browser: Browser, live_server: Any, demo: None, login: Any) -> None:
    from lianmeng.accounts.models import User

    member = User.objects.get(username="demo-member")
    for name, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        page = _page(browser, viewport)
        login(page, "demo-member", DEMO_PASSWORD)
        page.goto(f"{live_server.url}/accounts/profile/")
        page.locator("#my-data-link").click()
        expect(page.locator("h1")).to_have_text("我的个人信息")
        expect(page.locator("#my-records")).to_contain_text("报名")
        _no_sideways_scroll(page, viewport)
        page.screenshot(path=str(SHOTS / f"my-data-{name}.png"), full_page=True)
        if name == "desktop":
            with page.expect_download() as info:
                page.locator("#download-my-data").click()
            download = info.value
            assert download.suggested_filename.startswith(
                "my-data-"
            ) and download.suggested_filename.endswith(".zip")
            archive = zipfile.ZipFile(io.BytesIO(Path(download.path()).read_bytes()))
            data = json.loads(archive.read("data.json"))
            assert data["subject"] == f"user:{member.pk}"
            user_rows = data["records"]["accounts.User"]["rows"]
            assert user_rows == [user_rows[0]] and user_rows[0]["username"] == "demo-member"
            registrations = data["records"]["activities.Registration"]["rows"]
            assert registrations and all(r["registered_by"] == member.pk for r in registrations)
            # Demo attendees the member registered are their record, not their personal data.
            text = archive.read("data.json").decode()
            assert "1380532" not in text and "王磊" not in text
        page.context.close()

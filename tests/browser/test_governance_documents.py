"""On a phone: the secretariat attaches several files to a draft notice, publishes it, a member downloads
one; the secretariat edits a planned meeting and removes a paper."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from lianmeng.governance import services
from lianmeng.governance.commands import MeetingCreate, NoticeCreate, PaperAdd

PHONE = {"width": 375, "height": 812}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.mark.django_db(transaction=True)
def test_notice_attachments_and_meeting_edit_on_a_phone(
    live_server: Any,
    browser: Any,
    login: Callable[..., None],
    secretariat: Any,
    make_org: Callable[..., Any],
    make_user: Callable[..., Any],
    tmp_path: Path,
) -> None:
    member = make_org("青岛测试成员单位", city="青岛")
    make_user("member_contact", organization=member, username="reader")
    (tmp_path / "工作方案.pdf").write_bytes(PDF)
    (tmp_path / "会场示意.png").write_bytes(PNG)
    notice = services.notice_create(
        cmd=NoticeCreate.build(
            {"title": "关于召开年度工作会议的通知", "body": "请各单位派员参加。", "audience": "all"}
        ),
        actor=secretariat,
    )
    meeting = services.meeting_create(
        cmd=MeetingCreate.build(
            {
                "kind": "ordinary",
                "title": "第三次理事会",
                "starts_at": timezone.now() + datetime.timedelta(days=14),
                "place": "青岛",
            },
            agenda=["审议年度计划"],
        ),
        actor=secretariat,
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    services.meeting_add_paper(
        meeting=meeting,
        cmd=PaperAdd.build(title="旧版议程"),
        file=SimpleUploadedFile("a.pdf", PDF),
        actor=secretariat,
    )

    context = browser.new_context(
        viewport=PHONE, locale="zh-CN", extra_http_headers={"Accept-Language": "zh-CN"}
    )
    phone = context.new_page()
    login(phone, "secretary")
    phone.goto(f"{live_server.url}/governance/notices/{notice.pk}/")
    phone.set_input_files("#id_attachments", [str(tmp_path / "工作方案.pdf"), str(tmp_path / "会场示意.png")])
    phone.click("button[value=attach]")
    phone.wait_for_selector("text=已添加 2 个附件")
    assert phone.locator("#attachments li").count() == 2
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    asked: list[str] = []
    phone.once("dialog", lambda d: (asked.append(d.message), d.accept()))
    phone.click("button[value=publish]")
    phone.wait_for_selector("text=通知已发布")
    assert "发布后不能修改或撤回" in asked[0]
    assert phone.locator("#attachments button").count() == 0  # frozen once published

    phone.goto(f"{live_server.url}/governance/meetings/{meeting.pk}/")
    phone.click("#edit-meeting")
    phone.fill("#id_place", "")
    phone.fill("#id_online_link", "https://meet.example.cn/3")
    phone.fill("#id_agenda", "审议年度计划\n通报秘书处工作")
    phone.click("form button.btn-primary")
    phone.wait_for_selector("text=会议已修改")
    assert phone.locator("text=https://meet.example.cn/3").count() == 1
    assert phone.locator("text=通报秘书处工作").count() == 1
    phone.once("dialog", lambda d: (asked.append(d.message), d.accept()))
    phone.click("#papers button")
    phone.wait_for_selector("text=材料已删除")
    assert "删除材料" in asked[1]
    assert "还没有会议材料" in phone.locator("#papers").inner_text()
    context.close()

    reader = browser.new_context(
        viewport=PHONE, locale="zh-CN", extra_http_headers={"Accept-Language": "zh-CN"}
    )
    page = reader.new_page()
    login(page, "reader")
    page.goto(f"{live_server.url}/governance/notices/{notice.pk}/")
    assert page.locator("#attachments li").count() == 2
    href = page.locator("#attachments a").first.get_attribute("href")
    response = page.request.get(f"{live_server.url}{href}")
    assert response.status == 200 and response.body().startswith(b"%PDF")
    reader.close()

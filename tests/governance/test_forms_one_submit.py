"""Governance forms report the form's own errors and the service's rules in one submit, and save nothing."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from lianmeng.core.models import AuditEntry
from lianmeng.governance import services
from lianmeng.governance.commands import MeetingCreate
from lianmeng.governance.models import (
    Attendance,
    CouncilSeat,
    GovernanceSettings,
    Meeting,
    MeetingPaper,
    Notice,
    NoticeAttachment,
    RotationChange,
    Task,
)
from tests.form_helpers import client_for, field_errors

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def stored_files() -> list[Path]:
    """Files stored for good (kept uploads of a failed submit live under pending/)."""
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file() and "pending" not in p.parts]


def meeting(secretariat: Any, **fields: Any) -> Meeting:
    data = {
        "kind": "ordinary",
        "title": "2026 年第四次理事会会议",
        "starts_at": timezone.now() + datetime.timedelta(days=5),
        "place": "青岛",
        **fields,
    }
    return services.meeting_create(cmd=MeetingCreate.build(data, agenda=["审议年度报告"]), actor=secretariat)


def test_task_form_missing_title_past_date_and_no_owner_in_one_submit(secretariat: Any) -> None:
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    response = client_for(secretariat).post(
        reverse("governance:task-new"), {"title": "", "due_on": yesterday}
    )
    errors = field_errors(response.content.decode())
    assert errors["title"] == ["这个字段是必填项。"]
    assert errors["due_on"] == ["完成期限不能早于今天"]
    assert errors["owner_user"] == ["请指定责任人或责任单位"]
    assert not Task.objects.exists()


def test_seat_form_bad_end_date_and_an_organization_already_seated(
    secretariat: Any, council: Callable[[int], list[Any]]
) -> None:
    seat = council(1)[0]
    response = client_for(secretariat).post(
        reverse("governance:council"),
        {
            "organization": seat.organization_id,
            "starts_on": timezone.localdate().isoformat(),
            "ends_on": "2026-13-40",  # the form's error
        },
    )
    errors = field_errors(response.content.decode())
    assert "ends_on" in errors
    assert errors["organization"] == ["该单位在这段时间内已有理事会席位"]
    assert CouncilSeat.objects.count() == 1


def test_representative_form_missing_person_and_a_date_before_the_seat(
    secretariat: Any, council: Callable[[int], list[Any]]
) -> None:
    seat = council(1)[0]
    before = (seat.starts_on - datetime.timedelta(days=10)).isoformat()
    response = client_for(secretariat).post(
        reverse("governance:seat", args=[seat.pk]), {"representative": "", "on": before}
    )
    errors = field_errors(response.content.decode())
    assert "representative" in errors
    assert errors["on"] == ["变更日期不能早于席位起始日期"]
    assert seat.representatives.count() == 1


def test_rotation_change_bad_term_and_no_resolution(rotation: dict[str, Any], secretariat: Any) -> None:
    response = client_for(secretariat).post(
        reverse("governance:rotation-change"),
        {"kind": "defer", "organization": rotation["bureaus"][1].pk, "term_months": "十二"},
    )
    html = response.content.decode()
    errors = field_errors(html)
    assert "term_months" in errors
    assert "须依据已通过的理事会决议" in errors["resolution"][0]
    assert not RotationChange.objects.exists()
    # the organization picker keeps the chosen bureau, with its name
    assert f'name="organization" value="{rotation["bureaus"][1].pk}"' in html
    assert rotation["bureaus"][1].name in html


def test_meeting_edit_missing_title_and_no_place_nor_https_link(secretariat: Any) -> None:
    m = meeting(secretariat)
    response = client_for(secretariat).post(
        reverse("governance:meeting-edit", args=[m.pk]),
        {
            "kind": "ordinary",
            "title": "",
            "starts_at": "2026-12-20T09:30",
            "place": "",
            "online_link": "ftp://meet.example.cn",
            "version": m.version,
        },
    )
    errors = field_errors(response.content.decode())
    assert "title" in errors
    assert errors["online_link"] == ["线上会议链接须以 https:// 开头"]
    m.refresh_from_db()
    assert m.title == "2026 年第四次理事会会议" and m.place == "青岛"


def test_paper_kept_across_a_failed_submit_and_stored_on_the_next(secretariat: Any) -> None:
    m = meeting(secretariat)
    client = client_for(secretariat)
    first = client.post(
        reverse("governance:meeting", args=[m.pk]),
        {"form": "paper", "title": "材" * 201, "file": SimpleUploadedFile("议程.pdf", PDF)},
    ).content.decode()
    assert "已上传：议程.pdf（可更换）" in first
    assert "title" in field_errors(first)
    token = re.search(r'name="file__pending" value="([^"]+)"', first).group(1)  # type: ignore[union-attr]
    done = client.post(
        reverse("governance:meeting", args=[m.pk]),
        {"form": "paper", "title": "会议议程", "file__pending": token},
        follow=True,
    ).content.decode()
    assert "材料《会议议程》已添加到会议“2026 年第四次理事会会议”" in done
    assert MeetingPaper.objects.get().file.read() == PDF


def test_attendance_form_too_long_proxy_and_a_proxy_without_name(
    secretariat: Any, council: Callable[[int], list[Any]]
) -> None:
    first, second = council(2)
    m = meeting(secretariat)
    response = client_for(secretariat).post(
        reverse("governance:meeting", args=[m.pk]),
        {
            "form": "attendance",
            f"seat_{first.pk}": "proxy",
            f"proxy_{first.pk}": "受" * 61,  # the form's error
            f"seat_{second.pk}": "proxy",
            f"proxy_{second.pk}": "",  # the service's rule
        },
    )
    html = response.content.decode()
    assert f"proxy_{first.pk}" in field_errors(html)
    assert f"{second.organization}委托出席时请填写受托人" in html
    assert not Attendance.objects.exists()


def test_settings_form_bad_number_and_a_fraction_above_one(make_user: Callable[..., Any]) -> None:
    admin = make_user("administrator")
    config = GovernanceSettings.current()
    data = {
        name: getattr(config, name)
        for name in (
            "quorum_numerator",
            "quorum_denominator",
            "ordinary_threshold_numerator",
            "ordinary_threshold_denominator",
            "important_threshold_numerator",
            "important_threshold_denominator",
            "charter_threshold_numerator",
            "charter_threshold_denominator",
            "default_voting_days",
            "notice_read_days",
        )
    }
    data.update(term_months="一年", quorum_numerator=5, quorum_denominator=3, version=config.version)
    response = client_for(admin).post(reverse("governance:settings"), data)
    errors = field_errors(response.content.decode())
    assert "term_months" in errors
    assert errors["quorum_numerator"] == ["比例不能大于 1（分子不能大于分母）"]
    assert GovernanceSettings.current().quorum_numerator != 5
    assert not AuditEntry.objects.filter(action="governance.settings").exists()


def test_notice_form_missing_body_past_deadline_and_a_fake_attachment(secretariat: Any) -> None:
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    response = client_for(secretariat).post(
        reverse("governance:notice-new"),
        {
            "title": "关于报送年度统计数据的通知",
            "body": "",  # the form's error
            "audience": "all",
            "read_by": yesterday,  # the service's rule
            "attachments": [SimpleUploadedFile("表格.pdf", b"<html>not a pdf</html>")],  # the file check
            "publish": "on",
        },
    )
    errors = field_errors(response.content.decode())
    assert "body" in errors
    assert errors["read_by"] == ["阅读期限不能早于今天"]
    assert "表格.pdf" in errors["attachments"][0]
    assert not Notice.objects.exists() and not NoticeAttachment.objects.exists()
    assert stored_files() == []


def test_published_notice_says_how_many_organizations_got_it(
    secretariat: Any, make_org: Callable[..., Any]
) -> None:
    make_org("青岛海纳人力资源有限公司")
    make_org("烟台人才集团")
    done = client_for(secretariat).post(
        reverse("governance:notice-new"),
        {
            "title": "关于报送年度统计数据的通知",
            "body": "请于月底前报送。",
            "audience": "all",
            "publish": "on",
        },
        follow=True,
    )
    notice = Notice.objects.get()
    assert f"通知已发布：《关于报送年度统计数据的通知》（{notice.number}），已发送给 2 家成员单位" in (
        done.content.decode()
    )


def test_notice_attachments_kept_across_a_failed_submit(secretariat: Any) -> None:
    client = client_for(secretariat)
    data = {"title": "关于报送年度统计数据的通知", "body": "", "audience": "all", "publish": ""}
    first = client.post(
        reverse("governance:notice-new"),
        {
            **data,
            "attachments": [SimpleUploadedFile("工作方案.pdf", PDF), SimpleUploadedFile("附表.pdf", PDF)],
        },
    ).content.decode()
    assert "body" in field_errors(first)
    assert "已上传：工作方案.pdf、附表.pdf（可更换）" in first
    tokens = re.findall(r'name="attachments__pending" value="([^"]+)"', first)
    assert len(tokens) == 2
    assert stored_files() == []
    client.post(
        reverse("governance:notice-new"), {**data, "body": "请于月底前报送。", "attachments__pending": tokens}
    )
    notice = Notice.objects.get()
    assert sorted(a.title for a in notice.attachments.all()) == ["工作方案.pdf", "附表.pdf"]
    assert not list((Path(settings.MEDIA_ROOT) / "pending").glob("*"))  # discarded once stored

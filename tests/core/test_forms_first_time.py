"""Forms that succeed the first time: every error in one submit, an upload kept across a failed submit."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from lianmeng.core import pending_uploads, schedule
from lianmeng.core.demo_support import make_uscc
from lianmeng.membership.models import ApplicationStatus, MembershipApplication
from tests.form_helpers import PNG, field_errors

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
URL = "/membership/apply/"


def good_data(name: str = "青岛海纳人力资源有限公司", **overrides: Any) -> dict[str, Any]:
    data = {
        "name": name,
        "uscc": make_uscc(name, division="370200", kind="enterprise"),
        "kind": "enterprise",
        "requested_tier": "ordinary",
        "city": "370200",
        "contact_name": "赵海",
        "contact_mobile": "13806421234",
        "contact_email": "zhao@example.cn",
    }
    data.update(overrides)
    return data


def pending_token(html: str) -> str:
    match = re.search(r'name="letter__pending" value="([^"]+)"', html)
    return match.group(1) if match else ""


@pytest.fixture
def apply_url() -> str:
    return reverse("membership:apply")


def test_every_error_in_one_submit_including_a_fake_letter(cities: Any, apply_url: str) -> None:
    data = good_data(name="", uscc="91370200MA3C5L4X0X", contact_mobile="12345", contact_email="")
    fake = SimpleUploadedFile("letter.pdf", b"<html>not a pdf</html>", content_type="application/pdf")
    response = Client().post(apply_url, {**data, "letter": fake})
    assert response.status_code == 200
    errors = field_errors(response.content.decode())
    assert set(errors) >= {"name", "uscc", "contact_mobile", "contact_email", "letter"}
    assert "校验位" in errors["uscc"][0] or "18 位" in errors["uscc"][0]
    assert "11 位" in errors["contact_mobile"][0]
    assert "文件类型" in errors["letter"][0]
    assert all(len(messages) == 1 for messages in errors.values())  # no field says it twice
    assert not MembershipApplication.objects.exists()


def test_duplicate_uscc_reported_with_the_missing_fields(cities: Any, make_org: Any, apply_url: str) -> None:
    member = make_org("青岛已入盟公司")
    response = Client().post(apply_url, {**good_data(uscc=member.uscc), "contact_name": ""})
    errors = field_errors(response.content.decode())
    assert "青岛已入盟公司" in errors["uscc"][0]
    assert "contact_name" in errors and "letter" in errors


def test_letter_kept_across_a_failed_submit_and_used_on_the_successful_one(
    cities: Any, apply_url: str
) -> None:
    client = Client()
    letter = SimpleUploadedFile("承诺书.pdf", PDF, content_type="application/pdf")
    first = client.post(apply_url, {**good_data(contact_mobile="12345"), "letter": letter})
    html = first.content.decode()
    assert set(field_errors(html)) == {"contact_mobile"}
    assert "已上传：承诺书.pdf（可更换）" in html
    token = pending_token(html)
    assert token
    kept = list((Path(settings.MEDIA_ROOT) / "pending").iterdir())
    assert len(kept) == 2  # the bytes and their name

    second = client.post(apply_url, {**good_data(), "letter__pending": token})
    assert second.status_code == 302
    application = MembershipApplication.objects.get()
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.letter.read() == PDF
    assert application.letter_content_type == "application/pdf"
    assert list((Path(settings.MEDIA_ROOT) / "pending").iterdir()) == []  # discarded once stored


def test_a_new_file_replaces_the_kept_one(cities: Any, apply_url: str) -> None:
    client = Client()
    first = client.post(
        apply_url, {**good_data(contact_mobile="1"), "letter": SimpleUploadedFile("旧.pdf", PDF)}
    )
    token = pending_token(first.content.decode())
    png = (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15"
        b"\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
    )
    second = client.post(
        apply_url,
        {**good_data(), "letter__pending": token, "letter": SimpleUploadedFile("新.png", png)},
    )
    assert second.status_code == 302
    assert MembershipApplication.objects.get().letter_content_type == "image/png"


def test_forged_or_other_fields_token_is_ignored(cities: Any, apply_url: str) -> None:
    forged = signing.dumps({"id": "0" * 32}, salt="lianmeng.pending-upload:letter")
    for token in (forged, "garbage", signing.dumps({"id": "../../settings"}, salt="x")):
        response = Client().post(apply_url, {**good_data(), "letter__pending": token})
        assert response.status_code == 200
        assert "letter" in field_errors(response.content.decode())
    assert not MembershipApplication.objects.exists()


def test_pending_upload_expires_after_a_day(cities: Any, apply_url: str, monkeypatch: Any) -> None:
    first = Client().post(
        apply_url, {**good_data(contact_mobile="1"), "letter": SimpleUploadedFile("a.pdf", PDF)}
    )
    token = pending_token(first.content.decode())
    assert pending_uploads.load(token, field="letter") is not None
    later = time.time() + 25 * 3600
    monkeypatch.setattr(signing.time, "time", lambda: later)  # type: ignore[attr-defined]
    assert pending_uploads.load(token, field="letter") is None
    response = Client().post(apply_url, {**good_data(), "letter__pending": token})
    assert "letter" in field_errors(response.content.decode())


def test_purge_job_deletes_kept_files_older_than_a_day(cities: Any, apply_url: str) -> None:
    assert any(job.task == "lianmeng.core.pending_uploads.purge_expired" for job in schedule.JOBS)
    Client().post(apply_url, {**good_data(contact_mobile="1"), "letter": SimpleUploadedFile("a.pdf", PDF)})
    directory = Path(settings.MEDIA_ROOT) / "pending"
    assert pending_uploads.purge() == 0
    old = time.time() - 2 * 24 * 3600
    for path in directory.iterdir():
        os.utime(path, (old, old))
    assert pending_uploads.purge_expired.call() == 2
    assert list(directory.iterdir()) == []


# Checks as the user types ------------------------------------------------------------------------------


def check(field: str, value: str) -> str:
    client = Client(enforce_csrf_checks=False)
    response = client.post(reverse("membership:apply-check", args=[field]), {field: value})
    assert response.status_code == 200
    return response.content.decode()


def test_inline_uscc_check_says_checksum_duplicate_or_fine(cities: Any, make_org: Any) -> None:
    member = make_org("青岛已入盟公司")
    bad = check("uscc", "91370200MA3C5L4X0X")
    assert 'id="id_uscc_feedback"' in bad and "校验位" in bad
    assert "18 位" in check("uscc", "9137")
    assert "青岛已入盟公司" in check("uscc", member.uscc)
    fresh = check("uscc", make_uscc("新公司", division="370200", kind="enterprise"))
    assert "data-field-error" not in fresh and "尚未入盟" in fresh
    assert "data-field-error" not in check("uscc", "")  # nothing said while the field is empty


def test_inline_mobile_check_uses_the_same_validator(db: None) -> None:
    assert "11 位" in check("contact_mobile", "12345")
    assert "格式正确" in check("contact_mobile", "１３８ 0642 1234")  # fullwidth digits from an IME


def test_inline_check_refuses_other_fields_and_get(db: None) -> None:
    assert Client().post(reverse("membership:apply-check", args=["name"]), {"name": "x"}).status_code == 404
    assert Client().get(reverse("membership:apply-check", args=["uscc"])).status_code == 405


def test_application_form_wires_the_inline_checks(cities: Any) -> None:
    html = Client().get(reverse("membership:apply")).content.decode()
    for name in ("uscc", "contact_mobile"):
        url = reverse("membership:apply-check", args=[name])
        assert f'hx-post="{url}"' in html
        assert f'hx-target="#id_{name}_feedback"' in html
        assert f'id="id_{name}_feedback"' in html
    assert 'hx-trigger="change, keyup changed delay:500ms"' in html


def test_event_form_reports_form_and_service_errors_in_one_submit(secretariat: Any, make_org: Any) -> None:
    from lianmeng.activities.models import Event
    from lianmeng.core.models import AuditEntry

    park = make_org("青岛人力资源服务产业园")
    client = Client()
    client.force_login(secretariat)
    response = client.post(
        reverse("activities:create"),
        {
            "title": "",  # the form's own error
            "kind": "forum",
            "organizer": park.pk,
            "starts_at": "2026-12-10T14:00",
            "ends_at": "2026-12-10T09:00",  # the service's errors, reported in the same submit
            "capacity": "-3",
            "audience": "public",
        },
    )
    errors = field_errors(response.content.decode())
    assert "title" in errors
    assert "结束时间不能早于开始时间" in " ".join(errors.get("ends_at", []))
    assert "venue" in errors or "请填写活动地点或线上链接" in response.content.decode()
    assert "capacity" in errors
    assert not Event.objects.exists() and not AuditEntry.objects.filter(action__startswith="event.").exists()
    # the picker keeps the chosen organizer with its name
    assert f'name="organizer" value="{park.pk}"' in response.content.decode()
    assert "青岛人力资源服务产业园" in response.content.decode()


@pytest.mark.parametrize(
    ("form_path", "field", "content", "data"),
    [
        ("lianmeng.governance.forms.PaperForm", "file", PDF, {"title": "x" * 300}),
        ("lianmeng.research.forms.MilestoneForm", "file", PDF, {"kind": "midterm", "report": ""}),
        ("lianmeng.publicity.forms.ArticleForm", "cover", PNG, {"kind": "news", "title": ""}),
    ],
)
def test_every_form_with_a_file_keeps_it_across_a_failed_submit(
    db: None, form_path: str, field: str, content: bytes, data: dict[str, Any]
) -> None:
    from django.utils.datastructures import MultiValueDict
    from django.utils.module_loading import import_string

    form_class = import_string(form_path)
    upload = SimpleUploadedFile("附件.bin", content)
    form = form_class(data, MultiValueDict({field: [upload]}))
    assert not form.is_valid()
    assert field not in form.errors
    html = str(form[field])
    assert "已上传：附件.bin（可更换）" in html
    token = re.search(rf'name="{field}__pending" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]
    again = form_class({**data, f"{field}__pending": token}, MultiValueDict())
    again.is_valid()
    assert again.cleaned_data[field].read() == content


def test_motion_form_reports_form_and_service_errors_in_one_submit(secretariat: Any) -> None:
    from lianmeng.governance.models import Motion

    client = Client()
    client.force_login(secretariat)
    response = client.post(
        reverse("governance:motion-new"),
        {
            "title": "关于调整会费标准的议案",
            "text": "",  # the form's own error
            "kind": "ordinary",
            "ballot": "open",
            "opens_at": "2026-12-10T09:00",
            "closes_at": "2026-12-09T09:00",  # the service's error, in the same submit
        },
    )
    errors = field_errors(response.content.decode())
    assert "text" in errors
    assert errors.get("closes_at") == ["表决截止时间须晚于开始时间"]
    assert not Motion.objects.exists()

"""Uploaded files are stored under the extension of the type detected from their content and served
as downloads with a safe name, the detected type, nosniff and private caching; only real images that
pages show are served inline. Files stored earlier under a wrong extension are still served safely."""

from __future__ import annotations

import datetime
import io
import json
from typing import Any
from urllib.parse import quote

import pytest
import segno
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from lianmeng.activities import services as activities
from lianmeng.activities.commands import EventPhotoAdd
from lianmeng.activities.models import EventPhoto, EventStatus
from lianmeng.core.files import display_name, download_name, stored_name
from lianmeng.governance import services as governance
from lianmeng.governance.commands import NoticeCreate
from lianmeng.library import services as library
from lianmeng.library.commands import AchievementCreate
from lianmeng.library.models import AchievementFile
from lianmeng.membership import services as membership
from lianmeng.membership.commands import ApplicationSubmit
from lianmeng.publicity import services as publicity
from lianmeng.publicity.commands import ArticleCreate
from tests.factories import make_event

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
HTML = b"<!doctype html><script>alert(document.cookie)</script>"
XSS_NAME = "<img src=x onerror=alert(1)>.html"
TRAVERSAL = "..\\..\\evil.html"


def png() -> bytes:
    buffer = io.BytesIO()
    segno.make("lianmeng").save(buffer, kind="png")
    return buffer.getvalue()


def assert_download(response: Any, mime: str, extension: str) -> str:
    """A safe download of type ``mime``; returns its Content-Disposition."""
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == mime
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"].startswith("private")
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;"), disposition
    assert "<" not in disposition and ">" not in disposition and "\\" not in disposition
    assert ".html" not in disposition and "/" not in disposition.replace("utf-8''", "")
    assert disposition.endswith(f'.{extension}"') or disposition.endswith(f".{extension}")
    return disposition


def assert_inline_image(response: Any, mime: str) -> None:
    assert response.status_code == 200
    assert response["Content-Type"] == mime
    assert response["Content-Disposition"].startswith("inline;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"].startswith("private")


def test_names() -> None:
    assert stored_name("application/pdf") == "file.pdf" and stored_name("image/jpeg") == "file.jpg"
    assert stored_name("") == "file.bin"
    assert display_name(TRAVERSAL) == "evil.html" and display_name("a/b/合影\x07.png") == "合影.png"
    assert download_name(XSS_NAME, "application/pdf") == "img src x onerror alert(1).pdf"
    assert download_name(TRAVERSAL, "image/png") == "evil.png"
    assert download_name("2026.1 会议纪要", "application/pdf") == "2026.1 会议纪要.pdf"
    assert download_name("年度报告.PDF", "application/pdf") == "年度报告.pdf"
    assert download_name("..", "") == "file.bin" and download_name(None, "image/png") == "file.png"


@given(
    st.one_of(st.none(), st.text(max_size=300)),
    st.sampled_from(["application/pdf", "image/png", "image/jpeg", "application/octet-stream", ""]),
)
def test_download_names_are_always_safe(name: str | None, mime: str) -> None:
    result = download_name(name, mime)
    stem, extension = result.rsplit(".", 1)
    assert extension in {"pdf", "png", "jpg", "bin"} and stem
    assert not any(ch in result for ch in "\\/<>\"';:*?|&%`$={}[]")
    assert not any(ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F for ch in result)
    assert len(stem) <= 120 and not stem.startswith((".", " ", "-"))


@pytest.fixture
def contact(make_org: Any, make_user: Any) -> Any:
    org = make_org("青岛大学", kind="university")
    return make_user("member_contact", organization=org)


def test_achievement_file_is_stored_and_downloaded_by_its_detected_type(contact: Any, api: Any) -> None:
    achievement = library.achievement_create(
        cmd=AchievementCreate.build(
            {"kind": "paper", "title": "园区研究", "authors": "甲", "year": 2026, "visibility": "private"}
        ),
        actor=contact,
    )
    r = api(contact).post(
        f"/api/v1/achievements/{achievement.pk}/files", {"file": SimpleUploadedFile(XSS_NAME, PDF)}
    )
    assert r.status_code == 201, r.content
    item = AchievementFile.objects.get(achievement=achievement)
    assert item.file.name.endswith(".pdf") and "html" not in item.file.name
    assert "/" not in item.original_name
    client = Client()
    client.force_login(contact)
    for response in (
        api(contact).get(r.json()["url"]),
        client.get(f"/library/achievements/{achievement.pk}/files/{item.pk}/"),
    ):
        disposition = assert_download(response, "application/pdf", "pdf")
        assert "onerror" in disposition  # the name is still recognisable, without its markup
        assert b"".join(response.streaming_content) == PDF


def test_commitment_letter_named_like_a_path_is_a_png_download(secretariat: Any, cities: Any) -> None:
    from lianmeng.core.demo_support import make_uscc

    name = "青岛海纳人力资源有限公司"
    application = membership.application_submit(
        cmd=ApplicationSubmit.build(
            {
                "name": name,
                "uscc": make_uscc(name, division="370200", kind="enterprise"),
                "kind": "enterprise",
                "city": "370200",
                "contact_name": "赵海",
                "contact_mobile": "13806421234",
                "contact_email": "zhao@example.cn",
            }
        ),
        letter=SimpleUploadedFile(TRAVERSAL, png(), content_type="text/html"),
    )
    assert application.letter.name.endswith(".png") and "evil" not in application.letter.name
    assert application.letter.name.startswith("private/applications/")
    response = Client().get(f"/members/apply/{application.tracking_token}/letter/")
    disposition = assert_download(response, "image/png", "png")
    assert f"{application.uscc}-commitment.png" in disposition
    office = Client()
    office.force_login(secretariat)
    assert_download(office.get(f"/members/applications/{application.pk}/letter/"), "image/png", "png")


def test_notice_attachment_with_a_chinese_title_uses_rfc_5987(secretariat: Any, api: Any) -> None:
    notice = governance.notice_create(
        cmd=NoticeCreate.build({"title": "关于报送年度总结的通知", "body": "请报送。", "audience": "all"}),
        actor=secretariat,
    )
    (attachment,) = governance.notice_add_attachments(
        notice=notice,
        files=[SimpleUploadedFile("scan.html", PDF)],
        titles=["年度工作总结/附件\x07"],
        actor=secretariat,
    )
    assert attachment.file.name.endswith(".pdf")
    client = Client()
    client.force_login(secretariat)
    for response in (
        client.get(f"/governance/notices/{notice.pk}/attachments/{attachment.pk}/"),
        api(secretariat).get(f"/api/v1/notices/{notice.pk}/attachments/{attachment.pk}"),
    ):
        disposition = assert_download(response, "application/pdf", "pdf")
        assert f"filename*=utf-8''{quote('年度工作总结 附件.pdf')}" in disposition


def test_photos_and_covers_show_inline_only_when_they_are_images(
    secretariat: Any, make_org: Any, make_user: Any
) -> None:
    park = make_org("青岛测试人力资源服务产业园")
    contact = make_user("member_contact", organization=park)
    starts = timezone.now().replace(microsecond=0) - datetime.timedelta(days=2)
    event = make_event(
        park, "青岛人力资源服务论坛", starts=starts, status=EventStatus.HELD, summary="活动顺利举办。"
    )
    photo = activities.event_photo_add(
        event=event,
        image=SimpleUploadedFile(TRAVERSAL, png()),
        cmd=EventPhotoAdd.build(caption="合影"),
        actor=contact,
    )
    assert photo.image.name.endswith(".png") and "evil" not in photo.image.name
    assert_inline_image(Client().get(f"/events/photos/{photo.pk}/"), "image/png")

    article = publicity.article_create(
        cmd=ArticleCreate.build({"kind": "news", "title": "联盟召开理事会", "body": "<p>正文</p>"}),
        actor=secretariat,
        cover=SimpleUploadedFile("cover.svg", png()),
    )
    article = publicity.article_transition(article=article, action="publish", actor=secretariat)
    assert article.cover.name.endswith(".png")
    assert_inline_image(Client().get(f"/news/{article.pk}/cover/"), "image/png")

    # A photo stored before the type rule, holding HTML under an image name and type: not inline, not HTML.
    legacy = EventPhoto(event=event, content_type="image/png", caption="旧照片")
    legacy.image.save("old.png", ContentFile(HTML), save=True)
    response = Client().get(f"/events/photos/{legacy.pk}/")
    assert_download(response, "application/octet-stream", "bin")


def test_files_stored_under_a_bad_extension_are_served_by_their_content(contact: Any, api: Any) -> None:
    achievement = library.achievement_create(
        cmd=AchievementCreate.build(
            {"kind": "paper", "title": "旧成果", "authors": "甲", "year": 2025, "visibility": "private"}
        ),
        actor=contact,
    )
    old_png = AchievementFile(
        achievement=achievement, original_name=XSS_NAME, content_type="text/html", size=1
    )
    old_png.file.save("old.html", ContentFile(png()), save=True)
    old_html = AchievementFile(
        achievement=achievement, original_name="报告.pdf", content_type="image/png", size=1
    )
    old_html.file.save("page.html", ContentFile(HTML), save=True)
    client = api(contact)
    url = f"/api/v1/achievements/{achievement.pk}/files"
    assert_download(client.get(f"{url}/{old_png.pk}"), "image/png", "png")
    disposition = assert_download(client.get(f"{url}/{old_html.pk}"), "application/octet-stream", "bin")
    assert "报告.bin" in disposition or quote("报告.bin") in disposition


def test_a_missing_stored_file_is_404_not_500(contact: Any, api: Any) -> None:
    achievement = library.achievement_create(
        cmd=AchievementCreate.build({"kind": "paper", "title": "丢失文件", "authors": "甲", "year": 2025}),
        actor=contact,
    )
    item = AchievementFile(
        achievement=achievement, original_name="a.pdf", content_type="application/pdf", size=1
    )
    item.file.name = "private/achievements/zz/missing.pdf"
    item.save()
    r = api(contact).get(f"/api/v1/achievements/{achievement.pk}/files/{item.pk}")
    assert r.status_code == 404
    assert r["Content-Type"].startswith("application/problem+json")
    assert json.loads(r.content)["status"] == 404

"""Notices with several attachments, editable meetings with papers, the rotation plan and seats
through pages and the API (issue 3's follow-up)."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from lianmeng.core.audit import AuditEntry
from lianmeng.governance import services
from lianmeng.governance.commands import AttendanceRecord, MeetingCreate, NoticeCreate, VoteCast
from lianmeng.governance.models import Meeting, NoticeAttachment, SeatRepresentative

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def pdf(name: str = "议程.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def png(name: str = "合影.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def post(client: Any, path: str, body: dict[str, Any]) -> Any:
    return client.post(f"/api/v1{path}", data=json.dumps(body, default=str), content_type="application/json")


def patch(client: Any, path: str, body: dict[str, Any]) -> Any:
    return client.patch(f"/api/v1{path}", data=json.dumps(body, default=str), content_type="application/json")


@pytest.fixture
def city_notice(
    secretariat: Any, make_org: Callable[..., Any], make_user: Callable[..., Any], cities: Any
) -> dict[str, Any]:
    qingdao = make_org("青岛测试成员单位", city="青岛")
    yantai = make_org("烟台测试成员单位", city="烟台")
    reader = make_user("member_contact", organization=qingdao)
    outsider = make_user("member_contact", organization=yantai)
    notice = services.notice_create(
        cmd=NoticeCreate.build(
            {
                "title": "关于报送年度工作总结的通知",
                "body": "请各单位报送。",
                "audience": "city",
                "audience_city": qingdao.city.code,
            }
        ),
        actor=secretariat,
    )
    return {"notice": notice, "reader": reader, "outsider": outsider}


# ---------------------------------------------------------------- notices


def test_a_notice_carries_several_attachments_served_only_to_recipients(
    city_notice: dict[str, Any], secretariat: Any, api: Callable[..., Any]
) -> None:
    notice = city_notice["notice"]
    added = services.notice_add_attachments(notice=notice, files=[pdf(), png()], actor=secretariat)
    assert [a.title for a in added] == ["议程.pdf", "合影.png"]
    services.notice_publish(notice=notice, actor=secretariat)

    reader = Client()
    reader.force_login(city_notice["reader"])
    page = reader.get(notice.get_absolute_url()).content.decode()
    assert "附件（2 个）" in page and "议程.pdf" in page and "合影.png" in page
    assert "上传附件" not in page  # only the secretariat, only on drafts
    first = reader.get(f"/governance/notices/{notice.pk}/attachments/{added[0].pk}/")
    assert first.status_code == 200 and b"".join(first.streaming_content).startswith(b"%PDF")

    listed = api(city_notice["reader"]).get("/api/v1/notices").json()["items"][0]
    assert [(a["title"], a["content_type"]) for a in listed["attachments"]] == [
        ("议程.pdf", "application/pdf"),
        ("合影.png", "image/png"),
    ]
    file = api(city_notice["reader"]).get(listed["attachments"][1]["url"])
    assert file.status_code == 200 and file["Content-Type"] == "image/png"

    outsider = Client()
    outsider.force_login(city_notice["outsider"])
    assert outsider.get(f"/governance/notices/{notice.pk}/attachments/{added[0].pk}/").status_code == 404
    assert api(city_notice["outsider"]).get(listed["attachments"][0]["url"]).status_code == 404


def test_one_bad_file_stores_none_and_names_it(city_notice: dict[str, Any], secretariat: Any) -> None:
    fake = SimpleUploadedFile("病毒.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(ValidationError) as exc:
        services.notice_add_attachments(notice=city_notice["notice"], files=[pdf(), fake], actor=secretariat)
    assert "病毒.pdf" in exc.value.message_dict["attachments"][0]
    assert not NoticeAttachment.objects.exists()


def test_secretariat_uploads_several_files_on_the_page_and_published_notices_are_frozen(
    city_notice: dict[str, Any], secretariat: Any, api: Callable[..., Any]
) -> None:
    notice = city_notice["notice"]
    client = Client()
    client.force_login(secretariat)
    response = client.post(
        notice.get_absolute_url(),
        {"action": "attach", "attachments": [pdf("一.pdf"), pdf("二.pdf")]},
        follow=True,
    )
    page = response.content.decode()
    assert "已添加 2 个附件" in page and "一.pdf" in page and "二.pdf" in page
    gone = NoticeAttachment.objects.get(title="一.pdf")
    page = client.post(
        notice.get_absolute_url(), {"action": "remove-attachment", "attachment": gone.pk}, follow=True
    ).content.decode()
    assert "附件已删除" in page and "一.pdf" not in page
    assert AuditEntry.objects.filter(action="notice.attachment_removed").exists()

    uploaded = api(secretariat).post(f"/api/v1/notices/{notice.pk}/attachments", {"files": [png()]})
    assert uploaded.status_code == 201 and uploaded.json()[0]["title"] == "合影.png"
    services.notice_publish(notice=notice, actor=secretariat)
    refused = api(secretariat).post(f"/api/v1/notices/{notice.pk}/attachments", {"files": [pdf()]})
    assert refused.status_code == 422 and "通知已发布" in json.dumps(refused.json(), ensure_ascii=False)
    assert (
        api(city_notice["reader"])
        .post(f"/api/v1/notices/{notice.pk}/attachments", {"files": [pdf()]})
        .status_code
        == 403
    )


def test_the_new_notice_form_takes_several_files(secretariat: Any, city_notice: dict[str, Any]) -> None:
    client = Client()
    client.force_login(secretariat)
    response = client.post(
        "/governance/notices/new/",
        {
            "title": "两份附件的通知",
            "body": "正文",
            "audience": "all",
            "attachments": [pdf(), png()],
            "publish": "on",
        },
        follow=True,
    )
    assert "通知已发布" in response.content.decode()
    assert NoticeAttachment.objects.filter(notice__title="两份附件的通知").count() == 2


# ---------------------------------------------------------------- meetings


@pytest.fixture
def meeting(secretariat: Any) -> Meeting:
    return services.meeting_create(
        cmd=MeetingCreate.build(
            {
                "kind": "ordinary",
                "title": "第二次理事会",
                "starts_at": timezone.now() + datetime.timedelta(days=10),
                "place": "青岛",
            },
            agenda=["审议年度计划"],
        ),
        actor=secretariat,
    )


def test_a_planned_meeting_is_edited_on_its_page_with_audit(meeting: Meeting, secretariat: Any) -> None:
    client = Client()
    client.force_login(secretariat)
    detail = client.get(meeting.get_absolute_url()).content.decode()
    assert "修改会议" in detail
    when = timezone.localtime(meeting.starts_at + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        f"/governance/meetings/{meeting.pk}/edit/",
        {
            "kind": "ordinary",
            "title": "第二次理事会（线上）",
            "starts_at": when,
            "place": "",
            "online_link": "https://meet.example.cn/2",
            "agenda": "审议年度计划\n通报秘书处工作",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "会议已修改" in page and "https://meet.example.cn/2" in page and "通报秘书处工作" in page
    entry = AuditEntry.objects.filter(action="council.meeting.update").get()
    assert entry.new["agenda"] == ["审议年度计划", "通报秘书处工作"] and "online_link" in entry.new
    bad = client.post(
        f"/governance/meetings/{meeting.pk}/edit/",
        {"kind": "ordinary", "title": "x", "starts_at": when, "place": "", "online_link": ""},
    )
    assert "请填写地点或线上会议链接" in bad.content.decode()


def test_meeting_api_edits_and_takes_papers_until_held(
    meeting: Meeting, secretariat: Any, council: Callable[..., list[Any]], api: Callable[..., Any]
) -> None:
    seats = council(1)
    client = api(secretariat)
    changed = patch(client, f"/council/meetings/{meeting.pk}", {"place": "烟台", "agenda": ["一", "二"]})
    assert changed.status_code == 200
    assert (changed.json()["place"], changed.json()["agenda"], changed.json()["title"]) == (
        "烟台",
        ["一", "二"],
        "第二次理事会",
    )
    uploaded = client.post(
        f"/api/v1/council/meetings/{meeting.pk}/papers", {"file": pdf(), "title": "年度计划"}
    )
    assert uploaded.status_code == 201
    paper = uploaded.json()
    rep = api(seats[0].representative)
    assert [p["title"] for p in rep.get(f"/api/v1/council/meetings/{meeting.pk}/papers").json()] == [
        "年度计划"
    ]
    assert rep.get(paper["url"]).status_code == 200
    assert api(None).get(paper["url"]).status_code in (401, 403, 404)
    assert patch(rep, f"/council/meetings/{meeting.pk}", {"place": "威海"}).status_code == 403
    fake = SimpleUploadedFile("x.pdf", b"plain text", content_type="application/pdf")
    assert client.post(f"/api/v1/council/meetings/{meeting.pk}/papers", {"file": fake}).status_code == 422
    assert client.delete(paper["url"]).status_code == 204
    assert client.get(f"/api/v1/council/meetings/{meeting.pk}").json()["papers"] == []

    Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - datetime.timedelta(hours=1))
    services.meeting_record_attendance(
        meeting=meeting,
        cmd=AttendanceRecord.build(attendance=[{"seat": seats[0].pk, "status": "present"}]),
        actor=secretariat,
    )
    services.meeting_change_status(meeting=meeting, action="hold", actor=secretariat)
    refused = patch(client, f"/council/meetings/{meeting.pk}", {"place": "潍坊"})
    assert refused.status_code == 422 and "已召开" in json.dumps(refused.json(), ensure_ascii=False)
    assert client.post(f"/api/v1/council/meetings/{meeting.pk}/papers", {"file": pdf()}).status_code == 422


# ---------------------------------------------------------------- rotation and seats


def test_rotation_plan_and_changes_through_the_api(
    rotation: dict[str, Any],
    secretariat: Any,
    council: Callable[..., list[Any]],
    open_motion: Any,
    api: Callable[..., Any],
) -> None:
    bureaus = rotation["bureaus"]
    plan = api(None).get("/api/v1/presidency/plan").json()
    assert [h["organization_name"] for h in plan["holders"]][:2] == [b.name for b in bureaus[:2]]
    assert plan["next_term"] == 2 and plan["still_to_serve_this_cycle"][0] == bureaus[1].pk

    client = api(secretariat)
    refused = post(client, "/presidency/changes", {"kind": "skip", "organization": bureaus[1].pk})
    assert refused.status_code == 422
    assert "调整轮值须依据已通过的理事会决议" in json.dumps(refused.json(), ensure_ascii=False)
    assert post(api(rotation["contacts"][0]), "/presidency/changes", {"kind": "skip"}).status_code == 403

    seat = council(1)[0]
    motion = open_motion(title="关于烟台本轮暂不担任轮值主席的议案")
    services.vote_cast(motion=motion, cmd=VoteCast.build(choice="for"), actor=seat.representative)
    services.motion_close(motion=motion, actor=secretariat)
    done = post(
        client,
        "/presidency/changes",
        {"kind": "skip", "organization": bureaus[1].pk, "resolution": motion.resolution.pk},
    )
    assert done.status_code == 201
    assert (done.json()["effective_term"], done.json()["resolution_number"]) == (2, motion.resolution.number)
    current = api(None).get("/api/v1/presidency/current").json()
    assert current["next"]["organization_name"] == bureaus[2].name
    assert api(None).get("/api/v1/presidency/plan").json()["changes"][0]["kind"] == "skip"


def test_seats_through_the_api_keep_the_representatives_history(
    secretariat: Any, make_org: Callable[..., Any], make_user: Callable[..., Any], api: Callable[..., Any]
) -> None:
    org = make_org("理事单位甲", tier="council")
    first, second = make_user(display_name="张理事"), make_user(display_name="李理事")
    client = api(secretariat)
    start = timezone.localdate() - datetime.timedelta(days=30)
    created = post(
        client, "/council/seats", {"organization": org.pk, "representative": first.pk, "starts_on": start}
    )
    assert created.status_code == 201
    seat_id = created.json()["id"]
    again = post(client, "/council/seats", {"organization": org.pk, "starts_on": start})
    assert again.status_code == 422 and "已有理事会席位" in json.dumps(again.json(), ensure_ascii=False)
    assert post(api(first), "/council/seats", {"organization": org.pk, "starts_on": start}).status_code == 403

    changed = post(
        client,
        f"/council/seats/{seat_id}/representative",
        {"representative": second.pk, "on": timezone.localdate()},
    )
    assert changed.status_code == 200
    body = changed.json()
    assert body["representative_name"] == "李理事"
    assert [(r["name"], r["ends_on"] is None) for r in body["representatives"]] == [
        ("张理事", False),
        ("李理事", True),
    ]
    assert SeatRepresentative.objects.filter(seat_id=seat_id).count() == 2
    listed = api(second).get("/api/v1/council/seats").json()["items"]
    assert [(s["organization_name"], s["representative_name"]) for s in listed] == [("理事单位甲", "李理事")]
    assert api(first).get("/api/v1/council/seats").status_code == 403  # no longer on the council

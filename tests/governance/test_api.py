"""The governance API: the paths of the issue, problem+json errors, what each role sees."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from lianmeng.governance.models import Vote

pytestmark = pytest.mark.django_db


def post(client: Any, path: str, body: dict[str, Any]) -> Any:
    return client.post(f"/api/v1{path}", data=json.dumps(body, default=str), content_type="application/json")


def test_presidency_current_and_terms_are_public(rotation: dict[str, Any], api: Callable[..., Any]) -> None:
    client = api(None)
    current = client.get("/api/v1/presidency/current").json()
    assert current["current"]["organization_name"] == "青岛市人力资源和社会保障局"
    assert current["next"]["organization_name"] == "烟台市人力资源和社会保障局"
    terms = client.get("/api/v1/presidency/terms").json()
    assert [t["number"] for t in terms][:2] == [1, 2]


def test_handover_by_someone_else_is_a_problem(
    rotation: dict[str, Any], api: Callable[..., Any], confirm_handover: Any
) -> None:
    response = post(api(rotation["contacts"][2]), "/presidency/handover", {"date": timezone.localdate()})
    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/problem+json")
    assert "卸任的轮值主席" in response.json()["detail"]
    unconfirmed = post(api(rotation["contacts"][0]), "/presidency/handover", {"date": timezone.localdate()})
    assert unconfirmed.status_code == 422
    assert "须经理事会决议确认" in unconfirmed.json()["errors"]["resolution"][0]
    resolution = confirm_handover()
    ok = post(
        api(rotation["contacts"][0]),
        "/presidency/handover",
        {"date": timezone.localdate(), "documents": "印章"},
    )
    assert ok.status_code == 201
    assert ok.json()["documents"] == ["印章"]
    assert ok.json()["resolution_number"] == resolution.number


def test_motion_flow_over_the_api(
    council: Callable[..., list[Any]], secretariat: Any, api: Callable[..., Any]
) -> None:
    seats = council(3)
    office = api(secretariat)
    now = timezone.now()
    created = post(
        office,
        "/council/motions",
        {
            "title": "关于设立专家咨询委员会的议案",
            "text": "设立专家咨询委员会。",
            "kind": "important",
            "ballot": "open",
            "opens_at": now.isoformat(),
            "closes_at": (now + datetime.timedelta(days=2)).isoformat(),
            "status": "open",
        },
    )
    assert created.status_code == 201, created.content
    motion_id = created.json()["id"]
    assert created.json()["status"] == "open"
    for seat, choice in zip(seats, ["for", "for", "against"], strict=True):
        response = post(api(seat.representative), f"/council/motions/{motion_id}/votes", {"choice": choice})
        assert response.status_code == 201
    detail = api(seats[0].representative).get(f"/api/v1/council/motions/{motion_id}").json()
    assert detail["votes_for"] is None  # no running tally while voting is open
    assert detail["seats_voted"] == 3
    bad = post(api(seats[0].representative), f"/council/motions/{motion_id}/votes", {"choice": "yes"})
    assert bad.status_code == 422 and "choice" in bad.json()["errors"]
    forbidden = post(api(seats[0].representative), f"/council/motions/{motion_id}/close", {})
    assert forbidden.status_code == 403
    closed = post(office, f"/council/motions/{motion_id}/close", {})
    assert closed.status_code == 200
    result = closed.json()
    assert (result["status"], result["votes_for"], result["votes_against"]) == ("passed", 2, 1)
    assert result["resolution_number"].startswith("胶东人服联决〔")
    assert {v["choice"] for v in result["votes"]} == {"for", "against"}
    again = post(office, f"/council/motions/{motion_id}/close", {})
    assert again.status_code == 422
    assert "已经结束表决" in again.json()["detail"]
    late = post(api(seats[0].representative), f"/council/motions/{motion_id}/votes", {"choice": "for"})
    assert late.status_code == 422


def test_secret_ballot_shows_counts_but_no_choices(
    council: Callable[..., list[Any]], open_motion: Any, secretariat: Any, api: Callable[..., Any]
) -> None:
    seats = council(2)
    motion = open_motion(ballot="secret")
    for seat in seats:
        post(api(seat.representative), f"/council/motions/{motion.pk}/votes", {"choice": "for"})
    result = post(api(secretariat), f"/council/motions/{motion.pk}/close", {}).json()
    assert result["votes_for"] == 2
    assert all(v["choice"] is None for v in result["votes"])
    assert all(v["voted"] for v in result["votes"])


def test_motions_are_council_papers(make_user: Callable[..., Any], api: Callable[..., Any]) -> None:
    response = api(make_user()).get("/api/v1/council/motions")
    assert response.status_code == 403
    assert api(None).get("/api/v1/council/motions").status_code == 401


def test_meetings_notices_and_tasks(
    secretariat: Any, make_org: Callable[..., Any], make_user: Callable[..., Any], api: Callable[..., Any]
) -> None:
    office = api(secretariat)
    meeting = post(
        office,
        "/council/meetings",
        {
            "kind": "plenary",
            "title": "年度全会",
            "starts_at": (timezone.now() + datetime.timedelta(days=9)).isoformat(),
            "place": "青岛",
            "agenda": ["工作报告"],
        },
    )
    assert meeting.status_code == 201 and meeting.json()["agenda"] == ["工作报告"]
    missing_place = post(
        office,
        "/council/meetings",
        {"kind": "ordinary", "title": "例会", "starts_at": timezone.now().isoformat()},
    )
    assert missing_place.status_code == 422 and "place" in missing_place.json()["errors"]

    org = make_org("日照测试园区", city="日照")
    contact = make_user("member_contact", organization=org)
    notice = post(office, "/notices", {"title": "通知", "body": "正文", "audience": "all"})
    assert notice.status_code == 201
    notice_id = notice.json()["id"]
    assert [n["id"] for n in api(contact).get("/api/v1/notices?unread=true").json()["items"]] == [notice_id]
    read = post(api(contact), f"/notices/{notice_id}/read", {})
    assert read.status_code == 200 and read.json()[0]["read_at"]
    assert api(contact).get("/api/v1/notices?unread=true").json()["items"] == []

    task = post(
        office,
        "/tasks",
        {
            "title": "报送材料",
            "due_on": (timezone.localdate() + datetime.timedelta(days=3)).isoformat(),
            "owner_organization": org.pk,
        },
    )
    assert task.status_code == 201
    task_id = task.json()["id"]
    patch = api(contact).patch(
        f"/api/v1/tasks/{task_id}",
        data=json.dumps({"action": "complete", "note": "已报送"}),
        content_type="application/json",
    )
    assert patch.status_code == 200 and patch.json()["status"] == "done"
    stranger = api(make_user()).patch(f"/api/v1/tasks/{task_id}", data="{}", content_type="application/json")
    assert stranger.status_code == 404


def test_vote_for_a_seat_not_valid_today_is_refused(
    lapsed_seats: list[Any], open_motion: Any, api: Callable[..., Any]
) -> None:
    seats = lapsed_seats
    motion = open_motion()
    response = post(api(seats[0].representative), f"/council/motions/{motion.pk}/votes", {"choice": "for"})
    assert response.status_code in (403, 404)
    assert not Vote.objects.exists()

"""Governance pages: what each role sees, forms that answer bad input at the field, bounded queries."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lianmeng.governance import desk, services
from lianmeng.governance.commands import MeetingCreate, MotionCreate, NoticeCreate, TaskCreate, VoteCast
from lianmeng.governance.models import Motion, Vote
from tests.form_helpers import client_for

pytestmark = pytest.mark.django_db


def test_public_presidency_and_portal_sections(
    rotation: dict[str, Any], council: Callable[..., list[Any]]
) -> None:
    council(2)
    client = Client()
    page = client.get(reverse("governance:presidency")).content.decode()
    assert "青岛市人力资源和社会保障局" in page and "当值" in page
    home = client.get(reverse("core:home")).content.decode()
    assert 'id="portal-president"' in home and "青岛市人力资源和社会保障局" in home
    about = client.get(reverse("core:about")).content.decode()
    assert 'id="portal-council"' in about and "理事单位001" in about
    assert "理事1" not in about  # representatives' names are not public


def test_council_papers_are_not_for_everyone(make_user: Callable[..., Any], open_motion: Any) -> None:
    motion = open_motion()
    stranger = client_for(make_user())
    assert stranger.get(reverse("governance:motions")).status_code == 403
    assert stranger.get(reverse("governance:motion", args=[motion.pk])).status_code == 404
    assert Client().get(reverse("governance:motions")).status_code == 302


def test_representative_votes_on_the_page_and_may_change(
    council: Callable[..., list[Any]], open_motion: Any
) -> None:
    seat = council(2)[0]
    motion = open_motion()
    client = client_for(seat.representative)
    page = client.get(reverse("governance:motion", args=[motion.pk])).content.decode()
    assert 'id="vote-form"' in page and "提交表决" in page
    client.post(reverse("governance:motion", args=[motion.pk]), {"choice": "against"})
    response = client.post(reverse("governance:motion", args=[motion.pk]), {"choice": "for"}, follow=True)
    assert "您已投票：赞成" in response.content.decode()
    assert Vote.objects.get(motion=motion).choice == "for"
    bad = client.post(reverse("governance:motion", args=[motion.pk]), {"choice": "maybe"})
    assert bad.status_code == 200 and "form-errors" in bad.content.decode()


def test_secretariat_closes_and_the_resolution_gets_a_task(
    carried_motion: tuple[Motion, list[Any]], secretariat: Any
) -> None:
    motion, seats = carried_motion
    office = client_for(secretariat)
    closed = office.post(
        reverse("governance:motion-action", args=[motion.pk, "close"]), follow=True
    ).content.decode()
    assert "已通过" in closed and 'id="resolution-link"' in closed
    motion.refresh_from_db()
    url = reverse("governance:resolution", args=[motion.resolution.pk])
    empty = office.post(url, {"action": "task", "title": "", "due_on": ""})
    text = empty.content.decode()
    assert "请填写任务名称" in text or "这个字段是必填项" in text
    due = (timezone.localdate() + datetime.timedelta(days=7)).isoformat()
    page = office.post(
        url,
        {
            "action": "task",
            "title": "落实决议",
            "due_on": due,
            "owner_organization": seats[0].organization.pk,
        },
        follow=True,
    ).content.decode()
    assert "落实决议" in page and "督办任务已交办" in page
    twice = office.post(
        reverse("governance:motion-action", args=[motion.pk, "close"]), follow=True
    ).content.decode()
    assert "已经结束表决" in twice


def test_motion_form_names_the_bad_field(secretariat: Any) -> None:
    office = client_for(secretariat)
    now = timezone.localtime()
    response = office.post(
        reverse("governance:motion-new"),
        {
            "title": "议案",
            "text": "正文",
            "kind": "ordinary",
            "ballot": "open",
            "opens_at": now.strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (now - datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 200
    assert "表决截止时间须晚于开始时间" in response.content.decode()
    assert not Motion.objects.exists()


def test_member_reads_a_notice_and_completes_a_task(
    secretariat: Any, make_org: Callable[..., Any], make_user: Callable[..., Any]
) -> None:
    org = make_org("威海测试园区", city="威海")
    contact = make_user("member_contact", organization=org)
    notice = services.notice_create(
        cmd=NoticeCreate.build({"title": "关于报送材料的通知", "body": "正文", "audience": "all"}),
        actor=secretariat,
        publish=True,
    )
    task = services.task_create(
        cmd=TaskCreate.build(
            {"title": "报送材料", "owner_organization": org.pk, "due_on": timezone.localdate()}
        ),
        actor=secretariat,
    )
    member = client_for(contact)
    desk_page = member.get(reverse("core:desk")).content.decode()
    assert "未读通知" in desk_page and "关于报送材料的通知" in desk_page and "我的督办任务" in desk_page
    page = member.post(
        reverse("governance:notice", args=[notice.pk]), {"action": "read"}, follow=True
    ).content.decode()
    assert "已确认阅读" in page
    done = member.post(
        reverse("governance:task", args=[task.pk]), {"action": "complete", "note": "已报送"}, follow=True
    )
    assert "已办结" in done.content.decode()


def _bulk(council_seats: list[Any], secretariat: Any, n: int) -> None:
    now = timezone.now()
    for i in range(n):
        services.motion_create(
            cmd=MotionCreate.build(
                {
                    "title": f"议案{i}",
                    "text": "正文",
                    "kind": "ordinary",
                    "ballot": "open",
                    "opens_at": now - datetime.timedelta(hours=1),
                    "closes_at": now + datetime.timedelta(days=2),
                }
            ),
            actor=secretariat,
            open_now=True,
        )
        task = services.task_create(
            cmd=TaskCreate.build(
                {
                    "title": f"任务{i}",
                    "owner_user": council_seats[0].representative.pk,
                    "due_on": timezone.localdate(),
                }
            ),
            actor=secretariat,
        )
        type(task).objects.filter(pk=task.pk).update(due_on=timezone.localdate() - datetime.timedelta(days=3))
        services.notice_create(
            cmd=NoticeCreate.build({"title": f"通知{i}", "body": "正文", "audience": "all"}),
            actor=secretariat,
            publish=True,
        )
        services.meeting_create(
            cmd=MeetingCreate.build(
                {
                    "kind": "ordinary",
                    "title": f"会议{i}",
                    "starts_at": now + datetime.timedelta(days=i + 1),
                    "place": "青岛",
                },
                agenda=["议程"],
            ),
            actor=secretariat,
        )


def test_desk_panels_and_motion_list_use_a_bounded_number_of_queries(
    council: Callable[..., list[Any]],
    secretariat: Any,
    django_assert_max_num_queries: Any,
) -> None:
    seats = council(5)
    _bulk(seats, secretariat, 30)
    secretariat = type(secretariat).objects.get(pk=secretariat.pk)
    with django_assert_max_num_queries(12):
        rendered = desk.panels(secretariat)
    assert [p.count for p in rendered[:3]] == [30, 30, 30]
    rep = type(secretariat).objects.get(pk=seats[0].representative.pk)
    with django_assert_max_num_queries(12):
        rep_panels = desk.panels(rep)
    assert rep_panels[0].title == "待我表决的议案"
    office = client_for(secretariat)
    with django_assert_max_num_queries(25):
        response = office.get(reverse("governance:motions"))
    assert response.content.decode().count("议案") >= 20
    with django_assert_max_num_queries(60):
        assert office.get(reverse("core:desk")).status_code == 200
    with django_assert_max_num_queries(25):
        assert office.get(reverse("governance:tasks") + "?overdue=1").status_code == 200


def test_settings_page_for_administrators_only(admin_user: Any, secretariat: Any) -> None:
    assert client_for(secretariat).get(reverse("governance:settings")).status_code == 403
    admin = client_for(admin_user)
    response = admin.post(
        reverse("governance:settings"),
        {
            "term_months": 12,
            "quorum_numerator": 3,
            "quorum_denominator": 2,
            "ordinary_threshold_numerator": 1,
            "ordinary_threshold_denominator": 2,
            "ordinary_threshold_strict": "on",
            "important_threshold_numerator": 1,
            "important_threshold_denominator": 2,
            "important_threshold_strict": "on",
            "charter_threshold_numerator": 2,
            "charter_threshold_denominator": 3,
            "default_voting_days": 7,
            "notice_read_days": 5,
        },
    )
    assert "比例不能大于 1" in response.content.decode()


def test_rotation_change_and_handover_in_the_browser_forms(
    rotation: dict[str, Any],
    council: Callable[..., list[Any]],
    open_motion: Any,
    secretariat: Any,
    confirm_handover: Any,
) -> None:
    office = client_for(secretariat)
    refused = office.post(
        reverse("governance:rotation-change"), {"kind": "defer", "organization": rotation["bureaus"][1].pk}
    )
    assert "须依据已通过的理事会决议" in refused.content.decode()
    seat = council(1)[0]
    motion = open_motion(title="关于烟台顺延担任轮值主席的议案")
    services.vote_cast(motion=motion, cmd=VoteCast.build(choice="for"), actor=seat.representative)
    services.motion_close(motion=motion, actor=secretariat)
    done = office.post(
        reverse("governance:rotation-change"),
        {
            "kind": "defer",
            "organization": rotation["bureaus"][1].pk,
            "resolution": Motion.objects.get(pk=motion.pk).resolution.pk,
        },
        follow=True,
    ).content.decode()
    assert "轮值安排已按决议调整" in done
    assert 'id="next-president">潍坊市人力资源和社会保障局' in done
    outgoing = client_for(rotation["contacts"][0])
    page = outgoing.get(reverse("governance:presidency")).content.decode()
    assert "须经理事会决议确认" in page and "办理轮值交接" not in page
    confirm_handover()
    page = outgoing.get(reverse("governance:presidency")).content.decode()
    assert "办理轮值交接" in page
    assert (
        "办理轮值交接"
        not in client_for(rotation["contacts"][1]).get(reverse("governance:presidency")).content.decode()
    )
    recorded = outgoing.post(
        reverse("governance:handover"),
        {"date": timezone.localdate().isoformat(), "documents": "联盟印章"},
        follow=True,
    ).content.decode()
    assert "轮值交接已记录" in recorded and "联盟印章" in recorded

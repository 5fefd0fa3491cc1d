"""Notices with read receipts and reminders; tasks (督办) with progress and overdue reminders."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from lianmeng.governance import machines, services, tasks
from lianmeng.governance.commands import NoticeCreate, TaskCreate, TaskUpdate, VoteCast
from lianmeng.governance.models import Notice, NoticeReceipt, Task, TaskStatus
from lianmeng.governance.selectors import notice_list, task_list

pytestmark = pytest.mark.django_db


@pytest.fixture
def members(make_org: Callable[..., Any], make_user: Callable[..., Any]) -> list[tuple[Any, Any]]:
    out = []
    for name, city in (("青岛甲园区", "青岛"), ("青岛乙园区", "青岛"), ("烟台丙园区", "烟台")):
        org = make_org(name, city=city)
        out.append((org, make_user("member_contact", organization=org)))
    return out


def test_notice_to_a_city_reaches_only_its_members_and_counts_read_receipts(
    members: list[tuple[Any, Any]], secretariat: Any
) -> None:
    notice = services.notice_create(
        cmd=NoticeCreate.build(
            {
                "title": "关于报送年度活动计划的通知",
                "body": "请各单位于月底前报送。",
                "audience": "city",
                "audience_city": "370200",
            }
        ),
        actor=secretariat,
        publish=True,
    )
    year = timezone.localdate().year
    assert notice.number == f"胶东人服联〔{year}〕1号"
    assert notice.recipients_count == 2
    qingdao_contact, yantai_contact = members[0][1], members[2][1]
    assert list(notice_list(viewer=qingdao_contact)) == [notice]
    assert list(notice_list(viewer=yantai_contact)) == []
    with pytest.raises(PermissionDenied):
        services.notice_mark_read(notice=notice, actor=yantai_contact)
    services.notice_mark_read(notice=notice, actor=qingdao_contact)
    services.notice_mark_read(notice=notice, actor=qingdao_contact)  # idempotent
    notice.refresh_from_db()
    assert (notice.read_count, notice.unread_count) == (1, 1)
    receipt = NoticeReceipt.objects.get(notice=notice, organization=members[0][0])
    assert receipt.read_by_user == qingdao_contact


def test_notice_bad_input_names_the_fields(secretariat: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        services.notice_create(
            cmd=NoticeCreate.build({"title": "", "body": "x", "audience": "city"}), actor=secretariat
        )
    assert exc.value.message_dict["title"] == ["请填写标题"]
    assert exc.value.message_dict["audience_city"] == ["请选择城市"]
    assert not Notice.objects.exists()


def test_only_the_secretariat_publishes(members: list[tuple[Any, Any]]) -> None:
    with pytest.raises(PermissionDenied):
        services.notice_create(
            cmd=NoticeCreate.build({"title": "t", "body": "b", "audience": "all"}), actor=members[0][1]
        )


def test_reminders_go_to_unread_recipients_once_a_day(
    members: list[tuple[Any, Any]], secretariat: Any, django_capture_on_commit_callbacks: Any
) -> None:
    today = timezone.localdate()
    notice = services.notice_create(
        cmd=NoticeCreate.build({"title": "请确认", "body": "正文", "audience": "all", "read_by": today}),
        actor=secretariat,
        publish=True,
    )
    services.notice_mark_read(notice=notice, actor=members[0][1])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.notice_reminders.call() == 2
        assert tasks.notice_reminders.call() == 0
    assert len(mail.outbox) == 1
    assert sorted(mail.outbox[0].to) == sorted([members[1][1].email, members[2][1].email])
    assert "请阅读通知" in mail.outbox[0].subject


def test_task_owner_completes_and_others_cannot(
    members: list[tuple[Any, Any]], secretariat: Any, make_user: Callable[..., Any]
) -> None:
    owner = members[0][1]
    task = services.task_create(
        cmd=TaskCreate.build(
            {
                "title": "起草年度报告",
                "owner_organization": members[0][0].pk,
                "due_on": timezone.localdate() + datetime.timedelta(days=5),
            }
        ),
        actor=secretariat,
    )
    assert list(task_list(viewer=owner)) == [task]
    assert list(task_list(viewer=members[1][1])) == []
    with pytest.raises(PermissionDenied):
        services.task_update(task=task, cmd=TaskUpdate.build({"action": "complete"}), actor=members[1][1])
    with pytest.raises(ValidationError):
        services.task_update(task=task, cmd=TaskUpdate.build({"due_on": "2030-01-01"}), actor=owner)
    with pytest.raises(PermissionDenied):
        services.task_update(task=task, cmd=TaskUpdate.build({"action": "cancel", "note": "x"}), actor=owner)
    services.task_update(
        task=task, cmd=TaskUpdate.build({"action": "start", "note": "已开始起草"}), actor=owner
    )
    done = services.task_update(
        task=task, cmd=TaskUpdate.build({"action": "complete", "note": "已报送"}), actor=owner
    )
    assert done.status == TaskStatus.DONE and done.completed_at is not None
    assert [n.text for n in done.notes.all()] == ["已开始起草", "已报送"]
    with pytest.raises(ValidationError) as exc:
        services.task_update(task=done, cmd=TaskUpdate.build({"action": "complete"}), actor=owner)
    assert "已办结" in exc.value.message_dict["action"][0]


def test_task_actions_follow_the_machine_guards(members: list[tuple[Any, Any]], secretariat: Any) -> None:
    """The owner starts and completes; only the secretariat also cancels (and reopens a done task)."""
    task = services.task_create(
        cmd=TaskCreate.build(
            {"title": "汇编案例", "owner_organization": members[0][0].pk, "due_on": timezone.localdate()}
        ),
        actor=secretariat,
    )
    owner = members[0][1]
    assert machines.TASK.allowed(task.status, actor=owner, obj=task) == ["start", "complete"]
    assert machines.TASK.allowed(task.status, actor=secretariat, obj=task) == ["start", "complete", "cancel"]
    assert machines.TASK.allowed(TaskStatus.DONE, actor=owner, obj=task) == []
    assert machines.TASK.allowed(TaskStatus.DONE, actor=secretariat, obj=task) == ["reopen"]


def test_task_needs_an_owner_and_a_future_due_date(secretariat: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        services.task_create(cmd=TaskCreate.build({"title": "x", "due_on": "2020-01-01"}), actor=secretariat)
    assert "owner_user" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.task_create(cmd=TaskCreate.build({"title": "x", "due_on": "明天"}), actor=secretariat)
    assert "due_on" in exc.value.message_dict
    assert not Task.objects.exists()


def test_overdue_tasks_are_flagged_and_reminded_daily(
    members: list[tuple[Any, Any]], secretariat: Any, django_capture_on_commit_callbacks: Any
) -> None:
    task = services.task_create(
        cmd=TaskCreate.build(
            {"title": "报送统计表", "owner_user": members[0][1].pk, "due_on": timezone.localdate()}
        ),
        actor=secretariat,
    )
    assert not task.is_overdue()
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    assert task.is_overdue(tomorrow)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.task_reminders.call(today=tomorrow.isoformat()) == 1
        assert tasks.task_reminders.call(today=tomorrow.isoformat()) == 0
    assert mail.outbox[0].to == [members[0][1].email]
    assert "逾期" in mail.outbox[0].subject


def test_due_motions_are_closed_by_the_background_task(
    council: Callable[..., list[Any]], open_motion: Any
) -> None:
    from lianmeng.governance.models import Motion

    seat = council(1)[0]
    motion = open_motion()
    services.vote_cast(motion=motion, cmd=VoteCast.build(choice="for"), actor=seat.representative)
    Motion.objects.filter(pk=motion.pk).update(closes_at=timezone.now() - datetime.timedelta(minutes=1))
    later = open_motion()
    assert tasks.close_due_motions.call() == 1
    motion.refresh_from_db()
    later.refresh_from_db()
    assert motion.status == "passed" and motion.resolution.number
    assert later.status == "open"


def test_the_scheduler_runs_governance_periodic_work(
    council: Callable[..., list[Any]], open_motion: Any
) -> None:
    from lianmeng.core.schedule import run_due
    from lianmeng.governance.models import Motion

    council(1)
    motion = open_motion()
    Motion.objects.filter(pk=motion.pk).update(closes_at=timezone.now() - datetime.timedelta(minutes=1))
    at_nine = timezone.localtime().replace(hour=9, minute=0)
    enqueued = run_due(at_nine)
    assert {
        "lianmeng.governance.tasks.close_due_motions",
        "lianmeng.governance.tasks.notice_reminders",
        "lianmeng.governance.tasks.task_reminders",
    } <= set(enqueued)
    motion.refresh_from_db()
    assert motion.status == "no_quorum"  # the test backend runs enqueued tasks immediately

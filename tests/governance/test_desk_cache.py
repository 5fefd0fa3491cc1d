"""The workbench's panels are cached per viewer and minute for the apps that declare ``CACHED_BY``;
an edit, a read receipt, a role or the clock gives a new copy (transactional: inside a test's open
transaction the cache is bypassed, so these tests commit)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lianmeng.core.nav import desk_panels
from lianmeng.governance import services
from lianmeng.governance.commands import NoticeCreate, TaskCreate
from lianmeng.notifications import services as notifications
from lianmeng.notifications.models import Kind

pytestmark = pytest.mark.django_db(transaction=True)


def _desk(user: Any) -> tuple[int, dict[str, Any]]:
    """(queries run, the panels by title) for a freshly read ``user`` (roles as a request sees them)."""
    user = type(user).objects.get(pk=user.pk)
    with CaptureQueriesContext(connection) as queries:
        panels = desk_panels(user)
    return len(queries), {str(p.title): p for p in panels}


def _labels(panel: Any) -> list[str]:
    return [item.label for item in panel.items]


def test_each_viewer_gets_their_own_copy_and_edits_and_read_receipts_renew_it(
    council: Callable[[int], list[Any]], secretariat: Any, monkeypatch: Any
) -> None:
    seats = council(2)
    rep = seats[0].representative
    notice = services.notice_create(
        cmd=NoticeCreate.build({"title": "关于年会的通知", "body": "正文", "audience": "all"}),
        actor=secretariat,
        publish=True,
    )
    first, office = _desk(secretariat)
    assert _labels(office["未读完的通知"]) == ["关于年会的通知"]
    unread_before = office["未读完的通知"].items[0].meta
    again, office_again = _desk(secretariat)
    assert again < first / 2, (again, first)
    assert _labels(office_again["未读完的通知"]) == ["关于年会的通知"]

    # a member's desk is their own: no secretariat panels, their unread notice
    _, member = _desk(rep)
    assert "未读完的通知" not in member and _labels(member["未读通知"]) == ["关于年会的通知"]

    # reading the notice (a receipt, with a version of its own) shows on both desks at once
    services.notice_mark_read(notice=notice, actor=rep)
    _, member = _desk(rep)
    assert _labels(member["未读通知"]) == []
    _, office = _desk(secretariat)
    assert office["未读完的通知"].items[0].meta != unread_before

    # an overdue task created on another desk shows at once
    task = services.task_create(
        cmd=TaskCreate.build({"title": "提交年度总结", "owner_user": rep.pk, "due_on": timezone.localdate()}),
        actor=secretariat,
    )
    type(task).objects.filter(pk=task.pk).update(due_on=timezone.localdate() - datetime.timedelta(days=2))
    _, office = _desk(secretariat)
    assert _labels(office["逾期督办任务"]) == ["提交年度总结"]

    # notifications are not cached: a new one shows without any version changing
    notifications.notify(recipients=[secretariat.pk], kind=Kind.NOTICE_PUBLISHED, title="新的动态")
    _, office = _desk(secretariat)
    assert _labels(office["最近动态"])[0] == "新的动态"

    # a minute later the panels are built again (due dates and deadlines move with the clock)
    cached_cost, _ = _desk(secretariat)
    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() + datetime.timedelta(minutes=1))
    later, _ = _desk(secretariat)
    assert later > cached_cost * 2, (later, cached_cost)


def test_a_role_granted_gives_a_new_copy(
    council: Callable[[int], list[Any]], secretariat: Any, make_user: Callable[..., Any]
) -> None:
    from lianmeng.accounts.models import RoleAssignment

    council(1)
    person = make_user(username="desk-newcomer")
    _, before = _desk(person)
    assert "逾期督办任务" not in before
    _desk(person)  # stored
    RoleAssignment.objects.create(user=person, role="secretariat")
    _, after = _desk(person)
    assert "逾期督办任务" in after

"""Desk panels: motions to vote on (council representatives); for the secretariat open motions,
overdue tasks, notices not yet read by everyone and the next meetings; for members their unread
notices and their tasks. Each panel costs a fixed number of queries."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lianmeng.core.nav import DeskItem, DeskPanel, desk_count
from lianmeng.core.templatetags.lianmeng import datetime_cn

from . import policies, selectors
from .models import OPEN_TASK_STATUSES, MotionStatus

LIMIT = 6


def _when(value: Any) -> str:
    return datetime_cn(value)


# What the panels read (motions and votes, tasks, notices and their read receipts, meetings):
# cached per viewer and minute by core.nav.desk_panels.
CACHED_BY = ("governance", "governance-receipts", "membership", "core")


def panels(user: Any) -> list[DeskPanel]:
    out: list[DeskPanel] = []
    to_vote = selectors.motions_to_vote(viewer=user)
    if to_vote:
        out.append(
            DeskPanel(
                title=_("待我表决的议案"),
                items=[
                    DeskItem(
                        label=m.title,
                        url=m.get_absolute_url(),
                        meta=_("截止 %(when)s") % {"when": _when(m.closes_at)},
                        badge=str(_("已投票") if voted else _("未投票")),
                        badge_class="text-bg-success" if voted else "text-bg-warning",
                    )
                    for m, voted in to_vote[:LIMIT]
                ],
                count=sum(1 for _m, voted in to_vote if not voted),
                more_url=reverse("governance:motions"),
                order=5,
            )
        )
    if policies.is_secretariat(user):
        out.extend(_secretariat_panels(user))
    else:
        out.extend(_member_panels(user))
    return out


def _secretariat_panels(user: Any) -> list[DeskPanel]:
    today = timezone.localdate()
    open_motions = selectors.motion_list(viewer=user, status=MotionStatus.OPEN).order_by("closes_at")
    overdue = selectors.task_list(viewer=user, overdue=True)
    unread = selectors.notices_with_unread(viewer=user)
    meetings = selectors.meetings_upcoming(viewer=user, limit=LIMIT)
    return [
        DeskPanel(
            title=_("表决中的议案"),
            items=[
                DeskItem(
                    label=m.title,
                    url=m.get_absolute_url(),
                    meta=_("截止 %(when)s") % {"when": _when(m.closes_at)},
                )
                for m in open_motions[:LIMIT]
            ],
            **desk_count(open_motions),
            more_url=reverse("governance:motions") + "?status=open",
            empty_text=_("没有表决中的议案"),
            order=11,
        ),
        DeskPanel(
            title=_("逾期督办任务"),
            items=[
                DeskItem(
                    label=t.title,
                    url=t.get_absolute_url(),
                    meta=f"{t.owner_label} · " + _("逾期 %(n)d 天") % {"n": (today - t.due_on).days},
                    badge=str(_("已逾期")),
                    badge_class="text-bg-danger",
                )
                for t in overdue[:LIMIT]
            ],
            **desk_count(overdue),
            more_url=reverse("governance:tasks") + "?overdue=1",
            empty_text=_("没有逾期任务"),
            order=12,
        ),
        DeskPanel(
            title=_("未读完的通知"),
            items=[
                DeskItem(
                    label=n.title,
                    url=n.get_absolute_url(),
                    meta=ngettext("未读 %(n)d 家单位", "未读 %(n)d 家单位", n.unread_count)
                    % {"n": n.unread_count},
                )
                for n in unread[:LIMIT]
            ],
            **desk_count(unread),
            more_url=reverse("governance:notices"),
            empty_text=_("所有通知均已阅读"),
            order=13,
        ),
        DeskPanel(
            title=_("近期会议"),
            items=[
                DeskItem(label=m.title, url=m.get_absolute_url(), meta=_when(m.starts_at)) for m in meetings
            ],
            more_url=reverse("governance:meetings"),
            empty_text=_("近期没有会议"),
            order=14,
        ),
    ]


def _member_panels(user: Any) -> list[DeskPanel]:
    out: list[DeskPanel] = []
    if policies.represented_organization_ids(user):
        unread = selectors.notices_unread_for(viewer=user)
        out.append(
            DeskPanel(
                title=_("未读通知"),
                items=[
                    DeskItem(label=n.title, url=n.get_absolute_url(), meta=n.number) for n in unread[:LIMIT]
                ],
                **desk_count(unread),
                more_url=reverse("governance:notices") + "?unread=1",
                empty_text=_("没有未读通知"),
                order=8,
            )
        )
    tasks = selectors.task_list(viewer=user).filter(status__in=OPEN_TASK_STATUSES)
    items = [
        DeskItem(
            label=t.title,
            url=t.get_absolute_url(),
            meta=_("期限 %(date)s") % {"date": t.due_on.isoformat()},
            badge=str(_("已逾期")) if t.overdue else str(t.get_status_display()),
            badge_class="text-bg-danger" if t.overdue else "text-bg-secondary",
        )
        for t in tasks[:LIMIT]
    ]
    if items:
        out.append(
            DeskPanel(
                title=_("我的督办任务"),
                items=items,
                **desk_count(tasks),
                more_url=reverse("governance:tasks"),
                order=9,
            )
        )
    return out

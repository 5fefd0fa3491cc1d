"""Desk panels: events I manage, my upcoming registrations, 1+7+N gaps for coordinators and contacts."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lianmeng.core.nav import DeskItem, DeskPanel, desk_count
from lianmeng.core.templatetags.lianmeng import datetime_cn

from . import policies, selectors
from .compliance import compliance_gaps
from .models import EventStatus

# What the panels read (events, the viewer's registrations, the 1+7+N gaps (members and cities)):
# cached per viewer and minute by core.nav.desk_panels.
CACHED_BY = ("activities", "activities-registrations", "membership", "core")


def panels(user: Any) -> list[DeskPanel]:
    out: list[DeskPanel] = []
    now = timezone.now()
    if policies.can_create_event(user):
        managed = selectors.events_managed(viewer=user).filter(
            status__in=[EventStatus.DRAFT, EventStatus.PUBLISHED]
        )
        # Soonest first: drafts to publish, events to run, past events waiting for their summary.
        todo = list(managed.order_by("starts_at", "id")[:8])
        items = []
        for event in todo:
            if event.status == EventStatus.DRAFT:
                badge, css = _("待发布"), "text-bg-secondary"
            elif event.ends_at < now:
                badge, css = _("待提交总结"), "text-bg-warning"
            else:
                badge, css = str(event.get_status_display()), "text-bg-primary"
            items.append(
                DeskItem(
                    label=event.title,
                    url=event.get_absolute_url(),
                    meta=f"{datetime_cn(event.starts_at)} · {event.city.display_name}",
                    badge=badge,
                    badge_class=css,
                )
            )
        out.append(
            DeskPanel(
                title=_("我管理的活动"),
                items=items,
                **desk_count(managed),
                more_url=reverse("activities:manage"),
                empty_text=_("没有待处理的活动"),
                order=30,
            )
        )
    mine = selectors.my_registrations(viewer=user)
    upcoming = list(mine[:6])
    if upcoming or user.contact_organization_ids:
        out.append(
            DeskPanel(
                title=_("即将参加的活动"),
                items=[
                    DeskItem(
                        label=r.event.title,
                        url=r.get_absolute_url(),
                        meta=f"{datetime_cn(r.event.starts_at)} · {r.name}",
                        badge=str(r.get_status_display()),
                        badge_class="text-bg-warning" if r.status == "waitlisted" else "text-bg-success",
                    )
                    for r in upcoming
                ],
                **desk_count(mine),
                more_url=reverse("activities:mine"),
                empty_text=_("暂无报名"),
                empty_hint=_("在活动日历里选一场活动报名，电子票和签到码会出现在这里。"),
                empty_url=reverse("activities:calendar"),
                empty_label=_("去活动日历看看"),
                order=35,
            )
        )
    if user.coordinated_city_codes or user.contact_organization_ids or policies.is_secretariat(user):
        year = timezone.localdate().year
        gaps = compliance_gaps(year=year, viewer=user)
        lines = []
        if policies.is_secretariat(user) and gaps.plenary is not None:
            lines.append(DeskItem(label=gaps.plenary.label, meta=gaps.plenary.missing))
        for req in gaps.cities:
            if policies.is_secretariat(user) or req.key in user.coordinated_city_codes:
                lines.append(
                    DeskItem(label=req.label, meta=req.missing, badge=req.status_label, badge_class=req.badge)
                )
        for req in gaps.parks:
            lines.append(
                DeskItem(label=req.label, meta=req.missing, badge=req.status_label, badge_class=req.badge)
            )
        if lines or user.coordinated_city_codes:
            out.append(
                DeskPanel(
                    title=_("%(year)d 年 1+7+N 缺口") % {"year": year},
                    items=lines,
                    count=len(lines) - len(gaps.parks) + gaps.park_count,
                    more_url=reverse("activities:compliance"),
                    empty_text=_("本年度要求均已完成或已安排"),
                    order=40,
                )
            )
    return out

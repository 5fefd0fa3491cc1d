"""Desk panels: consultations assigned to me (experts), pending consultations (secretariat)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lianmeng.core.nav import DeskItem, DeskPanel, desk_count

from . import policies
from .models import Consultation, ConsultationStatus
from .services.consultations import OPEN_STATUSES


def _item(c: Consultation, today: Any) -> DeskItem:
    overdue = c.due_date < today
    return DeskItem(
        label=c.title,
        url=c.get_absolute_url(),
        meta=f"{c.organization.name} · {_('期望答复')} {c.due_date:%Y-%m-%d}",
        badge=str(_("已逾期")) if overdue else str(c.get_status_display()),
        badge_class="text-bg-danger" if overdue else "text-bg-secondary",
    )


# What the panels read (consultations and their experts):
# cached per viewer and minute by core.nav.desk_panels.
CACHED_BY = ("library", "membership", "core")


def panels(user: Any) -> list[DeskPanel]:
    out: list[DeskPanel] = []
    today = timezone.localdate()
    mine = (
        Consultation.objects.filter(status=ConsultationStatus.ASSIGNED, assignments__expert__user_id=user.pk)
        .exclude(answers__expert__user_id=user.pk)
        .select_related("organization")
        .distinct()
        .order_by("due_date", "id")
    )
    if mine.exists() or getattr(user, "expert_profile", None) is not None:
        out.append(
            DeskPanel(
                title=_("分派给我的咨询"),
                items=[_item(c, today) for c in mine[:8]],
                **desk_count(mine),
                more_url=reverse("library:consultations") + "?mine=1",
                empty_text=_("没有待答复的咨询"),
                order=12,
            )
        )
    if policies.can_assign_consultation(user):
        pending = (
            Consultation.objects.filter(status__in=OPEN_STATUSES)
            .select_related("organization")
            .order_by("status", "due_date", "id")
        )
        out.append(
            DeskPanel(
                title=_("待处理的专家咨询"),
                items=[_item(c, today) for c in pending[:8]],
                **desk_count(pending),
                more_url=reverse("library:consultations") + "?status=submitted",
                empty_text=_("没有待处理的咨询"),
                order=14,
            )
        )
    return out

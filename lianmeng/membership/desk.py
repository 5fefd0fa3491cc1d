from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from lianmeng.core.nav import DeskItem, DeskPanel, desk_count

from . import policies
from .models import ApplicationStatus, MembershipApplication

# What the panels read (applications):
# cached per viewer and minute by core.nav.desk_panels.
CACHED_BY = ("membership", "core")


def panels(user: Any) -> list[DeskPanel]:
    out: list[DeskPanel] = []
    if policies.can_review_application(user):
        pending = (
            MembershipApplication.objects.filter(
                status__in=[ApplicationStatus.SUBMITTED, ApplicationStatus.FORWARDED]
            )
            .select_related("city")
            .order_by("submitted_at")
        )
        items = [
            DeskItem(
                label=a.name,
                url=reverse("membership:application-review", args=[a.pk]),
                meta=f"{a.city.name} · {a.get_status_display()}",
                badge=str(a.get_status_display()),
            )
            for a in pending[:8]
        ]
        out.append(
            DeskPanel(
                title=_("待审核的入盟申请"),
                items=items,
                **desk_count(pending),
                more_url=reverse("membership:applications"),
                empty_text=_("没有待审核的申请"),
                order=10,
            )
        )
    orgs = user.contact_organizations
    if orgs:
        out.append(
            DeskPanel(
                title=_("我的单位"),
                items=[
                    DeskItem(label=o.name, url=o.get_absolute_url(), meta=str(o.get_status_display()))
                    for o in orgs
                ],
                order=20,
                to_do=False,
            )
        )
    return out

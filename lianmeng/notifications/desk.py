"""Desk panel: 最近动态 — the viewer's latest notifications, the unread ones marked."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lianmeng.core.nav import DeskItem, DeskPanel

from . import selectors

RECENT = 5


def panels(user: Any) -> list[DeskPanel]:
    recent = list(selectors.notifications_for(viewer=user)[:RECENT])
    unread = selectors.unread_count(viewer=user)
    items = [
        DeskItem(
            label=n.title,
            url=n.url or reverse("notifications:list"),
            meta=f"{n.get_kind_display()} · {timezone.localtime(n.created_at):%Y-%m-%d %H:%M}",
            badge=_("未读") if n.read_at is None else "",
            badge_class="text-bg-primary",
        )
        for n in recent
    ]
    return [
        DeskPanel(
            title=_("最近动态"),
            items=items,
            count=unread or None,
            more_url=reverse("notifications:list"),
            empty_text=_("还没有消息。别人答复您的请求、分派任务或发布通知时会显示在这里。"),
            order=5,
        )
    ]

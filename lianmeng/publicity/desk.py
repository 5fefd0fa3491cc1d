"""Desk panels: articles waiting for review (secretariat); a member's own suggestions."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from lianmeng.core.nav import DeskItem, DeskPanel, desk_count

from . import policies, selectors
from .models import ArticleStatus

# What the panels read (articles):
# cached per viewer and minute by core.nav.desk_panels.
CACHED_BY = ("publicity", "membership", "core")


def panels(user: Any) -> list[DeskPanel]:
    if policies.can_publish_article(user):
        waiting = selectors.articles_waiting_for_review()
        return [
            DeskPanel(
                title=_("待审核的文章"),
                items=[
                    DeskItem(
                        label=a.title,
                        url=a.get_absolute_url(),
                        meta=a.suggested_by.name if a.suggested_by else str(a.get_kind_display()),
                        badge=str(a.get_status_display()),
                        badge_class="text-bg-info",
                    )
                    for a in waiting[:6]
                ],
                **desk_count(waiting),
                more_url=reverse("publicity:workbench") + "?status=review",
                empty_text=_("没有待审核的文章"),
                order=25,
            )
        ]
    if policies.contact_org_ids(user):
        mine = selectors.article_workbench(viewer=user).exclude(status=ArticleStatus.PUBLISHED)[:5]
        items = [
            DeskItem(label=a.title, url=a.get_absolute_url(), badge=str(a.get_status_display())) for a in mine
        ]
        if items:
            return [
                DeskPanel(title=_("我的投稿"), items=items, more_url=reverse("publicity:workbench"), order=60)
            ]
    return []

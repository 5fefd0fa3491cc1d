"""Desk panels: requests waiting for my answer, and my posts' new suggestions."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lianmeng.core.nav import DeskItem, DeskPanel, desk_count

from . import policies, selectors

# What the panels read (requests, posts and their suggestions):
# cached per viewer and minute by core.nav.desk_panels.
CACHED_BY = ("matchmaking", "membership", "library", "core")


def panels(user: Any) -> list[DeskPanel]:
    if not policies.contact_org_ids(user):
        return []
    waiting = selectors.requests_waiting_for(viewer=user)
    items = [
        DeskItem(
            label=r.resource.title,
            url=r.get_absolute_url(),
            meta=_("%(org)s · %(date)s")
            % {"org": r.requester_organization.name, "date": r.created_at.date().isoformat()},
            badge=str(r.get_status_display()),
            badge_class="text-bg-info",
        )
        for r in waiting[:6]
    ]
    posts = selectors.new_suggestion_counts(viewer=user)
    post_items = [
        DeskItem(
            label=post.title,
            url=post.get_absolute_url() + "#suggestions",
            meta=str(post.get_category_display()),
            badge=ngettext("%(n)d 条新推荐", "%(n)d 条新推荐", n) % {"n": n} if n else "",
            badge_class="text-bg-success",
        )
        for post, n in posts
    ]
    return [
        DeskPanel(
            title=_("待我答复的对接请求"),
            items=items,
            **desk_count(waiting),
            more_url=reverse("matchmaking:requests") + "?box=incoming&status=pending",
            empty_text=_("没有待答复的对接请求"),
            order=30,
        ),
        DeskPanel(
            title=_("我的资源的新推荐"),
            items=post_items,
            more_url=reverse("matchmaking:market") + "?mine=1",
            empty_text=_("本单位暂无对接中的资源，发布供需信息后这里会出现推荐"),
            empty_url=reverse("matchmaking:resource-new") if policies.can_post_resource(user) else "",
            empty_label=_("发布资源"),
            order=35,
        ),
    ]

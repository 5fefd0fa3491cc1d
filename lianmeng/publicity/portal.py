"""Publicity on the portal: the latest news on the home page, notices beside the members, a key figure."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from lianmeng.core.nav import PortalSection

from . import policies, selectors
from .models import ArticleKind


def sections(request: Any, page: str) -> list[PortalSection]:
    if page != "home":
        return []
    articles = list(selectors.published().exclude(kind=ArticleKind.NOTICE)[:6])
    notices = list(selectors.published(kind=ArticleKind.NOTICE)[:5])
    return [
        PortalSection(template="publicity/_portal_news.html", context={"articles": articles}, order=10),
        PortalSection(
            template="publicity/_portal_notices.html", context={"notices": notices}, order=10, column="side"
        ),
    ]


def object_sections(request: Any, page: str, obj: Any) -> list[PortalSection]:
    """On an event's page: the published news linked to it, and (not for a draft) a button to write some."""
    if page != "event":
        return []
    articles = selectors.articles_for_event(event_id=obj.pk)
    can_write = obj.status != "draft" and bool(policies.can_publish_article(request.user))
    if not articles and not can_write:
        return []
    context = {"articles": articles, "can_write": can_write}
    return [PortalSection(template="publicity/_event_news.html", context=context, order=20)]


def figures(request: Any) -> list[tuple[Any, Any, str]]:
    return [(selectors.published().count(), _("发布新闻"), reverse("publicity:articles"))]

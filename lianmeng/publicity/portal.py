"""Publicity on the portal: the latest news on the home page, notices beside the members, a key figure."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from lianmeng.core.nav import PortalSection

from . import selectors
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


def figures(request: Any) -> list[tuple[Any, Any, str]]:
    return [(selectors.published().count(), _("发布新闻"), reverse("publicity:articles"))]

"""RSS 2.0 and Atom 1.0 feeds of published articles (Django syndication): all, and per kind."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed, SyndicationFeed
from django.utils.html import escape
from django.utils.translation import gettext as _

from lianmeng.core.models import AllianceSettings

from . import selectors
from .models import Article, ArticleKind
from .services import plain_text

FEED_SIZE = 30


class ArticleRssFeed(Feed):
    feed_type: type[SyndicationFeed] = Rss201rev2Feed
    language = "zh-cn"

    def get_object(self, request: HttpRequest, kind: str | None = None) -> str | None:
        if kind is not None and kind not in ArticleKind.values:
            raise Http404
        return kind

    def title(self, obj: str | None) -> str:
        alliance = AllianceSettings.current()
        if obj:
            return f"{alliance.short_name} · {ArticleKind(obj).label}"
        return f"{alliance.short_name} · {_('新闻动态')}"

    def link(self, obj: str | None) -> str:
        return reverse("publicity:articles") + (f"?kind={obj}" if obj else "")

    def description(self, obj: str | None) -> str:
        return str(AllianceSettings.current().name)

    def items(self, obj: str | None) -> Any:
        return selectors.published(kind=obj)[:FEED_SIZE]

    def item_title(self, item: Article) -> str:
        return item.title

    def item_description(self, item: Article) -> str:
        """The summary as text: RSS descriptions and Atom ``<summary type="html">`` are read as HTML, so
        the text is HTML-escaped (``<script>`` in a summary shows as those characters, never as markup)."""
        return escape(item.summary or plain_text(item.body)[:200])

    def item_link(self, item: Article) -> str:
        return item.get_absolute_url()

    def item_pubdate(self, item: Article) -> datetime.datetime | None:
        return item.published_at

    def item_updateddate(self, item: Article) -> datetime.datetime | None:
        return max(filter(None, [item.published_at, item.updated_at]), default=None)

    def item_categories(self, item: Article) -> list[str]:
        return [str(item.get_kind_display()), *(item.tags or [])]

    def item_author_name(self, item: Article) -> str:
        return item.outlet or str(AllianceSettings.current().short_name)


class ArticleAtomFeed(ArticleRssFeed):
    feed_type = Atom1Feed

    def subtitle(self, obj: str | None) -> str:
        return self.description(obj)

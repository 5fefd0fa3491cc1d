"""The portal's sitemap (/sitemap.xml): public pages, published articles and open resources."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.sitemaps import Sitemap
from django.urls import NoReverseMatch, reverse

from lianmeng.matchmaking.models import Resource, ResourceStatus

from . import selectors
from .models import Article

PUBLIC_PAGES = (
    "core:home",
    "core:about",
    "publicity:articles",
    "membership:directory",
    "matchmaking:market",
    "activities:calendar",
    "library:achievements",
)


class PortalSitemap(Sitemap):
    changefreq = "daily"
    priority = 0.8

    def items(self) -> list[str]:
        out = []
        for name in PUBLIC_PAGES:
            try:
                out.append(reverse(name))
            except NoReverseMatch:
                continue
        return out

    def location(self, item: str) -> str:
        return item


class ArticleSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.6
    limit = 5000

    def items(self) -> Any:
        return selectors.published().only("pk", "updated_at", "published_at")

    def lastmod(self, item: Article) -> datetime.datetime:
        return item.updated_at


class ResourceSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.4
    limit = 5000

    def items(self) -> Any:
        return Resource.objects.filter(status=ResourceStatus.OPEN).only("pk", "updated_at").order_by("-pk")

    def lastmod(self, item: Resource) -> datetime.datetime:
        return item.updated_at


SITEMAPS: dict[str, type[Sitemap[Any]] | Sitemap[Any]] = {
    "portal": PortalSitemap,
    "articles": ArticleSitemap,
    "resources": ResourceSitemap,
}

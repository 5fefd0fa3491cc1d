"""Reads of articles, filtered by what the viewer may see."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from lianmeng.activities.policies import can_view_event
from lianmeng.core.search import search_filter

from . import policies
from .models import Article, ArticleStatus


def published(*, kind: str | None = None) -> QuerySet[Article]:
    qs = Article.objects.filter(status=ArticleStatus.PUBLISHED)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-published_at", "-id")


def article_list(*, viewer: Any, q: str | None = None, kind: str | None = None) -> QuerySet[Article]:
    """The public article list, newest first."""
    return search_filter(published(kind=kind), q)


def article_workbench(
    *, viewer: Any, status: str | None = None, q: str | None = None, kind: str | None = None
) -> QuerySet[Article]:
    """Articles in the workflow: all of them for the secretariat, one's own for a member."""
    qs = Article.objects.select_related("author", "suggested_by")
    if not policies.is_secretariat(viewer):
        if not policies.signed_in(viewer):
            return qs.none()
        qs = qs.filter(author=viewer)
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    return search_filter(qs, q).order_by("-updated_at", "-id")


def article_get(*, viewer: Any, pk: int) -> Article:
    """One article as the viewer may see it; missing and hidden give the same 404."""
    article = Article.objects.select_related("author", "suggested_by").filter(pk=pk).first()
    if article is None or not policies.can_view_article(viewer, article):
        raise Http404
    return article


def articles_waiting_for_review() -> QuerySet[Article]:
    return (
        Article.objects.filter(status=ArticleStatus.REVIEW)
        .select_related("suggested_by")
        .order_by("updated_at")
    )


def related(article: Article, limit: int = 4) -> QuerySet[Article]:
    """Other published articles of the same kind, newest first."""
    return published(kind=article.kind).exclude(pk=article.pk)[:limit]


def article_events(*, viewer: Any, article: Article) -> list[Any]:
    """The events an article is about, those the viewer may see (the activities app's rules), by date."""
    events = article.events.select_related("city").order_by("starts_at", "id")
    return [e for e in events if can_view_event(viewer, e)]


def articles_for_event(*, event_id: int, limit: int = 5) -> list[Article]:
    """Published articles linked to an event, newest first (the event page's related news)."""
    return list(published().filter(events=event_id)[:limit])

"""Who may do what with articles (pure predicates)."""

from __future__ import annotations

from typing import Any

from lianmeng.core.actors import is_system

from .models import Article, ArticleStatus


def signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def is_secretariat(user: Any) -> bool:
    return signed_in(user) and bool(user.is_secretariat)


def contact_org_ids(user: Any) -> set[int]:
    return set(user.contact_organization_ids) if signed_in(user) else set()


def can_publish_article(user: Any, article: Article | None = None) -> bool:
    """Publishing, returning and unpublishing are the secretariat's (DOMAIN.md: publish news)."""
    return is_secretariat(user)


def can_publish_due_article(user: Any, article: Article | None = None) -> bool:
    """A scheduled article is published at its time by the system (the worker's job)."""
    return is_system(user)


def can_create_article(user: Any) -> bool:
    """The secretariat writes articles; member contacts suggest their own news."""
    return is_secretariat(user) or bool(contact_org_ids(user))


def can_edit_article(user: Any, article: Article) -> bool:
    if is_secretariat(user):
        return True
    return (
        signed_in(user)
        and article.author_id == user.pk
        and article.status in (ArticleStatus.DRAFT, ArticleStatus.REVIEW, ArticleStatus.UNPUBLISHED)
    )


def can_view_article(user: Any, article: Article) -> bool:
    if article.status == ArticleStatus.PUBLISHED:
        return True
    return is_secretariat(user) or (signed_in(user) and article.author_id == user.pk)

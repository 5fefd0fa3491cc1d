"""The article workflow (lianmeng.core.transitions). Publishing with a future time schedules the
article ("schedule"); the worker publishes it when the time comes ("publish_due")."""

from __future__ import annotations

from typing import Any

from lianmeng.core.transitions import Machine, T

from .models import ArticleStatus

S = ArticleStatus

ARTICLE = Machine(
    "publicity.article",
    states=ArticleStatus,
    initial=[S.DRAFT, S.REVIEW],
    final=[],
    transitions=[
        T(S.DRAFT, "submit", S.REVIEW, guard="can_edit_article"),
        T(S.DRAFT, "publish", S.PUBLISHED, guard="can_publish_article"),
        T(S.DRAFT, "schedule", S.SCHEDULED, guard="can_publish_article"),
        T(S.REVIEW, "publish", S.PUBLISHED, guard="can_publish_article"),
        T(S.REVIEW, "schedule", S.SCHEDULED, guard="can_publish_article"),
        T(S.REVIEW, "return", S.DRAFT, guard="can_publish_article"),
        T(S.SCHEDULED, "publish_due", S.PUBLISHED, guard="can_publish_due_article"),
        T(S.SCHEDULED, "return", S.DRAFT, guard="can_publish_article"),
        T(S.PUBLISHED, "unpublish", S.UNPUBLISHED, guard="can_publish_article"),
        T(S.UNPUBLISHED, "submit", S.REVIEW, guard="can_edit_article"),
        T(S.UNPUBLISHED, "publish", S.PUBLISHED, guard="can_publish_article"),
        T(S.UNPUBLISHED, "schedule", S.SCHEDULED, guard="can_publish_article"),
    ],
    policies="lianmeng.publicity.policies",
)

# The actions people take by a button (the others are chosen by the service or the worker).
BUTTONS = ("submit", "publish", "return", "unpublish")


def may(action: str, *, actor: Any, article: Any) -> bool:
    """Whether ``actor`` may take ``action`` on articles like this one at all (whatever the state):
    a refusal comes before saying the state does not allow it."""
    guards = {t.guard for t in ARTICLE.transitions if t.action == action}
    return bool(guards) and all(g is None or ARTICLE.guard(g)(actor, article) for g in guards)

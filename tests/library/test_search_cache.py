"""The one search keeps its counts and facets per viewer, query and filters, and any committed
change renews them (a scheduled article's publication too: it is a write, not the clock) (transactional: inside a test's open transaction the cache is bypassed)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lianmeng.activities.models import Audience
from lianmeng.core.search import SearchResult, search
from tests.factories import make_event

pytestmark = pytest.mark.django_db(transaction=True)


def _search(viewer: Any, **filters: Any) -> tuple[int, SearchResult]:
    with CaptureQueriesContext(connection) as queries:
        result = search(viewer=viewer, q="零工", **filters)
    return len(queries), result


def test_counts_are_kept_per_viewer_and_renewed_by_an_edit(
    make_org: Callable[..., Any], secretariat: Any
) -> None:
    org = make_org("青岛零工产业园")
    make_event(org, "零工市场对接会")
    make_event(org, "零工驿站闭门研讨", audience=Audience.INVITED)  # not for viewers without a role

    first, seen = _search(secretariat)
    assert seen.counts["event"] == 2 and seen.total >= 2
    again, seen_again = _search(secretariat)
    assert again < first  # the counts and facets come from the cache
    assert seen_again.counts == seen.counts and seen_again.facets == seen.facets
    assert [h.title_text for h in seen_again.hits] == [h.title_text for h in seen.hits]
    # the public never gets the secretariat's copy, before or after it was stored
    assert _search(AnonymousUser())[1].counts["event"] == 1
    assert _search(AnonymousUser())[1].counts["event"] == 1
    # filters are part of the key
    assert _search(secretariat, city="000000")[1].counts.get("event", 0) == 0

    make_event(org, "零工服务站揭牌")  # committed: every copy is renewed
    assert _search(secretariat)[1].counts["event"] == 3
    assert _search(AnonymousUser())[1].counts["event"] == 2


def test_counts_outlive_the_minute_and_a_scheduled_publication_renews_them(
    make_org: Callable[..., Any], secretariat: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lianmeng.publicity import services as publicity
    from lianmeng.publicity.commands import ArticleCreate

    org = make_org("青岛零工产业园")
    make_event(org, "零工市场对接会")
    article = publicity.article_create(
        cmd=ArticleCreate.build({"kind": "news", "title": "零工驿站开放", "body": "<p>零工服务。</p>"}),
        actor=secretariat,
    )
    at = timezone.now() + datetime.timedelta(minutes=30)
    publicity.article_transition(article=article, action="publish", publish_at=at, actor=secretariat)

    first, seen = _search(AnonymousUser())
    assert seen.counts.get("news", 0) == 0  # scheduled: not visible yet
    hit, _ = _search(AnonymousUser())
    assert hit < first
    later = timezone.now() + datetime.timedelta(minutes=7)
    monkeypatch.setattr(timezone, "now", lambda: later)
    again, seen_again = _search(AnonymousUser())
    assert again == hit  # seven minutes on, still the stored counts
    assert seen_again.counts == seen.counts

    assert publicity.articles_publish_due(now=at) == 1  # the worker's task: a committed write
    assert _search(AnonymousUser())[1].counts["news"] == 1

"""The article workflow: draft → review → published (scheduled), unpublish with a reason."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from lianmeng.core.models import AuditEntry
from lianmeng.publicity import services
from lianmeng.publicity.commands import ArticleCreate
from lianmeng.publicity.models import Article, ArticleStatus

pytestmark = pytest.mark.django_db


def test_member_suggestion_goes_to_review_and_is_published_by_the_secretariat(
    member: Any, park: Any, secretariat: Any
) -> None:
    article = services.article_create(
        cmd=ArticleCreate.build(
            {"title": "青岛人服园举办校园招聘会", "body": "吸引 120 家企业参会。\n\n提供岗位 3000 余个。"}
        ),
        actor=member,
    )
    assert article.status == ArticleStatus.REVIEW
    assert article.suggested_by == park
    assert article.summary.startswith("吸引 120 家企业参会")
    with pytest.raises(PermissionDenied):
        services.article_transition(article=article, action="publish", actor=member)
    article = services.article_transition(article=article, action="publish", actor=secretariat)
    assert article.status == ArticleStatus.PUBLISHED and article.published_at is not None
    assert AuditEntry.objects.filter(action="article.publish", target_id=str(article.pk)).exists()


def test_return_and_unpublish_need_a_reason(make_article: Callable[..., Any], secretariat: Any) -> None:
    draft = make_article(publish=False)
    draft = services.article_transition(article=draft, action="submit", actor=secretariat)
    with pytest.raises(ValidationError) as exc:
        services.article_transition(article=draft, action="return", actor=secretariat)
    assert "reason" in exc.value.message_dict
    published = make_article("已发布的新闻")
    with pytest.raises(ValidationError) as exc:
        services.article_transition(article=published, action="unpublish", actor=secretariat)
    assert "撤下" in exc.value.message_dict["reason"][0]
    gone = services.article_transition(
        article=published, action="unpublish", reason="数据有误", actor=secretariat
    )
    assert gone.status == ArticleStatus.UNPUBLISHED and gone.unpublished_reason == "数据有误"


def test_scheduled_publishing_waits_for_its_time(make_article: Callable[..., Any], secretariat: Any) -> None:
    article = make_article(publish=False)
    later = timezone.now() + datetime.timedelta(hours=2)
    article = services.article_transition(
        article=article, action="publish", publish_at=later, actor=secretariat
    )
    assert article.status == ArticleStatus.SCHEDULED
    assert services.articles_publish_due() == 0
    assert services.articles_publish_due(now=later + datetime.timedelta(minutes=1)) == 1
    article.refresh_from_db()
    assert article.status == ArticleStatus.PUBLISHED and article.published_at == later


def test_scheduled_task_runs_through_django_tasks(make_article: Callable[..., Any], secretariat: Any) -> None:
    from lianmeng.publicity.tasks import publish_scheduled_articles

    article = make_article(publish=False)
    Article.objects.filter(pk=article.pk).update(
        status=ArticleStatus.SCHEDULED, publish_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    assert publish_scheduled_articles.enqueue().return_value == 1


@pytest.mark.parametrize(
    ("status", "action", "allowed"),
    [
        ("draft", "submit", True),
        ("draft", "publish", True),
        ("draft", "unpublish", False),
        ("review", "publish", True),
        ("review", "return", True),
        ("review", "submit", False),
        ("scheduled", "return", True),
        ("scheduled", "unpublish", False),
        ("published", "unpublish", True),
        ("published", "publish", False),
        ("unpublished", "publish", True),
        ("unpublished", "return", False),
    ],
)
def test_article_transition_table(
    make_article: Callable[..., Any], secretariat: Any, status: str, action: str, allowed: bool
) -> None:
    article = make_article(publish=False)
    Article.objects.filter(pk=article.pk).update(status=status)
    if allowed:
        services.article_transition(article=article, action=action, reason="原因", actor=secretariat)
    else:
        with pytest.raises(ValidationError):
            services.article_transition(article=article, action=action, reason="原因", actor=secretariat)


def test_bad_article_names_fields_and_saves_nothing(secretariat: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        services.article_create(
            cmd=ArticleCreate.build(
                {"kind": "media", "title": "", "body": "<script>x</script>", "source_url": "ftp://x"}
            ),
            actor=secretariat,
        )
    assert set(exc.value.message_dict) == {"title", "body", "source_url", "outlet"}
    assert Article.objects.count() == 0


def test_public_cannot_write(make_user: Callable[..., Any]) -> None:
    with pytest.raises(PermissionDenied):
        services.article_create(
            cmd=ArticleCreate.build({"title": "x", "body": "y"}), actor=make_user("expert")
        )

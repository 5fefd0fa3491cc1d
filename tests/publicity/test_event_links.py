"""Articles linked to events: chosen in the form or the API, listed on the article, shown on the event."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from lianmeng.core.models import AuditEntry
from lianmeng.publicity import services
from lianmeng.publicity.commands import ArticleUpdate

pytestmark = pytest.mark.django_db


@pytest.fixture
def make_event(park: Any) -> Callable[..., Any]:
    from lianmeng.activities.models import Event

    def _make(title: str, status: str = "published", audience: str = "public") -> Any:
        starts = timezone.now().replace(microsecond=0) + datetime.timedelta(days=5)
        return Event.objects.create(
            title=title,
            kind="forum",
            organizer=park,
            city_id=park.city_id,
            starts_at=starts,
            ends_at=starts + datetime.timedelta(hours=3),
            venue="青岛国际会议中心",
            audience=audience,
            status=status,
        )

    return _make


def test_article_links_events_and_both_pages_show_it(
    make_article: Callable[..., Any], make_event: Callable[..., Any], secretariat: Any
) -> None:
    forum = make_event("青岛人力资源服务论坛")
    article = make_article("论坛签约十个项目", events=[forum.pk])
    assert [e.pk for e in article.events.all()] == [forum.pk]
    assert AuditEntry.objects.filter(action="article.create", target_id=str(article.pk)).exists()
    text = Client().get(article.get_absolute_url()).content.decode()
    assert "相关活动" in text and "青岛人力资源服务论坛" in text and forum.get_absolute_url() in text
    event_page = Client().get(forum.get_absolute_url()).content.decode()
    assert "相关新闻" in event_page and "论坛签约十个项目" in event_page
    assert "撰写相关新闻" not in event_page  # only the secretariat writes news
    staff = Client()
    staff.force_login(secretariat)
    assert f"/news/new/?event={forum.pk}" in staff.get(forum.get_absolute_url()).content.decode()


def test_drafts_are_refused_and_unpublished_news_stays_off_the_event(
    make_article: Callable[..., Any], make_event: Callable[..., Any], secretariat: Any
) -> None:
    draft = make_event("筹备中的活动", status="draft")
    with pytest.raises(ValidationError) as exc:
        make_article("预告", events=[draft.pk])
    assert exc.value.message_dict["events"] == ["相关活动须是已发布的活动"]
    forum = make_event("青岛人力资源服务论坛")
    make_article("尚未发布的稿件", publish=False, events=[forum.pk])
    assert "尚未发布的稿件" not in Client().get(forum.get_absolute_url()).content.decode()


def test_form_and_api_edit_the_links(
    make_article: Callable[..., Any],
    make_event: Callable[..., Any],
    secretariat: Any,
    api: Callable[[Any], Client],
) -> None:
    forum = make_event("青岛人力资源服务论坛")
    summit = make_event("胶东人才峰会")
    staff = Client()
    staff.force_login(secretariat)
    form = staff.get(f"/news/new/?event={forum.pk}").content.decode()
    assert "相关活动" in form
    assert re.search(rf'<input type="checkbox" name="events" value="{forum.pk}"[^>]* checked>', form)
    response = staff.post(
        "/news/new/", {"kind": "news", "title": "峰会预告", "body": "欢迎参加", "events": [summit.pk]}
    )
    assert response.status_code == 302
    client = api(secretariat)
    article = client.get("/api/v1/articles?mine=true").json()["items"][0]
    assert article["events"] == [summit.pk]
    patched = client.patch(
        f"/api/v1/articles/{article['id']}",
        {"events": [forum.pk, summit.pk]},
        content_type="application/json",
    ).json()
    assert sorted(patched["events"]) == sorted([forum.pk, summit.pk])
    bad = client.patch(
        f"/api/v1/articles/{article['id']}", {"events": [999999]}, content_type="application/json"
    )
    assert bad.status_code == 422 and "events" in bad.json()["errors"]
    entry = AuditEntry.objects.filter(action="article.update").latest("pk")
    assert entry.new["events"] == sorted([forum.pk, summit.pk])


def test_invited_events_stay_hidden_on_a_public_article(
    make_article: Callable[..., Any], make_event: Callable[..., Any]
) -> None:
    closed = make_event("内部座谈会", audience="invited")
    article = make_article("座谈会召开", events=[closed.pk])
    assert "内部座谈会" not in Client().get(article.get_absolute_url()).content.decode()


def test_update_service_keeps_links_when_not_given(
    make_article: Callable[..., Any], make_event: Callable[..., Any], secretariat: Any
) -> None:
    forum = make_event("青岛人力资源服务论坛")
    article = make_article("论坛召开", events=[forum.pk])
    services.article_update(
        article=article, cmd=ArticleUpdate.build({"title": "论坛顺利召开"}), actor=secretariat
    )
    assert [e.pk for e in article.events.all()] == [forum.pk]

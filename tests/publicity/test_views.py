"""News pages: list, detail, hidden drafts, member suggestions, portal home, bounded queries."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def _client(user: Any | None = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_news_list_with_bounded_queries(
    make_article: Callable[..., Any], django_assert_max_num_queries: Any
) -> None:
    for i in range(20):
        make_article(f"新闻标题{i}", kind="news" if i % 2 else "policy")
    with django_assert_max_num_queries(6):
        r = _client().get("/news/")
    text = r.content.decode()
    assert "新闻标题19" in text and "第 1 / 2 页" in text
    text = _client().get("/news/?kind=policy").content.decode()
    assert "新闻标题0" in text and "新闻标题1<" not in text
    text = _client().get("/news/", {"q": "标题7"}).content.decode()
    assert "<mark>标题7</mark>" in text and "新闻标题8" not in text


def test_drafts_are_hidden_from_the_public(make_article: Callable[..., Any], secretariat: Any) -> None:
    draft = make_article("内部草稿", publish=False)
    assert _client().get(draft.get_absolute_url()).status_code == 404
    assert _client(secretariat).get(draft.get_absolute_url()).status_code == 200


def test_member_suggests_news_and_secretariat_publishes_it(member: Any, secretariat: Any) -> None:
    r = _client(member).post(
        "/news/new/",
        {"kind": "news", "title": "园区开展直播带岗", "body": "直播带岗吸引 2 万人次观看。"},
        follow=True,
    )
    assert "投稿已提交" in r.content.decode()
    url = r.redirect_chain[-1][0]
    desk = _client(secretariat).get("/desk/").content.decode()
    assert "待审核的文章" in desk and "园区开展直播带岗" in desk
    r = _client(secretariat).post(url + "publish/", {}, follow=True)
    assert "《园区开展直播带岗》已发布到门户网站" in r.content.decode()
    home = _client().get("/").content.decode()
    assert "园区开展直播带岗" in home


def test_script_in_a_body_never_reaches_the_page(secretariat: Any) -> None:
    r = _client(secretariat).post(
        "/news/new/",
        {
            "kind": "news",
            "title": "测试",
            "body": '<p>正文</p><script>alert("x")</script><img src=x onerror=alert(1)>',
        },
        follow=True,
    )
    text = r.content.decode()
    assert "alert(" not in text and "正文" in text


def test_portal_figure_counts_published_news(make_article: Callable[..., Any]) -> None:
    make_article("一")
    make_article("二")
    make_article("三", publish=False)
    text = _client().get("/").content.decode()
    assert "发布新闻" in text
    import re

    assert re.search(r'<div class="lm-stat">2</div><div class="text-secondary">发布新闻</div>', text)

"""RSS and Atom feeds validated by parsing (feedparser), the sitemap, Open Graph tags."""

from __future__ import annotations

import email.utils
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any

import feedparser
import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def articles(make_article: Callable[..., Any]) -> list[Any]:
    return [
        make_article("联盟召开理事会全会", tags=["理事会"]),
        make_article("关于开展年度典型案例评选的通知", kind="notice"),
        make_article(
            "大众日报：七市联手打造人服航母",
            kind="media",
            outlet="大众日报",
            source_url="https://example.cn/a",
        ),
        make_article("未发布的草稿", publish=False),
    ]


def test_rss_parses_with_rfc822_dates(articles: list[Any]) -> None:
    r = Client().get("/feeds/news.rss")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/rss+xml")
    feed = feedparser.parse(r.content)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "rss20"
    titles = [e.title for e in feed.entries]
    assert "联盟召开理事会全会" in titles and "未发布的草稿" not in titles
    assert len(titles) == 3
    for entry in feed.entries:
        assert email.utils.parsedate_to_datetime(entry.published) is not None  # RFC 822
        assert entry.link.startswith("http://testserver/news/")


def test_atom_parses_with_rfc3339_dates(articles: list[Any]) -> None:
    r = Client().get("/feeds/news.atom")
    feed = feedparser.parse(r.content)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    assert len(feed.entries) == 3
    for entry in feed.entries:
        assert entry.updated_parsed is not None
        assert "T" in entry.updated and (entry.updated.endswith("Z") or "+" in entry.updated)


def test_per_kind_feeds(articles: list[Any]) -> None:
    feed = feedparser.parse(Client().get("/feeds/kind/notice.rss").content)
    assert [e.title for e in feed.entries] == ["关于开展年度典型案例评选的通知"]
    feed = feedparser.parse(Client().get("/feeds/kind/media.atom").content)
    assert not feed.bozo and [e.title for e in feed.entries] == ["大众日报：七市联手打造人服航母"]
    assert Client().get("/feeds/kind/gossip.rss").status_code == 404


def test_sitemap_lists_published_articles(articles: list[Any]) -> None:
    r = Client().get("/sitemap.xml")
    assert r.status_code == 200
    root = ET.fromstring(r.content)  # noqa: S314 - our own output
    locs = [el.text for el in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert f"http://testserver{articles[0].get_absolute_url()}" in locs
    assert f"http://testserver{articles[3].get_absolute_url()}" not in locs
    assert "http://testserver/news/" in locs


def test_article_page_has_open_graph_tags(articles: list[Any]) -> None:
    text = Client().get(articles[0].get_absolute_url()).content.decode()
    assert '<meta property="og:type" content="article">' in text
    assert '<meta property="og:title" content="联盟召开理事会全会">' in text
    assert 'property="og:url" content="http://testserver/news/' in text
    assert 'property="article:published_time"' in text


@pytest.mark.parametrize("path", ["/feeds/news.rss", "/feeds/news.atom"])
def test_summary_with_markup_is_text_not_html(make_article: Callable[..., Any], path: str) -> None:
    make_article("摘要含脚本的新闻", summary='<script>alert("x")</script><b>要点</b> & 说明')
    content = Client().get(path).content
    # Unsanitised, as a careless feed reader would take it: still no markup from the summary.
    feed = feedparser.parse(content, sanitize_html=False)
    assert not feed.bozo, feed.bozo_exception
    (entry,) = feed.entries
    assert entry.summary_detail.type == "text/html"
    assert "<script" not in entry.summary and "<b>" not in entry.summary
    # ... and the text itself survives, shown as the characters the author typed.
    assert (
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;b&gt;要点&lt;/b&gt; &amp; 说明" in entry.summary
    )

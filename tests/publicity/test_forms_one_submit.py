"""The article form reports every error in one submit (a missing title from the form, a bad source link
and a media report without outlet from the service) and keeps the cover across the failed submit; the
service is only validated then (never dry-run), so no cover is stored."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from lianmeng.publicity.models import Article
from tests.form_helpers import PNG, client_for, field_errors

pytestmark = pytest.mark.django_db


def stored_covers() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file() and "pending" not in p.parts]


def test_new_article_reports_form_and_service_errors_and_keeps_the_cover(secretariat: Any) -> None:
    client = client_for(secretariat)
    before = stored_covers()
    first = client.post(
        "/news/new/",
        {
            "kind": "media",
            "title": "",
            "body": "联盟发布年度报告。",
            "source_url": "ftp://example.cn/a",
            "cover": SimpleUploadedFile("封面.png", PNG, content_type="image/png"),
        },
    )
    html = first.content.decode()
    errors = field_errors(html)
    assert {"title", "source_url", "outlet"} <= set(errors)
    assert "http://" in errors["source_url"][0] and "媒体名称" in errors["outlet"][0]
    assert "已上传：封面.png（可更换）" in html
    assert not Article.objects.exists()
    assert stored_covers() == before  # validated, not dry-run: nothing stored
    token = re.search(r'name="cover__pending" value="([^"]+)"', html)
    assert token
    client.post(
        "/news/new/",
        {
            "kind": "media",
            "title": "年度报告发布",
            "body": "联盟发布年度报告。",
            "outlet": "青岛日报",
            "source_url": "https://example.cn/a",
            "cover__pending": token.group(1),
        },
    )
    article = Article.objects.get()
    assert article.cover and article.cover_content_type == "image/png"


def test_article_edit_reports_both_kinds_of_error(secretariat: Any, make_article: Callable[..., Any]) -> None:
    article = make_article("联盟召开理事会全会", publish=False)
    response = client_for(secretariat).post(
        f"/news/{article.pk}/edit/",
        {
            "kind": "news",
            "title": "",
            "body": "正文",
            "source_url": "javascript:alert(1)",
            "version": article.version,
        },
    )
    errors = field_errors(response.content.decode())
    assert "title" in errors and "source_url" in errors
    article.refresh_from_db()
    assert article.title == "联盟召开理事会全会"


def test_unpublish_and_return_ask_first_and_say_what_happened(
    secretariat: Any, make_article: Callable[..., Any]
) -> None:
    article = make_article("联盟召开理事会全会")
    client = client_for(secretariat)
    page = client.get(f"/news/{article.pk}/").content.decode()
    assert "撤下后《联盟召开理事会全会》将从门户网站和订阅源中移除" in page
    done = client.post(f"/news/{article.pk}/unpublish/", {"reason": "信息有误"}, follow=True)
    assert "《联盟召开理事会全会》已撤下" in done.content.decode()

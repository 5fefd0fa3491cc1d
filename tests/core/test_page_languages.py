"""English pages speak English and Chinese pages Chinese: the main pages of each demo role, rendered in
English, contain no Han characters except proper names (data, city and alliance names, the category chips
政产学研才金服用奖赛, 理事单位/常务理事单位, strategy tags) and no full-width punctuation; rendered in
Chinese they contain no Latin-only UI words outside a short allow-list."""

from __future__ import annotations

import datetime
import re
from html.parser import HTMLParser
from typing import Any

import pytest
from django.apps import apps
from django.db import models
from django.test import Client
from django.utils import timezone

from lianmeng.activities.models import Event

pytestmark = pytest.mark.django_db

HAN = re.compile(r"[\u3400-\u9fff\uff08\uff09\uff0c\u3002\uff1a\uff1b]")
ALLOWED_HAN = ["常务理事单位", "理事单位", "中文", *"政产学研才金服用奖赛"]
LATIN_WORD = re.compile(r"\b[A-Za-z]{3,}\b")
ALLOWED_LATIN = {
    *("English", "PDF", "CSV", "xlsx", "iCal", "API", "USCC", "Excel", "Word", "example"),
    *("Authenticator", "Authorization", "Bearer", "FreeOTP", "Microsoft", "Google", "TOTP"),  # product names
}


class _Text(HTMLParser):
    """The text a reader sees or hears: text nodes outside script/style, plus titles and labels."""

    def __init__(self) -> None:
        super().__init__()
        self.skip = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.skip += 1
        self.parts += [v for k, v in attrs if k in ("placeholder", "aria-label", "title", "alt") and v]

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if not self.skip and data.strip():
            self.parts.append(data.strip())


def _data_strings() -> list[str]:
    """Every short text stored in the database (names, titles, places): proper names, longest first."""
    out: set[str] = set()
    for model in apps.get_models():
        if model._meta.app_label not in (
            "core",
            "membership",
            "activities",
            "library",
            "governance",
            "accounts",
        ):
            continue
        fields = [
            f.name for f in model._meta.concrete_fields if isinstance(f, models.CharField | models.TextField)
        ]
        for row in model.objects.values_list(*fields) if fields else []:
            out.update(str(v) for v in row if v and HAN.search(str(v)))
    return sorted(out, key=len, reverse=True)


def _visible(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return "\n".join(parser.parts)


def _client(user: Any, lang: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=lang)
    client.cookies["django_language"] = lang
    if user is not None:
        client.force_login(user)
    return client


PAGES = {
    "anonymous": [
        "/",
        "/about/",
        "/events/",
        "/events/month/",
        "/members/",
        "/library/",
        "/library/projects/",
    ],
    "member": ["/desk/", "/events/", "/library/search/?q=zzzz", "/accounts/profile/"],
    "secretariat": ["/desk/", "/audit/", "/reports/", "/library/landed/"],
}


@pytest.fixture
def people(make_org: Any, make_user: Any, cities: Any, secretariat: Any) -> dict[str, Any]:
    park = make_org("青岛语言测试产业园", kind="park", short_name="语言园")
    starts = timezone.now() + datetime.timedelta(days=3)
    Event.objects.create(
        title="青岛语言测试论坛",
        kind="forum",
        organizer=park,
        city_id=park.city_id,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        venue="青岛国际会议中心",
        status="published",
    )
    member = make_user("member_contact", organization=park, display_name="陈园区")
    return {"anonymous": None, "member": member, "secretariat": secretariat}


def test_english_pages_have_no_chinese_but_proper_names(people: dict[str, Any]) -> None:
    names = _data_strings() + ALLOWED_HAN
    found: dict[str, list[str]] = {}
    for role, paths in PAGES.items():
        client = _client(people[role], "en")
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, (role, path, response.status_code)
            text = _visible(response.content.decode())
            for name in names:
                text = text.replace(name, " ")
            left = sorted({line.strip() for line in text.splitlines() if HAN.search(line)})
            if left:
                found[f"{role} {path}"] = left
    assert not found, found


def test_chinese_pages_have_no_english_ui_words(people: dict[str, Any]) -> None:
    found: dict[str, list[str]] = {}
    for role, paths in PAGES.items():
        client = _client(people[role], "zh-hans")
        for path in paths:
            text = _visible(client.get(path).content.decode())
            text = re.sub(r"\S+@\S+|https?://\S+|/\S*", " ", text)  # addresses and paths
            words = sorted({w for w in LATIN_WORD.findall(text) if w not in ALLOWED_LATIN})
            if words:
                found[f"{role} {path}"] = words
    assert not found, found


@pytest.mark.parametrize(
    ("msgid", "one", "two"),
    [
        ("%(n)s 个项目", "1 project", "2 projects"),
        ("%(n)s 个课题", "1 topic", "2 topics"),
        ("召开会议 %(n)s 次", "1 meeting held", "2 meetings held"),
        ("%(n)d 项", "1 item", "2 items"),
    ],
)
def test_counts_take_the_english_plural(msgid: str, one: str, two: str) -> None:
    from django.template import Context, Template
    from django.utils import translation

    source = (
        "{% load i18n %}{% blocktranslate count n=n %}"
        + msgid.replace("%(n)s", "{{ n }}").replace("%(n)d", "{{ n }}")
        + "{% plural %}"
        + msgid.replace("%(n)s", "{{ n }}").replace("%(n)d", "{{ n }}")
        + "{% endblocktranslate %}"
    )
    with translation.override("en"):
        if "%(n)d" in msgid:  # a count built in Python (the audit log's "N 项")
            from lianmeng.core.audit_text import _value

            assert _value(None, "x", {"a": 1}, None, mask=False) == one  # type: ignore[arg-type]
            assert _value(None, "x", {"a": 1, "b": 2}, None, mask=False) == two  # type: ignore[arg-type]
            return
        template = Template(source)
        assert template.render(Context({"n": 1})) == one
        assert template.render(Context({"n": 2})) == two

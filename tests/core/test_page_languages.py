"""English pages speak English and Chinese pages Chinese: the main pages of every app (list, detail and
form, the workbench, notifications, audit…) as every demo role (the demo alliance of the authorization
matrix's world), rendered in English, contain no Han characters except proper names (data, city and
alliance names, the category chips 政产学研才金服用奖赛, 理事单位/常务理事单位, strategy tags) and no full-width
punctuation; rendered in Chinese they contain no Latin-only UI words outside a short allow-list and stored
data. Each role's pages are those that answer it 200 (who sees what is the authorization matrix's job)."""

from __future__ import annotations

import re
import time
from html.parser import HTMLParser
from typing import Any

import pytest
from django.apps import apps
from django.db import models
from django.test import Client
from django.urls import reverse

from tests.core.conftest import DEMO_ROLES, World

pytestmark = pytest.mark.django_db

HAN = re.compile(r"[\u3400-\u9fff\uff08\uff09\uff0c\u3002\uff1a\uff1b]")
ALLOWED_HAN = ["常务理事单位", "理事单位", "中文", *"政产学研才金服用奖赛"]
LATIN_WORD = re.compile(r"\b[A-Za-z]{3,}\b")
ALLOWED_LATIN = {
    *("English", "PDF", "CSV", "xlsx", "iCal", "API", "USCC", "Excel", "Word", "example"),
    *("JPEG", "PNG", "ZIP", "RSS", "Atom", "BibTeX", "RIS"),  # file and feed formats
    *("Authenticator", "Authorization", "Bearer", "FreeOTP", "Microsoft", "Google", "TOTP"),  # product names
}


DATA_APPS = (
    "core",
    "membership",
    "activities",
    "library",
    "governance",
    "accounts",
    "research",
    "matchmaking",
    "publicity",
    "notifications",
    "reporting",
)


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


def _stored_texts() -> set[str]:
    """Every short or long text stored in the database (names, titles, bodies, tags in JSON lists)."""
    out: set[str] = set()
    for model in apps.get_models():
        if model._meta.app_label not in DATA_APPS:
            continue
        text_fields = [
            f.name for f in model._meta.concrete_fields if isinstance(f, models.CharField | models.TextField)
        ]
        json_fields = [f.name for f in model._meta.concrete_fields if isinstance(f, models.JSONField)]
        for row in model.objects.values_list(*text_fields) if text_fields else []:
            for v in row:
                if v:
                    out.add(str(v))
                    out.update(line.strip() for line in str(v).splitlines() if line.strip())
        for row in model.objects.values_list(*json_fields) if json_fields else []:
            for value in row:
                if isinstance(value, list):
                    out.update(str(v) for v in value if isinstance(v, str) and v)
    return out


def _data_strings() -> list[str]:
    """Stored texts with Han characters: proper names and data, longest first."""
    return sorted((v for v in _stored_texts() if HAN.search(v)), key=len, reverse=True)


def _latin_data_strings() -> list[str]:
    """Stored texts with Latin letters (names such as "HR Tech", check-in codes, links): data, not UI."""
    return sorted(v for v in _stored_texts() if re.search(r"[A-Za-z]", v))


def _is_data(line: str, blob: str) -> bool:
    """A line that is stored text itself, or a shortened excerpt of one ("…")."""
    line = line.strip()
    return bool(line) and (line in blob or (line.endswith("…") and line[:-1].strip() in blob))


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


@pytest.fixture(autouse=True)
def _media_root(request: Any, settings: Any) -> None:
    """The world's uploads (notice attachments, papers) live in its own media root."""
    if "authz_world" in request.fixturenames:
        settings.MEDIA_ROOT = request.getfixturevalue("authz_world").media_root


def _pages(world: World) -> list[str]:
    """The main pages of every app: its list, a detail and a form, the workbench, notifications, audit."""
    o = world.objects

    def url(name: str, *args: Any) -> str:
        return reverse(name, args=args)

    return [
        # core, accounts, notifications, privacy
        url("core:home"),
        url("core:about"),
        url("core:desk"),
        url("core:audit"),
        url("accounts:profile"),
        url("accounts:password_change"),
        url("notifications:list"),
        url("notifications:preferences"),
        url("privacy:my-data"),
        # membership
        url("membership:directory"),
        o["org_a"].get_absolute_url(),
        url("membership:organization-edit", o["org_a"].pk),
        url("membership:apply"),
        url("membership:applications"),
        url("membership:application-review", o["application"].pk),
        # governance
        url("governance:index"),
        url("governance:presidency"),
        url("governance:charter"),
        url("governance:council"),
        url("governance:meetings"),
        url("governance:meeting", o["meeting"].pk),
        url("governance:meeting-new"),
        url("governance:motions"),
        url("governance:motion", o["motion"].pk),
        url("governance:motion-new"),
        url("governance:resolutions"),
        url("governance:resolution", o["resolution"].pk),
        url("governance:notices"),
        url("governance:notice", o["notice"].pk),
        url("governance:notice-new"),
        url("governance:tasks"),
        url("governance:task", o["task"].pk),
        url("governance:task-new"),
        # activities
        url("activities:calendar"),
        url("activities:month"),
        url("activities:event", o["event"].pk),
        url("activities:create"),
        url("activities:mine"),
        url("activities:manage"),
        url("activities:compliance"),
        # library
        url("library:home"),
        url("library:search") + "?q=zzzz",
        url("library:projects"),
        url("library:project", o["project"].pk),
        url("library:project-create"),
        url("library:achievements"),
        url("library:achievement", o["achievement"].pk),
        url("library:experts"),
        url("library:expert", o["expert"].pk),
        url("library:consultations"),
        url("library:consultation", o["consultation"].pk),
        url("library:consultation-create"),
        url("library:landed"),
        # research
        url("research:index"),
        url("research:call", o["call"].pk),
        url("research:proposal", o["proposal"].pk),
        url("research:round", o["round"].pk),
        url("research:my-reviews"),
        url("research:results"),
        url("research:result", o["final_round"].pk),
        # matchmaking
        url("matchmaking:market"),
        url("matchmaking:resource", o["resource"].pk),
        url("matchmaking:resource-new"),
        url("matchmaking:requests"),
        url("matchmaking:request", o["match_request"].pk),
        # publicity, reporting
        url("publicity:articles"),
        url("publicity:article", o["article"].pk),
        url("publicity:workbench"),
        url("reporting:dashboard"),
        url("reporting:city", o["city_x"]),
    ]


def _render_all(world: World, lang: str) -> tuple[dict[str, dict[str, str]], dict[str, int]]:
    """role -> path -> visible text of every page the role may open (200), and per role how many."""
    started = time.perf_counter()
    texts: dict[str, dict[str, str]] = {}
    counts: dict[str, int] = {}
    paths = _pages(world)
    for label, role in DEMO_ROLES.items():
        client = world.page_client(role)
        client.cookies["django_language"] = lang
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = lang
        texts[label] = {}
        for path in paths:
            if not _checks(label, path):
                continue
            response = client.get(path)
            if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
                continue  # not this role's page (the authorization matrix checks who sees what)
            texts[label][path] = _visible(response.content.decode())
        counts[label] = len(texts[label])
    print(f"{lang}: {sum(counts.values())} pages in {time.perf_counter() - started:.1f} s")
    return texts, counts


# Pages that read the same for every signed-in role (public lists and the portal) are checked as the
# anonymous visitor, a member and the secretariat; the administrator, whose pages are the secretariat's,
# on the pages that differ for it. This keeps the run near 250 pages per language.
SHARED = (
    "core:home",
    "core:about",
    "membership:directory",
    "activities:calendar",
    "activities:month",
    "library:home",
    "library:projects",
    "library:achievements",
    "library:landed",
    "research:results",
    "matchmaking:market",
    "publicity:articles",
    "reporting:dashboard",
)
ADMIN = (
    "core:desk",
    "core:audit",
    "accounts:profile",
    "notifications:preferences",
    "privacy:my-data",
    "governance:index",
    "governance:charter",
)


def _checks(role: str, path: str) -> bool:
    if role == "demo-admin":
        return path in {reverse(name) for name in ADMIN}
    if path in {reverse(name) for name in SHARED}:
        return role in ("anonymous", "demo-member", "demo-secretariat")
    return True


# Each role opens at least this many of the pages (the anonymous visitor only the public ones).
MIN_PAGES = {
    "anonymous": 20,
    "demo-member": 45,
    "demo-council": 30,
    "demo-coordinator": 30,
    "demo-expert": 25,
    "demo-secretariat": 60,
    "demo-admin": 7,
}


class _Leftover:
    """The UI text of a line once stored data and allowed proper names are taken out (cached per line:
    the top bar, menus and footers repeat on every page)."""

    def __init__(self) -> None:
        stored = _data_strings()
        self.lines = set(stored)
        self.blob = "\n".join(stored)
        self.names = {n for n in stored if len(n) > 1}
        self.longest = max((len(n) for n in self.names), default=0)
        self.cache: dict[str, str] = {}

    def __call__(self, line: str) -> str:
        line = line.strip()
        if line not in self.cache:
            self.cache[line] = self._compute(line)
        return self.cache[line]

    def _compute(self, line: str) -> str:
        if not HAN.search(line) or line in self.lines or _is_data(line, self.blob):
            return ""
        n = len(line)
        found = {
            line[i:j]
            for i in range(n)
            for j in range(i + 2, min(n, i + self.longest) + 1)
            if line[i:j] in self.names
        }
        for name in sorted(found, key=len, reverse=True):
            line = line.replace(name, " ")
        for name in ALLOWED_HAN:
            line = line.replace(name, " ")
        return line.strip() if HAN.search(line) else ""


def test_english_pages_have_no_chinese_but_proper_names(authz_world: World) -> None:
    texts, counts = _render_all(authz_world, "en")
    assert all(counts[r] >= n for r, n in MIN_PAGES.items()), counts
    leftover = _Leftover()
    found: dict[str, list[str]] = {}
    for role, pages in texts.items():
        for path, text in pages.items():
            left = sorted({leftover(line) for line in text.splitlines()} - {""})
            if left:
                found[f"{role} {path}"] = left
    assert not found, _report(found)


def test_chinese_pages_have_no_english_ui_words(authz_world: World) -> None:
    texts, counts = _render_all(authz_world, "zh-hans")
    assert all(counts[r] >= n for r, n in MIN_PAGES.items()), counts
    data_words = {w for v in _latin_data_strings() for w in re.findall(r"[A-Za-z]+", v)}
    found: dict[str, list[str]] = {}
    for role, pages in texts.items():
        for path, text in pages.items():
            # addresses, paths (Asia/Shanghai, files/), file names (data.json) and check-in codes (ABCD-2345)
            text = re.sub(
                r"\S+@\S+|https?://\S+|\S*/\S*|\b[\w-]+\.[a-z]{2,4}\b|\b[A-Z0-9]{4}-[A-Z0-9]{4}\b", " ", text
            )
            words = sorted(
                {w for w in LATIN_WORD.findall(text) if w not in ALLOWED_LATIN and w not in data_words}
            )
            if words:
                found[f"{role} {path}"] = words
    assert not found, _report(found)


def _report(found: dict[str, list[str]]) -> str:
    """Each offending text once, with the pages (role and path) it was found on."""
    where: dict[str, list[str]] = {}
    for page, texts in found.items():
        for text in texts:
            where.setdefault(text, []).append(page)
    return "\n" + "\n".join(f"{text!r}: {', '.join(pages)}" for text, pages in sorted(where.items()))


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


def test_audit_choice_labels_follow_the_language_of_each_page() -> None:
    """The audit log's choice labels are cached lazily: an English page first must not leave the Chinese
    audit log in English (it said "Objection dismissed")."""
    from django.utils import translation

    from lianmeng.core import audit_text

    audit_text._CHOICES.clear()
    with translation.override("en"):
        assert audit_text._choice_label("dismissed") == "Objection dismissed"
    with translation.override("zh-hans"):
        assert audit_text._choice_label("dismissed") == "异议不成立"

"""Control characters never reach the database: the shared text cleaner, and every way text comes in
(an HTML form, the API's JSON, the services' own cleaners)."""

from __future__ import annotations

import json
import re
from typing import Annotated, Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from lianmeng.core.cleaning import clean_json_strings, clean_text
from lianmeng.core.commands import Command, Text

# Every control character (C0, DEL, C1) and the Unicode line separators, mixed with ordinary text.
NASTY = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0, max_codepoint=0x9F),
        st.sampled_from("\u2028\u2029 青岛人服联盟=+-@"),
        st.characters(exclude_categories=["Cs"]),
    ),
    max_size=80,
)
CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
CONTROLS_BUT_TAB_NEWLINE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@given(NASTY)
def test_single_line_text_has_no_control_character_and_is_stable(value: str) -> None:
    cleaned = clean_text(value)
    assert not CONTROLS.search(cleaned)
    assert not ILLEGAL_CHARACTERS_RE.search(cleaned)  # openpyxl can always write it
    assert cleaned == cleaned.strip()
    assert clean_text(cleaned) == cleaned  # idempotent


@given(NASTY)
def test_long_text_keeps_only_tab_and_newline_and_is_stable(value: str) -> None:
    cleaned = clean_text(value, multiline=True)
    assert not CONTROLS_BUT_TAB_NEWLINE.search(cleaned)
    assert "\r" not in cleaned
    assert not ILLEGAL_CHARACTERS_RE.search(cleaned)
    assert clean_text(cleaned, multiline=True) == cleaned


@given(st.text(alphabet=st.characters(exclude_categories=["Cc", "Cs", "Zl", "Zp"]), max_size=80))
def test_ordinary_text_is_left_as_typed(value: str) -> None:
    assert clean_text(value) == value.strip()
    assert clean_text(value, multiline=True) == value.strip()


def test_line_breaks_fold_to_one_space_in_short_texts() -> None:
    assert clean_text(" 青岛\r\n人服\t\t集团\x07 ") == "青岛 人服 集团"
    assert clean_text("第一段\r\n第二段\r第三段\x00\x1b", multiline=True) == "第一段\n第二段\n第三段"


def test_command_texts_decide_long_texts_by_their_length_limit() -> None:
    class Sample(Command):
        short: Annotated[str, Text("名称", max_length=120)]
        long: Annotated[str, Text("简介", max_length=4000)]

    sample = Sample.build({"short": "甲\n乙\x07", "long": "甲\n乙\x07"})
    assert (sample.short, sample.long) == ("甲 乙", "甲\n乙")
    with pytest.raises(ValidationError) as caught:
        Sample.build({"short": "\x07\x08", "long": "x"})
    assert caught.value.message_dict == {"short": ["请填写名称"]}  # only control characters counts as empty


def test_api_json_strings_lose_control_characters_but_passwords_do_not() -> None:
    parsed = clean_json_strings({"title": "a\x07b", "tags": ["c\x1bd"], "password": "p\x07w", "n": 3})
    assert parsed == {"title": "ab", "tags": ["cd"], "password": "p\x07w", "n": 3}


@pytest.fixture
def park_contact(make_org: Any, make_user: Any) -> tuple[Any, Any]:
    park = make_org("中国青岛人力资源服务产业园")
    return park, make_user("member_contact", organization=park)


HOSTILE = {
    "name": "青岛\x07人服\r\n产业园",
    "description": "第一段\r\n第二段\t\x1b完\x7f",  # NUL: refused with 400 (hostile input)
    "address": "香港中路\x0b 1 号",
}
EXPECTED = {"name": "青岛人服 产业园", "description": "第一段\n第二段\t完", "address": "香港中路 1 号"}


@pytest.mark.django_db
def test_api_write_stores_text_without_control_characters(park_contact: Any, api: Any) -> None:
    park, contact = park_contact
    r = api(contact).patch(
        f"/api/v1/organizations/{park.pk}", json.dumps(HOSTILE), content_type="application/json"
    )
    assert r.status_code == 200, r.content
    park.refresh_from_db()
    assert {k: getattr(park, k) for k in EXPECTED} == EXPECTED


@pytest.mark.django_db
def test_form_write_stores_text_without_control_characters(park_contact: Any) -> None:
    park, contact = park_contact
    client = Client()
    client.force_login(contact)
    r = client.post(f"/members/{park.pk}/edit/", {**HOSTILE, "services": "招聘\x07\r\n培训"})
    assert r.status_code == 302, r.content.decode()
    park.refresh_from_db()
    assert {k: getattr(park, k) for k in EXPECTED} == EXPECTED
    assert park.services == "招聘\n培训"  # a textarea keeps its lines


@pytest.mark.django_db
def test_achievement_title_with_bell_is_stored_clean(park_contact: Any, api: Any) -> None:
    _park, contact = park_contact
    body = {
        "kind": "paper",
        "title": "园区\x07研究",
        "authors": "甲\x1b、乙",
        "year": 2026,
        "abstract": "一\r\n二",
    }
    r = api(contact).post("/api/v1/achievements", json.dumps(body), content_type="application/json")
    assert r.status_code == 201, r.content
    assert (r.json()["title"], r.json()["abstract"]) == ("园区研究", "一\n二")

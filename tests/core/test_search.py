"""The search text design: bigrams, folding, pinyin, identical behaviour on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st

from lianmeng.core.search import normalize, parse_query, pinyin_initials, pinyin_sort_key, search_text, tokens
from lianmeng.membership.models import Organization
from lianmeng.membership.selectors import organization_directory


def test_bigrams_and_words() -> None:
    assert tokens("威海人力") == ["威海", "海人", "人力"]
    assert tokens("HR服务2026") == ["hr", "服务", "2026"]
    assert tokens("青") == ["青"]


def test_traditional_folds_to_simplified_and_fullwidth_to_ascii() -> None:
    assert normalize("聯盟") == "联盟"
    assert search_text("ＡＢＣ 青島") == "abc 青岛"


def test_pinyin_columns() -> None:
    assert pinyin_initials("青岛人服园") == "qdrfy"
    assert pinyin_sort_key("北京") < pinyin_sort_key("青岛") < pinyin_sort_key("威海")


def test_one_character_query_falls_back_to_like() -> None:
    parsed = parse_query("青")
    assert parsed.singles == ("青",)
    assert parsed.phrases == ()


@given(st.text(alphabet="青岛烟台人力资源服务产业园联盟abc 123", max_size=30))
def test_search_text_is_idempotent_on_its_own_tokens(text: str) -> None:
    once = search_text(text)
    assert tokens(once.replace(" ", "|")) == once.split() or once == ""


NAMES = [
    "中国青岛人力资源服务产业园",
    "青岛市人力资源和社会保障局",
    "烟台大学",
    "潍坊科技发展联盟",
    "威海海联人力资源开发有限公司",
    "HR Tech 青岛 2026",
    "四季长青",  # 青 only as the last character: no bigram starts with it
]
CASES = {
    "青岛": {0, 1, 5},
    "人力资源": {0, 1, 4},
    "科技发": {3},
    "聯盟": {3},
    "青": {0, 1, 5, 6},
    "长": {6},
    "0青": set(),  # the index's character tokens (0青 on SQLite) are not reachable by a typed query
    "qd": {1},  # pinyin initials prefix
    "qingdao": {1},  # full pinyin prefix
    "tech": {5},
    "青岛 人力": {0, 1},
    "力资源服务产": {0},
    "不存在的单位": set(),
}


@pytest.mark.parametrize(("query", "expected"), sorted(CASES.items()))
def test_directory_search_matches_substring_semantics(make_org: Any, query: str, expected: set[int]) -> None:
    """The same cases run on SQLite and on PostgreSQL (make test runs the suite on both)."""
    orgs = [make_org(name, city="东营", kind="enterprise") for name in NAMES]
    found = {orgs.index(o) for o in organization_directory(viewer=None, q=query)}
    assert found == expected
    assert Organization.objects.count() == len(NAMES)


def test_one_character_search_follows_edits_and_deletes(make_org: Any) -> None:
    """On SQLite the organizations' index holds each character (core.search.CHARACTER_INDEXED_TABLES),
    written by its triggers: an edit and a delete must leave no stale character behind."""
    org = make_org("四季长青", city="东营")

    def found(q: str) -> list[int]:
        return [o.pk for o in organization_directory(viewer=None, q=q)]

    assert found("青") == [org.pk]
    Organization.objects.filter(pk=org.pk).update(search_text=search_text("四季长红"))
    assert found("青") == []
    assert found("红") == [org.pk]
    Organization.objects.filter(pk=org.pk).delete()
    assert found("红") == []
    if connection.vendor == "sqlite":  # the delete trigger removed exactly the tokens the insert wrote
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM membership_organization_fts WHERE membership_organization_fts MATCH '\"0红\"'"
            )
            assert cursor.fetchone() == (0,)
            cursor.execute(
                "INSERT INTO membership_organization_fts(membership_organization_fts) VALUES ('integrity-check')"
            )

"""The vectorised affinity/conflict matrix equals the per-pair rules, and is cached per round version."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lianmeng.research.matching import (
    EntryFacts,
    ExpertFacts,
    affinity,
    conflict_reasons,
    matrix_arrays,
)
from lianmeng.research.services import assignment as assignment_services

WORDS = [
    "零工市场",
    "数字化",
    "灵活用工",
    "人才飞地",
    "海洋产业",
    "劳务协作",
    "人才测评",
    "园区运营",
    "AI",
    "招聘",
]


@st.composite
def instances(draw: Any) -> tuple[list[EntryFacts], list[ExpertFacts], bool]:
    n_e = draw(st.integers(1, 6))
    n_x = draw(st.integers(1, 6))
    entries = [
        EntryFacts(
            id=i,
            organization_id=draw(st.integers(1, 4)),
            organization_name=f"单位{i}",
            city_id=draw(st.sampled_from(["370200", "370600", None])),
            authors=frozenset(draw(st.lists(st.sampled_from(["张三", "李四", "王五"]), max_size=2))),
            submitted_by_id=draw(st.sampled_from([None, 1, 2])),
            text="".join(draw(st.lists(st.sampled_from([*WORDS, "案例", "服务"]), max_size=6))),
        )
        for i in range(n_e)
    ]
    experts = [
        ExpertFacts(
            id=j,
            name=draw(st.sampled_from(["张三", "赵六", "孙七"])),
            organization_id=draw(st.sampled_from([None, 1, 2, 5])),
            organization_name=draw(st.sampled_from(["", "单位0", "别的大学"])),
            city_id=draw(st.sampled_from(["370200", "370700", None])),
            user_id=draw(st.sampled_from([None, 1, 3])),
            declared=frozenset(draw(st.lists(st.integers(1, 4), max_size=2))),
            phrases=tuple(
                dict.fromkeys(draw(st.lists(st.sampled_from([*WORDS, "市场", "人才"]), max_size=5)))
            ),
        )
        for j in range(n_x)
    ]
    return entries, experts, draw(st.booleans())


@settings(max_examples=200, deadline=None)
@given(instances())
def test_vectorised_matrix_equals_the_per_pair_rules(
    case: tuple[list[EntryFacts], list[ExpertFacts], bool],
) -> None:
    entries, experts, same_city = case
    aff, allowed = matrix_arrays(entries, experts, same_city=same_city)
    for i, e in enumerate(entries):
        for j, x in enumerate(experts):
            ok = not conflict_reasons(x, e, same_city=same_city)
            assert allowed[i, j] == ok
            assert aff[i, j] == (affinity(x, e)[0] if ok else 0)


@pytest.mark.django_db
def test_the_matrix_is_computed_once_per_round_version(
    round_with_entries: Callable[..., Any],
    make_expert: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from lianmeng.research.services.assignment import build_matrix, eligible_entries, expert_pool

    selection, entries = round_with_entries(3)
    make_expert(city="烟台", keywords="零工市场、数字化")
    make_expert(city="日照", keywords="海洋产业")
    calls = {"n": 0}
    real = assignment_services.matrix_arrays

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(assignment_services, "matrix_arrays", counted)
    first = build_matrix(selection, eligible_entries(selection), expert_pool())
    again = build_matrix(selection, eligible_entries(selection), expert_pool())
    assert calls["n"] == 1
    assert (first.affinity == again.affinity).all() and (first.allowed == again.allowed).all()
    assert first.affinity[0].max() > 0  # 零工市场 matches the first entry
    entries[1].keywords = "零工市场"
    entries[1].save()
    changed = build_matrix(selection, eligible_entries(selection), expert_pool())
    assert calls["n"] == 2  # an edited entry gives a new version
    assert changed.affinity[1].sum() > first.affinity[1].sum()


@pytest.mark.django_db
def test_the_assignment_page_suggests_non_conflicted_experts_best_first(
    round_with_entries: Callable[..., Any],
    make_expert: Callable[..., Any],
    secretariat: Any,
    django_assert_max_num_queries: Any,
) -> None:
    import re

    from django.test import Client

    selection, entries = round_with_entries(2)
    good = make_expert("零工专家", city="烟台", keywords="零工市场、数字化")
    plain = make_expert("泛泛专家", city="日照", keywords="园区运营")
    local = make_expert(
        "青岛专家", city="青岛", keywords="零工市场"
    )  # same city as entry 1: never suggested there
    client = Client()
    client.force_login(secretariat)
    with django_assert_max_num_queries(40):
        page = client.get(f"/research/rounds/{selection.pk}/assignment/").content.decode()
    first = page[page.index(entries[0].title) : page.index(entries[1].title)]
    options = re.findall(r'<option value="(\d+)">([^<]*)</option>', first)
    names = [label.split(" · ")[0] for _pk, label in options]
    assert names[:2] == ["零工专家", "泛泛专家"]
    assert "青岛专家" not in names
    assert "匹配度 100" in options[0][1]
    assert {good.pk, plain.pk} <= {int(pk) for pk, _label in options} and local.pk not in {
        int(pk) for pk, _ in options
    }


@pytest.mark.django_db
def test_the_assignment_page_does_not_query_per_entry(
    round_with_entries: Callable[..., Any],
    make_expert: Callable[..., Any],
    make_org: Callable[..., Any],
    secretariat: Any,
) -> None:
    """Each entry row holds an expert picker; its template once ran the site context processor (the
    alliance settings, a query) per row: 515 queries for 500 entries."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from lianmeng.research.models import Entry

    selection, entries = round_with_entries(2)
    make_expert("零工专家", city="烟台", keywords="零工市场、数字化")
    client = Client()
    client.force_login(secretariat)
    url = f"/research/rounds/{selection.pk}/assignment/"
    client.get(url)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    two = count()
    for i in range(6):
        Entry.objects.create(
            round=selection,
            organization=make_org(f"补充参评单位{i}", city="潍坊"),
            title=f"补充案例{i}",
            summary="零工市场",
            keywords="零工市场",
            status=entries[0].status,
        )
    assert count() == two

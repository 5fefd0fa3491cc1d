"""Hypothesis properties of the parsers and cleaners that take what a client types: page and query-string
numbers, years and dates, bounded schema types, USCC, mobile numbers, the search query normaliser, the
API's JSON pre-check and the spreadsheet import rows. Each either returns a value that is safe to use
(within the database's range, idempotent where it normalises) or raises the one error it documents."""

# ruff: noqa: PT017 - properties assert on the one error a parser may raise, then stop
from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter
from pydantic import ValidationError as PydanticError

from lianmeng.core import search
from lianmeng.core.demo_support import make_uscc
from lianmeng.core.middleware import _json_problem_path
from lianmeng.core.pagination import PageNumberPagination
from lianmeng.core.params import (
    INT32_MAX,
    INT64_MAX,
    MAX_PAGE,
    YEAR_MAX,
    YEAR_MIN,
    BadParameter,
    Count,
    DateTimeIn,
    Id,
    date_param,
    int_param,
    year_param,
)
from lianmeng.core.validators import clean_mobile, clean_uscc

texts = st.text(alphabet=st.characters(codec="utf-8"), max_size=40)
number_like = st.one_of(
    st.integers().map(str),
    st.integers(min_value=-(10**30), max_value=10**30).map(lambda n: f" {n} "),
    st.from_regex(r"[+-]?[0-9０-９²]{0,25}", fullmatch=True),
    texts,
)


@given(number_like)
def test_int_param_returns_an_int_in_range_or_names_the_parameter(raw: str) -> None:
    try:
        value = int_param({"n": raw}, "n")
    except BadParameter as exc:
        assert exc.field == "n" and "n" in exc.message
        return
    if raw.strip():
        assert isinstance(value, int) and 1 <= value <= INT64_MAX
        assert value == int(raw.strip())
    else:
        assert value is None


@given(st.integers(min_value=1, max_value=INT64_MAX))
def test_int_param_accepts_every_int64(n: int) -> None:
    assert int_param({"n": str(n)}, "n") == n


@given(number_like)
def test_year_param_is_a_usable_year(raw: str) -> None:
    try:
        year = year_param({"year": raw})
    except BadParameter as exc:
        assert exc.field == "year"
        return
    if year is not None:
        assert YEAR_MIN <= year <= YEAR_MAX
        dt.date(year, 1, 1)  # the date functions accept it


@given(
    st.one_of(texts, st.dates().map(str), st.from_regex(r"[0-9]{4,6}-[0-9]{1,2}-[0-9]{1,2}", fullmatch=True))
)
def test_date_param_is_a_usable_date(raw: str) -> None:
    try:
        value = date_param({"d": raw}, "d")
    except BadParameter as exc:
        assert exc.field == "d"
        return
    if value is not None:
        assert YEAR_MIN <= value.year <= YEAR_MAX and value.isoformat() == raw.strip()


@given(st.dates(min_value=dt.date(YEAR_MIN, 1, 1), max_value=dt.date(YEAR_MAX, 12, 31)))
def test_date_param_round_trips(day: dt.date) -> None:
    assert date_param({"d": day.isoformat()}, "d") == day


@given(st.integers())
def test_api_page_number_is_bounded(page: int) -> None:
    """ninja's paginator input: a page is valid exactly when 1 <= page <= MAX_PAGE, so no OFFSET beyond
    what SQLite and PostgreSQL accept ever reaches the database."""
    try:
        parsed = PageNumberPagination.Input(page=page)
    except PydanticError as exc:
        assert exc.errors()[0]["loc"] == ("page",)
        assert not 1 <= page <= MAX_PAGE
        return
    assert 1 <= parsed.page <= MAX_PAGE
    assert (parsed.page - 1) * 100 <= INT64_MAX


@given(st.integers())
def test_bounded_schema_ints(n: int) -> None:
    for kind, low, high in ((Id, 1, INT64_MAX), (Count, 0, INT32_MAX)):
        try:
            TypeAdapter(kind).validate_python(n)
        except PydanticError:
            assert not low <= n <= high
        else:
            assert low <= n <= high


@given(
    st.datetimes(
        min_value=dt.datetime(1, 1, 1),
        max_value=dt.datetime(9999, 12, 31),
        timezones=st.sampled_from([dt.timezone(dt.timedelta(hours=h)) for h in (-14, -5, 0, 8, 14)]),
    )
)
def test_accepted_datetimes_never_overflow(when: dt.datetime) -> None:
    try:
        value = TypeAdapter(DateTimeIn).validate_python(when.isoformat())
    except PydanticError:
        assert not YEAR_MIN <= when.year <= YEAR_MAX
        return
    value.astimezone(dt.UTC)  # what Django does before saving: must not raise OverflowError
    value.astimezone(dt.timezone(dt.timedelta(hours=14)))


@given(st.text(max_size=30))
def test_clean_uscc_returns_a_valid_code_or_a_field_error(raw: str) -> None:
    try:
        value = clean_uscc(raw)
    except ValidationError as exc:
        assert list(exc.message_dict) == ["uscc"]
        return
    assert len(value) == 18 and clean_uscc(value) == value


@given(
    st.text(alphabet="青岛潍坊园区大学公司", min_size=2, max_size=12), st.sampled_from(["park", "university"])
)
def test_clean_uscc_accepts_generated_codes_with_spaces_and_lower_case(name: str, kind: str) -> None:
    code = make_uscc(name, division="370200", kind=kind)
    assert clean_uscc(f" {code[:6].lower()} {code[6:]} ") == code


@given(
    st.one_of(
        st.text(max_size=20),
        st.from_regex(r"(\+86)?[ -]?1[0-9 -]{9,14}", fullmatch=True),
        st.from_regex(r"1[3-9]\d{9}", fullmatch=True),  # \d: any Unicode digit (Arabic-Indic, fullwidth)
    )
)
def test_clean_mobile_returns_eleven_digits_or_a_field_error(raw: str) -> None:
    try:
        value = clean_mobile(raw)
    except ValidationError as exc:
        assert list(exc.message_dict) == ["mobile"]
        return
    assert len(value) == 11 and value.isdigit() and value[0] == "1" and value.isascii()
    assert clean_mobile(value) == value


@given(st.text(max_size=60))
def test_search_query_normaliser(q: str) -> None:
    parsed = search.parse_query(q)
    # Terms are normalised (idempotent), and indexing the query finds the query's own tokens.
    for term in parsed.terms:
        assert search.normalize(term) == term
    indexed = set(search.search_text(q).split())
    for phrase in parsed.phrases:
        assert set(phrase) <= indexed
    assert search.parse_query(" ".join(parsed.terms)).phrases == parsed.phrases


json_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**63), max_value=INT64_MAX),
        st.text(alphabet=st.characters(codec="utf-8"), max_size=10),
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.text(alphabet=st.characters(codec="utf-8"), max_size=5), children, max_size=4),
    ),
    max_leaves=20,
)


@given(json_values)
def test_json_pre_check_passes_what_databases_store(value: Any) -> None:
    assert _json_problem_path(json.loads(json.dumps(value))) is None


@given(json_values, st.sampled_from(["\ud800", "a\udfffb", 2**63, -(2**63) - 1, 10**30]))
def test_json_pre_check_finds_what_databases_cannot_store(value: Any, bad: Any) -> None:
    document = {"data": value, "items": [1, {"deep": bad}]}
    found = _json_problem_path(json.loads(json.dumps(document)))
    assert found is not None
    assert found[1] == ("surrogate" if isinstance(bad, str) else "integer")
    if not _json_problem_path(value):
        assert found[0] == "items[1].deep"


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.lists(
            st.one_of(st.text(max_size=15), st.integers().map(str), st.just("")), min_size=0, max_size=12
        ),
        max_size=6,
    )
)
def test_import_rows_report_errors_per_row_and_never_crash(cities: Any, rows: list[list[str]]) -> None:
    from lianmeng.library.tabular import COLUMNS, import_check

    assume(all("\x00" not in cell for row in rows for cell in row))
    header = [str(label) for _key, label in COLUMNS["experts"]]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    try:
        report, commands, _references = import_check(
            "experts", buffer.getvalue().encode("utf-8"), "experts.csv"
        )
    except ValidationError as exc:
        assert list(exc.message_dict) == ["file"]
        return
    # every bad row is named by its line in the file (the header is line 1); each row is either a
    # command (good) or a bad row, never both
    assert all(2 <= n <= len(rows) + 1 for n in report.bad_rows)
    assert len(commands) + len(report.bad_rows) <= len(rows)


def test_clean_mobile_takes_fullwidth_digits_and_refuses_other_scripts() -> None:
    assert clean_mobile("＋86 １３８-００１３-８０００") == "13800138000"
    with pytest.raises(ValidationError):
        clean_mobile("13٨00138000")  # Arabic-Indic digit: not a number an SMS gateway can dial

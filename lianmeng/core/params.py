"""Strict parsing of what a client sends: numbers, years and dates in query strings and forms, and
bounded types for API schemas that match the database columns.

Every parser either returns a value the database and the date functions accept, or raises
``BadParameter`` (a ``BadRequest``: 400 on pages, problem+json on the API) naming the parameter.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Annotated, Any, TypeVar, overload

from django.core.exceptions import BadRequest
from django.utils.translation import gettext as _
from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

INT32_MAX = 2**31 - 1  # IntegerField, PositiveIntegerField on PostgreSQL
INT64_MAX = 2**63 - 1  # BigAutoField ids, SQLite INTEGER
SMALLINT_MAX = 2**15 - 1  # PositiveSmallIntegerField
YEAR_MIN = 1900
YEAR_MAX = 2999
MAX_PAGE = 1_000_000  # 20 million rows at 20 a page: beyond any list here

_D = TypeVar("_D", dt.date, dt.datetime)
_INT_RE = re.compile(r"[+-]?[0-9]{1,19}")
_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class BadParameter(BadRequest):
    """A query or form parameter that cannot be used; ``field`` names it, the message says why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def _raw(data: Mapping[str, Any], name: str) -> str | None:
    value = data.get(name)
    if value is None:
        return None
    text = str(value).strip()
    return text or None


@overload
def int_param(
    data: Mapping[str, Any], name: str, *, default: int, min_value: int = 1, max_value: int = INT64_MAX
) -> int: ...


@overload
def int_param(
    data: Mapping[str, Any],
    name: str,
    *,
    default: None = None,
    min_value: int = 1,
    max_value: int = INT64_MAX,
) -> int | None: ...


def int_param(
    data: Mapping[str, Any],
    name: str,
    *,
    default: int | None = None,
    min_value: int = 1,
    max_value: int = INT64_MAX,
) -> int | None:
    """The integer in ``data[name]`` (a QueryDict or dict), ``default`` when absent or empty.

    Raises BadParameter for anything that is not a plain decimal integer in [min_value, max_value].
    """
    text = _raw(data, name)
    if text is None:
        return default
    if not _INT_RE.fullmatch(text):
        raise BadParameter(name, _("参数 %(name)s 须为整数") % {"name": name})
    value = int(text)
    if not min_value <= value <= max_value:
        raise BadParameter(
            name,
            _("参数 %(name)s 须在 %(min)s 到 %(max)s 之间")
            % {"name": name, "min": min_value, "max": max_value},
        )
    return value


def year_param(data: Mapping[str, Any], name: str = "year", *, default: int | None = None) -> int | None:
    """A calendar year between YEAR_MIN and YEAR_MAX."""
    return int_param(data, name, default=default, min_value=YEAR_MIN, max_value=YEAR_MAX)


def date_param(data: Mapping[str, Any], name: str, *, default: dt.date | None = None) -> dt.date | None:
    """A date written YYYY-MM-DD with a year between YEAR_MIN and YEAR_MAX."""
    text = _raw(data, name)
    if text is None:
        return default
    try:
        if not _DATE_RE.fullmatch(text):
            raise ValueError(text)
        value = dt.date.fromisoformat(text)
    except ValueError:
        raise BadParameter(name, _("参数 %(name)s 须为 YYYY-MM-DD 格式的日期") % {"name": name}) from None
    if not YEAR_MIN <= value.year <= YEAR_MAX:
        raise BadParameter(
            name,
            _("参数 %(name)s 的年份须在 %(min)s 到 %(max)s 之间")
            % {"name": name, "min": YEAR_MIN, "max": YEAR_MAX},
        )
    return value


# Bounded types for ninja schemas and query parameters (pydantic): the API answers 422 naming the field
# instead of letting PostgreSQL raise "integer out of range" or Python raise OverflowError.


def _check_year(value: _D) -> _D:
    if not YEAR_MIN <= value.year <= YEAR_MAX:
        raise PydanticCustomError(
            "lianmeng_year_range",
            _("年份须在 {min} 到 {max} 之间"),
            {"min": YEAR_MIN, "max": YEAR_MAX},
        )
    return value


Id = Annotated[int, Field(ge=1, le=INT64_MAX)]
Year = Annotated[int, Field(ge=YEAR_MIN, le=YEAR_MAX)]
Count = Annotated[int, Field(ge=0, le=INT32_MAX)]  # PositiveIntegerField / IntegerField >= 0
SmallCount = Annotated[int, Field(ge=0, le=SMALLINT_MAX)]  # PositiveSmallIntegerField
Page = Annotated[int, Field(ge=1, le=MAX_PAGE)]
# The year range is shown in the OpenAPI document (x-year-min/max), where tests/core/test_hostile_input.py
# checks that every date in a request body has it.
_YEAR_RANGE = Field(json_schema_extra={"x-year-min": YEAR_MIN, "x-year-max": YEAR_MAX})
DateTimeIn = Annotated[dt.datetime, AfterValidator(_check_year), _YEAR_RANGE]
DateIn = Annotated[dt.date, AfterValidator(_check_year), _YEAR_RANGE]
AnyInt64 = Annotated[int, Field(ge=-INT64_MAX - 1, le=INT64_MAX)]  # a number the view clamps itself (limit=)

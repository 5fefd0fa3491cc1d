"""Pagination that counts at most a cap of matches.

A search for 人力资源 may match a third of 100,000 members; counting every match costs more than
showing the page. Lists count up to ``COUNT_CAP`` rows and then say "10,000+" (``count_capped``).
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import PageNumberPagination as NinjaPageNumberPagination

from lianmeng.core.params import MAX_PAGE

COUNT_CAP = 10_000


def capped_count(
    queryset: QuerySet[Any] | list[Any] | tuple[Any, ...], cap: int | None = None
) -> tuple[int, bool]:
    """(count, capped): the number of rows, or ``cap`` (default COUNT_CAP) and True when there are more."""
    cap = COUNT_CAP if cap is None else cap
    # A list already built (in memory) is measured; a queryset counts at most cap + 1 rows.
    n = len(queryset) if isinstance(queryset, list | tuple) else queryset.order_by()[: cap + 1].count()
    return (cap, True) if n > cap else (n, False)


class CappedPaginator(Paginator):
    def __init__(self, object_list: Any, per_page: int, cap: int | None = None, **kwargs: Any) -> None:
        super().__init__(object_list, per_page, **kwargs)
        self.cap = cap
        self.capped = False

    @cached_property
    def count(self) -> int:
        n, self.capped = capped_count(self.object_list, self.cap)  # type: ignore[arg-type]
        return n


class PageNumberPagination(NinjaPageNumberPagination):
    """The one pagination of the API lists: ``{"items": [...], "count": n, "count_capped": bool}``.

    ``count`` stops at COUNT_CAP (``count_capped`` is then true): at national scale a COUNT(*) of every
    visible project or achievement cost 0.15-0.65 s per page. ``?page=`` beyond MAX_PAGE (or beyond 64
    bits, which SQLite and PostgreSQL cannot take as an OFFSET) answers 422 naming ``page``."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int | None = Field(None, ge=1, le=MAX_PAGE)

    class Output(Schema):
        items: list[Any]
        count: int
        count_capped: bool

    def paginate_queryset(
        self, queryset: QuerySet[Any], pagination: Any, request: HttpRequest, **params: Any
    ) -> Any:
        page_size = self._get_page_size(pagination.page_size)
        offset = (pagination.page - 1) * page_size
        count, capped = capped_count(queryset)
        return {
            self.items_attribute: queryset[offset : offset + page_size],
            "count": count,
            "count_capped": capped,
        }

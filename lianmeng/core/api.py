"""Alliance-wide reads: /api/v1/cities."""

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from . import selectors

router = Router(tags=["alliance"])


class CityOut(Schema):
    code: str
    name: str
    name_en: str
    position: int


@router.get("/cities", response=list[CityOut], auth=None)
def city_list(request: HttpRequest) -> Any:
    """The member cities in the alliance's own order, keyed by GB/T 2260 code."""
    return selectors.member_cities()

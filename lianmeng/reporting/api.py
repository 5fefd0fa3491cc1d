"""Reports: /api/v1/reports/{year} (figures per mechanism and per city) and the annual report files."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router

from lianmeng.core.api_support import AUTH, OPTIONAL_AUTH

from . import selectors
from .figures import year_figures
from .views import annual_file

router = Router(tags=["reporting"])


@router.get("/reports/{year}", auth=OPTIONAL_AUTH, response=dict[str, Any])
def report_figures(request: HttpRequest, year: int) -> dict[str, Any]:
    """The year's figures as the caller may see them: aggregates only, for anyone."""
    year = selectors.parse_year(year)
    return year_figures(year=year, viewer=request.user).as_dict()


@router.get("/reports/{year}/annual.pdf", auth=AUTH)
def report_annual_pdf(request: HttpRequest, year: int) -> HttpResponse:
    """The annual report as a PDF (secretariat, administrators, council representatives).

    200 with the file when it is built from the current data; otherwise 202 with ``status``,
    ``progress`` (0-100) and ``step`` while the worker builds it: ask again after ``Retry-After``."""
    return annual_file(request, year, "pdf", api=True)


@router.get("/reports/{year}/annual.xlsx", auth=AUTH)
def report_annual_xlsx(request: HttpRequest, year: int) -> HttpResponse:
    """The annual report as an Excel workbook (same permissions and 202 answers as the PDF)."""
    return annual_file(request, year, "xlsx", api=True)

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from lianmeng.core.models import AllianceSettings

from . import policies, selectors
from .annual import annual_report
from .figures import chart_data, current_year, year_figures
from .render import report_pdf, report_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _years() -> list[int]:
    return selectors.report_years(founded=AllianceSettings.current().founded_on)


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    year = selectors.parse_year(request.GET.get("year"), default=current_year())
    figures = year_figures(year=year, viewer=request.user)
    return render(
        request,
        "reporting/dashboard.html",
        {
            "figures": figures,
            "year": year,
            "years": _years(),
            "charts": chart_data(figures),
            "can_download": policies.can_download_annual_report(request.user),
        },
    )


@login_required
def city(request: HttpRequest, code: str) -> HttpResponse:
    year = selectors.parse_year(request.GET.get("year"), default=current_year())
    report = selectors.city_report(viewer=request.user, code=code, year=year)
    return render(
        request,
        "reporting/city.html",
        {"report": report, "row": report.row, "year": year, "years": _years()},
    )


def annual_file(request: HttpRequest, year: int, kind: str) -> HttpResponse:
    """The annual report of ``year`` as ``kind`` ("pdf" or "xlsx"), for those who may download it."""
    if not policies.can_download_annual_report(request.user):
        raise PermissionDenied
    year = selectors.parse_year(year)
    report = annual_report(year=year, viewer=request.user)
    if kind == "pdf":
        response = HttpResponse(report_pdf(report), content_type="application/pdf")
    else:
        response = HttpResponse(report_xlsx(report), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="lianmeng-annual-report-{year}.{kind}"'
    return response


@login_required
def annual_pdf(request: HttpRequest, year: int) -> HttpResponse:
    return annual_file(request, year, "pdf")


@login_required
def annual_xlsx(request: HttpRequest, year: int) -> HttpResponse:
    return annual_file(request, year, "xlsx")

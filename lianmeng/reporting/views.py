from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from lianmeng.core.models import AllianceSettings

from . import files, policies, selectors
from .figures import chart_data, current_year, year_figures
from .models import FileStatus, ReportFile
from .tasks import STEPS

POLL_SECONDS = 1


def _years() -> list[int]:
    return selectors.report_years(founded=AllianceSettings.current().founded_on)


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    year = selectors.parse_year(request.GET.get("year"), default=current_year())
    figures = year_figures(year=year, viewer=request.user)
    can_download = policies.can_download_annual_report(request.user)
    return render(
        request,
        "reporting/dashboard.html",
        {
            "figures": figures,
            "year": year,
            "years": _years(),
            "charts": chart_data(figures),
            "can_download": can_download,
            "ready": {
                kind: files.ready_file(year=year, kind=kind, viewer=request.user) for kind in files.KINDS
            }
            if can_download
            else {},
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


def _progress_context(row: ReportFile, year: int, kind: str) -> dict[str, Any]:
    elapsed = None
    if row.started_at and row.status == FileStatus.RUNNING:
        elapsed = max(0, int((timezone.now() - row.started_at).total_seconds()))
    last = (
        ReportFile.objects.filter(kind=row.kind, status=FileStatus.READY, finished_at__isnull=False)
        .exclude(pk=row.pk)
        .order_by("-finished_at")
        .first()
    )
    return {
        "job": row,
        "last_seconds": round(last.seconds) if last and last.seconds is not None else None,
        "year": year,
        "kind": kind,
        "step_label": STEPS.get(row.step or "queued", ""),
        "elapsed": elapsed,
        "file_url": reverse(f"reporting:annual-{kind}", args=[year]),
        "status_url": reverse("reporting:annual-status", args=[year, kind]),
        "poll_seconds": POLL_SECONDS,
    }


def _download(row: ReportFile) -> HttpResponse:
    # Read whole: a national year's workbook is a few MB, and every client (tests included) gets bytes.
    with row.file.open("rb") as fh:
        response = HttpResponse(fh.read(), content_type=files.CONTENT_TYPES[row.kind])
    response["Content-Disposition"] = f'attachment; filename="{files.filename(row.year, row.kind)}"'
    return response


def annual_file(request: HttpRequest, year: int, kind: str, *, api: bool = False) -> HttpResponse:
    """The annual report of ``year`` as ``kind`` ("pdf" or "xlsx"), for those who may download it.

    A file built from the current data is sent at once; otherwise the worker builds it and the page
    shows its progress (the API answers 202 with the progress and Retry-After).
    """
    if not policies.can_download_annual_report(request.user):
        raise PermissionDenied
    year = selectors.parse_year(year)
    row = files.request_file(year=year, kind=kind, viewer=request.user)
    if row.status == FileStatus.READY:
        return _download(row)
    if api:
        response = JsonResponse(
            {
                "status": row.status,
                "progress": row.progress,
                "step": str(STEPS.get(row.step or "queued", "")),
                "url": request.get_full_path(),
            },
            status=202,
        )
        response["Retry-After"] = str(POLL_SECONDS)
        return response
    return render(request, "reporting/annual_progress.html", _progress_context(row, year, kind))


@login_required
def annual_pdf(request: HttpRequest, year: int) -> HttpResponse:
    return annual_file(request, year, "pdf")


@login_required
def annual_xlsx(request: HttpRequest, year: int) -> HttpResponse:
    return annual_file(request, year, "xlsx")


@login_required
def annual_status(request: HttpRequest, year: int, kind: str) -> HttpResponse:
    """The progress panel (htmx polls it); once the file is ready, ``annual.js`` starts the download."""
    if kind not in files.KINDS:
        raise Http404
    if not policies.can_download_annual_report(request.user):
        raise PermissionDenied
    year = selectors.parse_year(year)
    row = files.request_file(year=year, kind=kind, viewer=request.user)
    context = _progress_context(row, year, kind)
    return render(request, "reporting/annual_progress_panel.html", context)

"""The annual report files: built by the worker, served from the cache while the data stays the same."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db.models import F
from django.test import Client
from django.utils import timezone

from lianmeng.accounts.models import Role, RoleAssignment
from lianmeng.core import writes
from lianmeng.reporting import freshness, tasks
from lianmeng.reporting.models import FileStatus, ReportFile

pytestmark = pytest.mark.django_db
BUILD = tasks.annual_report_build


@pytest.fixture
def office(make_user: Callable[..., Any], cities: dict[str, Any]) -> Client:
    user = make_user()
    RoleAssignment.objects.create(user=user, role=Role.SECRETARIAT)
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Ids of the files the (immediate) worker built."""
    seen: list[int] = []

    class Counting:
        def enqueue(self, file_id: int) -> None:
            seen.append(file_id)
            BUILD.call(file_id)

    monkeypatch.setattr(tasks, "annual_report_build", Counting())
    return seen


@pytest.mark.django_db(transaction=True)  # real commits: the version rises after them
def test_the_second_download_is_the_cached_file_until_the_data_changes(
    office: Client, builds: list[int], make_org: Callable[..., Any]
) -> None:
    year = timezone.localdate().year
    first = office.get(f"/reports/{year}/annual.xlsx")
    assert first.status_code == 200 and first["Content-Disposition"].endswith(f'-{year}.xlsx"')
    assert len(builds) == 1

    started = time.monotonic()
    again = office.get(f"/reports/{year}/annual.xlsx")
    assert time.monotonic() - started < 1, "served from the cache"
    assert again.content == first.content and len(builds) == 1
    dashboard = office.get(f"/reports/?year={year}").content.decode()
    assert "Excel 已按当前数据生成" in dashboard, "the dashboard says which file is ready"

    before = freshness.current()
    make_org("缓存测试新单位")  # a committed write to a reported table
    assert freshness.current() > before
    office.get(f"/reports/{year}/annual.xlsx")
    assert len(builds) == 2, "a change in the data makes the next download a new build"
    assert ReportFile.objects.filter(kind="xlsx").count() == 1, "the stale file is removed"


@pytest.mark.django_db(transaction=True)
def test_writes_outside_the_reports_do_not_invalidate(office: Client, make_user: Callable[..., Any]) -> None:
    before = freshness.current()
    make_user()  # accounts, not reported
    assert freshness.current() == before
    # A queryset update outside any transaction (autocommit) counts too: the wrapper sees the SQL.
    from lianmeng.core.models import City

    City.objects.filter(name="青岛").update(position=F("position"))
    assert freshness.current() == before + 1
    assert (
        writes.written_table('UPDATE "membership_organization" SET "name" = %s') == "membership_organization"
    )
    assert writes.written_table('INSERT INTO "governance_vote" ("x") VALUES (1)') == "governance_vote"
    assert writes.written_table('SELECT * FROM "membership_organization"') is None
    assert freshness.reported("library_landing") and not freshness.reported("notifications_notification")
    assert not freshness.reported("governance_noticereceipt")


def test_while_the_worker_builds_the_page_shows_progress_and_the_api_answers_202(
    office: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    queued: list[int] = []
    monkeypatch.setattr(
        tasks, "annual_report_build", type("Queue", (), {"enqueue": staticmethod(queued.append)})()
    )
    year = timezone.localdate().year

    page = office.get(f"/reports/{year}/annual.pdf")
    assert page.status_code == 200 and page["Content-Type"].startswith("text/html")
    html = page.content.decode()
    assert 'id="annual-progress"' in html and 'data-status="queued"' in html
    assert f'hx-get="/reports/{year}/annual-pdf/status/"' in html and "every 1s" in html
    assert len(queued) == 1
    office.get(f"/reports/{year}/annual.pdf")
    assert len(queued) == 1, "asking again does not queue a second build"

    row = ReportFile.objects.get(pk=queued[0])
    ReportFile.objects.filter(pk=row.pk).update(
        status=FileStatus.RUNNING, progress=45, step="layout", started_at=timezone.now()
    )
    panel = office.get(f"/reports/{year}/annual-pdf/status/", HTTP_HX_REQUEST="true").content.decode()
    assert "45%" in panel and "排版 PDF" in panel and 'hx-trigger="every 1s"' in panel

    api = office.get(f"/api/v1/reports/{year}/annual.pdf")
    assert api.status_code == 202 and api["Retry-After"] == "1"
    assert api.json()["status"] == "running" and api.json()["progress"] == 45

    BUILD.call(row.pk)  # the worker finishes
    panel = office.get(f"/reports/{year}/annual-pdf/status/", HTTP_HX_REQUEST="true").content.decode()
    assert 'data-status="ready"' in panel and "hx-trigger" not in panel, "polling stops"
    done = office.get(f"/reports/{year}/annual.pdf")
    assert done.status_code == 200 and done.content.startswith(b"%PDF")


def test_a_failed_build_is_said_and_the_next_request_tries_again(
    office: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lianmeng.reporting import render

    def broken(*args: Any, **kwargs: Any) -> bytes:
        raise RuntimeError("font missing")

    monkeypatch.setattr(tasks, "report_pdf", broken)
    year = timezone.localdate().year
    page = office.get(f"/reports/{year}/annual.pdf").content.decode()
    assert 'data-status="failed"' in page and "生成失败" in page
    assert ReportFile.objects.get().error == "RuntimeError: font missing"

    monkeypatch.setattr(tasks, "report_pdf", render.report_pdf)
    assert office.get(f"/reports/{year}/annual.pdf").content.startswith(b"%PDF")

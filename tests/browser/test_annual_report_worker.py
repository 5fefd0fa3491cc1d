"""The annual PDF as a user gets it: a click, a progress page while `db_worker` builds it, the download
starting by itself, and a PDF that reads as the year's report (pdftotext). A second click downloads the
kept file at once."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Browser, expect

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed"),
]


def test_the_annual_pdf_is_built_by_the_worker_with_progress_then_downloads(
    browser: Browser,
    live_server: Any,
    cities: Any,
    make_org: Any,
    make_user: Any,
    login: Any,
    settings: Any,
    tmp_path: Path,
) -> None:
    # The queue of production (the tests' default runs tasks inside the request).
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    make_org("青岛年度报告测试产业园", city="青岛", kind="park")
    make_user("secretariat", username="office", display_name="秘书处")
    year = timezone.localdate().year
    context = browser.new_context(
        locale="zh-CN", accept_downloads=True, viewport={"width": 1366, "height": 900}
    )
    page = context.new_page()
    login(page, "office")
    page.goto(f"{live_server.url}/reports/?year={year}")
    page.get_by_role("link", name="下载年度报告（PDF）").click()

    panel = page.locator("#annual-progress")
    expect(panel).to_have_attribute("data-status", "queued")
    expect(panel).to_contain_text("排队等待后台进程")
    expect(page.locator("h1")).to_contain_text(f"{year} 年度报告（PDF）")
    page.screenshot(path=str(tmp_path / "progress.png"))

    with page.expect_download(timeout=60_000) as download:
        call_command("db_worker", batch=True, reload=False, interval=0, verbosity=0)
    expect(panel).to_have_attribute("data-status", "ready")
    expect(page.locator("#annual-download")).to_be_visible()
    pdf = tmp_path / "annual.pdf"
    download.value.save_as(pdf)
    assert download.value.suggested_filename == f"lianmeng-annual-report-{year}.pdf"
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    flat = "".join(text.split())
    assert f"{year}年度报告" in flat and "入盟单位" in flat

    # The second time, the kept file comes at once: no progress page, no worker.
    started = time.monotonic()
    with page.expect_download(timeout=10_000) as again:
        page.evaluate(
            "url => { window.location.assign(url) }", f"{live_server.url}/reports/{year}/annual.pdf"
        )
    assert time.monotonic() - started < 5
    assert Path(again.value.path()).read_bytes() == pdf.read_bytes()
    context.close()

"""The assignment is computed off the request path: the secretariat starts a fair computation, watches its
progress (stage, best worst entry, gap, seconds) by polling, and applies it; meanwhile another secretary
edits the round's proposal without waiting for the computation. The worker's part runs in this test's
thread (``run_assignment_job``, as ``lianmeng worker`` would), while the browser polls the live server."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from lianmeng.research import services
from lianmeng.research.models import AssignmentJob, JobStatus, SelectionRound
from lianmeng.research.services import assignment as assignment_services

from ..research.conftest import (  # noqa: F401  (fixtures shared with the service tests)
    contact_for,
    make_expert,
    open_round,
    round_with_entries,
)

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
SHOTS = Path(os.environ.get("LIANMENG_SHOTS", "")) if os.environ.get("LIANMENG_SHOTS") else None


@pytest.mark.django_db(transaction=True)
def test_fair_computation_runs_in_the_background_while_another_secretary_edits(
    live_server: Any,
    browser: Any,
    login: Callable[..., None],
    secretariat: Any,
    make_user: Callable[..., Any],
    round_with_entries: Callable[..., Any],  # noqa: F811
    make_expert: Callable[..., Any],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    selection, _entries = round_with_entries(3, max_load=3)
    for city, words in (("烟台", "零工市场、数字化"), ("日照", "海洋产业、人才飞地"), ("滨州", "劳务协作")):
        make_expert(city=city, keywords=words)
    make_expert("候补专家", city="东营", keywords="零工市场")
    make_user("secretariat", username="secretary2", display_name="李秘书")
    services.assignment_compute(selection=selection, mode="total", actor=secretariat)  # a proposal to edit
    queued: list[int] = []
    monkeypatch.setattr(assignment_services, "_enqueue", queued.append)  # no worker: this test is one

    def page_for(username: str, viewport: dict[str, int]) -> Any:
        context = browser.new_context(
            viewport=viewport, locale="zh-CN", extra_http_headers={"Accept-Language": "zh-CN"}
        )
        page = context.new_page()
        login(page, username)
        page.goto(f"{live_server.url}/research/rounds/{selection.pk}/assignment/")
        return page

    first = page_for("secretary", DESKTOP)
    first.select_option("select[name=mode]", "fair")
    first.click("#compute")
    expect(first.locator("body")).to_contain_text("已开始计算分配")
    expect(first.locator("#job-status")).to_contain_text("排队等待")
    expect(first.locator("#compute")).to_be_disabled()  # one computation of a round at a time
    assert queued and AssignmentJob.objects.get(pk=queued[0]).status == JobStatus.QUEUED
    second = page_for("secretary2", PHONE)

    real_solve = assignment_services.solver.solve
    watched: list[str] = []

    def solve_and_watch(problem: Any, mode: str, **kwargs: Any) -> Any:
        report = kwargs.pop("progress")

        def progress(stage: str, worst: int | None, ceiling: float | None, seconds: float) -> None:
            report(stage, worst, ceiling, seconds)
            if stage != "ceiling" or watched:
                return
            watched.append(stage)
            # The first page polls and shows the stage, the best worst entry so far and the gap.
            expect(first.locator("#job-stage")).to_contain_text("线性规划上限", timeout=10_000)
            expect(first.locator("#job-worst")).to_have_text(str(worst))
            expect(first.locator("#job-gap")).to_contain_text("%")
            # The other secretary edits the proposal now: nothing waits for the computation.
            second.reload()
            expect(second.locator("#job-status")).to_contain_text("正在计算")
            if SHOTS:
                first.screenshot(path=str(SHOTS / "assignment-progress-1366.png"), full_page=False)
                second.screenshot(path=str(SHOTS / "assignment-progress-390.png"), full_page=True)
            second.locator("button[value=remove]").first.click()
            expect(second.locator("body")).to_contain_text("已移除", timeout=3_000)
            # Checked now: once the computation ends, the polling page reloads itself.
            assert second.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

        return real_solve(problem, mode, progress=progress, **kwargs)

    monkeypatch.setattr(assignment_services.solver, "solve", solve_and_watch)
    assert assignment_services.run_assignment_job(queued[0]) == JobStatus.DONE
    assert watched == ["ceiling"]

    expect(first.locator("#job-status")).to_contain_text("计算完成", timeout=10_000)
    expect(first.locator("#job-result")).to_contain_text("最差项目匹配度")
    if SHOTS:
        first.screenshot(path=str(SHOTS / "assignment-done-1366.png"), full_page=False)
    first.once("dialog", lambda d: d.accept())  # it replaces the proposal not yet sent
    first.click("#job-apply")
    expect(first.locator("body")).to_contain_text("已应用计算结果")
    expect(first.locator("#optimality")).to_be_visible()
    selection = SelectionRound.objects.get(pk=selection.pk)
    assert selection.assignment_mode == "fair"
    assert selection.assignment_figures["ceiling"] >= selection.assignment_figures["worst"]
    assert selection.assignments.count() == 3 * selection.reviewers_per_entry
    assert AssignmentJob.objects.get(pk=queued[0]).status == JobStatus.APPLIED
    assert first.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

"""Assignment computations as background jobs: nothing changes until the result is applied, a changed
round refuses the result and asks to compute again, cancelling, one computation at a time, and the page
saying plainly when no worker has picked the job up."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from lianmeng.research import services
from lianmeng.research.models import AssignmentJob, JobStatus
from lianmeng.research.services.assignment import run_assignment_job

pytestmark = pytest.mark.django_db


@pytest.fixture
def ready(round_with_entries: Callable[..., Any], make_expert: Callable[..., Any]) -> Any:
    selection, _entries = round_with_entries(3, max_load=3)
    for city, words in (("烟台", "零工市场、数字化"), ("日照", "海洋产业、人才飞地"), ("滨州", "劳务协作")):
        make_expert(city=city, keywords=words)
    return selection


def test_the_result_waits_for_the_secretariat_and_then_replaces_the_proposal(
    ready: Any, secretariat: Any
) -> None:
    job = services.assignment_start(selection=ready, mode="fair", actor=secretariat, enqueue=False)
    assert job.status == JobStatus.QUEUED and job.signature
    assert run_assignment_job(job.pk) == JobStatus.DONE
    job.refresh_from_db()
    assert job.best_worst is not None and job.ceiling is not None and job.ceiling >= job.best_worst
    assert job.result["figures"]["mode"] == "fair" and len(job.result["pairs"]) == 6
    assert not ready.assignments.exists()  # computed, not applied
    selection = services.assignment_apply(job=job, actor=secretariat)
    assert selection.assignments.count() == 6 and selection.assignment_mode == "fair"
    assert all(a.explanation is not None for a in selection.assignments.all())
    job.refresh_from_db()
    assert job.status == JobStatus.APPLIED
    with pytest.raises(ValidationError, match="没有可应用的结果"):
        services.assignment_apply(job=job, actor=secretariat)


def test_a_round_changed_since_the_start_asks_to_compute_again(
    ready: Any, secretariat: Any, make_expert: Callable[..., Any]
) -> None:
    job = services.assignment_start(selection=ready, mode="total", actor=secretariat, enqueue=False)
    run_assignment_job(job.pk)
    make_expert(city="东营", keywords="零工市场")  # a new expert in the pool: the result no longer fits
    with pytest.raises(ValidationError, match="请重新计算"):
        services.assignment_apply(job=AssignmentJob.objects.get(pk=job.pk), actor=secretariat)
    assert AssignmentJob.objects.get(pk=job.pk).status == JobStatus.STALE
    assert not ready.assignments.exists()


def test_cancel_and_one_computation_at_a_time(ready: Any, secretariat: Any) -> None:
    job = services.assignment_start(selection=ready, mode="fair", actor=secretariat, enqueue=False)
    with pytest.raises(ValidationError, match="已有一次计算正在进行"):
        services.assignment_start(selection=ready, mode="total", actor=secretariat, enqueue=False)
    services.assignment_cancel(job=job, actor=secretariat)
    assert AssignmentJob.objects.get(pk=job.pk).status == JobStatus.CANCELLED
    assert run_assignment_job(job.pk) == JobStatus.CANCELLED  # the worker computes nothing
    with pytest.raises(ValidationError, match="1 到 600 秒"):
        services.assignment_start(
            selection=ready, mode="fair", actor=secretariat, time_limit=0, enqueue=False
        )


def test_a_running_job_stops_when_cancelled(
    ready: Any, secretariat: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lianmeng.research.services import assignment as assignment_services

    job = services.assignment_start(selection=ready, mode="fair", actor=secretariat, enqueue=False)
    real = assignment_services.solver.solve

    def cancelled_meanwhile(problem: Any, mode: str, **kwargs: Any) -> Any:
        AssignmentJob.objects.filter(pk=job.pk).update(cancel_requested=True)  # the secretariat clicks 取消
        return real(problem, mode, **kwargs)

    monkeypatch.setattr(assignment_services.solver, "solve", cancelled_meanwhile)
    assert run_assignment_job(job.pk) == JobStatus.CANCELLED
    assert not ready.assignments.exists()


def test_the_page_says_when_no_worker_has_started_the_computation(ready: Any, secretariat: Any) -> None:
    job = services.assignment_start(selection=ready, mode="fair", actor=secretariat, enqueue=False)
    client = Client()
    client.force_login(secretariat)
    page = client.get(f"/research/rounds/{ready.pk}/assignment/").content.decode()
    assert 'id="job-status"' in page and "排队等待" in page and "job-no-worker" not in page
    AssignmentJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - datetime.timedelta(seconds=40))
    panel = client.get(f"/research/rounds/{ready.pk}/assignment/jobs/{job.pk}/").content.decode()
    assert "job-no-worker" in panel and "lianmeng worker" in panel and "hx-trigger" in panel


def test_the_polled_panel_reloads_the_page_once_the_job_ends(ready: Any, secretariat: Any) -> None:
    job = services.assignment_start(selection=ready, mode="total", actor=secretariat, enqueue=False)
    client = Client()
    client.force_login(secretariat)
    url = f"/research/rounds/{ready.pk}/assignment/jobs/{job.pk}/"
    assert "HX-Refresh" not in client.get(url, headers={"HX-Request": "true"})
    run_assignment_job(job.pk)
    finished = client.get(url, headers={"HX-Request": "true"})
    assert finished["HX-Refresh"] == "true" and "job-apply" in finished.content.decode()

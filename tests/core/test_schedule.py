"""One scheduler enqueues every mechanism's periodic work once per period, across workers."""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from lianmeng.core.models import ScheduleRun
from lianmeng.core.schedule import DAY, JOBS, MINUTES_5, WEEK, Job, is_due, run_due

SH = ZoneInfo("Asia/Shanghai")
MONDAY_0930 = datetime.datetime(2026, 11, 30, 9, 30, tzinfo=SH)


def test_daily_job_waits_for_its_hour_and_runs_once_a_day() -> None:
    job = Job("x", DAY, at_hour=8)
    assert not is_due(job, None, datetime.datetime(2026, 11, 30, 7, 59, tzinfo=SH))
    assert is_due(job, None, datetime.datetime(2026, 11, 30, 8, 0, tzinfo=SH))
    ran = datetime.datetime(2026, 11, 30, 8, 1, tzinfo=SH)
    assert not is_due(job, ran, datetime.datetime(2026, 11, 30, 23, 59, tzinfo=SH))
    assert is_due(job, ran, datetime.datetime(2026, 12, 1, 8, 0, tzinfo=SH))


def test_weekly_job_runs_on_its_weekday_only() -> None:
    job = Job("x", WEEK, at_hour=9, weekday=0)
    assert is_due(job, None, MONDAY_0930)
    assert not is_due(job, None, MONDAY_0930 + datetime.timedelta(days=1))
    assert not is_due(job, MONDAY_0930, MONDAY_0930 + datetime.timedelta(hours=3))
    assert is_due(job, MONDAY_0930, MONDAY_0930 + datetime.timedelta(days=7))


def test_short_period_job() -> None:
    job = Job("x", MINUTES_5)
    assert not is_due(job, MONDAY_0930, MONDAY_0930 + datetime.timedelta(minutes=4))
    assert is_due(job, MONDAY_0930, MONDAY_0930 + datetime.timedelta(minutes=5))


@pytest.mark.django_db
def test_run_due_runs_every_real_task_once_per_period(cities: Any) -> None:
    """The tasks run for real (the test task backend executes at enqueue): every path in JOBS exists."""
    first = run_due(MONDAY_0930)
    assert sorted(first) == sorted(job.task for job in JOBS)
    assert run_due(MONDAY_0930 + datetime.timedelta(minutes=1)) == []
    later = run_due(MONDAY_0930 + datetime.timedelta(minutes=6))
    assert sorted(later) == sorted(job.task for job in JOBS if job.every == MINUTES_5)
    assert ScheduleRun.objects.count() == len(JOBS)

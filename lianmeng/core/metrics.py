"""Prometheus metrics (prometheus_client), served at ``/metrics`` by ``lianmeng.core.health``.

Across gunicorn workers: ``lianmeng serve`` points ``PROMETHEUS_MULTIPROC_DIR`` at a directory of its own
(``var/run/serve-<port>/metrics``, emptied at each start) before gunicorn starts its workers. Each worker
then writes its counters and histograms to memory-mapped files there, and a scrape, whichever worker answers
it, adds up the files of every worker, the dead ones included (a restarted worker's counts are not lost).
Without that variable (tests, ``runserver``) the metrics live in the one process. Task figures are not
counted by processes at all: they are read from the task table at each scrape, so they are right however
many web hosts and workers there are.

Series:

- ``lianmeng_http_requests_total{view,method,status}`` — requests answered, per URL name;
- ``lianmeng_http_request_duration_seconds{view}`` — histogram of the time to answer, per URL name;
- ``lianmeng_task_queue_depth{queue}`` — tasks waiting whose time has come (READY, ``run_after`` passed);
- ``lianmeng_task_oldest_waiting_seconds`` — age of the oldest such task (grows when no worker runs);
- ``lianmeng_tasks_running`` — tasks a worker has taken and not finished;
- ``lianmeng_task_failures_total`` — failed task results kept in the task table;
- ``lianmeng_task_failures_last_hour`` — tasks that failed within the last hour.
"""

from __future__ import annotations

import datetime
import logging
import os
from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram, disable_created_metrics, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

log = logging.getLogger(__name__)

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
disable_created_metrics()  # no *_created series: Prometheus does not need them

REGISTRY = CollectorRegistry()

REQUESTS = Counter(
    "lianmeng_http_requests",
    "Requests answered, per view (URL name), method and status code.",
    ["view", "method", "status"],
    registry=REGISTRY,
)
LATENCY = Histogram(
    "lianmeng_http_request_duration_seconds",
    "Time to answer a request, per view (URL name).",
    ["view"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
    registry=REGISTRY,
)


def observe_request(*, view: str, method: str, status: int, seconds: float) -> None:
    REQUESTS.labels(view=view, method=method, status=str(status)).inc()
    LATENCY.labels(view=view).observe(seconds)


class TaskCollector(Collector):
    """Reads the django-tasks table at each scrape: what is waiting, running and failed."""

    def describe(self) -> list[GaugeMetricFamily]:
        return []  # registering must not query the database

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        from django.db.models import Count, Min
        from django.utils import timezone
        from django_tasks.base import TaskResultStatus
        from django_tasks_db.models import DBTaskResult

        try:
            now = timezone.now()
            ready = DBTaskResult.objects.ready()
            depth = {
                row["queue_name"]: row["n"]
                for row in ready.values("queue_name").annotate(n=Count("id")).order_by()
            }
            oldest = ready.aggregate(oldest=Min("enqueued_at"))["oldest"]
            running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).count()
            failed = DBTaskResult.objects.filter(status=TaskResultStatus.FAILED)
            failed_total = failed.count()
            failed_recent = failed.filter(finished_at__gte=now - datetime.timedelta(hours=1)).count()
        except Exception:  # the database is down: /readyz says so; the request metrics are still served
            log.exception("task metrics unavailable")
            return
        queue = GaugeMetricFamily(
            "lianmeng_task_queue_depth", "Tasks waiting whose time has come, per queue.", labels=["queue"]
        )
        for name in sorted(depth.keys() | {"default"}):
            queue.add_metric([name], depth.get(name, 0))
        yield queue
        yield GaugeMetricFamily(
            "lianmeng_task_oldest_waiting_seconds",
            "Age of the oldest task waiting whose time has come (0 when none).",
            value=(now - oldest).total_seconds() if oldest else 0,
        )
        yield GaugeMetricFamily(
            "lianmeng_tasks_running", "Tasks taken by a worker, not finished.", value=running
        )
        yield CounterMetricFamily(
            "lianmeng_task_failures", "Failed task results kept in the task table.", value=failed_total
        )
        yield GaugeMetricFamily(
            "lianmeng_task_failures_last_hour", "Tasks that failed within the last hour.", value=failed_recent
        )


TASKS = TaskCollector()
REGISTRY.register(TASKS)


def multiprocess_dir() -> str:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")


def exposition() -> bytes:
    """The text exposition of every series, added up over all worker processes when there are several."""
    if multiprocess_dir():
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        registry.register(TASKS)
        return generate_latest(registry)
    return generate_latest(REGISTRY)

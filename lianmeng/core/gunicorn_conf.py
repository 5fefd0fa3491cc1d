"""gunicorn settings that `lianmeng serve` loads (``--config python:lianmeng.core.gunicorn_conf``)."""

from __future__ import annotations

from typing import Any


def child_exit(server: Any, worker: Any) -> None:
    """A worker ended: its live-gauge files in PROMETHEUS_MULTIPROC_DIR are dropped (its counters and
    histograms stay counted; lianmeng.core.metrics)."""
    from lianmeng.core.metrics import multiprocess_dir

    if multiprocess_dir():
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)

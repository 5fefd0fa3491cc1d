"""gunicorn settings that `lianmeng serve` loads (``--config python:lianmeng.core.gunicorn_conf``)."""

from __future__ import annotations

import os
import sys
from typing import Any

if os.environ.get("LOG_FORMAT", "").strip().lower() == "json":
    # gunicorn's own lines (start, worker boot and exit, timeouts) as JSON too, like the application's.
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "lianmeng.core.observability.JsonFormatter"}},
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
        },
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["console"], "propagate": False},
            # A logging configuration makes gunicorn write its access log; only `serve --access-log` asks for it
            # (the request log of lianmeng.request has the same lines, with the request id and timings).
            "gunicorn.access": {
                "level": "INFO" if "--access-logfile" in sys.argv else "WARNING",
                "handlers": ["console"],
                "propagate": False,
            },
        },
    }


def child_exit(server: Any, worker: Any) -> None:
    """A worker ended: its live-gauge files in PROMETHEUS_MULTIPROC_DIR are dropped (its counters and
    histograms stay counted; lianmeng.core.metrics)."""
    from lianmeng.core.metrics import (
        multiprocess_dir,  # cycle: gunicorn reads this file before Django is set up
    )

    if multiprocess_dir():
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)

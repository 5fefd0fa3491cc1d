"""A task for the worker fault tests: it notes which process started and finished it, in files."""

from __future__ import annotations

import os
import time
from pathlib import Path

from django_tasks import task


@task()
def slow_marker(directory: str, seconds: float) -> int:
    """Append this process's id to ``starts``, sleep, then append it to ``done``; returns the id."""
    folder = Path(directory)
    with (folder / "starts").open("a") as fh:
        fh.write(f"{os.getpid()}\n")
    time.sleep(seconds)
    with (folder / "done").open("a") as fh:
        fh.write(f"{os.getpid()}\n")
    return os.getpid()

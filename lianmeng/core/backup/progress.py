"""A one-line progress bar for `lianmeng backup` and `lianmeng restore`, drawn only on a terminal."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """``with Progress("Restoring rows", total=n, unit="rows") as bar: bar.advance(k)``.

    Redrawn at most ten times a second on ``stream`` (stderr by default) when it is a terminal;
    silent otherwise, so cron and systemd logs get the command's summary lines only.
    """

    def __init__(
        self,
        label: str,
        *,
        total: int,
        unit: str = "",
        stream: TextIO | None = None,
        enabled: bool | None = None,
        scale_bytes: bool = False,
    ) -> None:
        self.label = label
        self.total = max(total, 0)
        self.unit = unit
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.scale_bytes = scale_bytes
        self.done = 0
        self.started = time.monotonic()
        self._drawn_at = 0.0

    def __enter__(self) -> Progress:
        self._draw(force=True)
        return self

    def __exit__(self, *exc: object) -> None:
        self._draw(force=True)
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()

    def advance(self, n: int = 1) -> None:
        self.done += n
        self._draw()

    def _amount(self, n: int) -> str:
        if not self.scale_bytes:
            return f"{n:,}"
        size = float(n)
        for unit in ("B", "KB", "MB", "GB"):
            if size < 1024 or unit == "GB":
                return f"{size:,.0f} {unit}" if unit == "B" else f"{size:,.1f} {unit}"
            size /= 1024
        return f"{n:,} B"

    def _draw(self, *, force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if not force and now - self._drawn_at < 0.1:
            return
        self._drawn_at = now
        fraction = min(self.done / self.total, 1.0) if self.total else 1.0
        width = 30
        filled = int(fraction * width)
        elapsed = now - self.started
        eta = ""
        if 0 < fraction < 1 and elapsed > 1:
            eta = f", {elapsed / fraction - elapsed:,.0f} s left"
        amount = f"{self._amount(self.done)}/{self._amount(self.total)}"
        if self.unit:
            amount += f" {self.unit}"
        self.stream.write(
            f"\r{self.label:<18} [{'#' * filled}{'.' * (width - filled)}] {fraction:4.0%} "
            f"{amount} ({elapsed:,.0f} s{eta})\033[K"
        )
        self.stream.flush()

"""Offline reviewer assignment on spreadsheets, with the same solver as the web app.

    lianmeng assign --scores S.csv --conflicts C.csv --reviewers-per-entry 3 --max-load 6 \
        [--min-load 0] [--mode total|fair] --out A.csv

``S.csv`` rows are ``entry,expert,score``; ``C.csv`` rows are ``entry,expert,-1`` (the layout of the
widely used open-source reviewer matcher, so instances can be exchanged); ``A.csv`` gets ``entry,expert``.
Pairs without a score row score 0. Scores are scaled to integers (×10⁶) so the optimum is exact.
"""

from __future__ import annotations

import csv
import time
from pathlib import Path
from typing import Any

import numpy as np
from django.core.management.base import BaseCommand, CommandError, CommandParser

from lianmeng.core.exports import SafeCsvWriter
from lianmeng.research import solver

SCALE = 1_000_000


def _rows(path: str) -> list[list[str]]:
    try:
        with Path(path).open(newline="", encoding="utf-8-sig") as handle:
            return [
                [c.strip() for c in row] for row in csv.reader(handle) if row and any(c.strip() for c in row)
            ]
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc.strerror}") from exc


def load_instance(scores_path: str, conflicts_path: str | None) -> tuple[list[str], list[str], Any, Any]:
    """Entries, experts, the integer affinity matrix and the allowed mask from the two CSV files."""
    scores: dict[tuple[str, str], float] = {}
    entries: dict[str, int] = {}
    experts: dict[str, int] = {}
    for number, row in enumerate(_rows(scores_path), start=1):
        if len(row) < 3:
            raise CommandError(f"{scores_path} row {number}: expected entry,expert,score")
        try:
            value = float(row[2])
        except ValueError:
            if number == 1:
                continue  # a header row
            raise CommandError(f"{scores_path} row {number}: score {row[2]!r} is not a number") from None
        entries.setdefault(row[0], len(entries))
        experts.setdefault(row[1], len(experts))
        scores[(row[0], row[1])] = value
    conflicts: list[tuple[str, str]] = []
    if conflicts_path:
        for number, row in enumerate(_rows(conflicts_path), start=1):
            if len(row) < 2:
                raise CommandError(f"{conflicts_path} row {number}: expected entry,expert,-1")
            if number == 1 and len(row) > 2 and row[2] not in ("-1", "-1.0"):
                continue
            entries.setdefault(row[0], len(entries))
            experts.setdefault(row[1], len(experts))
            conflicts.append((row[0], row[1]))
    aff = np.zeros((len(entries), len(experts)), dtype=np.int64)
    for (e, x), value in scores.items():
        aff[entries[e], experts[x]] = round(value * SCALE)
    if (aff < 0).any():
        aff -= aff.min()  # only differences matter when every entry gets exactly k reviewers
    allowed = np.ones_like(aff, dtype=bool)
    for e, x in conflicts:
        allowed[entries[e], experts[x]] = False
    return list(entries), list(experts), aff, allowed


def _optimality(result: solver.Solution) -> str:
    if result.optimal:
        return "proven optimal"
    if result.mode == "fair" and result.worst_optimal:
        return "worst entry proven optimal; total is the best found within the time limit"
    return "best found within the time limit (not proven optimal)"


class Command(BaseCommand):
    help = "Assign reviewers offline: optimal under k, load limits and conflicts (CSV in, CSV out)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scores", required=True, help="S.csv: entry,expert,score")
        parser.add_argument("--conflicts", help="C.csv: entry,expert,-1")
        parser.add_argument("--reviewers-per-entry", type=int, required=True)
        parser.add_argument("--max-load", type=int, required=True)
        parser.add_argument("--min-load", type=int, default=0)
        parser.add_argument("--mode", choices=solver.MODES, default="total")
        parser.add_argument("--out", required=True, help="A.csv: entry,expert")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        entries, experts, aff, allowed = load_instance(options["scores"], options["conflicts"])
        if not entries:
            raise CommandError("no entries in the scores file")
        problem = solver.Problem(
            affinity=aff,
            allowed=allowed,
            k=options["reviewers_per_entry"],
            max_load=options["max_load"],
            min_load=options["min_load"],
        )
        try:
            result = solver.solve(problem, options["mode"], labels=entries)
        except solver.NoValidAssignment as exc:
            raise CommandError("no valid assignment: " + "; ".join(exc.reasons)) from exc
        with Path(options["out"]).open("w", newline="", encoding="utf-8") as handle:
            writer = SafeCsvWriter(handle)  # labels come from the input files: no formula in the output
            for e, x in result.pairs:
                writer.writerow([entries[e], experts[x]])
        worst = entries[result.worst_entry] if result.worst_entry is not None else ""
        self.stdout.write(
            f"mode {result.mode}: {len(result.pairs)} pairs, {len(entries)} entries x {len(experts)} experts\n"
            f"total {result.total / SCALE:.6f}\n"
            f"worst entry {worst} ({result.worst / SCALE:.6f})\n"
            f"loads {int(result.loads.min())}-{int(result.loads.max())}\n"
            f"{_optimality(result)}\n"
            f"seconds {time.perf_counter() - started:.3f}"
        )

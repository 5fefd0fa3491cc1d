"""``lianmeng assign``: offline reviewer assignment on spreadsheets, with the same solver as the web app.

    lianmeng assign --scores S.csv --conflicts C.csv --reviewers-per-entry 3 --max-load 6 \\
        [--min-load 0] [--mode total|fair] [--time-limit 20] --out A.csv

``S.csv`` rows are ``entry,expert,score``; ``C.csv`` rows are ``entry,expert,-1`` (the layout of the
widely used open-source reviewer matcher, so instances can be exchanged); ``A.csv`` gets ``entry,expert``.
Pairs without a score row score 0. Scores are scaled to integers (x10^6) so the optimum is exact.

No Django here: ``lianmeng.cli`` runs this module directly, without settings, a database or a
``SECRET_KEY`` (start-up is the Python interpreter, NumPy and OR-Tools). ``lianmeng.research``'s
management command of the same name wraps it for ``manage.py`` and ``call_command``.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from lianmeng.core.exports import SafeCsvWriter
from lianmeng.research import solver

SCALE = 1_000_000


class AssignError(Exception):
    """A message for the user (bad file, no valid assignment); the command exits with status 1."""


def _rows(path: str) -> list[list[str]]:
    """The non-empty rows of a CSV file, cells stripped. Plain files (no quotes) are split directly,
    which is several times faster than the csv module's rows plus stripping for 150,000 rows."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise AssignError(f"cannot read {path}: {exc.strerror}") from exc
    except UnicodeDecodeError:
        raise AssignError(f"cannot read {path}: not UTF-8 text") from None
    if '"' in text:
        raw = list(csv.reader(text.splitlines()))
    else:
        raw = [line.split(",") for line in text.splitlines()]
    if " " in text or "\t" in text:
        raw = [[c.strip() for c in row] for row in raw]
    return [row for row in raw if row and any(row)]


def _plain_columns(path: str, width: int) -> list[list[str]] | None:
    """The first ``width`` columns of a plain CSV file (no quotes, no blanks around cells, exactly
    ``width`` cells on every non-empty line), split in bulk: about half the time of row-by-row reading
    at 150,000 rows. None when the file is not that plain (the row-by-row reader then reads it and
    names a bad row)."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None
    if '"' in text or " " in text or "\t" in text:
        return None
    lines = [line for line in text.splitlines() if line]
    if not lines or text.count(",") != (width - 1) * len(lines):
        return None
    cells = ",".join(lines).split(",")
    return [cells[c::width] for c in range(width)]


def _numbers(values: list[str]) -> Any:
    """The values as floats, None when one is not a number."""
    try:
        return np.array(values, dtype=np.float64)
    except ValueError:
        return None


def _indices(names: list[str], index: dict[str, int]) -> Any:
    """Each name's number, new names numbered in order of first appearance (``index`` grows)."""
    for name in dict.fromkeys(names):
        index.setdefault(name, len(index))
    return np.fromiter(map(index.__getitem__, names), dtype=np.int64, count=len(names))


def _read_fast(scores_path: str, conflicts_path: str | None) -> tuple[list[str], list[str], Any, Any] | None:
    """``load_instance`` on plain files, column-wise; None when a file needs the row-by-row reader."""
    scores = _plain_columns(scores_path, 3)
    if scores is None:
        return None
    values = _numbers(scores[2])
    if values is None:  # a header row, or a bad score somewhere
        values = _numbers(scores[2][1:])
        if values is None:
            return None
        scores = [column[1:] for column in scores]
    conflicts: list[list[str]] = [[], [], []]
    if conflicts_path:
        read = _plain_columns(conflicts_path, 3)
        if read is None:
            return None
        conflicts = read
        if conflicts[2] and conflicts[2][0] not in ("-1", "-1.0"):
            conflicts = [column[1:] for column in conflicts]  # a header row
    entries: dict[str, int] = {}
    experts: dict[str, int] = {}
    ei, xi = _indices(scores[0], entries), _indices(scores[1], experts)
    ce, cx = _indices(conflicts[0], entries), _indices(conflicts[1], experts)
    return list(entries), list(experts), *_matrices(entries, experts, ei, xi, values, ce, cx)


def _matrices(
    entries: dict[str, int], experts: dict[str, int], ei: Any, xi: Any, values: Any, ce: Any, cx: Any
) -> tuple[Any, Any]:
    aff = np.zeros((len(entries), len(experts)), dtype=np.int64)
    if len(values):
        aff[ei, xi] = np.round(np.asarray(values, dtype=np.float64) * SCALE).astype(np.int64)
    if (aff < 0).any():
        aff -= aff.min()  # only differences matter when every entry gets exactly k reviewers
    allowed = np.ones_like(aff, dtype=bool)
    if len(ce):
        allowed[ce, cx] = False
    return aff, allowed


def _read_large(scores_path: str, conflicts_path: str | None) -> tuple[list[str], list[str], Any, Any] | None:
    """``load_instance`` through pandas' C reader (pandas comes with OR-Tools): 2,000,000 rows in about
    a second, where splitting in Python takes several. Importing pandas costs a few tenths of a second,
    so only large files come here. None when a file needs the row-by-row reader (bad or short rows,
    blanks around names)."""
    import pandas as pd

    def frame(path: str, score: type, header: int | None) -> Any:
        return pd.read_csv(
            path,
            header=None,
            skiprows=header,
            names=["entry", "expert", "value"],
            dtype={"entry": str, "expert": str, "value": score},
            skipinitialspace=True,
            encoding="utf-8-sig",
            engine="c",
        )

    try:
        try:
            scores = frame(scores_path, float, None)
        except ValueError:  # a header row (or a bad score: the row-by-row reader names it)
            scores = frame(scores_path, float, 1)
        conflicts = frame(conflicts_path, str, None) if conflicts_path else None
    except (ValueError, OSError, UnicodeDecodeError):
        return None
    if scores.isna().to_numpy().any():
        return None
    if conflicts is not None:
        if len(conflicts) and str(conflicts["value"].iloc[0]) not in ("-1", "-1.0", "nan"):
            conflicts = conflicts.iloc[1:]
        if conflicts[["entry", "expert"]].isna().to_numpy().any():
            return None
    codes: list[Any] = []
    names: list[list[str]] = []
    for column in ("entry", "expert"):
        both = scores[column] if conflicts is None else pd.concat([scores[column], conflicts[column]])
        code, unique = pd.factorize(both, sort=False)  # numbered in order of first appearance
        labels = [str(v) for v in unique]
        if any(v != v.strip() for v in labels):
            return None
        codes.append(np.asarray(code, dtype=np.int64))
        names.append(labels)
    n = len(scores)
    entries = {v: i for i, v in enumerate(names[0])}
    experts = {v: i for i, v in enumerate(names[1])}
    values = scores["value"].to_numpy(dtype=np.float64)
    aff, allowed = _matrices(entries, experts, codes[0][:n], codes[1][:n], values, codes[0][n:], codes[1][n:])
    return names[0], names[1], aff, allowed


LARGE_FILE = 8_000_000  # bytes of scores (about 250,000 rows) from which pandas reads them


def load_instance(scores_path: str, conflicts_path: str | None) -> tuple[list[str], list[str], Any, Any]:
    """Entries, experts, the integer affinity matrix and the allowed mask from the two CSV files."""
    try:
        large = Path(scores_path).stat().st_size > LARGE_FILE
    except OSError as exc:
        raise AssignError(f"cannot read {scores_path}: {exc.strerror}") from exc
    fast = (_read_large if large else _read_fast)(scores_path, conflicts_path)
    return fast if fast is not None else _read_rows(scores_path, conflicts_path)


def _read_rows(scores_path: str, conflicts_path: str | None) -> tuple[list[str], list[str], Any, Any]:
    """``load_instance`` row by row: any CSV (quotes, blanks around cells); names a bad row."""
    entries: dict[str, int] = {}
    experts: dict[str, int] = {}
    ei: list[int] = []
    xi: list[int] = []
    values: list[float] = []
    for number, row in enumerate(_rows(scores_path), start=1):
        if len(row) < 3:
            raise AssignError(f"{scores_path} row {number}: expected entry,expert,score")
        try:
            value = float(row[2])
        except ValueError:
            if number == 1:
                continue  # a header row
            raise AssignError(f"{scores_path} row {number}: score {row[2]!r} is not a number") from None
        ei.append(entries.setdefault(row[0], len(entries)))
        xi.append(experts.setdefault(row[1], len(experts)))
        values.append(value)
    ce: list[int] = []
    cx: list[int] = []
    if conflicts_path:
        for number, row in enumerate(_rows(conflicts_path), start=1):
            if len(row) < 2:
                raise AssignError(f"{conflicts_path} row {number}: expected entry,expert,-1")
            if number == 1 and len(row) > 2 and row[2] not in ("-1", "-1.0"):
                continue
            ce.append(entries.setdefault(row[0], len(entries)))
            cx.append(experts.setdefault(row[1], len(experts)))
    aff, allowed = _matrices(
        entries,
        experts,
        np.array(ei, dtype=np.int64),
        np.array(xi, dtype=np.int64),
        np.array(values, dtype=np.float64),
        np.array(ce, dtype=np.int64),
        np.array(cx, dtype=np.int64),
    )
    return list(entries), list(experts), aff, allowed


def _optimality(result: solver.Solution) -> str:
    if result.optimal:
        return "proven optimal"
    if result.mode == "fair" and result.worst_optimal:
        return "worst entry proven optimal; total is the best found within the time limit"
    return "best found within the time limit (not proven optimal)"


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="lianmeng assign",
        description="Assign reviewers offline: optimal under k, load limits and conflicts (CSV in, CSV out).",
    )
    add_arguments(p)
    return p


def add_arguments(p: Any) -> None:
    p.add_argument("--scores", required=True, help="S.csv: entry,expert,score")
    p.add_argument("--conflicts", help="C.csv: entry,expert,-1")
    p.add_argument("--reviewers-per-entry", type=int, required=True)
    p.add_argument("--max-load", type=int, required=True)
    p.add_argument("--min-load", type=int, default=0)
    p.add_argument("--mode", choices=solver.MODES, default="total")
    p.add_argument(
        "--time-limit",
        type=float,
        default=solver.FAIR_TIME_LIMIT,
        help=f"fair mode: seconds for the whole computation (default {solver.FAIR_TIME_LIMIT:g})",
    )
    p.add_argument("--out", required=True, help="A.csv: entry,expert")


def run(options: dict[str, Any], stdout: Any) -> solver.Solution:
    """Read, solve, write; print the figures (and how long reading and solving took)."""
    started = time.perf_counter()
    if options["reviewers_per_entry"] < 1 or options["max_load"] < 1 or options["min_load"] < 0:
        raise AssignError("--reviewers-per-entry and --max-load must be at least 1, --min-load at least 0")
    if options.get("time_limit") is not None and options["time_limit"] <= 0:
        raise AssignError("--time-limit must be a positive number of seconds")
    entries, experts, aff, allowed = load_instance(options["scores"], options.get("conflicts"))
    if not entries:
        raise AssignError("no entries in the scores file")
    read = time.perf_counter()
    problem = solver.Problem(
        affinity=aff,
        allowed=allowed,
        k=options["reviewers_per_entry"],
        max_load=options["max_load"],
        min_load=options["min_load"],
    )
    try:
        result = solver.solve(
            problem,
            options["mode"],
            labels=entries,
            time_limit=options.get("time_limit") or solver.FAIR_TIME_LIMIT,
        )
    except solver.NoValidAssignment as exc:
        raise AssignError("no valid assignment: " + "; ".join(exc.reasons)) from exc
    solved = time.perf_counter()
    try:
        with Path(options["out"]).open("w", newline="", encoding="utf-8") as handle:
            writer = SafeCsvWriter(handle)  # labels come from the input files: no formula in the output
            for e, x in result.pairs:
                writer.writerow([entries[e], experts[x]])
    except OSError as exc:
        raise AssignError(f"cannot write {options['out']}: {exc.strerror}") from exc
    worst = entries[result.worst_entry] if result.worst_entry is not None else ""
    lines = [
        f"mode {result.mode}: {len(result.pairs)} pairs, {len(entries)} entries x {len(experts)} experts",
        f"total {result.total / SCALE:.6f}",
        f"worst entry {worst} ({result.worst / SCALE:.6f})",
        f"loads {int(result.loads.min())}-{int(result.loads.max())}",
    ]
    if result.mode == "fair" and result.ceiling is not None and result.total_optimum:
        gap = result.gap or 0.0
        lines += [
            f"ceiling {result.ceiling / SCALE:.6f} (proven upper bound on the worst entry); gap {gap:.1%}",
            f"total-mode optimum {result.total_optimum / SCALE:.6f}; this total is "
            f"{result.total / result.total_optimum:.1%} of it",
            f"method {result.method}",
        ]
    lines += [
        _optimality(result),
        f"seconds {time.perf_counter() - started:.3f} (reading {read - started:.3f}, solving "
        f"{solved - read:.3f}, writing {time.perf_counter() - solved:.3f})",
    ]
    stdout.write("\n".join(lines) + "\n")
    return result


def main(argv: list[str] | None = None) -> int:
    options = vars(parser().parse_args(argv))
    try:
        run(options, sys.stdout)
    except AssignError as exc:
        sys.stderr.write(f"CommandError: {exc}\n")
        return 1
    return 0

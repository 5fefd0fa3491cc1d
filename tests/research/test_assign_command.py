"""``lianmeng assign`` on CSV files in the open-source matcher's layout."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command


def _write(path: Path, rows: list[tuple[str, ...]]) -> str:
    with path.open("w", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return str(path)


def test_assign_writes_the_optimal_pairs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    scores = _write(
        tmp_path / "S.csv",
        [
            ("p1", "r1", "0.9"),
            ("p1", "r2", "0.5"),
            ("p2", "r1", "0.8"),
            ("p2", "r2", "0.1"),
            ("p2", "r3", "0.4"),
        ],
    )
    conflicts = _write(tmp_path / "C.csv", [("p1", "r3", "-1")])
    out = tmp_path / "A.csv"
    call_command(
        "assign", scores=scores, conflicts=conflicts, reviewers_per_entry=1, max_load=1, out=str(out)
    )
    pairs = sorted(tuple(r) for r in csv.reader(out.open()))
    assert pairs == [("p1", "r1"), ("p2", "r3")] or pairs == [("p1", "r2"), ("p2", "r1")]
    printed = capsys.readouterr().out
    assert "total 1.300000" in printed and "seconds" in printed


def test_assign_names_the_entry_without_enough_experts(tmp_path: Path) -> None:
    scores = _write(tmp_path / "S.csv", [("p1", "r1", "1"), ("p2", "r1", "1"), ("p2", "r2", "1")])
    conflicts = _write(tmp_path / "C.csv", [("p1", "r2", "-1")])
    with pytest.raises(CommandError) as exc:
        call_command(
            "assign",
            scores=scores,
            conflicts=conflicts,
            reviewers_per_entry=2,
            max_load=2,
            out=str(tmp_path / "A.csv"),
        )
    assert "entry p1" in str(exc.value) and "only 1 non-conflicted" in str(exc.value)

"""``lianmeng assign`` on CSV files in the open-source matcher's layout."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.one_pass  # the offline command reads and writes CSV files only


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


SCORE_FILES = {
    "plain": "p1,r1,0.9\np1,r2,0.5\np2,r1,0.8\np2,r3,0.25\n",
    "header": "paper,reviewer,score\np1,r1,0.9\np1,r2,0.5\np2,r1,0.8\np2,r3,0.25\n",
    "blanks and quotes": 'p1, r1 ,0.9\r\n"p1",r2,0.5\n\np2,r1, 0.8\np2,r3,0.25\n',
}
CONFLICT_FILES = {
    "plain": "p1,r3,-1\nr9,r1,-1\n",
    "header": "paper,reviewer,conflict\np1,r3,-1\nr9,r1,-1\n",
}


@pytest.mark.parametrize("scores_kind", SCORE_FILES)
@pytest.mark.parametrize("conflicts_kind", CONFLICT_FILES)
def test_the_bulk_readers_read_what_the_row_reader_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, scores_kind: str, conflicts_kind: str
) -> None:
    # Plain files are split column-wise and large ones read by pandas; both must give the same
    # entries, experts (in order of first appearance), scores and conflicts as the row-by-row reader.
    from lianmeng.research import assign_cli

    scores = tmp_path / "S.csv"
    scores.write_text(SCORE_FILES[scores_kind])
    conflicts = tmp_path / "C.csv"
    conflicts.write_text(CONFLICT_FILES[conflicts_kind])
    rows = assign_cli._read_rows(str(scores), str(conflicts))
    assert rows[0] == ["p1", "p2", "r9"] and rows[1] == ["r1", "r2", "r3"]
    assert rows[2][1].tolist() == [800_000, 0, 250_000] and not rows[3][0, 2] and not rows[3][2, 0]
    for large in (False, True):
        monkeypatch.setattr(assign_cli, "LARGE_FILE", -1 if large else 10**9)
        read = assign_cli.load_instance(str(scores), str(conflicts))
        assert read[:2] == rows[:2], large
        assert (read[2] == rows[2]).all() and (read[3] == rows[3]).all(), large


@pytest.mark.parametrize("large", [False, True])
def test_a_bad_score_is_named_by_its_row_in_a_large_file_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, large: bool
) -> None:
    from lianmeng.research import assign_cli

    monkeypatch.setattr(assign_cli, "LARGE_FILE", -1 if large else 10**9)
    scores = tmp_path / "S.csv"
    scores.write_text("p1,r1,0.9\np1,r2,high\np2,r1,0.8\n")
    with pytest.raises(assign_cli.AssignError, match="row 2: score 'high' is not a number"):
        assign_cli.load_instance(str(scores), None)


def test_the_command_needs_neither_django_settings_nor_a_secret_key(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    scores = _write(tmp_path / "S.csv", [("p1", "r1", "0.9"), ("p1", "r2", "0.5"), ("p2", "r1", "0.8")])
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG", "DJANGO_SETTINGS_MODULE")}
    arguments = ["--scores", scores, "--reviewers-per-entry", "1", "--max-load", "1", "--mode", "fair"]
    done = subprocess.run(
        [sys.executable, "-m", "lianmeng.cli", "assign", *arguments, "--out", str(tmp_path / "A.csv")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "worst entry" in done.stdout and "ceiling" in done.stdout
    assert sorted((tmp_path / "A.csv").read_text().split()) == ["p1,r2", "p2,r1"]

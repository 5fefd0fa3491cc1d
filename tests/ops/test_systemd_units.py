"""The shipped systemd units (deploy/systemd/) pass `systemd-analyze verify` once their paths point at this
checkout: directives spelled right, the command there and executable, the template instantiable per port."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import PROJECT

UNITS = PROJECT / "deploy" / "systemd"
pytestmark = pytest.mark.one_pass  # systemd-analyze reads the unit files only


@pytest.mark.parametrize(("unit", "instance"), [("lianmeng-web@.service", "lianmeng-web@8000.service"),
                                                ("lianmeng-worker.service", "lianmeng-worker.service")])  # fmt: skip
def test_unit_verifies(tmp_path: Path, unit: str, instance: str) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    text = (UNITS / unit).read_text(encoding="utf-8")
    for old in ("/srv/lianmeng/.venv/bin/lianmeng", "/etc/lianmeng/lianmeng.env", "/srv/lianmeng"):
        assert old in text, f"{old} is no longer in {unit}: update this test with the unit"
    lianmeng = Path(sys.executable).parent / "lianmeng"
    text = (
        text.replace("/srv/lianmeng/.venv/bin/lianmeng", str(lianmeng))
        .replace("/etc/lianmeng/lianmeng.env", str(PROJECT / "deploy" / "lianmeng.env.example"))
        .replace("/srv/lianmeng", str(tmp_path))
    )
    (tmp_path / unit).write_text(text, encoding="utf-8")
    if instance != unit:
        (tmp_path / instance).symlink_to(tmp_path / unit)
    result = subprocess.run(
        [analyze, "verify", str(tmp_path / instance)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "lianmeng" not in result.stderr, result.stderr

"""Every spreadsheet export opened as a spreadsheet program would: hostile text stored through the
services never becomes a formula, a control character already in the database never breaks the
file, numbers stay numbers, and the text is still there to read."""

from __future__ import annotations

import csv
import datetime
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from openpyxl import load_workbook

from lianmeng.core.exports import csv_bytes, safe_cell, unescape_cell
from lianmeng.library import services as library
from lianmeng.library import tabular
from lianmeng.library.commands import AchievementCreate, ExpertCreate, ProjectCreate
from lianmeng.library.models import Achievement
from lianmeng.membership.models import Organization

pytestmark = pytest.mark.django_db

LINK = '=HYPERLINK("http://evil.example/","x")'
HOSTILE = [LINK, "+SUM(1,2)", "-2+3", "@SUM(A1)", "=cmd|' /C calc'!A0"]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture
def hostile_rows(make_org: Any, cities: dict[str, Any], secretariat: Any) -> dict[str, Any]:
    """Hostile text in every exported kind, through the services, plus an old row holding \\x07."""
    org = make_org(LINK, description=LINK, address="@SUM(A1)", short_name="+SUM(1,2)")
    library.expert_create(
        cmd=ExpertCreate.build(
            {
                "name": "-2+3",
                "organization": org.pk,
                "city": cities["青岛"].code,
                "title": "senior",
                "biography": "=cmd|' /C calc'!A0",
                "keywords": "@SUM(A1)",
            }
        ),
        actor=secretariat,
    )
    library.project_create(
        cmd=ProjectCreate.build(
            {
                "name": "+SUM(1,2)",
                "summary": LINK,
                "lead_organization": org.pk,
                "cities": [cities["青岛"].code],
                "planned_investment": "1234.5",
            }
        ),
        actor=secretariat,
    )
    achievement = library.achievement_create(
        cmd=AchievementCreate.build(
            {"kind": "paper", "title": LINK, "authors": "甲", "year": 2026, "abstract": "-2+3"}
        ),
        actor=secretariat,
    )
    # Rows stored before input was cleaned: a bell in an achievement title and an organization's name.
    Achievement.objects.filter(pk=achievement.pk).update(title=f"园区\x07研究 {LINK}")
    bell = make_org("青岛人服集团")
    Organization.objects.filter(pk=bell.pk).update(name="青岛\x07人服集团", description="\x1b=1+1")
    return {"org": org}


def _xlsx_cells(content: bytes) -> list[Any]:
    wb = load_workbook(io.BytesIO(content))
    return [cell for ws in wb.worksheets for row in ws.iter_rows() for cell in row]


def _assert_no_formula(cells: list[Any]) -> list[Any]:
    for cell in cells:
        assert cell.data_type != "f", (cell.coordinate, cell.value)
        if isinstance(cell.value, str):
            assert not cell.value.startswith(FORMULA_START), (cell.coordinate, cell.value)
    return [c.value for c in cells]


def _csv_values(content: bytes) -> list[str]:
    assert content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    values = [v for row in rows for v in row]
    for v in values:
        assert not v.startswith(FORMULA_START), v
    return values


@pytest.mark.parametrize("kind", tabular.KINDS)
def test_library_and_directory_exports_hold_no_formula(
    hostile_rows: Any, secretariat: Any, kind: str
) -> None:
    client = Client()
    client.force_login(secretariat)
    for url in (f"/library/export/{kind}.xlsx", f"/api/v1/exports/{kind}.xlsx"):
        r = client.get(url)
        assert r.status_code == 200, (url, r.content[:300])
        values = _assert_no_formula(_xlsx_cells(r.content))
        assert any(isinstance(v, str) and v.startswith("'") and v[1:] in HOSTILE for v in values), values
    r = client.get(f"/library/export/{kind}.csv")
    assert r.status_code == 200
    values = _csv_values(r.content)
    assert any(v.startswith("'") and v[1:] in HOSTILE for v in values)


def test_stored_control_characters_do_not_break_exports(hostile_rows: Any, secretariat: Any) -> None:
    client = Client()
    client.force_login(secretariat)
    achievements = _assert_no_formula(_xlsx_cells(client.get("/library/export/achievements.xlsx").content))
    assert f"园区研究 {LINK}" in achievements  # the bell is gone; the formula-like tail is inert text
    organizations = _assert_no_formula(_xlsx_cells(client.get("/library/export/organizations.xlsx").content))
    assert "青岛人服集团" in organizations and "'=1+1" in organizations
    assert "'=1+1" in _csv_values(client.get("/library/export/organizations.csv").content)
    assert client.get("/library/export/projects.xlsx").status_code == 200


def test_numbers_stay_numbers(hostile_rows: Any, secretariat: Any) -> None:
    client = Client()
    client.force_login(secretariat)
    projects = _xlsx_cells(client.get("/library/export/projects.xlsx").content)
    assert any(c.value == 1234.5 and c.data_type == "n" for c in projects)
    achievements = _xlsx_cells(client.get("/library/export/achievements.xlsx").content)
    assert any(c.value == 2026 and c.data_type == "n" for c in achievements)
    assert (
        safe_cell(-3) == -3 and safe_cell(-2.5) == -2.5 and safe_cell(datetime.date(2026, 1, 2)).year == 2026
    )
    assert safe_cell("-3") == "'-3" and safe_cell(None) is None and safe_cell(True) is True


def test_annual_report_excel_holds_no_formula(hostile_rows: Any, secretariat: Any) -> None:
    client = Client()
    client.force_login(secretariat)
    year = datetime.date.today().year
    r = client.get(f"/reports/{year}/annual.xlsx")
    assert r.status_code == 200, r.content[:300]
    values = _assert_no_formula(_xlsx_cells(r.content))
    assert "'" + LINK in values  # the organization admitted this year, by name
    assert "青岛人服集团" in values


def test_export_reimports_as_the_original_text(hostile_rows: Any, secretariat: Any) -> None:
    client = Client()
    client.force_login(secretariat)
    rows = tabular.read_table(client.get("/library/export/organizations.xlsx").content, "o.xlsx")
    assert any(r[:2] == [LINK, "+SUM(1,2)"] for r in rows)
    rows = tabular.read_table(client.get("/library/export/organizations.csv").content, "o.csv")
    assert any(r[:2] == [LINK, "+SUM(1,2)"] for r in rows)
    assert unescape_cell("'=1") == "=1" and unescape_cell("'abc") == "'abc"


def test_csv_writer_neutralises_every_formula_start() -> None:
    content = csv_bytes([["=1", "+1", "-1", "@A", "\t=1", "\r=1", "a=1", -1, 2.5, None]])
    (row,) = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert row == ["'=1", "'+1", "'-1", "'@A", "'\t=1", "'\r=1", "a=1", "-1", "2.5", ""]


def test_offline_assignment_output_holds_no_formula(tmp_path: Path) -> None:
    scores = tmp_path / "S.csv"
    scores.write_text("entry,expert,score\n=cmd|' /C calc'!A0,@expert,0.9\n-entry,+x,0.5\n", encoding="utf-8")
    out = tmp_path / "A.csv"
    call_command(
        "assign", scores=str(scores), reviewers_per_entry=1, max_load=2, out=str(out), stdout=io.StringIO()
    )
    rows = list(csv.reader(out.open(encoding="utf-8")))
    assert sorted(rows) == sorted([["'=cmd|' /C calc'!A0", "'@expert"], ["'-entry", "'+x"]])

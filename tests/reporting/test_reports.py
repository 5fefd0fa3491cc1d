"""The dashboard, the city page, the API and the annual report files on the demo alliance."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.db.models import Count, Sum
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from lianmeng.activities.models import Event, EventStatus
from lianmeng.governance.models import Resolution
from lianmeng.library.models import Landing, ProjectStage
from lianmeng.membership.models import Organization, OrganizationStatus

pytestmark = pytest.mark.django_db
PASSWORD = "lianmeng-demo"


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _year() -> int:
    return timezone.localdate().year


def test_dashboard_shows_each_city_in_alliance_order_with_its_figures(demo_alliance: dict[str, Any]) -> None:
    year = _year()
    response = _client(demo_alliance["demo-member"]).get("/reports/")
    assert response.status_code == 200
    html = response.content.decode()
    positions = [html.index(f'data-city="{code}"') for code in ("370200", "370600", "370700", "371000")]
    assert positions == sorted(positions), "cities follow the alliance's order (青岛, 烟台, 潍坊, 威海 ...)"
    figures = response.context["figures"]
    qingdao = next(r for r in figures.cities if r.city.code == "370200")
    assert (
        qingdao.members
        == Organization.objects.filter(city_id="370200", status=OrganizationStatus.ACTIVE).count()
    )
    assert (
        qingdao.events_held
        == Event.objects.filter(city_id="370200", status=EventStatus.HELD, starts_at__year=year).count()
    )
    landed = Landing.objects.filter(
        city_id="370200", date__year=year, project__stage__in=[ProjectStage.LANDED, ProjectStage.OPERATING]
    ).aggregate(n=Count("project", distinct=True), inv=Sum("investment"))
    assert qingdao.projects_landed == landed["n"]
    assert qingdao.investment == (landed["inv"] or Decimal(0))
    assert (
        figures.membership["active"] == Organization.objects.filter(status=OrganizationStatus.ACTIVE).count()
    )
    assert figures.council["resolutions"] == Resolution.objects.filter(adopted_on__year=year).count() >= 1
    # The charts are on the page, served locally (no CDN), with their data.
    assert "vendor/echarts/echarts.min.js" in html
    assert not re.search(r'(?:src|href)="(?:https?:)?//', html), "no script or style from another host"
    assert 'id="chart-map"' in html and 'id="report-charts-data"' in html
    assert "下载年度报告" not in html, "a member contact is not offered the annual report"


def test_a_city_coordinator_sees_their_city_highlighted(demo_alliance: dict[str, Any]) -> None:
    html = _client(demo_alliance["demo-coordinator"]).get("/reports/").content.decode()
    row = html[html.index('data-city="370200"') - 200 : html.index('data-city="370200"') + 400]
    assert "rep-mine" in row and "本市" in row
    other = html[html.index('data-city="370600"') : html.index('data-city="370600"') + 200]
    assert "rep-mine" not in other


def test_dashboard_and_reports_need_sign_in(demo_alliance: dict[str, Any]) -> None:
    client = Client()
    response = client.get("/reports/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    response = client.get(f"/reports/{_year()}/annual.pdf")
    assert response.status_code == 302 and response.get("Content-Type") != "application/pdf"


def test_city_page_lists_held_events_landed_projects_and_members_by_kind(
    demo_alliance: dict[str, Any],
) -> None:
    year = _year()
    response = _client(demo_alliance["demo-secretariat"]).get(f"/reports/city/370200/?year={year}")
    assert response.status_code == 200
    html = response.content.decode()
    held = Event.objects.filter(city_id="370200", status=EventStatus.HELD, starts_at__year=year).first()
    assert held is not None and held.title in html
    landing = (
        Landing.objects.filter(city_id="370200", date__year=year, project__stage__in=["landed", "operating"])
        .select_related("project")
        .first()
    )
    if landing is not None:
        assert landing.project.name in html
    assert "人力资源服务产业园" in html and 'data-kind="park"' in html
    assert _client(demo_alliance["demo-secretariat"]).get("/reports/city/999999/").status_code == 404


def test_api_gives_figures_per_mechanism_and_city_to_the_public(demo_alliance: dict[str, Any]) -> None:
    year = _year()
    response = Client().get(f"/api/v1/reports/{year}")
    assert response.status_code == 200
    data = response.json()
    assert data["year"] == year
    assert [c["name"] for c in data["cities"]][:3] == ["青岛", "烟台", "潍坊"]
    assert set(data) >= {
        "membership",
        "presidency",
        "council",
        "activities",
        "library",
        "research",
        "matchmaking",
    }
    assert data["council"]["resolutions"] >= 1
    assert data["cities"][0]["coordinates"] == [120.38, 36.07]
    # Aggregates only: no names of people, no phone numbers.
    text = response.content.decode()
    assert "mobile" not in text and "contact" not in text
    assert Client().get("/api/v1/reports/1999").status_code == 404


@pytest.mark.parametrize("username", ["demo-member", "demo-coordinator", "demo-expert"])
def test_members_may_not_download_the_annual_report(demo_alliance: dict[str, Any], username: str) -> None:
    client = _client(demo_alliance[username])
    assert client.get(f"/reports/{_year()}/annual.pdf").status_code == 403
    assert client.get(f"/reports/{_year()}/annual.xlsx").status_code == 403


def test_api_annual_report_permissions(demo_alliance: dict[str, Any], api: Any) -> None:
    year = _year()
    assert api(None).get(f"/api/v1/reports/{year}/annual.pdf").status_code == 401
    assert api(demo_alliance["demo-member"]).get(f"/api/v1/reports/{year}/annual.xlsx").status_code == 403
    response = api(demo_alliance["demo-council"]).get(f"/api/v1/reports/{year}/annual.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_excel_has_one_sheet_per_section_with_real_numbers(demo_alliance: dict[str, Any]) -> None:
    year = _year()
    response = _client(demo_alliance["demo-secretariat"]).get(f"/reports/{year}/annual.xlsx")
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == [
        "1 入盟单位",
        "2 轮值主席",
        "3 理事会决策",
        "4 1+7+N 活动",
        "5 专家库、项目库与成果库",
        "6 课题研究与评选",
        "7 资源对接",
        "8 宣传",
        "9 各市落地项目",
    ]
    members = wb["1 入盟单位"]
    assert members["A1"].value == "各市成员单位"
    assert members["A2"].value == "城市" and members["B2"].value == "入盟单位"
    assert members["A2"].font.bold and members.freeze_panes == "A3"
    assert members["A3"].value == "青岛"
    qingdao = Organization.objects.filter(city_id="370200", status=OrganizationStatus.ACTIVE).count()
    assert members["B3"].value == qingdao and isinstance(members["B3"].value, int)
    assert members.column_dimensions["A"].width >= 8
    council = wb["3 理事会决策"]
    numbers = [c.value for row in council.iter_rows() for c in row if c.value]
    resolution = Resolution.objects.filter(adopted_on__year=year).first()
    assert resolution is not None and resolution.number in numbers
    landings = wb["5 专家库、项目库与成果库"]
    amounts = [c for row in landings.iter_rows() for c in row if c.number_format == "#,##0.00" and c.value]
    assert amounts and all(isinstance(c.value, (int, float)) for c in amounts), "amounts are numbers"


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")
def test_pdf_is_chinese_with_an_embedded_cjk_font(demo_alliance: dict[str, Any], tmp_path: Path) -> None:
    year = _year()
    response = _client(demo_alliance["demo-secretariat"]).get(f"/reports/{year}/annual.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    path = tmp_path / "annual.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    flat = "".join(text.split())
    assert "胶东暨蓝区人力资源服务产业" in flat
    assert f"{year}年度报告" in flat
    resolution = Resolution.objects.filter(adopted_on__year=year).first()
    assert resolution is not None and "".join(resolution.number.split()) in flat
    assert "青岛" in flat and "烟台" in flat
    assert f"{year}年" in flat and "月" in flat  # dates as 2026年11月27日
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    cjk = [line for line in fonts.splitlines() if "CJK" in line or "Noto-Sans-SC" in line]
    assert cjk, fonts
    assert all(line.split()[-5] == "yes" for line in cjk), "the CJK font is embedded"


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")
def test_long_tables_are_cut_in_the_pdf_but_whole_in_excel(
    demo_alliance: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lianmeng.reporting import render

    monkeypatch.setattr(render, "PDF_MAX_ROWS", 1)
    year = _year()
    client = _client(demo_alliance["demo-secretariat"])
    path = tmp_path / "annual.pdf"
    path.write_bytes(client.get(f"/reports/{year}/annual.pdf").content)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "行未打印" in "".join(text.split())
    workbook = load_workbook(io.BytesIO(client.get(f"/reports/{year}/annual.xlsx").content))
    assert max(sheet.max_row for sheet in workbook.worksheets) > 3

"""Imports: the dry run names every bad row; a real run saves all rows or none."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from lianmeng.library import tabular
from lianmeng.library.models import Achievement, Expert, Project

pytestmark = pytest.mark.django_db


def _xlsx(rows: list[list[Any]]) -> bytes:
    return tabular.to_xlsx(rows, "导入")


def _expert_rows(n: int, bad: dict[int, dict[str, str]]) -> list[list[Any]]:
    header = [str(label) for _k, label in tabular.COLUMNS["experts"]]
    rows = [header]
    for i in range(n):
        row = {
            "name": f"专家{i}",
            "organization": "青岛大学",
            "city": "青岛",
            "title": "副高级",
            "fields": "劳动关系、灵活用工",
            "keywords": "平台用工",
            "mobile": f"139{i:08d}",
            "publish_consent": "是",
            "availability": "可接受咨询",
        }
        row.update(bad.get(i, {}))
        rows.append([row.get(k, "") for k, _label in tabular.COLUMNS["experts"]])
    return rows


def test_ten_thousand_rows_with_three_bad_then_fixed(make_org: Any, secretariat: Any) -> None:
    make_org("青岛大学", kind="university")
    bad = {17: {"city": "北京"}, 4999: {"mobile": "123"}, 9998: {"title": "院士", "fields": "炼金术"}}
    content = _xlsx(_expert_rows(10_000, bad))
    report = tabular.import_run(
        kind="experts", content=content, filename="experts.xlsx", actor=secretariat, dry_run=True
    )
    assert report.rows == 10_000
    assert report.bad_rows == [19, 5001, 10000]  # header is row 1, so data index i is row i + 2
    assert {(e.row, e.column) for e in report.errors} == {
        (19, "所在城市"),
        (5001, "手机号码"),
        (10000, "职称"),
        (10000, "专业领域"),
    }
    real = tabular.import_run(
        kind="experts", content=content, filename="experts.xlsx", actor=secretariat, dry_run=False
    )
    assert real.saved == 0 and Expert.objects.count() == 0
    fixed = _xlsx(_expert_rows(10_000, {}))
    done = tabular.import_run(
        kind="experts", content=fixed, filename="experts.xlsx", actor=secretariat, dry_run=False
    )
    assert done.saved == 10_000
    assert Expert.objects.count() == 10_000
    e = Expert.objects.get(name="专家9999")
    assert sorted(f.name for f in e.fields.all()) == ["劳动关系", "灵活用工"]
    assert "平台" in e.search_text.split()


def test_csv_with_bom_round_trip_of_projects_and_achievements(
    make_org: Any, make_project: Any, secretariat: Any
) -> None:
    lead = make_org("中国青岛人力资源服务产业园")
    make_project(
        "蓝区平台",
        lead=lead,
        strategy_tags=["乡村振兴"],
        integration_tags=["科技"],
        planned_investment="12.5",
    )
    exported = tabular.to_csv(tabular.export_rows("projects", viewer=secretariat))
    assert exported.startswith(b"\xef\xbb\xbf")
    Project.objects.all().delete()
    report = tabular.import_run(
        kind="projects", content=exported, filename="p.csv", actor=secretariat, dry_run=False
    )
    assert report.ok and report.saved == 1
    p = Project.objects.get()
    assert p.integration_tags == ",technology," and [t.name for t in p.strategy_tags.all()] == ["乡村振兴"]
    csv_text = "成果名称,成果类型,作者,年度\n园区报告,研究报告,甲,2026\n,专著,乙,19\n"
    r = tabular.import_run(
        kind="achievements",
        content=csv_text.encode("utf-8-sig"),
        filename="a.csv",
        actor=secretariat,
        dry_run=False,
    )
    assert r.bad_rows == [3] and Achievement.objects.count() == 0
    assert {e.column for e in r.errors} == {"成果名称", "成果类型", "年度"}


def test_organizations_import_refuses_duplicate_uscc(cities: Any, secretariat: Any) -> None:
    from lianmeng.core.demo_support import make_uscc

    uscc = make_uscc("甲", division="370200", kind="park")
    rows = [[str(label) for _k, label in tabular.COLUMNS["organizations"]]]
    rows.append(["甲园区", "", uscc, "人力资源服务产业园", "青岛", "成员单位", "", "", "", "", ""])
    rows.append(["乙园区", "", uscc, "人力资源服务产业园", "青岛", "成员单位", "", "", "", "", ""])
    report = tabular.import_run(
        kind="organizations", content=_xlsx(rows), filename="o.xlsx", actor=secretariat
    )
    assert report.bad_rows == [3]
    assert "重复" in report.errors[0].message


def test_import_is_secretariat_only_and_template_equals_export(
    make_user: Any, api: Any, secretariat: Any
) -> None:
    member = api(make_user("member_contact"))
    upload = SimpleUploadedFile("e.csv", "姓名\n".encode())
    assert member.post("/api/v1/imports/experts?dry_run=true", {"file": upload}).status_code == 403
    template = api(secretariat).get("/api/v1/exports/experts.xlsx?template=1")
    from openpyxl import load_workbook

    header = next(load_workbook(io.BytesIO(template.content)).worksheets[0].iter_rows(values_only=True))
    assert list(header) == [str(label) for _k, label in tabular.COLUMNS["experts"]]
    missing = api(secretariat).post(
        "/api/v1/imports/experts", {"file": SimpleUploadedFile("e.csv", "姓名\n张三\n".encode())}
    )
    assert missing.status_code == 422
    assert "缺少必填列" in missing.json()["errors"]["file"][0]


@pytest.mark.parametrize(
    "name",
    [
        "青岛人力资源服务产业园",
        "重庆银行长春分行",
        "Smart HR 平台公司",
        "蓝区人才聯盟数字平台",  # traditional: folded, so core.search's own path
        "阿姨嗯欸哦绿",
        "青岛·人力资源服务·平台 1234",
        "ABC-技能培训（第2期）",
        "İstanbul 丝路",
        "",
        "2026 年度报告",
        "威海·Ｆｕｌｌ　ｗｉｄｔｈ",
    ],
)
def test_one_pass_pinyin_equals_core_search(name: str) -> None:
    from lianmeng.core.search import name_pinyin, pinyin_full, pinyin_initials, pinyin_sort_key

    assert name_pinyin(name) == (pinyin_full(name), pinyin_initials(name), pinyin_sort_key(name))

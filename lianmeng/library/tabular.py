"""Excel (xlsx) and CSV import and export of organizations, experts, projects and achievements.

The import template's columns equal the export's. An import is checked row by row first (the dry run
lists every bad row with its row number, column and reason); a real run saves all rows in one
transaction or none. Exports mask personal data for viewers who may not see it (PIPL) and write CSV
as UTF-8 with a BOM so that Excel opens Chinese correctly. Every cell goes through
``lianmeng.core.exports.safe_cell`` (no formula from user text, no character xlsx cannot hold).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lianmeng.core import audit
from lianmeng.core.cleaning import strip_controls
from lianmeng.core.exports import csv_bytes, safe_cell, safe_row, unescape_cell
from lianmeng.core.models import City
from lianmeng.core.validators import clean_uscc
from lianmeng.membership import services as membership_services
from lianmeng.membership.models import Organization, OrganizationKind, Tier

from . import policies, selectors
from .models import (
    Achievement,
    AchievementKind,
    AchievementSource,
    Availability,
    Expert,
    ExpertiseField,
    ExpertTitle,
    IntegrationTag,
    Project,
    ProjectStage,
    ProjectStageChange,
    StrategyTag,
    Visibility,
)
from .services import (
    achievement_clean,
    achievement_index_fields,
    expert_clean,
    expert_index_fields,
    project_clean,
    project_index_fields,
)

KINDS = ("organizations", "experts", "projects", "achievements")
KIND_LABELS = {
    "organizations": gettext_lazy("成员单位"),
    "experts": gettext_lazy("专家"),
    "projects": gettext_lazy("共建项目"),
    "achievements": gettext_lazy("成果"),
}
MAX_ROWS = 200_000
BATCH = 2000

# (field key, column header) per kind: the export's columns and the import template's.
COLUMNS: dict[str, list[tuple[str, Any]]] = {
    "organizations": [
        ("name", gettext_lazy("单位名称")),
        ("short_name", gettext_lazy("简称")),
        ("uscc", gettext_lazy("统一社会信用代码")),
        ("kind", gettext_lazy("单位类型")),
        ("city", gettext_lazy("所在城市")),
        ("tier", gettext_lazy("成员类别")),
        ("address", gettext_lazy("地址")),
        ("website", gettext_lazy("网站")),
        ("phone", gettext_lazy("联系电话")),
        ("email", gettext_lazy("公开邮箱")),
        ("description", gettext_lazy("单位简介")),
    ],
    "experts": [
        ("name", gettext_lazy("姓名")),
        ("organization", gettext_lazy("所在单位")),
        ("city", gettext_lazy("所在城市")),
        ("title", gettext_lazy("职称")),
        ("position", gettext_lazy("职务")),
        ("fields", gettext_lazy("专业领域")),
        ("keywords", gettext_lazy("关键词")),
        ("biography", gettext_lazy("个人简介")),
        ("mobile", gettext_lazy("手机号码")),
        ("email", gettext_lazy("电子邮箱")),
        ("id_number", gettext_lazy("身份证号码")),
        ("publish_consent", gettext_lazy("同意公开")),
        ("availability", gettext_lazy("咨询状态")),
    ],
    "projects": [
        ("name", gettext_lazy("项目名称")),
        ("summary", gettext_lazy("项目简介")),
        ("lead_organization", gettext_lazy("牵头单位")),
        ("partner_organizations", gettext_lazy("合作单位")),
        ("cities", gettext_lazy("所在城市")),
        ("strategy_tags", gettext_lazy("国家战略")),
        ("integration_tags", gettext_lazy("融合方向")),
        ("planned_investment", gettext_lazy("计划投资（万元）")),
        ("stage", gettext_lazy("阶段")),
    ],
    "achievements": [
        ("title", gettext_lazy("成果名称")),
        ("kind", gettext_lazy("成果类型")),
        ("authors", gettext_lazy("作者")),
        ("organizations", gettext_lazy("完成单位")),
        ("year", gettext_lazy("年度")),
        ("abstract", gettext_lazy("摘要")),
        ("keywords", gettext_lazy("关键词")),
        ("visibility", gettext_lazy("公开范围")),
        ("awards", gettext_lazy("获奖情况")),
        ("source", gettext_lazy("来源")),
        ("source_reference", gettext_lazy("来源说明")),
        ("application_scenarios", gettext_lazy("应用场景")),
        ("publisher", gettext_lazy("出版或发布单位")),
        ("identifier", gettext_lazy("编号")),
    ],
}


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValidationError(
            {"kind": _("不支持的类型“%(kind)s”，可选：%(kinds)s") % {"kind": kind, "kinds": "、".join(KINDS)}}
        )


# Masking (PIPL) --------------------------------------------------------------------------------


def mask_mobile(value: str) -> str:
    return value[:3] + "****" + value[-4:] if len(value) == 11 else ("***" if value else "")


def mask_email(value: str) -> str:
    if "@" not in value:
        return "***" if value else ""
    local, domain = value.split("@", 1)
    return local[:1] + "***@" + domain


def mask_id_number(value: str) -> str:
    return value[:4] + "*" * (len(value) - 8) + value[-4:] if len(value) >= 8 else ("***" if value else "")


# Export ----------------------------------------------------------------------------------------


def _yes(value: bool) -> str:
    return str(_("是")) if value else str(_("否"))


def export_rows(kind: str, *, viewer: Any, filters: dict[str, Any] | None = None) -> Iterator[list[Any]]:
    """The header row, then one row per item the viewer may see, filtered like the list page."""
    _check_kind(kind)
    if not policies.can_export(viewer):
        raise PermissionDenied
    filters = {k: v for k, v in (filters or {}).items() if v not in (None, "")}
    yield [str(label) for _key, label in COLUMNS[kind]]
    if kind == "organizations":
        from lianmeng.membership.selectors import organization_directory

        allowed = {"q", "city", "kind", "tier", "status"}
        for o in organization_directory(
            viewer=viewer, **{k: v for k, v in filters.items() if k in allowed}
        ).iterator(chunk_size=BATCH):
            yield [
                o.name, o.short_name, o.uscc, str(o.get_kind_display()), o.city.name, str(o.get_tier_display()),
                o.address, o.website, o.phone, o.email, o.description,
            ]  # fmt: skip
    elif kind == "experts":
        allowed = {"q", "city", "field", "title", "committee"}
        qs = selectors.expert_list(viewer=viewer, **{k: v for k, v in filters.items() if k in allowed})
        for e in qs.iterator(chunk_size=BATCH):
            personal = policies.can_view_expert_personal_data(viewer, e)
            yield [
                e.name,
                e.affiliation,
                e.city.name,
                str(e.get_title_display()),
                e.position,
                "、".join(f.name for f in e.fields.all()),
                e.keywords,
                e.biography if policies.can_view_expert_biography(viewer, e) else "",
                e.mobile if personal else mask_mobile(e.mobile),
                e.email if personal else mask_email(e.email),
                e.id_number if personal else mask_id_number(e.id_number),
                _yes(e.publish_consent),
                str(e.get_availability_display()),
            ]
    elif kind == "projects":
        allowed = {"q", "stage", "city", "strategy", "integration", "organization"}
        projects = selectors.project_list(viewer=viewer, **{k: v for k, v in filters.items() if k in allowed})
        for p in projects.prefetch_related("partner_organizations").iterator(chunk_size=BATCH):
            yield [
                p.name,
                p.summary,
                p.lead_organization.name,
                "、".join(o.name for o in p.partner_organizations.all()),
                "、".join(c.name for c in p.cities.all()),
                "、".join(t.name for t in p.strategy_tags.all()),
                "、".join(p.integration_tag_labels),
                float(p.planned_investment) if p.planned_investment is not None else "",
                str(p.get_stage_display()),
            ]
    else:
        allowed = {"q", "kind", "year", "visibility", "organization"}
        achievements = selectors.achievement_list(
            viewer=viewer, **{k: v for k, v in filters.items() if k in allowed}
        )
        for a in achievements.iterator(chunk_size=BATCH):
            yield [
                a.title, str(a.get_kind_display()), a.authors, "、".join(o.name for o in a.organizations.all()), a.year,
                a.abstract, a.keywords, str(a.get_visibility_display()), a.awards,
                str(a.get_source_display()) if a.source else "", a.source_reference, a.application_scenarios,
                a.publisher, a.identifier,
            ]  # fmt: skip


def to_xlsx(rows: Iterable[list[Any]], title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=title[:31])
    first = True
    for row in rows:
        if first:
            from openpyxl.cell import WriteOnlyCell

            header = []
            for value in row:
                cell = WriteOnlyCell(ws, value=safe_cell(value))
                cell.font = Font(bold=True)
                header.append(cell)
            ws.append(header)
            first = False
        else:
            ws.append(safe_row(row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def to_csv(rows: Iterable[list[Any]]) -> bytes:
    """UTF-8 with BOM: Excel on Windows opens Chinese correctly. Cells as ``to_xlsx`` writes them."""
    return csv_bytes(rows)


def template_rows(kind: str) -> list[list[Any]]:
    _check_kind(kind)
    return [[str(label) for _key, label in COLUMNS[kind]]]


# Import ----------------------------------------------------------------------------------------


@dataclass
class RowError:
    row: int  # the row number as Excel shows it (the header is row 1)
    column: str
    message: str


@dataclass
class ImportReport:
    kind: str
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    saved: int = 0
    dry_run: bool = True

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def bad_rows(self) -> list[int]:
        return sorted({e.row for e in self.errors})


def read_table(content: bytes, filename: str) -> list[list[Any]]:
    """Rows of an uploaded xlsx or CSV file (CSV in UTF-8 with or without BOM, or GB18030)."""
    name = (filename or "").lower()
    if content[:4] == b"PK\x03\x04" or name.endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as exc:
            raise ValidationError({"file": _("无法读取该 Excel 文件，请使用下载的模板（.xlsx）")}) from exc
        ws = wb.worksheets[0]
        rows = [[_imported(v) for v in r] for r in ws.iter_rows(values_only=True)]
        wb.close()
        return rows
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValidationError({"file": _("无法识别文件编码，请另存为 UTF-8 编码的 CSV 或 xlsx")})
    return [[_imported(v) for v in r] for r in csv.reader(io.StringIO(text))]


def _imported(value: Any) -> Any:
    """A cell as the services should see it: without the apostrophe an export put before formula-like
    text, and without control characters (the services clean text too; this keeps the row readable)."""
    value = unescape_cell(value)
    return strip_controls(value) if isinstance(value, str) else value


def _rows_as_dicts(
    kind: str, table: list[list[Any]], report: ImportReport
) -> list[tuple[int, dict[str, Any]]]:
    if not table:
        raise ValidationError({"file": _("文件是空的")})
    headers = [str(h or "").strip() for h in table[0]]
    by_label = {str(label): key for key, label in COLUMNS[kind]}
    by_label.update({key: key for key, _label in COLUMNS[kind]})
    keys = [by_label.get(h) for h in headers]
    required = [str(label) for key, label in COLUMNS[kind] if key in REQUIRED[kind]]
    missing = [label for label in required if by_label[label] not in keys]
    if missing:
        raise ValidationError(
            {"file": _("缺少必填列：%(cols)s（请使用下载的模板）") % {"cols": "、".join(missing)}}
        )
    out = []
    for index, raw in enumerate(table[1:], start=2):
        if not any(v not in (None, "") and str(v).strip() for v in raw):
            continue
        row = {k: (v.strip() if isinstance(v, str) else v) for k, v in zip(keys, raw, strict=False) if k}
        out.append((index, row))
    if len(out) > MAX_ROWS:
        raise ValidationError({"file": _("一次最多导入 %(n)d 行") % {"n": MAX_ROWS}})
    report.rows = len(out)
    return out


REQUIRED = {
    "organizations": {"name", "uscc", "kind", "city"},
    "experts": {"name", "city", "title"},
    "projects": {"name", "summary", "lead_organization", "cities"},
    "achievements": {"title", "kind", "authors", "year"},
}


class _Lookups:
    """Reference data loaded once per import, so checking 100,000 rows costs a handful of queries."""

    def __init__(self, kind: str) -> None:
        self.orgs: dict[str, Organization] = {}
        if kind in ("experts", "projects", "achievements"):
            for org in Organization.objects.only("pk", "name", "uscc", "city_id", "kind"):
                self.orgs[org.name] = org
                self.orgs[org.uscc] = org
        self.fields = {f.name: f for f in ExpertiseField.objects.filter(is_active=True)}
        self.tags = {t.name: t for t in StrategyTag.objects.filter(is_active=True)}
        self.cities: dict[str, City] = {}
        for c in City.objects.all():
            self.cities[c.code] = self.cities[c.name] = self.cities[c.name + "市"] = c

    def org(self, value: Any) -> Any:
        return self.orgs.get(str(value).strip(), value) if value not in (None, "") else value

    def orgs_of(self, value: Any) -> list[Any]:
        from .services._clean import split_list

        return [self.orgs.get(v, v) for v in split_list(value)]


def _label_map(choices: list[tuple[str, Any]]) -> dict[str, str]:
    return {str(label): value for value, label in choices}


def _prepare(kind: str, row: dict[str, Any], lookups: _Lookups) -> dict[str, Any]:
    """Turn a spreadsheet row (labels, names) into service input (codes, instances)."""
    from .services._clean import split_list

    data = dict(row)
    if kind == "experts":
        data["organization"] = lookups.org(row.get("organization"))
        if isinstance(data["organization"], str) and data["organization"] not in lookups.orgs:
            # A unit outside the alliance is kept by name only.
            data["organization_name"], data["organization"] = data["organization"], None
        data["fields"] = [lookups.fields.get(v, v) for v in split_list(row.get("fields"))]
        data["title"] = _label_map(ExpertTitle.choices).get(str(row.get("title") or ""), row.get("title"))
        data["availability"] = _label_map(Availability.choices).get(
            str(row.get("availability") or ""), row.get("availability")
        )
        city = lookups.cities.get(str(row.get("city") or "").strip())
        data["city"] = city.code if city else row.get("city")
    elif kind == "projects":
        data["lead_organization"] = lookups.org(row.get("lead_organization"))
        data["partner_organizations"] = lookups.orgs_of(row.get("partner_organizations"))
        data["strategy_tags"] = [lookups.tags.get(v, v) for v in split_list(row.get("strategy_tags"))]
        data["cities"] = [lookups.cities.get(v, v) for v in split_list(row.get("cities"))]
    elif kind == "achievements":
        data["organizations"] = lookups.orgs_of(row.get("organizations"))
    return data


def _clean_row(kind: str, data: dict[str, Any], seen: dict[str, set[str]]) -> dict[str, Any]:
    if kind == "experts":
        return expert_clean(data)
    if kind == "projects":
        stage = str(data.pop("stage", "") or "").strip()
        cleaned = project_clean(data)
        if stage and stage not in (ProjectStage.PROPOSED, str(ProjectStage.PROPOSED.label)):
            raise ValidationError({"stage": _("导入的项目从“已申报”开始，其余阶段请在项目页面中推进")})
        return cleaned
    if kind == "achievements":
        return achievement_clean(data)
    return _organization_clean(data, seen)


def _organization_clean(data: dict[str, Any], seen: dict[str, set[str]]) -> dict[str, Any]:
    from .services._clean import Cleaner

    c = Cleaner(data)
    out: dict[str, Any] = {"name": c.text("name", _("单位名称"), required=True, max_length=120)}
    uscc = c._run("uscc", clean_uscc, str(data.get("uscc") or ""), "uscc")
    if uscc:
        if uscc in seen.setdefault("uscc", set()):
            c.add("uscc", _("统一社会信用代码在文件中重复"))
        seen["uscc"].add(uscc)
    out["uscc"] = uscc
    kind = _label_map(OrganizationKind.choices).get(str(data.get("kind") or ""), data.get("kind"))
    out["kind"] = (
        c.choice("kind", _("单位类型"), OrganizationKind.values)
        if kind
        else c.choice("kind", _("单位类型"), [])
    )
    if kind in OrganizationKind.values:
        out["kind"] = kind
        c.errors.pop("kind", None)
    tier = _label_map(Tier.choices).get(str(data.get("tier") or ""), data.get("tier") or Tier.ORDINARY)
    if tier not in Tier.values:
        c.add("tier", _("成员类别的取值“%(value)s”无效") % {"value": tier})
    out["tier"] = tier
    city = c.city("city")
    out["city"] = city.code if city else None
    for key, label, n in (
        ("short_name", _("简称"), 40),
        ("address", _("地址"), 200),
        ("website", _("网站"), 200),
        ("phone", _("联系电话"), 40),
        ("email", _("公开邮箱"), 254),
        ("description", _("单位简介"), 4000),
    ):
        out[key] = c.text(key, label, max_length=n)
    c.done()
    return out


def import_check(
    kind: str, content: bytes, filename: str
) -> tuple[ImportReport, list[tuple[int, dict[str, Any]]]]:
    _check_kind(kind)
    report = ImportReport(kind=kind)
    rows = _rows_as_dicts(kind, read_table(content, filename), report)
    lookups = _Lookups(kind)
    labels = {key: str(label) for key, label in COLUMNS[kind]}
    cleaned_rows: list[tuple[int, dict[str, Any]]] = []
    seen: dict[str, set[str]] = {}
    existing_uscc: set[str] = set()
    if kind == "organizations":
        existing_uscc = set(Organization.objects.values_list("uscc", flat=True))
    for number, row in rows:
        try:
            cleaned = _clean_row(kind, _prepare(kind, row, lookups), seen)
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                for message in messages:
                    report.errors.append(RowError(number, labels.get(key, key), message))
            continue
        if kind == "organizations" and cleaned["uscc"] in existing_uscc:
            report.errors.append(RowError(number, labels["uscc"], _("该统一社会信用代码已属于成员单位")))
            continue
        cleaned_rows.append((number, cleaned))
    return report, cleaned_rows


def import_run(*, kind: str, content: bytes, filename: str, actor: Any, dry_run: bool = True) -> ImportReport:
    """Check every row; unless ``dry_run``, save all of them in one transaction, or none if any is bad."""
    if not policies.can_import(actor):
        raise PermissionDenied
    report, cleaned_rows = import_check(kind, content, filename)
    report.dry_run = dry_run
    if dry_run or report.errors or not cleaned_rows:
        return report
    with transaction.atomic():
        first = SAVERS[kind]([c for _n, c in cleaned_rows], actor)
        report.saved = len(cleaned_rows)
        audit.record(
            actor=actor,
            action=f"import.{kind}",
            target=first,
            new={"rows": report.saved, "file": filename[:200]},
        )
    return report


def _save_organizations(rows: list[dict[str, Any]], actor: Any) -> Any:
    first = None
    for data in rows:
        org = membership_services.organization_create(data=data, actor=actor, tier=data["tier"])
        first = first or org
    return first


def _bulk_m2m(through: Any, owner: str, other: str, pairs: Iterable[tuple[int, int]]) -> None:
    objs = [through(**{f"{owner}_id": a, f"{other}_id": b}) for a, b in pairs]
    through.objects.bulk_create(objs, batch_size=BATCH)


def _save_experts(rows: list[dict[str, Any]], actor: Any) -> Any:
    experts = []
    now = timezone.now()
    for data in rows:
        e = Expert(**{k: v for k, v in data.items() if k not in ("fields", "declared_conflicts")})
        if e.organization_id and not e.organization_name and e.organization:
            e.organization_name = e.organization.name
        e.consented_at = now if e.publish_consent else None
        expert_index_fields(e, [f.name for f in data["fields"]])
        experts.append(e)
    Expert.objects.bulk_create(experts, batch_size=BATCH)
    _bulk_m2m(
        Expert.fields.through,
        "expert",
        "expertisefield",
        ((e.pk, f.pk) for e, d in zip(experts, rows, strict=True) for f in d["fields"]),
    )
    _bulk_m2m(
        Expert.declared_conflicts.through,
        "expert",
        "organization",
        ((e.pk, o.pk) for e, d in zip(experts, rows, strict=True) for o in d["declared_conflicts"]),
    )
    return experts[0]


def _save_projects(rows: list[dict[str, Any]], actor: Any) -> Any:
    projects = []
    for data in rows:
        p = Project(
            name=data["name"],
            summary=data["summary"],
            lead_organization=data["lead_organization"],
            integration_tags=data["integration_tags"],
            planned_investment=data["planned_investment"],
            submitted_by=actor,
        )
        project_index_fields(
            p, partners=data["partner_organizations"], cities=data["cities"], tags=data["strategy_tags"]
        )
        projects.append(p)
    Project.objects.bulk_create(projects, batch_size=BATCH)
    for name, other in (
        ("partner_organizations", "organization"),
        ("cities", "city"),
        ("strategy_tags", "strategytag"),
    ):
        _bulk_m2m(
            getattr(Project, name).through,
            "project",
            other,
            ((p.pk, o.pk) for p, d in zip(projects, rows, strict=True) for o in d[name]),
        )
    today = timezone.localdate()
    ProjectStageChange.objects.bulk_create(
        [
            ProjectStageChange(
                project=p, to_stage=ProjectStage.PROPOSED, date=today, actor=actor, note=_("批量导入")
            )
            for p in projects
        ],
        batch_size=BATCH,
    )
    return projects[0]


def _save_achievements(rows: list[dict[str, Any]], actor: Any) -> Any:
    items = []
    for data in rows:
        a = Achievement(**{k: v for k, v in data.items() if k != "organizations"}, submitted_by=actor)
        achievement_index_fields(a, data["organizations"])
        items.append(a)
    Achievement.objects.bulk_create(items, batch_size=BATCH)
    _bulk_m2m(
        Achievement.organizations.through,
        "achievement",
        "organization",
        ((a.pk, o.pk) for a, d in zip(items, rows, strict=True) for o in d["organizations"]),
    )
    return items[0]


SAVERS: dict[str, Callable[[list[dict[str, Any]], Any], Any]] = {
    "organizations": _save_organizations,
    "experts": _save_experts,
    "projects": _save_projects,
    "achievements": _save_achievements,
}

__all__ = [
    "COLUMNS",
    "KINDS",
    "AchievementKind",
    "AchievementSource",
    "ImportReport",
    "IntegrationTag",
    "RowError",
    "Visibility",
    "export_rows",
    "import_run",
    "template_rows",
    "to_csv",
    "to_xlsx",
]

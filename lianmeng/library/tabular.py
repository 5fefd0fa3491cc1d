"""Excel (xlsx) and CSV import and export of organizations, experts, projects and achievements.

The import template's columns equal the export's. An import is checked row by row first (the dry run
lists every bad row with its row number, column and reason); a real run saves all rows in one
transaction or none. Exports mask personal data for viewers who may not see it (PIPL) and write CSV
as UTF-8 with a BOM so that Excel opens Chinese correctly. Every cell goes through
``lianmeng.core.exports.safe_cell`` (no formula from user text, no character xlsx cannot hold).
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import xlsxwriter
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from python_calamine import CalamineWorkbook

from lianmeng.accounts.models import User
from lianmeng.core import audit
from lianmeng.core.actors import Actor
from lianmeng.core.cleaning import strip_controls
from lianmeng.core.commands import Command
from lianmeng.core.errors import error_dict
from lianmeng.core.exports import csv_bytes, safe_row, unescape_cell
from lianmeng.membership import services as membership_services
from lianmeng.membership.commands import OrganizationCreate
from lianmeng.membership.models import Organization, OrganizationKind, Tier
from lianmeng.membership.selectors import organization_directory

from . import policies, selectors, services
from .commands import AchievementCreate, ExpertCreate, ProjectCreate, split_list
from .models import (
    AchievementKind,
    AchievementSource,
    Availability,
    ExpertTitle,
    IntegrationTag,
    ProjectStage,
    Visibility,
)
from .services.references import Errors, References

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
    """The rows as an Excel workbook, the first one in bold. XlsxWriter, row by row (``constant_memory``):
    10,000 rows of experts in 1.5-1.7 s, cells made safe included, where openpyxl's write-only mode took
    2.4-2.5 s without that (``bench/library.py xlsx``). Text is written as text, never read as a formula,
    a link or a number; dates get a date format."""
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(
        out,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "default_date_format": "yyyy-mm-dd",
            "remove_timezone": True,
        },
    )
    ws = wb.add_worksheet(title[:31])
    bold = wb.add_format({"bold": True})
    for number, row in enumerate(rows):
        values = safe_row(row)
        if number == 0:
            ws.write_row(0, 0, values, bold)
            continue
        for column, value in enumerate(values):
            if value is not None:
                ws.write(number, column, value)
    wb.close()
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
        try:
            # calamine (Rust): 10,000 rows in 0.3-0.4 s, openpyxl's read-only mode 1.8-2.2 s
            # (``bench/library.py xlsx``).
            # From cell A1 whatever the first used cell, so that row numbers are those Excel shows.
            sheet = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0)
            table = sheet.to_python(skip_empty_area=False)
        except Exception as exc:
            raise ValidationError({"file": _("无法读取该 Excel 文件，请使用下载的模板（.xlsx）")}) from exc
        return [[_imported(_cell(v)) for v in r] for r in table]
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValidationError({"file": _("无法识别文件编码，请另存为 UTF-8 编码的 CSV 或 xlsx")})
    return [[_imported(v) for v in r] for r in csv.reader(io.StringIO(text))]


def _cell(value: Any) -> Any:
    """A value calamine read, as the services take it: empty cells as None, whole numbers (Excel keeps
    every number as a float) as int, a date cell as a datetime at midnight (as openpyxl gave them)."""
    if value == "":
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if type(value) is datetime.date:
        return datetime.datetime.combine(value, datetime.time())
    return value


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


def _label_map(choices: list[tuple[str, Any]]) -> dict[str, str]:
    return {str(label): value for value, label in choices}


_LABELS = {
    "title": _label_map(ExpertTitle.choices),
    "availability": _label_map(Availability.choices),
    "kind_achievement": _label_map(AchievementKind.choices),
    "visibility": _label_map(Visibility.choices),
    "source": {str(label): value for value, label in AchievementSource.choices if value},
    "kind_organization": _label_map(OrganizationKind.choices),
    "tier": _label_map(Tier.choices),
}


class _Names:
    """What a spreadsheet names (member organizations by name or USCC) as the ids commands take,
    loaded once per import. Cities, fields and tags are resolved by name by the services' rules."""

    def __init__(self, kind: str) -> None:
        self.orgs: dict[str, int] = {}
        if kind in ("experts", "projects", "achievements"):
            for pk, name, uscc in Organization.objects.values_list("pk", "name", "uscc"):
                self.orgs[name] = self.orgs[uscc] = pk

    def org(self, value: Any, errors: Errors, field: str, label: Any) -> int | None:
        text = str(value or "").strip()
        if not text:
            return None
        pk = self.orgs.get(text)
        if pk is None:
            errors.setdefault(field, []).append(
                _("%(label)s“%(value)s”不是联盟成员单位") % {"label": label, "value": text}
            )
        return pk

    def orgs_of(self, value: Any, errors: Errors, field: str, label: Any) -> list[int]:
        found = [self.org(v, errors, field, label) for v in split_list(value)]
        return [pk for pk in found if pk is not None]


def _coded(row: dict[str, Any], field: str, labels: str) -> Any:
    value = row.get(field)
    return _LABELS[labels].get(str(value or "").strip(), value)


def _prepare(
    kind: str, row: dict[str, Any], names: _Names, refs: References, errors: Errors
) -> dict[str, Any]:
    """A spreadsheet row (labels, names) as the command's input (codes, ids). Names the catalogues do
    not know are errors of their column here (a unit outside the alliance is an expert's by name), so
    a row whose other cells the command refuses still names them; the services' rules agree."""
    data = dict(row)
    if kind == "experts":
        unit = str(row.get("organization") or "").strip()
        data["organization"] = names.orgs.get(unit)
        data["organization_name"] = "" if data["organization"] else unit
        refs.one_city(str(row.get("city") or "").strip(), errors)
        refs.fields(split_list(row.get("fields")), errors)
        data["title"] = _coded(row, "title", "title")
        data["availability"] = _coded(row, "availability", "availability") or Availability.AVAILABLE
    elif kind == "projects":
        data["lead_organization"] = names.org(
            row.get("lead_organization"), errors, "lead_organization", gettext_lazy("牵头单位")
        )
        data["partner_organizations"] = names.orgs_of(
            row.get("partner_organizations"), errors, "partner_organizations", gettext_lazy("合作单位")
        )
        refs.cities(split_list(row.get("cities")), errors)
        refs.tags(split_list(row.get("strategy_tags")), errors)
        stage = str(data.pop("stage", "") or "").strip()
        if stage and stage not in (ProjectStage.PROPOSED, str(ProjectStage.PROPOSED.label)):
            errors.setdefault("stage", []).append(_("导入的项目从“已申报”开始，其余阶段请在项目页面中推进"))
    elif kind == "achievements":
        data["organizations"] = names.orgs_of(
            row.get("organizations"), errors, "organizations", gettext_lazy("完成单位")
        )
        data["kind"] = _coded(row, "kind", "kind_achievement")
        data["visibility"] = _coded(row, "visibility", "visibility") or Visibility.PUBLIC
        data["source"] = _coded(row, "source", "source")
    else:
        data["kind"] = _coded(row, "kind", "kind_organization")
        data["tier"] = _coded(row, "tier", "tier") or Tier.ORDINARY
        city = refs.city(str(row.get("city") or "").strip()) if row.get("city") else None
        if city is not None:
            data["city"] = city.code
    return {k: v for k, v in data.items() if v is not None}


@dataclass(frozen=True)
class _Writes:
    """A kind's command, the service's rules that need the database (checked in the dry run too), and
    the service's bulk write."""

    command: type[Command]
    rules: Callable[[Any, References], Any] | None
    save: Callable[..., list[Any]]


def _organizations_import(
    *, cmds: list[OrganizationCreate], actor: Actor, refs: References, file: str
) -> list[Organization]:
    """One service call per organization (each audited), then the import's own entry."""
    with transaction.atomic():
        created = [membership_services.organization_create(cmd=cmd, actor=actor) for cmd in cmds]
        audit.record(
            actor=actor,
            action="import.organizations",
            target=created[0],
            new={"rows": len(created), "file": file},
        )
    return created


WRITES: dict[str, _Writes] = {
    "organizations": _Writes(OrganizationCreate, None, _organizations_import),
    "experts": _Writes(ExpertCreate, services.expert_rules, services.experts_import),
    "projects": _Writes(ProjectCreate, services.project_rules, services.projects_import),
    "achievements": _Writes(AchievementCreate, services.achievement_rules, services.achievements_import),
}
# Error keys that are no column of their own: the column they came from.
_COLUMN_OF = {"organization_name": "organization"}


def import_check(kind: str, content: bytes, filename: str) -> tuple[ImportReport, list[Command], References]:
    """Build one command per row and check it with the service's rules: the dry run. Every bad row is
    reported with its columns; the commands of a file without errors are returned for the real run."""
    _check_kind(kind)
    report = ImportReport(kind=kind)
    rows = _rows_as_dicts(kind, read_table(content, filename), report)
    names = _Names(kind)
    refs = References(preload=True)
    writes = WRITES[kind]
    labels = {key: str(label) for key, label in COLUMNS[kind]}
    commands: list[Command] = []
    seen_uscc: set[str] = set()
    existing_uscc: set[str] = set()
    if kind == "organizations":
        existing_uscc = set(Organization.objects.values_list("uscc", flat=True))
    for number, row in rows:
        errors: Errors = {}
        cmd: Command | None = None
        data = _prepare(kind, row, names, refs, errors)
        try:
            cmd = writes.command.build(data)
        except ValidationError as exc:
            _merge(errors, exc)
        if cmd is not None and writes.rules is not None:
            try:
                writes.rules(cmd, refs)
            except ValidationError as exc:
                _merge(errors, exc)
        if isinstance(cmd, OrganizationCreate):
            if cmd.uscc in seen_uscc:
                errors.setdefault("uscc", []).append(_("统一社会信用代码在文件中重复"))
            elif cmd.uscc in existing_uscc:
                errors.setdefault("uscc", []).append(_("该统一社会信用代码已属于成员单位"))
            seen_uscc.add(cmd.uscc)
        for key, messages in errors.items():
            column = labels.get(_COLUMN_OF.get(key, key), key)
            for message in dict.fromkeys(messages):
                report.errors.append(RowError(number, column, message))
        if not errors and cmd is not None:
            commands.append(cmd)
    return report, commands, refs


def _merge(errors: Errors, exc: ValidationError) -> None:
    for key, messages in error_dict(exc).items():
        errors.setdefault(key, []).extend(str(m) for m in messages)


def import_run(
    *, kind: str, content: bytes, filename: str, actor: User, dry_run: bool = True
) -> ImportReport:
    """Check every row; unless ``dry_run``, save all of them in one transaction through the services'
    bulk writes (the rules, consent, search columns and stage history of a single write; one audit
    entry for the import naming its row count and file), or none if any row is bad."""
    if not policies.can_import(actor):
        raise PermissionDenied
    report, commands, refs = import_check(kind, content, filename)
    report.dry_run = dry_run
    if dry_run or report.errors or not commands:
        return report
    created = WRITES[kind].save(cmds=commands, actor=actor, refs=refs, file=filename[:200])
    report.saved = len(created)
    return report


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

"""Every write on projects: creation, edits, stage transitions and landing records."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from lianmeng.core import audit, concurrency
from lianmeng.core.search import search_text
from lianmeng.membership.models import Organization, OrganizationKind

from .. import policies
from ..models import IntegrationTag, Landing, Project, ProjectStage, ProjectStageChange, StrategyTag
from ..pinyin import name_pinyin
from ._clean import Cleaner, city_lookup, split_list
from .experts import _organization_lookup, _organizations_lookup

S = ProjectStage
# The one transition table: from stage -> {to stage: roles allowed}. "lead" is a contact of the lead
# organization; "secretariat" the secretariat. Landing needs at least one landing record.
PROJECT_TRANSITIONS: dict[str, dict[str, frozenset[str]]] = {
    S.PROPOSED: {S.EVALUATING: frozenset({"secretariat"}), S.CLOSED: frozenset({"secretariat", "lead"})},
    S.EVALUATING: {
        S.INCUBATING: frozenset({"secretariat"}),
        S.PROPOSED: frozenset({"secretariat"}),
        S.CLOSED: frozenset({"secretariat", "lead"}),
    },
    S.INCUBATING: {S.LANDED: frozenset({"secretariat"}), S.CLOSED: frozenset({"secretariat", "lead"})},
    S.LANDED: {S.OPERATING: frozenset({"secretariat", "lead"}), S.CLOSED: frozenset({"secretariat"})},
    S.OPERATING: {S.CLOSED: frozenset({"secretariat"})},
    S.CLOSED: {},
}


def project_next_stages(project: Project, user: Any) -> list[str]:
    """The stages the user may move the project to now (for the one obvious button)."""
    roles = policies.project_transition_role(user, project)
    return [to for to, allowed in PROJECT_TRANSITIONS[project.stage].items() if roles & allowed]


def project_index_fields(
    project: Project,
    *,
    partners: list[Organization] | None = None,
    cities: list[Any] | None = None,
    tags: list[StrategyTag] | None = None,
) -> None:
    """Refresh search columns: name, summary, lead and partner names, cities, tags."""
    if project.pk:
        partners = partners if partners is not None else list(project.partner_organizations.all())
        cities = cities if cities is not None else list(project.cities.all())
        tags = tags if tags is not None else list(project.strategy_tags.all())
    project.search_text = search_text(
        project.name,
        project.summary,
        project.lead_organization.name if project.lead_organization_id else "",
        " ".join(o.name for o in partners or []),
        " ".join(c.name for c in cities or []),
        " ".join(t.name for t in tags or []),
        " ".join(project.integration_tag_labels),
    )
    full, initials, project.name_sort = name_pinyin(project.name)
    project.name_pinyin, project.name_initials = full[:400], initials[:120]


def _strategy_lookup(values: list[Any], c: Cleaner) -> list[StrategyTag]:
    out = []
    for value in values:
        if isinstance(value, StrategyTag):
            out.append(value)
            continue
        tag = (
            StrategyTag.objects.filter(pk=int(value)).first()
            if str(value).isdigit()
            else StrategyTag.objects.filter(name=value).first()
        )
        if tag is None or not tag.is_active:
            c.add("strategy_tags", _("国家战略标签“%(value)s”不在配置的列表中") % {"value": value})
        else:
            out.append(tag)
    return out


_INTEGRATION_BY_LABEL = {str(label): value for value, label in IntegrationTag.choices}


def _integration_clean(values: list[str], c: Cleaner) -> str:
    out = []
    for value in values:
        code = value if value in IntegrationTag.values else _INTEGRATION_BY_LABEL.get(value)
        if code is None:
            c.add(
                "integration_tags", _("融合方向应为 科技、资本 或 产业，而不是“%(value)s”") % {"value": value}
            )
        elif code not in out:
            out.append(code)
    out.sort(key=IntegrationTag.values.index)
    return "," + ",".join(out) + "," if out else ""


def project_clean(data: dict[str, Any], *, partial: bool = False) -> dict[str, Any]:
    c = Cleaner(data)
    out: dict[str, Any] = {}

    def want(name: str) -> bool:
        return not partial or name in data

    if want("name"):
        out["name"] = c.text("name", _lazy("项目名称"), required=True, max_length=120)
    if want("summary"):
        out["summary"] = c.text("summary", _lazy("项目简介"), required=True, max_length=4000)
    if want("lead_organization"):
        lead = _organization_lookup(data.get("lead_organization"), c, "lead_organization", _lazy("牵头单位"))
        if lead is None and "lead_organization" not in c.errors:
            c.add("lead_organization", _lazy("请选择牵头单位"))
        out["lead_organization"] = lead
    if want("partner_organizations"):
        out["partner_organizations"] = _organizations_lookup(
            split_list(data.get("partner_organizations")), c, "partner_organizations", _lazy("合作单位")
        )
    if want("cities"):
        cities = []
        for value in split_list(data.get("cities")):
            city = value if hasattr(value, "code") else city_lookup(value)
            if city is None:
                c.add("cities", _("“%(value)s”不是联盟成员城市") % {"value": value})
            elif city not in cities:
                cities.append(city)
        if not cities and "cities" not in c.errors:
            c.add("cities", _lazy("请至少选择一个城市"))
        out["cities"] = cities
    if want("strategy_tags"):
        out["strategy_tags"] = _strategy_lookup(split_list(data.get("strategy_tags")), c)
    if want("integration_tags"):
        out["integration_tags"] = _integration_clean(split_list(data.get("integration_tags")), c)
    if want("planned_investment"):
        out["planned_investment"] = c.decimal("planned_investment", _lazy("计划投资"))
    lead = out.get("lead_organization")
    if lead is not None and lead in out.get("partner_organizations", []):
        c.add("partner_organizations", _lazy("牵头单位不必再列为合作单位"))
    c.done()
    return out


_M2M = ("partner_organizations", "cities", "strategy_tags")


def _audit_value(cleaned: dict[str, Any]) -> dict[str, Any]:
    return {k: (sorted(str(v.pk) for v in val) if k in _M2M else val) for k, val in cleaned.items()}


@transaction.atomic
def project_create(*, data: dict[str, Any], actor: Any) -> Project:
    """A member submits a project for its own organization (or the secretariat for any). Stage: proposed."""
    cleaned = project_clean(data)
    if actor is not None and not policies.can_submit_project(actor, cleaned["lead_organization"]):
        raise PermissionDenied(_("只能以本单位为牵头单位提交项目"))
    project = Project(
        name=cleaned["name"],
        summary=cleaned["summary"],
        lead_organization=cleaned["lead_organization"],
        integration_tags=cleaned["integration_tags"],
        planned_investment=cleaned["planned_investment"],
        stage=ProjectStage.PROPOSED,
        submitted_by=actor if policies.signed_in(actor) else None,
    )
    project_index_fields(
        project,
        partners=cleaned["partner_organizations"],
        cities=cleaned["cities"],
        tags=cleaned["strategy_tags"],
    )
    project.save()
    project.partner_organizations.set(cleaned["partner_organizations"])
    project.cities.set(cleaned["cities"])
    project.strategy_tags.set(cleaned["strategy_tags"])
    ProjectStageChange.objects.create(
        project=project,
        from_stage="",
        to_stage=ProjectStage.PROPOSED,
        date=timezone.localdate(),
        actor=project.submitted_by,
    )
    audit.record(actor=actor, action="project.create", target=project, new=_audit_value(cleaned))
    return project


@transaction.atomic
def project_update(*, project: Project, data: dict[str, Any], actor: Any) -> Project:
    if not policies.can_edit_project(actor, project):
        raise PermissionDenied
    project = Project.objects.select_for_update().select_related("lead_organization").get(pk=project.pk)
    data = {k: v for k, v in concurrency.check(project, data).items() if k != "stage"}
    cleaned = project_clean(data, partial=True)
    if "lead_organization" in cleaned and not policies.can_submit_project(
        actor, cleaned["lead_organization"]
    ):
        raise ValidationError({"lead_organization": _("只能以本单位为牵头单位")})
    scalar = [k for k in cleaned if k not in _M2M]
    before = audit.snapshot(project, scalar)
    before_m2m = {
        k: sorted(str(v) for v in getattr(project, k).values_list("pk", flat=True))
        for k in cleaned
        if k in _M2M
    }
    for key in scalar:
        setattr(project, key, cleaned[key])
    for key in _M2M:
        if key in cleaned:
            getattr(project, key).set(cleaned[key])
    project_index_fields(project)
    project.save()
    old, new = audit.changes(before, audit.snapshot(project, scalar))
    for key, value in before_m2m.items():
        after = sorted(str(v.pk) for v in cleaned[key])
        if after != value:
            old[key], new[key] = value, after
    concurrency.bump(project, new)
    audit.record(actor=actor, action="project.update", target=project, old=old, new=new)
    return project


@transaction.atomic
def project_transition(
    *, project: Project, to: str, actor: Any, reason: str = "", date: datetime.date | None = None
) -> Project:
    """Move a project to another stage by the role the transition table allows; records date and actor.

    Locks the project row so two concurrent transitions cannot both apply.
    """
    if not policies.can_view_project(actor, project):
        raise PermissionDenied
    project = Project.objects.select_for_update().get(pk=project.pk)
    if to not in ProjectStage.values:
        raise ValidationError({"to": _("未知的项目阶段“%(value)s”") % {"value": to}})
    allowed = PROJECT_TRANSITIONS[project.stage]
    if to not in allowed:
        raise ValidationError(
            {
                "to": _("项目当前为“%(from)s”，不能转为“%(to)s”")
                % {"from": project.get_stage_display(), "to": ProjectStage(to).label}
            }
        )
    if not (policies.project_transition_role(actor, project) & allowed[to]):
        raise PermissionDenied(_("您无权将项目转为“%(to)s”") % {"to": ProjectStage(to).label})
    reason = (reason or "").strip()
    if to == ProjectStage.CLOSED and not reason:
        raise ValidationError({"reason": _("终止项目时请填写原因")})
    if to == ProjectStage.LANDED and not project.landings.exists():
        raise ValidationError({"to": _("请先登记至少一个城市的落地记录，再将项目标记为已落地")})
    old = project.stage
    project.stage = to
    if to == ProjectStage.CLOSED:
        project.closed_reason = reason
    project.save(update_fields=["stage", "closed_reason", "updated_at"])
    ProjectStageChange.objects.create(
        project=project,
        from_stage=old,
        to_stage=to,
        date=date or timezone.localdate(),
        note=reason,
        actor=actor,
    )
    audit.record(
        actor=actor,
        action="project.transition",
        target=project,
        old={"stage": old},
        new={"stage": to, "reason": reason},
    )
    return project


def landing_clean(data: dict[str, Any]) -> dict[str, Any]:
    c = Cleaner(data)
    out: dict[str, Any] = {"city": c.city("city")}
    park = _organization_lookup(data.get("park"), c, "park", _("落地园区"))
    if park is not None and park.kind != OrganizationKind.PARK:
        c.add("park", _("“%(name)s”不是人力资源服务产业园") % {"name": park.name})
    out["park"] = park
    out["park_name"] = c.text("park_name", _("园区名称"), max_length=120)
    if park is None and not out["park_name"] and "park" not in c.errors:
        c.add("park", _("请选择落地园区或填写园区名称"))
    out["date"] = c.date("date", _("落地日期"), required=True)
    if out["date"] and out["date"] > timezone.localdate():
        c.add("date", _("落地日期不能晚于今天"))
    out["investment"] = c.decimal("investment", _("投资额")) or Decimal(0)
    out["jobs"] = c.integer("jobs", _("带动就业人数")) or 0
    out["notes"] = c.text("notes", _("备注"), max_length=2000)
    if park is not None and out["city"] is not None and park.city_id != out["city"].pk:
        c.add("park", _("园区“%(name)s”不在%(city)s") % {"name": park.name, "city": out["city"].name})
    c.done()
    return out


@transaction.atomic
def landing_record(*, project: Project, data: dict[str, Any], actor: Any) -> Landing:
    """Record a landing in a city (secretariat or that city's coordinator); one per project and city.

    The project must be incubating, landed or operating; the city joins the project's cities.
    """
    cleaned = landing_clean(data)
    if not policies.can_record_landing(actor, project, cleaned["city"]):
        raise PermissionDenied
    project = Project.objects.select_for_update().get(pk=project.pk)
    if project.stage not in (ProjectStage.INCUBATING, ProjectStage.LANDED, ProjectStage.OPERATING):
        raise ValidationError(
            {
                "project": _("项目处于“%(stage)s”阶段，孵化后才能登记落地")
                % {"stage": project.get_stage_display()}
            }
        )
    if project.landings.filter(city=cleaned["city"]).exists():
        raise ValidationError({"city": _("该项目已登记在%(city)s落地") % {"city": cleaned["city"].name}})
    landing = Landing.objects.create(
        project=project, actor=actor if policies.signed_in(actor) else None, **cleaned
    )
    project.cities.add(cleaned["city"])
    project_index_fields(project)
    project.save(update_fields=["search_text", "updated_at"])
    audit.record(
        actor=actor,
        action="project.landing",
        target=project,
        new=cleaned,
    )
    return landing

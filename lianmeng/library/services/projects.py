"""Every write on projects: creation, edits, stage transitions and landing records."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from lianmeng.accounts.models import User
from lianmeng.core import audit, concurrency
from lianmeng.core.actors import Actor
from lianmeng.core.search import name_pinyin, search_text
from lianmeng.membership.models import Organization, OrganizationKind

from .. import machines, policies
from ..commands import LandingRecord, ProjectCreate, ProjectTransition, ProjectUpdate, given
from ..models import Landing, Project, ProjectStage, ProjectStageChange, StrategyTag
from .experts import BATCH, bulk_m2m, raise_if
from .references import Errors, References


def project_next_stages(project: Project, user: User | AnonymousUser) -> list[str]:
    """The stages the user may move the project to now (for the one obvious button)."""
    return machines.PROJECT.targets(project.stage, actor=user, obj=project)


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


_M2M = ("partner_organizations", "cities", "strategy_tags")


def project_rules(cmd: ProjectCreate | ProjectUpdate, refs: References | None = None) -> dict[str, Any]:
    """The project's values with their references resolved (the fields given, for an update); one
    ValidationError naming every reference that does not exist. Writes nothing (an import's dry run)."""
    refs = refs or References()
    errors: Errors = {}
    values = given(cmd) if isinstance(cmd, ProjectUpdate) else cmd.model_dump()
    values.pop("version", None)
    if "lead_organization" in values:
        values["lead_organization"] = refs.one_organization(
            values["lead_organization"], errors, "lead_organization", _lazy("牵头单位")
        )
        if values["lead_organization"] is None and "lead_organization" not in errors:
            errors["lead_organization"] = [_("请选择牵头单位")]
    if "partner_organizations" in values:
        values["partner_organizations"] = refs.organizations(
            values["partner_organizations"] or [], errors, "partner_organizations", _lazy("合作单位")
        )
    if "cities" in values:
        values["cities"] = refs.cities(values["cities"] or [], errors)
        if not values["cities"] and "cities" not in errors:
            errors["cities"] = [_("请至少选择一个城市")]
    if "strategy_tags" in values:
        values["strategy_tags"] = refs.tags(values["strategy_tags"] or [], errors)
    if "integration_tags" in values:
        tags = values["integration_tags"] or []
        values["integration_tags"] = "," + ",".join(tags) + "," if tags else ""
    raise_if(errors)
    return values


def _audit_value(values: dict[str, Any]) -> dict[str, Any]:
    return {k: (sorted(str(v.pk) for v in val) if k in _M2M else val) for k, val in values.items()}


def _project_new(values: dict[str, Any], actor: Actor) -> Project:
    project = Project(
        name=values["name"],
        summary=values["summary"],
        lead_organization=values["lead_organization"],
        integration_tags=values["integration_tags"],
        planned_investment=values["planned_investment"],
        stage=ProjectStage.PROPOSED,
        submitted_by=actor if isinstance(actor, User) and actor.is_authenticated else None,
    )
    project_index_fields(
        project,
        partners=values["partner_organizations"],
        cities=values["cities"],
        tags=values["strategy_tags"],
    )
    return project


def _first_stage(project: Project, note: str = "") -> ProjectStageChange:
    return ProjectStageChange(
        project=project,
        from_stage="",
        to_stage=ProjectStage.PROPOSED,
        date=timezone.localdate(),
        actor=project.submitted_by,
        note=note,
    )


@transaction.atomic
def project_create(*, cmd: ProjectCreate, actor: Actor) -> Project:
    """A member submits a project for its own organization (or the secretariat for any). Stage: proposed."""
    values = project_rules(cmd)
    if not policies.can_submit_project(actor, values["lead_organization"]):
        raise PermissionDenied(_("只能以本单位为牵头单位提交项目"))
    project = _project_new(values, actor)
    project.save()
    for key in _M2M:
        getattr(project, key).set(values[key])
    _first_stage(project).save()
    audit.record(actor=actor, action="project.create", target=project, new=_audit_value(values))
    return project


@transaction.atomic
def projects_import(*, cmds: list[ProjectCreate], actor: Actor, refs: References, file: str) -> list[Project]:
    """Many projects at once (an import): the rules of ``project_create`` for every row, the first stage
    in each history, one insert per table. One audit entry for the import,
    naming its row count and file."""
    rows = [project_rules(cmd, refs) for cmd in cmds]
    if not all(policies.can_submit_project(actor, values["lead_organization"]) for values in rows):
        raise PermissionDenied(_("只能以本单位为牵头单位提交项目"))
    projects = [_project_new(values, actor) for values in rows]
    Project.objects.bulk_create(projects, batch_size=BATCH)
    for name, other in (
        ("partner_organizations", "organization"),
        ("cities", "city"),
        ("strategy_tags", "strategytag"),
    ):
        bulk_m2m(getattr(Project, name).through, "project", other, projects, [v[name] for v in rows])
    ProjectStageChange.objects.bulk_create(
        [_first_stage(p, note=_("批量导入")) for p in projects], batch_size=BATCH
    )
    audit.record(
        actor=actor, action="import.projects", target=projects[0], new={"rows": len(projects), "file": file}
    )
    return projects


@transaction.atomic
def project_update(*, project: Project, cmd: ProjectUpdate, actor: User) -> Project:
    if not policies.can_edit_project(actor, project):
        raise PermissionDenied
    project = Project.objects.select_for_update().select_related("lead_organization").get(pk=project.pk)
    concurrency.check(project, given(cmd))
    cleaned = project_rules(cmd)
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
def project_transition(*, project: Project, cmd: ProjectTransition, actor: User) -> Project:
    """Move a project to another stage as the state machine and its guards allow; records date and actor.

    Locks the project row so two concurrent transitions cannot both apply.
    """
    if not policies.can_view_project(actor, project):
        raise PermissionDenied
    project = Project.objects.select_for_update().get(pk=project.pk)
    to = cmd.to
    if to not in machines.PROJECT.actions(project.stage):
        raise ValidationError(
            {
                "to": _("项目当前为“%(from)s”，不能转为“%(to)s”")
                % {"from": project.get_stage_display(), "to": ProjectStage(to).label}
            }
        )
    if not machines.PROJECT.can(project.stage, to, actor=actor, obj=project):
        raise PermissionDenied(_("您无权将项目转为“%(to)s”") % {"to": ProjectStage(to).label})
    reason = cmd.reason
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
        date=timezone.localdate(),
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


def landing_rules(cmd: LandingRecord, refs: References | None = None) -> dict[str, Any]:
    """The landing's values with the city and park resolved; the park must be an HR services park in
    that city."""
    refs = refs or References()
    errors: Errors = {}
    values = cmd.model_dump()
    city = values["city"] = refs.one_city(cmd.city, errors)
    park = values["park"] = refs.one_organization(cmd.park, errors, "park", _lazy("落地园区"))
    if park is not None and park.kind != OrganizationKind.PARK:
        errors.setdefault("park", []).append(_("“%(name)s”不是人力资源服务产业园") % {"name": park.name})
    elif park is not None and city is not None and park.city_id != city.pk:
        errors.setdefault("park", []).append(
            _("园区“%(name)s”不在%(city)s") % {"name": park.name, "city": city.name}
        )
    values["investment"] = cmd.investment or Decimal(0)
    values["jobs"] = cmd.jobs or 0
    raise_if(errors)
    return values


@transaction.atomic
def landing_record(*, project: Project, cmd: LandingRecord, actor: User) -> Landing:
    """Record a landing in a city (secretariat or that city's coordinator); one per project and city.

    The project must be incubating, landed or operating; the city joins the project's cities.
    """
    cleaned = landing_rules(cmd)
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

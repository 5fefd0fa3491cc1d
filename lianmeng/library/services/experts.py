"""Every write on experts, the fields taxonomy and the advisory committee."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from lianmeng.accounts.models import User
from lianmeng.core import audit, concurrency
from lianmeng.core.actors import Actor
from lianmeng.core.search import name_pinyin, search_text

from .. import policies
from ..commands import CommitteeAppoint, ExpertCreate, ExpertUpdate, given
from ..models import CommitteeMembership, CommitteePost, Expert
from .references import Errors, References

BATCH = 2000

EXPERT_FIELDS = (
    "name",
    "organization",
    "organization_name",
    "city",
    "title",
    "position",
    "keywords",
    "biography",
    "availability",
    "status",
    "mobile",
    "email",
    "id_number",
    "publish_consent",
)
# What an expert may change on their own profile (the secretariat changes everything).
EXPERT_SELF_EDITABLE = (
    "position",
    "keywords",
    "biography",
    "availability",
    "mobile",
    "email",
    "publish_consent",
    "fields",
    "declared_conflicts",
)


def raise_if(errors: Errors) -> None:
    if errors:
        raise ValidationError(errors)


def bulk_m2m(
    through: Any, owner: str, other: str, rows: Sequence[Any], related: Sequence[Iterable[Any]]
) -> None:
    """Insert the many-to-many links of freshly bulk-created ``rows`` (``related[i]`` for ``rows[i]``)."""
    links = [
        through(**{f"{owner}_id": row.pk, f"{other}_id": item.pk})
        for row, items in zip(rows, related, strict=True)
        for item in items
    ]
    through.objects.bulk_create(links, batch_size=BATCH)


def expert_index_fields(expert: Expert, field_names: list[str] | None = None) -> None:
    """Refresh the search columns (name, affiliation, title, fields, keywords, biography if consented)."""
    if field_names is None:
        field_names = [f.name for f in expert.fields.all()] if expert.pk else []
    expert.search_text = search_text(
        expert.name,
        expert.affiliation,
        expert.city.name if expert.city_id else "",
        expert.position,
        " ".join(field_names),
        expert.keywords,
        expert.biography if expert.publish_consent else "",
    )
    full, initials, expert.name_sort = name_pinyin(expert.name)
    expert.name_pinyin, expert.name_initials = full[:200], initials[:60]


def expert_rules(cmd: ExpertCreate | ExpertUpdate, refs: References | None = None) -> dict[str, Any]:
    """The expert's values with their references resolved (the fields given, for an update); one
    ValidationError naming every reference that does not exist. Writes nothing (an import's dry run)."""
    refs = refs or References()
    errors: Errors = {}
    values = given(cmd) if isinstance(cmd, ExpertUpdate) else cmd.model_dump()
    values.pop("version", None)
    if "organization" in values:
        values["organization"] = refs.one_organization(
            values["organization"], errors, "organization", _lazy("所在单位")
        )
    if "city" in values:
        values["city"] = refs.one_city(values["city"], errors)
    if "fields" in values:
        values["fields"] = refs.fields(values["fields"] or [], errors)
    if isinstance(cmd, ExpertCreate) and cmd.organization is None and not cmd.organization_name:
        errors.setdefault("organization", []).append(_("请选择所在单位或填写单位名称"))
    if "declared_conflicts" in values:
        values["declared_conflicts"] = refs.organizations(
            values["declared_conflicts"] or [], errors, "declared_conflicts", _lazy("回避单位")
        )
    raise_if(errors)
    return values


def _apply(expert: Expert, values: dict[str, Any]) -> None:
    for key, value in values.items():
        if key in ("fields", "declared_conflicts"):
            continue
        setattr(expert, key, value)
    if "publish_consent" in values:
        if values["publish_consent"] and not expert.consented_at:
            expert.consented_at = timezone.now()
        elif not values["publish_consent"]:
            expert.consented_at = None
    if expert.organization_id and expert.organization and not expert.organization_name:
        expert.organization_name = expert.organization.name


def _audit_view(values: dict[str, Any]) -> dict[str, Any]:
    """Audit values without personal data in clear (PIPL): only whether it changed."""
    view: dict[str, Any] = {}
    for key, value in values.items():
        if key in ("mobile", "email", "id_number"):
            view[key] = "***" if value else ""
        elif key in ("fields", "declared_conflicts"):
            view[key] = sorted(v.pk for v in value)
        else:
            view[key] = value
    return view


def _expert_new(values: dict[str, Any], user: User | None) -> Expert:
    expert = Expert(user=user)
    _apply(expert, values)
    expert_index_fields(expert, [f.name for f in values["fields"]])
    return expert


@transaction.atomic
def expert_create(
    *, cmd: ExpertCreate, actor: Actor, user: User | None = None, refs: References | None = None
) -> Expert:
    """Add an expert to the library (secretariat). ``user`` links an account (the expert signs in)."""
    if not policies.can_manage_experts(actor):
        raise PermissionDenied
    values = expert_rules(cmd, refs)
    expert = _expert_new(values, user)
    expert.save()
    expert.fields.set(values["fields"])
    expert.declared_conflicts.set(values["declared_conflicts"])
    audit.record(actor=actor, action="expert.create", target=expert, new=_audit_view(values))
    return expert


@transaction.atomic
def experts_import(*, cmds: list[ExpertCreate], actor: Actor, refs: References, file: str) -> list[Expert]:
    """Many experts at once (an import): the rules of ``expert_create`` for every row, then one insert
    per table. One audit entry for the import, naming its row count and file."""
    if not policies.can_manage_experts(actor):
        raise PermissionDenied
    rows = [expert_rules(cmd, refs) for cmd in cmds]
    experts = [_expert_new(values, None) for values in rows]
    Expert.objects.bulk_create(experts, batch_size=BATCH)
    bulk_m2m(Expert.fields.through, "expert", "expertisefield", experts, [v["fields"] for v in rows])
    bulk_m2m(
        Expert.declared_conflicts.through,
        "expert",
        "organization",
        experts,
        [v["declared_conflicts"] for v in rows],
    )
    audit.record(
        actor=actor, action="import.experts", target=experts[0], new={"rows": len(experts), "file": file}
    )
    return experts


@transaction.atomic
def expert_update(*, expert: Expert, cmd: ExpertUpdate, actor: User) -> Expert:
    """Edit an expert. The expert edits their own profile except name, unit, city, title and status."""
    if not policies.can_edit_expert(actor, expert):
        raise PermissionDenied
    expert = Expert.objects.select_for_update().get(pk=expert.pk)
    concurrency.check(expert, given(cmd))
    if not policies.can_manage_experts(actor):
        forbidden = [k for k in cmd.model_fields_set if k not in EXPERT_SELF_EDITABLE and k != "version"]
        if forbidden:
            raise ValidationError({k: _("只有秘书处可以修改此项") for k in forbidden})
    values = expert_rules(cmd)
    before = audit.snapshot(expert, [k for k in values if k in EXPERT_FIELDS])
    _apply(expert, values)
    if "fields" in values:
        expert.fields.set(values["fields"])
    if "declared_conflicts" in values:
        expert.declared_conflicts.set(values["declared_conflicts"])
    expert_index_fields(expert)
    expert.save()
    after = audit.snapshot(expert, [k for k in values if k in EXPERT_FIELDS])
    old, new = audit.changes(before, after)
    for key in ("mobile", "email", "id_number"):
        if key in new:
            old[key], new[key] = "***", "***"
    for key in ("fields", "declared_conflicts"):
        if key in values:
            new[key] = sorted(v.pk for v in values[key])
    concurrency.bump(expert, new)
    audit.record(actor=actor, action="expert.update", target=expert, old=old, new=new)
    return expert


@transaction.atomic
def committee_appoint(*, expert: Expert, cmd: CommitteeAppoint, actor: Actor) -> CommitteeMembership:
    """Appoint an expert to the advisory committee for a term. One current seat per expert."""
    if not policies.can_manage_committee(actor):
        raise PermissionDenied
    expert = Expert.objects.select_for_update().get(pk=expert.pk)
    post, term_start, term_end = cmd.post, cmd.term_start, cmd.term_end
    overlapping = expert.committee_terms.filter(term_start__lte=term_end, term_end__gte=term_start)
    if overlapping.exists():
        raise ValidationError({"term_start": _("该专家在这段时间已有委员会任期")})
    if post == CommitteePost.CHAIR:
        chair = CommitteeMembership.objects.filter(
            post=CommitteePost.CHAIR, term_start__lte=term_end, term_end__gte=term_start
        ).exists()
        if chair:
            raise ValidationError({"post": _("同一任期内只能有一位主任")})
    term = CommitteeMembership.objects.create(
        expert=expert, post=post, term_start=term_start, term_end=term_end
    )
    audit.record(
        actor=actor,
        action="committee.appoint",
        target=expert,
        new={"post": post, "term_start": term_start, "term_end": term_end},
    )
    return term


@transaction.atomic
def committee_end_term(*, term: CommitteeMembership, end: datetime.date, actor: User) -> CommitteeMembership:
    if not policies.can_manage_committee(actor):
        raise PermissionDenied
    term = CommitteeMembership.objects.select_for_update().get(pk=term.pk)
    if end < term.term_start:
        raise ValidationError({"term_end": _("任期结束日期不能早于开始日期")})
    old = term.term_end
    term.term_end = end
    term.save(update_fields=["term_end"])
    audit.record(
        actor=actor,
        action="committee.end_term",
        target=term.expert,
        old={"term_end": old},
        new={"term_end": end},
    )
    return term

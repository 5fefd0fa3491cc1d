"""Every write on experts, the fields taxonomy and the advisory committee."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from lianmeng.core import audit, concurrency
from lianmeng.core.search import search_text
from lianmeng.membership.models import Organization

from .. import policies
from ..models import (
    Availability,
    CommitteeMembership,
    CommitteePost,
    Expert,
    ExpertiseField,
    ExpertStatus,
    ExpertTitle,
)
from ..pinyin import name_pinyin
from ._clean import Cleaner, StrOrPromise, clean_id_number, split_list

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


def _fields_lookup(values: list[Any], c: Cleaner, field: str = "fields") -> list[ExpertiseField]:
    out: list[ExpertiseField] = []
    for value in values:
        if isinstance(value, ExpertiseField):
            out.append(value)
            continue
        found = (
            ExpertiseField.objects.filter(pk=int(value), is_active=True).first()
            if str(value).isdigit()
            else ExpertiseField.objects.filter(name=value, is_active=True).first()
        )
        if found is None:
            c.add(field, _("专业领域“%(value)s”不在领域目录中") % {"value": value})
        else:
            out.append(found)
    return out


def _organization_lookup(value: Any, c: Cleaner, field: str, label: StrOrPromise) -> Organization | None:
    if value in (None, ""):
        return None
    if isinstance(value, Organization):
        return value
    text = str(value).strip()
    org = (
        Organization.objects.filter(pk=int(text)).first()
        if text.isdigit()
        else Organization.objects.filter(name=text).first() or Organization.objects.filter(uscc=text).first()
    )
    if org is None:
        c.add(field, _("%(label)s“%(value)s”不是联盟成员单位") % {"label": label, "value": text})
    return org


def _organizations_lookup(
    values: list[Any], c: Cleaner, field: str, label: StrOrPromise
) -> list[Organization]:
    out = []
    for value in values:
        org = _organization_lookup(value, c, field, label)
        if org is not None:
            out.append(org)
    return out


def expert_clean(data: dict[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """Validate expert data; one ValidationError naming every bad field. ``partial`` cleans only given keys."""
    c = Cleaner(data)
    out: dict[str, Any] = {}

    def want(name: str) -> bool:
        return not partial or name in data

    if want("name"):
        out["name"] = c.text("name", _lazy("姓名"), required=True, max_length=60)
    if want("organization"):
        out["organization"] = _organization_lookup(
            data.get("organization"), c, "organization", _lazy("所在单位")
        )
    if want("organization_name"):
        out["organization_name"] = c.text("organization_name", _lazy("单位名称"), max_length=120)
    if want("city"):
        out["city"] = c.city("city")
    if want("title"):
        out["title"] = c.choice("title", _lazy("职称"), ExpertTitle.values)
    if want("position"):
        out["position"] = c.text("position", _lazy("职务"), max_length=60)
    if want("keywords"):
        out["keywords"] = "、".join(split_list(c.text("keywords", _lazy("关键词"), max_length=300)))
    if want("biography"):
        out["biography"] = c.text("biography", _lazy("个人简介"), max_length=4000)
    if want("availability"):
        out["availability"] = c.choice(
            "availability", _lazy("咨询状态"), Availability.values, default=Availability.AVAILABLE
        )
    if want("status"):
        out["status"] = c.choice("status", _lazy("状态"), ExpertStatus.values, default=ExpertStatus.ACTIVE)
    if want("mobile"):
        out["mobile"] = c.mobile("mobile")
    if want("email"):
        out["email"] = c.email("email")
    if want("id_number"):
        value = str(data.get("id_number") or "").strip()
        out["id_number"] = c._run("id_number", clean_id_number, value) or "" if value else ""
    if want("publish_consent"):
        out["publish_consent"] = c.boolean("publish_consent")
    if want("fields"):
        out["fields"] = _fields_lookup(split_list(data.get("fields")), c)
    if want("declared_conflicts"):
        out["declared_conflicts"] = _organizations_lookup(
            split_list(data.get("declared_conflicts")), c, "declared_conflicts", _lazy("回避单位")
        )
    if not partial and not out.get("organization") and not out.get("organization_name"):
        c.add("organization", _lazy("请选择所在单位或填写单位名称"))
    c.done()
    return out


def _apply(expert: Expert, cleaned: dict[str, Any]) -> None:
    for key, value in cleaned.items():
        if key in ("fields", "declared_conflicts"):
            continue
        setattr(expert, key, value)
    if "publish_consent" in cleaned:
        if cleaned["publish_consent"] and not expert.consented_at:
            expert.consented_at = timezone.now()
        elif not cleaned["publish_consent"]:
            expert.consented_at = None
    if expert.organization_id and expert.organization and not expert.organization_name:
        expert.organization_name = expert.organization.name


def _audit_view(expert: Expert, cleaned: dict[str, Any]) -> dict[str, Any]:
    """Audit values without personal data in clear (PIPL): only whether it changed."""
    view: dict[str, Any] = {}
    for key, value in cleaned.items():
        if key in ("mobile", "email", "id_number"):
            view[key] = "***" if value else ""
        elif key in ("fields", "declared_conflicts"):
            view[key] = sorted(v.pk for v in value)
        else:
            view[key] = value
    return view


@transaction.atomic
def expert_create(*, data: dict[str, Any], actor: Any, user: Any = None) -> Expert:
    """Add an expert to the library (secretariat). ``user`` links an account (the expert signs in)."""
    if actor is not None and not policies.can_manage_experts(actor):
        raise PermissionDenied
    cleaned = expert_clean(data)
    expert = Expert(user=user)
    _apply(expert, cleaned)
    expert_index_fields(expert, [f.name for f in cleaned["fields"]])
    expert.save()
    expert.fields.set(cleaned["fields"])
    expert.declared_conflicts.set(cleaned["declared_conflicts"])
    audit.record(actor=actor, action="expert.create", target=expert, new=_audit_view(expert, cleaned))
    return expert


@transaction.atomic
def expert_update(*, expert: Expert, data: dict[str, Any], actor: Any) -> Expert:
    """Edit an expert. The expert edits their own profile except name, unit, city, title and status."""
    if not policies.can_edit_expert(actor, expert):
        raise PermissionDenied
    expert = Expert.objects.select_for_update().get(pk=expert.pk)
    data = concurrency.check(expert, data)
    if not policies.can_manage_experts(actor):
        forbidden = [k for k in data if k not in EXPERT_SELF_EDITABLE]
        if forbidden:
            raise ValidationError({k: _("只有秘书处可以修改此项") for k in forbidden})
    cleaned = expert_clean(data, partial=True)
    before = audit.snapshot(expert, [k for k in cleaned if k in EXPERT_FIELDS])
    _apply(expert, cleaned)
    if "fields" in cleaned:
        expert.fields.set(cleaned["fields"])
    if "declared_conflicts" in cleaned:
        expert.declared_conflicts.set(cleaned["declared_conflicts"])
    expert_index_fields(expert)
    expert.save()
    after = audit.snapshot(expert, [k for k in cleaned if k in EXPERT_FIELDS])
    old, new = audit.changes(before, after)
    for key in ("mobile", "email", "id_number"):
        if key in new:
            old[key], new[key] = "***", "***"
    for key in ("fields", "declared_conflicts"):
        if key in cleaned:
            new[key] = sorted(v.pk for v in cleaned[key])
    concurrency.bump(expert, new)
    audit.record(actor=actor, action="expert.update", target=expert, old=old, new=new)
    return expert


@transaction.atomic
def committee_appoint(
    *, expert: Expert, post: str, term_start: datetime.date, term_end: datetime.date, actor: Any
) -> CommitteeMembership:
    """Appoint an expert to the advisory committee for a term. One current seat per expert."""
    if actor is not None and not policies.can_manage_committee(actor):
        raise PermissionDenied
    expert = Expert.objects.select_for_update().get(pk=expert.pk)
    if post not in CommitteePost.values:
        raise ValidationError({"post": _("请选择委员会职务")})
    if term_end < term_start:
        raise ValidationError({"term_end": _("任期结束日期不能早于开始日期")})
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
def committee_end_term(*, term: CommitteeMembership, end: datetime.date, actor: Any) -> CommitteeMembership:
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

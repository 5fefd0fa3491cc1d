"""Selection rounds (评选): rules, rubric, tiers, entries and their eligibility check."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lianmeng.core import audit
from lianmeng.core.files import display_name, stored_name
from lianmeng.membership.models import Organization, OrganizationKind, OrganizationStatus

from .. import mail, policies
from ..models import (
    AwardLevel,
    AwardTier,
    Criterion,
    Entry,
    EntryFile,
    EntryStatus,
    Normalisation,
    Proposal,
    ProposalStatus,
    RoundKind,
    RoundStatus,
    SelectionRound,
    TopicCall,
)
from ._clean import Cleaner
from ._common import check_transition, clean_files

ROUND_TRANSITIONS: dict[str, dict[str, str]] = {
    RoundStatus.DRAFT: {"open": RoundStatus.ENTRIES},
    RoundStatus.ENTRIES: {"start_review": RoundStatus.REVIEW},
    RoundStatus.REVIEW: {"publish": RoundStatus.PUBLICITY},
    RoundStatus.PUBLICITY: {"finalise": RoundStatus.FINAL},
    RoundStatus.FINAL: {},
}
ENTRY_TRANSITIONS: dict[str, dict[str, str]] = {
    EntryStatus.SUBMITTED: {
        "accept": EntryStatus.ELIGIBLE,
        "refuse": EntryStatus.INELIGIBLE,
        "withdraw": EntryStatus.WITHDRAWN,
    },
    EntryStatus.ELIGIBLE: {"refuse": EntryStatus.INELIGIBLE, "withdraw": EntryStatus.WITHDRAWN},
    EntryStatus.INELIGIBLE: {"accept": EntryStatus.ELIGIBLE},
    EntryStatus.WITHDRAWN: {},
}
DEFAULT_TIERS = [(AwardLevel.FIRST, 10), (AwardLevel.SECOND, 20), (AwardLevel.THIRD, 30)]
DEFAULT_CRITERIA = [
    ("创新性", "思路、方法或模式的创新程度", 30, 10),
    ("实用性", "解决行业或园区实际问题的程度", 30, 10),
    ("示范推广价值", "可复制、可推广的程度", 25, 10),
    ("规范性", "材料完整、数据可靠、表述规范", 15, 10),
]


def _clean_criteria(raw: Any, c: Cleaner) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for index, item in enumerate(raw or [], start=1):
        ic = Cleaner(item if isinstance(item, dict) else {})
        row = {
            "name": ic.text("name", _("指标名称"), required=True, max_length=60),
            "description": ic.text("description", _("评分要点"), max_length=300),
            "weight": ic.decimal("weight", _("权重"), minimum=Decimal("0.01"), maximum=Decimal(100)),
            "max_score": ic.integer("max_score", _("满分"), default=10, minimum=1, maximum=100),
        }
        for messages in ic.errors.values():
            for message in messages:
                c.add("criteria", _("第 %(n)d 项指标：%(msg)s") % {"n": index, "msg": message})
        out.append(row)
    if not out:
        c.add("criteria", _("请至少设置一项评审指标"))
    elif not c.errors.get("criteria"):
        total = sum((r["weight"] for r in out), Decimal(0))
        if total != Decimal(100):
            c.add("criteria", _("各指标权重之和应为 100%%，当前为 %(t)s%%") % {"t": total.normalize()})
    return out


def _clean_tiers(raw: Any, c: Cleaner) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for index, item in enumerate(raw or [], start=1):
        ic = Cleaner(item if isinstance(item, dict) else {})
        level = ic.choice("level", _("奖项"), AwardLevel.values)
        percent = ic.decimal("quota_percent", _("名额比例"), minimum=Decimal(0), maximum=Decimal(100))
        if level in seen:
            ic.add("level", _("奖项重复"))
        seen.add(level)
        for messages in ic.errors.values():
            for message in messages:
                c.add("tiers", _("第 %(n)d 个奖项：%(msg)s") % {"n": index, "msg": message})
        out.append({"level": level, "quota_percent": percent})
    if not out:
        c.add("tiers", _("请至少设置一个奖项等级"))
    elif not c.errors.get("tiers"):
        total = sum((t["quota_percent"] for t in out), Decimal(0))
        if total > 100:
            c.add("tiers", _("各奖项名额比例之和不能超过 100%%，当前为 %(t)s%%") % {"t": total.normalize()})
    return out


def round_clean(data: dict[str, Any]) -> dict[str, Any]:
    c = Cleaner(data)
    out: dict[str, Any] = {
        "kind": c.choice("kind", _("评选类型"), RoundKind.values),
        "year": c.integer("year", _("年度"), minimum=2000, maximum=2100),
        "title": c.text("title", _("评选名称"), required=True, max_length=200),
        "description": c.text("description", _("评选说明"), max_length=8000),
        "require_good_standing": c.boolean("require_good_standing", True),
        "one_entry_per_organization": c.boolean("one_entry_per_organization", True),
        "entries_close_on": c.date("entries_close_on", _("申报截止")),
        "review_due_on": c.date("review_due_on", _("评审截止")),
        "publicity_days": c.integer("publicity_days", _("公示天数"), default=7, minimum=1, maximum=30),
        "objection_contact": c.text("objection_contact", _("异议受理联系人"), max_length=120),
        "reviewers_per_entry": c.integer(
            "reviewers_per_entry", _("每项评审专家数"), default=3, minimum=1, maximum=15
        ),
        "max_load": c.integer("max_load", _("每位专家最多评审"), default=6, minimum=1, maximum=200),
        "min_load": c.integer("min_load", _("每位专家最少评审"), default=0, minimum=0, maximum=200),
        "same_city_conflict": c.boolean("same_city_conflict", True),
        "normalisation": c.choice("normalisation", _("分数标准化"), Normalisation.values, default="none"),
    }
    kinds = data.get("accepted_kinds") or []
    if isinstance(kinds, str):
        kinds = [k for k in kinds.split(",") if k]
    bad = [k for k in kinds if k not in OrganizationKind.values]
    if bad:
        c.add("accepted_kinds", _("单位类型“%(v)s”无效") % {"v": "、".join(bad)})
    out["accepted_kinds"] = ("," + ",".join(kinds) + ",") if kinds else ""
    if out["min_load"] > out["max_load"]:
        c.add("min_load", _("最少评审数不能大于最多评审数"))
    if out["entries_close_on"] and out["review_due_on"] and out["review_due_on"] < out["entries_close_on"]:
        c.add("review_due_on", _("评审截止日期不能早于申报截止日期"))
    out["criteria"] = _clean_criteria(data.get("criteria"), c)
    out["tiers"] = _clean_tiers(data.get("tiers"), c)
    c.done()
    return out


@transaction.atomic
def round_create(*, data: dict[str, Any], actor: Any, topic_call: TopicCall | None = None) -> SelectionRound:
    """The secretariat sets up a round: rules, timeline, rubric (weights add up to 100%) and tiers."""
    if not policies.can_manage_research(actor):
        raise PermissionDenied
    cleaned = round_clean(data)
    criteria = cleaned.pop("criteria")
    tiers = cleaned.pop("tiers")
    round_ = SelectionRound.objects.create(
        **cleaned, topic_call=topic_call, created_by=actor if policies.signed_in(actor) else None
    )
    for position, row in enumerate(criteria):
        Criterion.objects.create(round=round_, position=position, **row)
    for position, row in enumerate(tiers):
        AwardTier.objects.create(round=round_, position=position, **row)
    audit.record(
        actor=actor,
        action="round.create",
        target=round_,
        new={**cleaned, "criteria": [r["name"] for r in criteria], "tiers": [t["level"] for t in tiers]},
    )
    return round_


def default_rubric() -> dict[str, Any]:
    return {
        "criteria": [
            {"name": n, "description": d, "weight": w, "max_score": m} for n, d, w, m in DEFAULT_CRITERIA
        ],
        "tiers": [{"level": lv, "quota_percent": p} for lv, p in DEFAULT_TIERS],
    }


@transaction.atomic
def call_start_review(*, call: TopicCall, data: dict[str, Any], actor: Any) -> SelectionRound:
    """Review a call's proposals with the selection machinery: a ``topic_review`` round whose entries are
    the submitted proposals (their team members count as authors for conflicts). Its tier 拟立项 ranks them;
    finalising it approves (立项) the proposals in that tier and declines the others."""
    if not policies.can_manage_research(actor):
        raise PermissionDenied
    call = TopicCall.objects.select_for_update(of=("self",)).get(pk=call.pk)
    proposals = list(
        Proposal.objects.select_for_update(of=("self",))
        .filter(topic__call=call, status=ProposalStatus.SUBMITTED)
        .select_related("organization", "topic")
    )
    if not proposals:
        raise ValidationError({"call": _("该指南没有待评审的课题申报")})
    if call.review_rounds.exists():
        raise ValidationError({"call": _("该指南已经有一轮立项评审")})
    today = timezone.localdate()
    payload = {
        "kind": RoundKind.TOPIC_REVIEW,
        "year": call.year,
        "title": _("%(title)s立项评审") % {"title": call.title},
        "entries_close_on": today,
        "review_due_on": today + datetime.timedelta(days=21),
        "one_entry_per_organization": False,
        "criteria": default_rubric()["criteria"],
        "tiers": [{"level": AwardLevel.APPROVED, "quota_percent": 50}],
        **data,
    }
    round_ = round_create(data=payload, actor=actor, topic_call=call)
    for proposal in proposals:
        Entry.objects.create(
            round=round_,
            organization=proposal.organization,
            title=proposal.title,
            authors="、".join([proposal.leader, proposal.team]),
            summary=proposal.plan[:8000],
            keywords="、".join(filter(None, [proposal.keywords, proposal.topic.keywords])),
            proposal=proposal,
            status=EntryStatus.ELIGIBLE,
            submitted_by=proposal.submitted_by,
        )
        proposal.status = ProposalStatus.UNDER_REVIEW
        proposal.save(update_fields=["status", "updated_at"])
    round_.status = RoundStatus.REVIEW
    round_.save(update_fields=["status", "updated_at"])
    audit.record(
        actor=actor,
        action="topic_call.review",
        target=call,
        new={"round": round_.pk, "proposals": len(proposals)},
    )
    return round_


def eligibility_problems(
    entry_round: SelectionRound, organization: Organization, *, exclude: int | None = None
) -> dict[str, str]:
    """The round's eligibility rules against an organization (field -> message)."""
    problems: dict[str, str] = {}
    if entry_round.require_good_standing and organization.status != OrganizationStatus.ACTIVE:
        problems["organization"] = _("本评选仅限成员资格正常的单位参加，“%(org)s”当前为“%(s)s”") % {
            "org": organization.name,
            "s": organization.get_status_display(),
        }
    kinds = entry_round.accepted_kind_list
    if kinds and organization.kind not in kinds:
        problems["organization"] = _("本评选不接受“%(kind)s”类单位申报") % {
            "kind": organization.get_kind_display()
        }
    if entry_round.one_entry_per_organization:
        others = Entry.objects.filter(round=entry_round, organization=organization).exclude(
            status__in=(EntryStatus.WITHDRAWN, EntryStatus.INELIGIBLE)
        )
        if exclude:
            others = others.exclude(pk=exclude)
        if others.exists():
            problems["title"] = _("本评选每个单位限报一项，“%(org)s”已申报") % {"org": organization.name}
    return problems


def entry_clean(data: dict[str, Any]) -> dict[str, Any]:
    c = Cleaner(data)
    out: dict[str, Any] = {
        "title": c.text("title", _("申报名称"), required=True, max_length=200),
        "authors": c.names("authors", _("作者或完成人"), required=True),
        "summary": c.text("summary", _("简介"), required=True, max_length=8000),
        "keywords": c.names("keywords", _("关键词")),
    }
    achievement = None
    raw = str(data.get("achievement") or "").strip()
    if raw:
        from lianmeng.library.models import Achievement

        achievement = Achievement.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
        if achievement is None:
            c.add("achievement", _("关联的成果不存在"))
    out["achievement"] = achievement
    c.done()
    return out


@transaction.atomic
def entry_validate(
    *,
    selection: SelectionRound,
    organization: Organization,
    data: dict[str, Any],
    actor: Any,
    files: list[UploadedFile] | None = None,
) -> None:
    """Every field and file check of entry_submit at once, storing nothing (one submit, every error)."""
    if not policies.can_submit_for(actor, organization):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] | None = None
    try:
        cleaned = entry_clean(data)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        clean_files(files)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    achievement = cleaned["achievement"] if cleaned is not None else None
    if achievement is not None and achievement.owner_organization_id != organization.pk:
        errors["achievement"] = [_("只能用本单位提交的成果参评")]
    current = SelectionRound.objects.get(pk=selection.pk)
    if current.status != RoundStatus.ENTRIES or timezone.localdate() > current.entries_close_on:
        errors.setdefault("round", []).append(_("该评选当前不接受申报"))
    else:
        for key, message in eligibility_problems(current, organization).items():
            errors.setdefault(key, []).append(message)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def entry_submit(
    *,
    selection: SelectionRound,
    organization: Organization,
    data: dict[str, Any],
    actor: Any,
    files: list[UploadedFile] | None = None,
    today: datetime.date | None = None,
) -> Entry:
    """A member enters the round for its organization (new, or from an achievement it owns)."""
    if not policies.can_submit_for(actor, organization):
        raise PermissionDenied
    cleaned = entry_clean(data)
    checked = clean_files(files)
    selection = SelectionRound.objects.select_for_update(of=("self",)).get(pk=selection.pk)
    today = today or timezone.localdate()
    if selection.status != RoundStatus.ENTRIES or today > selection.entries_close_on:
        raise ValidationError({"round": _("该评选当前不接受申报")})
    if selection.kind == RoundKind.TOPIC_REVIEW:
        raise ValidationError({"round": _("课题立项评审的参评项目来自课题申报")})
    achievement = cleaned["achievement"]
    if achievement is not None and achievement.owner_organization_id != organization.pk:
        raise ValidationError({"achievement": _("只能用本单位提交的成果参评")})
    problems = eligibility_problems(selection, organization)
    if problems:
        raise ValidationError(problems)
    entry = Entry.objects.create(round=selection, organization=organization, submitted_by=actor, **cleaned)
    for upload, mime in checked:
        item = EntryFile(entry=entry, original_name=display_name(upload.name), content_type=mime)
        item.file.save(stored_name(mime), upload, save=False)
        item.save()
    audit.record(
        actor=actor,
        action="entry.submit",
        target=entry,
        new={**cleaned, "achievement": achievement.pk if achievement else None, "files": len(checked)},
    )
    return entry


@transaction.atomic
def entry_transition(*, entry: Entry, action: str, note: str = "", actor: Any) -> Entry:
    """Eligibility check by the secretariat (accept / refuse with a reason) or withdrawal by the member."""
    if action == "withdraw":
        allowed = policies.can_submit_for(actor, entry.organization)
    else:
        allowed = policies.can_manage_research(actor)
    if not allowed:
        raise PermissionDenied
    entry = (
        Entry.objects.select_for_update(of=("self",)).select_related("round", "organization").get(pk=entry.pk)
    )
    new = check_transition(ENTRY_TRANSITIONS, entry, action)
    if entry.round.status not in (RoundStatus.ENTRIES, RoundStatus.REVIEW) or (
        entry.round.status == RoundStatus.REVIEW and entry.assignments.exists()
    ):
        raise ValidationError({"action": _("评审分配后不能再变更参评资格")})
    note = (note or "").strip()
    if action == "refuse" and not note:
        raise ValidationError({"note": _("认定不符合条件时请写明原因")})
    if action == "accept":
        problems = eligibility_problems(entry.round, entry.organization, exclude=entry.pk)
        if problems:
            raise ValidationError({"action": " ".join(problems.values())})
    old = entry.status
    entry.status = new
    entry.eligibility_note = note[:300]
    entry.save(update_fields=["status", "eligibility_note", "updated_at"])
    audit.record(
        actor=actor,
        action=f"entry.{action}",
        target=entry,
        old={"status": old},
        new={"status": new, "note": note},
    )
    return entry


@transaction.atomic
def round_transition(*, selection: SelectionRound, action: str, actor: Any) -> SelectionRound:
    """open / start_review / publish (公示) / finalise — see ROUND_TRANSITIONS and the checks in each step."""
    from .results import finalise_round, publish_round

    if not policies.can_manage_research(actor):
        raise PermissionDenied
    selection = SelectionRound.objects.select_for_update(of=("self",)).get(pk=selection.pk)
    new = check_transition(ROUND_TRANSITIONS, selection, action)
    old = selection.status
    if action == "start_review":
        entries = selection.entries.all()
        if entries.filter(status=EntryStatus.SUBMITTED).exists():
            raise ValidationError({"action": _("还有参评项目未完成资格审查")})
        if not entries.filter(status=EntryStatus.ELIGIBLE).exists():
            raise ValidationError({"action": _("没有通过资格审查的参评项目")})
    if action == "publish":
        publish_round(selection)
        round_id = selection.pk
        mail.publicity_started(round_id, actor=actor)
    if action == "finalise":
        finalise_round(selection, actor)
    selection.status = new
    selection.save()
    audit.record(
        actor=actor, action=f"round.{action}", target=selection, old={"status": old}, new={"status": new}
    )
    return selection

"""Selection rounds (评选): rules, rubric, tiers, entries and their eligibility check."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lianmeng.accounts.models import User
from lianmeng.core import audit
from lianmeng.library.models import Achievement
from lianmeng.membership.models import Organization, OrganizationStatus

from .. import machines, mail, policies
from ..commands import EntrySubmit, RoundCreate, values_of
from ..models import (
    AwardLevel,
    AwardTier,
    Criterion,
    Entry,
    EntryFile,
    EntryStatus,
    Proposal,
    ProposalStatus,
    RoundKind,
    RoundStatus,
    SelectionRound,
    TopicCall,
)
from ._common import check_start, clean_files, save_files
from .results import finalise_round, publish_round

DEFAULT_TIERS = [(AwardLevel.FIRST, 10), (AwardLevel.SECOND, 20), (AwardLevel.THIRD, 30)]
DEFAULT_CRITERIA = [
    ("创新性", "思路、方法或模式的创新程度", 30, 10),
    ("实用性", "解决行业或园区实际问题的程度", 30, 10),
    ("示范推广价值", "可复制、可推广的程度", 25, 10),
    ("规范性", "材料完整、数据可靠、表述规范", 15, 10),
]


@transaction.atomic
def round_create(*, cmd: RoundCreate, actor: User, topic_call: TopicCall | None = None) -> SelectionRound:
    """The secretariat sets up a round: rules, timeline, rubric (weights add up to 100%) and tiers."""
    if not policies.can_manage_research(actor):
        raise PermissionDenied
    fields = values_of(cmd, RoundCreate, exclude={"criteria", "tiers", "accepted_kinds"})
    fields["accepted_kinds"] = ("," + ",".join(cmd.accepted_kinds) + ",") if cmd.accepted_kinds else ""
    round_ = SelectionRound.objects.create(**fields, topic_call=topic_call, created_by=actor)
    Criterion.objects.bulk_create(
        Criterion(round=round_, position=position, **row.model_dump())
        for position, row in enumerate(cmd.criteria)
    )
    AwardTier.objects.bulk_create(
        AwardTier(round=round_, position=position, **row.model_dump())
        for position, row in enumerate(cmd.tiers)
    )
    audit.record(
        actor=actor,
        action="round.create",
        target=round_,
        new={**fields, "criteria": [r.name for r in cmd.criteria], "tiers": [t.level for t in cmd.tiers]},
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
def call_start_review(*, call: TopicCall, actor: User) -> SelectionRound:
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
    cmd = RoundCreate.build(
        kind=RoundKind.TOPIC_REVIEW,
        year=call.year,
        title=(_("%(title)s立项评审") % {"title": call.title})[:200],
        entries_close_on=today,
        review_due_on=today + datetime.timedelta(days=21),
        one_entry_per_organization=False,
        criteria=default_rubric()["criteria"],
        tiers=[{"level": AwardLevel.APPROVED, "quota_percent": 50}],
    )
    round_ = round_create(cmd=cmd, actor=actor, topic_call=call)
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


def _achievement(achievement_id: int | None, organization: Organization) -> tuple[Achievement | None, str]:
    """The achievement an entry is made from, and what is wrong with it (it must be the organization's)."""
    if achievement_id is None:
        return None, ""
    achievement = Achievement.objects.filter(pk=achievement_id).first()
    if achievement is None:
        return None, _("关联的成果不存在")
    if achievement.owner_organization_id != organization.pk:
        return achievement, _("只能用本单位提交的成果参评")
    return achievement, ""


@transaction.atomic
def entry_validate(
    *,
    selection: SelectionRound,
    organization: Organization,
    achievement: int | None,
    actor: User,
    files: list[UploadedFile[bytes]] | None = None,
) -> None:
    """entry_submit's database and file checks at once, storing nothing: with the command's own field
    errors, the form reports every problem in one submit before any file is stored."""
    errors = check_start(actor, organization, files)
    problem = _achievement(achievement, organization)[1]
    if problem:
        errors["achievement"] = [problem]
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
    cmd: EntrySubmit,
    actor: User,
    files: list[UploadedFile[bytes]] | None = None,
    today: datetime.date | None = None,
) -> Entry:
    """A member enters the round for its organization (new, or from an achievement it owns)."""
    if not policies.can_submit_for(actor, organization):
        raise PermissionDenied
    checked = clean_files(files)
    selection = SelectionRound.objects.select_for_update(of=("self",)).get(pk=selection.pk)
    today = today or timezone.localdate()
    if selection.status != RoundStatus.ENTRIES or today > selection.entries_close_on:
        raise ValidationError({"round": _("该评选当前不接受申报")})
    if selection.kind == RoundKind.TOPIC_REVIEW:
        raise ValidationError({"round": _("课题立项评审的参评项目来自课题申报")})
    achievement, problem = _achievement(cmd.achievement, organization)
    if problem:
        raise ValidationError({"achievement": problem})
    problems = eligibility_problems(selection, organization)
    if problems:
        raise ValidationError(problems)
    fields = values_of(cmd, EntrySubmit, exclude={"achievement"})
    entry = Entry.objects.create(
        round=selection, organization=organization, submitted_by=actor, achievement=achievement, **fields
    )
    save_files(EntryFile, {"entry": entry}, checked)
    audit.record(
        actor=actor,
        action="entry.submit",
        target=entry,
        new={**fields, "achievement": cmd.achievement, "files": len(checked)},
    )
    return entry


@transaction.atomic
def entry_transition(*, entry: Entry, action: str, note: str = "", actor: User) -> Entry:
    """Eligibility check by the secretariat (accept / refuse with a reason) or withdrawal by the member
    (machines.ENTRY and its guards)."""
    entry = (
        Entry.objects.select_for_update(of=("self",)).select_related("round", "organization").get(pk=entry.pk)
    )
    new = machines.step(machines.ENTRY, entry.status, action, actor=actor, obj=entry)
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
def round_transition(*, selection: SelectionRound, action: str, actor: User) -> SelectionRound:
    """open / start_review / publish (公示) / finalise — see machines.ROUND and the checks in each step."""
    selection = SelectionRound.objects.select_for_update(of=("self",)).get(pk=selection.pk)
    new = machines.step(machines.ROUND, selection.status, action, actor=actor, obj=selection)
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

"""Topic research (课题研究): calls, topics, proposals, approval (立项), milestones and outputs."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lianmeng.accounts.models import User
from lianmeng.core import audit
from lianmeng.core.files import stored_name
from lianmeng.library.commands import AchievementCreate
from lianmeng.library.models import Achievement
from lianmeng.library.services import achievement_create
from lianmeng.membership.models import Organization, OrganizationStatus

from .. import machines, policies
from ..commands import CallCreate, MilestoneReport, ProposalSubmit, values_of
from ..models import (
    CallStatus,
    Milestone,
    MilestoneKind,
    Proposal,
    ProposalFile,
    ProposalOutput,
    ProposalStatus,
    Topic,
    TopicCall,
)
from ._common import check_start, clean_files, save_files

MIDTERM_AFTER = datetime.timedelta(days=182)
COMPLETION_AFTER = datetime.timedelta(days=365)


@transaction.atomic
def call_create(*, cmd: CallCreate, actor: User) -> TopicCall:
    """The secretariat publishes a yearly call (课题指南) with its topics (a draft until opened); a topic
    without a code is numbered "<year>-<n>"."""
    if not policies.can_manage_research(actor):
        raise PermissionDenied
    fields = values_of(cmd, CallCreate, exclude={"topics"})
    call = TopicCall.objects.create(**fields)
    Topic.objects.bulk_create(
        Topic(
            call=call,
            position=position,
            **{
                **topic.model_dump(),
                "code": topic.code or f"{cmd.year}-{position + 1:02d}",
                "max_budget": topic.max_budget or 0,
            },
        )
        for position, topic in enumerate(cmd.topics)
    )
    audit.record(
        actor=actor, action="topic_call.create", target=call, new={**fields, "topics": len(cmd.topics)}
    )
    return call


@transaction.atomic
def call_transition(*, call: TopicCall, action: str, actor: User) -> TopicCall:
    """open / close / reopen (machines.CALL); a call opens only with topics."""
    call = TopicCall.objects.select_for_update(of=("self",)).get(pk=call.pk)
    new = machines.step(machines.CALL, call.status, action, actor=actor, obj=call)
    if action == "open" and not call.topics.exists():
        raise ValidationError({"topics": _("指南中还没有课题，不能开始征集")})
    old = call.status
    call.status = new
    call.save(update_fields=["status", "updated_at"])
    audit.record(
        actor=actor, action=f"topic_call.{action}", target=call, old={"status": old}, new={"status": new}
    )
    return call


def _proposal_rules(
    topic_id: int | None, budget: Decimal | None, organization: Organization, today: datetime.date
) -> tuple[Topic | None, dict[str, str]]:
    """What a proposal needs from the database: an existing topic of a call open on ``today``, a budget
    within the topic's ceiling, and one proposal per organization and topic."""
    errors: dict[str, str] = {}
    topic = Topic.objects.select_related("call").filter(pk=topic_id).first() if topic_id else None
    if topic_id and topic is None:
        errors["topic"] = _("所选课题不存在")
    if topic is None:
        return None, errors
    if budget is not None and topic.max_budget and budget > topic.max_budget:
        errors["budget"] = _("经费预算不能超过该课题的资助上限 %(max)s 万元") % {"max": topic.max_budget}
    call = topic.call
    if call.status != CallStatus.OPEN or not (call.opens_on <= today <= call.deadline):
        errors["topic"] = _("该课题指南当前不在申报期内（截止日期 %(d)s）") % {"d": call.deadline}
    elif (
        Proposal.objects.filter(topic=topic, organization=organization)
        .exclude(status=ProposalStatus.WITHDRAWN)
        .exists()
    ):
        errors["topic"] = _("本单位已申报该课题，请勿重复申报")
    return topic, errors


@transaction.atomic
def proposal_validate(
    *,
    topic: int | None,
    budget: Decimal | None,
    organization: Organization,
    actor: User,
    files: list[UploadedFile[bytes]] | None = None,
    today: datetime.date | None = None,
) -> None:
    """proposal_submit's database and file checks (files, the budget ceiling, the call's period, a
    repeated proposal) on what the form could read, storing nothing: with the command's own field
    errors, the form reports them all in one submit before anything is saved."""
    errors = check_start(actor, organization, files)
    for key, message in _proposal_rules(topic, budget, organization, today or timezone.localdate())[
        1
    ].items():
        errors[key] = [message]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def proposal_submit(
    *,
    cmd: ProposalSubmit,
    organization: Organization,
    actor: User,
    files: list[UploadedFile[bytes]] | None = None,
    today: datetime.date | None = None,
) -> Proposal:
    """A member proposes a topic study for its organization while the call is open and before the deadline.
    Attachments are checked (size, real type) before anything is saved."""
    if not policies.can_submit_for(actor, organization):
        raise PermissionDenied
    checked = clean_files(files)
    call_id = Topic.objects.filter(pk=cmd.topic or 0).values_list("call_id", flat=True).first()
    if call_id is not None:  # the call's row is locked while its period and the repeats are checked
        TopicCall.objects.select_for_update(of=("self",)).get(pk=call_id)
    topic, problems = _proposal_rules(cmd.topic, cmd.budget, organization, today or timezone.localdate())
    if organization.status != OrganizationStatus.ACTIVE:
        problems["organization"] = _("单位成员资格不在正常状态，不能申报")
    if problems or topic is None:
        raise ValidationError(problems)
    fields = values_of(cmd, ProposalSubmit, exclude={"topic"})
    proposal = Proposal.objects.create(organization=organization, submitted_by=actor, topic=topic, **fields)
    save_files(ProposalFile, {"proposal": proposal}, checked)
    audit.record(
        actor=actor,
        action="proposal.submit",
        target=proposal,
        new={**fields, "topic": topic.pk, "files": len(checked)},
    )
    return proposal


def proposal_actions(proposal: Proposal, user: User | AnonymousUser) -> list[str]:
    """The actions the viewer may take now (for buttons): machines.PROPOSAL's, allowed by their guards;
    the checks pass only on a submitted report."""
    actions = machines.PROPOSAL.allowed(proposal.status, actor=user, obj=proposal)
    if "pass_midterm" in actions and not _milestone_submitted(proposal, MilestoneKind.MIDTERM):
        actions.remove("pass_midterm")
    if "complete" in actions and not _milestone_submitted(proposal, MilestoneKind.COMPLETION):
        actions.remove("complete")
    return actions


def _milestone_submitted(proposal: Proposal, kind: str) -> bool:
    return any(m.kind == kind and m.status == Milestone.Status.SUBMITTED for m in proposal.milestones.all())


@transaction.atomic
def proposal_transition(*, proposal: Proposal, action: str, note: str = "", actor: User) -> Proposal:
    """Move a proposal through machines.PROPOSAL. Approval (立项) schedules the mid-term check and the
    completion; completion (结项) files the final report as an achievement linked to the topic."""
    proposal = (
        Proposal.objects.select_for_update(of=("self",))
        .select_related("topic__call", "organization")
        .get(pk=proposal.pk)
    )
    new = machines.step(machines.PROPOSAL, proposal.status, action, actor=actor, obj=proposal)
    note = (note or "").strip()[:4000]
    if action in ("reject", "terminate") and not note:
        raise ValidationError({"note": _("不予立项或终止时请填写意见，申报单位会看到这条意见")})
    today = timezone.localdate()
    old = proposal.status
    if action == "pass_midterm":
        _pass_milestone(proposal, MilestoneKind.MIDTERM, note)
    if action == "complete":
        _pass_milestone(proposal, MilestoneKind.COMPLETION, note)
        proposal.completed_on = today
        _file_completion_output(proposal, actor)
    if action == "approve":
        proposal.approved_on = today
        Milestone.objects.get_or_create(
            proposal=proposal, kind=MilestoneKind.MIDTERM, defaults={"due_date": today + MIDTERM_AFTER}
        )
        Milestone.objects.get_or_create(
            proposal=proposal, kind=MilestoneKind.COMPLETION, defaults={"due_date": today + COMPLETION_AFTER}
        )
    if note:
        proposal.decision_note = note
    proposal.status = new
    proposal.save()
    audit.record(
        actor=actor,
        action=f"proposal.{action}",
        target=proposal,
        old={"status": old},
        new={"status": new, "note": note},
    )
    return proposal


def _pass_milestone(proposal: Proposal, kind: str, comment: str) -> None:
    milestone = Milestone.objects.select_for_update(of=("self",)).filter(proposal=proposal, kind=kind).first()
    if milestone is None or milestone.status != Milestone.Status.SUBMITTED:
        label = MilestoneKind(kind).label
        raise ValidationError({"report": _("%(kind)s报告尚未提交") % {"kind": label}})
    milestone.status = Milestone.Status.PASSED
    milestone.checked_at = timezone.now()
    milestone.comment = comment
    milestone.save()


def _topic_reference(proposal: Proposal) -> str:
    return f"{proposal.topic.call.title} · {proposal.topic.title}"[:200]


def _file_completion_output(proposal: Proposal, actor: User) -> None:
    completion = proposal.milestones.get(kind=MilestoneKind.COMPLETION)
    cmd = AchievementCreate.build(
        kind="research_report",
        title=proposal.title,
        authors=(proposal.team or proposal.leader)[:300],
        organizations=[proposal.organization_id],
        owner_organization=proposal.organization_id,
        year=timezone.localdate().year,
        abstract=completion.report,
        keywords=proposal.keywords,
        visibility="public",
        source="topic",
        source_reference=_topic_reference(proposal),
    )
    achievement = achievement_create(cmd=cmd, actor=actor)
    ProposalOutput.objects.create(proposal=proposal, achievement=achievement)


def _milestone_status_problem(proposal: Proposal, kind: str) -> str:
    """A mid-term report follows the approval (立项), the completion report the passed mid-term check."""
    wanted = {
        MilestoneKind.MIDTERM: ProposalStatus.APPROVED,
        MilestoneKind.COMPLETION: ProposalStatus.MIDTERM_PASSED,
    }
    if kind in wanted and proposal.status != wanted[MilestoneKind(kind)]:
        return _("课题当前状态为“%(s)s”，不能提交该报告") % {"s": proposal.get_status_display()}
    return ""


def milestone_validate(*, proposal: Proposal, kind: str, actor: User) -> None:
    """milestone_report's database check without storing the report or its file (with the command's own
    field errors, a failed form reports them in the same submit; the file's own check is the form's)."""
    if not policies.can_edit_proposal(actor, proposal):
        raise PermissionDenied
    problem = _milestone_status_problem(Proposal.objects.get(pk=proposal.pk), kind)
    if problem:
        raise ValidationError({"kind": problem})


@transaction.atomic
def milestone_report(
    *, proposal: Proposal, cmd: MilestoneReport, actor: User, file: UploadedFile[bytes] | None = None
) -> Milestone:
    """The member submits (or resubmits, until checked) the mid-term or completion report."""
    if not policies.can_edit_proposal(actor, proposal):
        raise PermissionDenied
    mime = clean_files([file], "report_file")[0][1] if file is not None else ""
    proposal = Proposal.objects.select_for_update(of=("self",)).get(pk=proposal.pk)
    problem = _milestone_status_problem(proposal, cmd.kind)
    if problem:
        raise ValidationError({"kind": problem})
    milestone = Milestone.objects.select_for_update(of=("self",)).get(proposal=proposal, kind=cmd.kind)
    if milestone.status == Milestone.Status.PASSED:
        raise ValidationError({"kind": _("该节点已通过检查")})
    milestone.report = cmd.report
    if file is not None:
        milestone.report_file.save(stored_name(mime), file, save=False)
        milestone.report_content_type = mime
    milestone.status = Milestone.Status.SUBMITTED
    milestone.submitted_at = timezone.now()
    milestone.save()
    audit.record(
        actor=actor, action=f"milestone.{cmd.kind}", target=proposal, new={"report": cmd.report[:200]}
    )
    return milestone


@transaction.atomic
def proposal_output_add(*, proposal: Proposal, cmd: AchievementCreate, actor: User) -> Achievement:
    """File a further output of an approved or completed topic in the achievement library, linked to it:
    owned by the proposing organization, its source the topic."""
    if not policies.can_edit_proposal(actor, proposal):
        raise PermissionDenied
    proposal = (
        Proposal.objects.select_for_update(of=("self",)).select_related("topic__call").get(pk=proposal.pk)
    )
    if proposal.status not in (
        ProposalStatus.APPROVED,
        ProposalStatus.MIDTERM_PASSED,
        ProposalStatus.COMPLETED,
    ):
        raise ValidationError({"status": _("只有已立项的课题可以登记成果")})
    cmd = cmd.model_copy(
        update={
            "owner_organization": proposal.organization_id,
            "organizations": cmd.organizations or [proposal.organization_id],
            "source": "topic",
            "source_reference": _topic_reference(proposal),
        }
    )
    achievement = achievement_create(cmd=cmd, actor=actor)
    ProposalOutput.objects.create(proposal=proposal, achievement=achievement)
    audit.record(actor=actor, action="proposal.output", target=proposal, new={"achievement": achievement.pk})
    return achievement

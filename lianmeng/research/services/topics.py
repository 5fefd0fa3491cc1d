"""Topic research (课题研究): calls, topics, proposals, approval (立项), milestones and outputs."""

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
from lianmeng.membership.models import Organization, OrganizationStatus

from .. import policies
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
from ._clean import Cleaner
from ._common import check_transition, clean_files

CALL_TRANSITIONS: dict[str, dict[str, str]] = {
    CallStatus.DRAFT: {"open": CallStatus.OPEN},
    CallStatus.OPEN: {"close": CallStatus.CLOSED},
    CallStatus.CLOSED: {"reopen": CallStatus.OPEN},
}

# Who may take each action: "member" (the proposing organization's contact) or "secretariat".
PROPOSAL_TRANSITIONS: dict[str, dict[str, str]] = {
    ProposalStatus.SUBMITTED: {
        "withdraw": ProposalStatus.WITHDRAWN,
        "review": ProposalStatus.UNDER_REVIEW,
        "approve": ProposalStatus.APPROVED,
        "reject": ProposalStatus.REJECTED,
    },
    ProposalStatus.UNDER_REVIEW: {"approve": ProposalStatus.APPROVED, "reject": ProposalStatus.REJECTED},
    ProposalStatus.APPROVED: {
        "pass_midterm": ProposalStatus.MIDTERM_PASSED,
        "terminate": ProposalStatus.TERMINATED,
    },
    ProposalStatus.MIDTERM_PASSED: {
        "complete": ProposalStatus.COMPLETED,
        "terminate": ProposalStatus.TERMINATED,
    },
    ProposalStatus.COMPLETED: {},
    ProposalStatus.REJECTED: {},
    ProposalStatus.WITHDRAWN: {},
    ProposalStatus.TERMINATED: {},
}
MEMBER_ACTIONS = {"withdraw"}
MIDTERM_AFTER = datetime.timedelta(days=182)
COMPLETION_AFTER = datetime.timedelta(days=365)


def call_clean(data: dict[str, Any]) -> dict[str, Any]:
    c = Cleaner(data)
    out: dict[str, Any] = {
        "year": c.integer("year", _("年度"), minimum=2000, maximum=2100),
        "title": c.text("title", _("指南名称"), required=True, max_length=200),
        "description": c.text("description", _("指南说明"), max_length=8000),
        "opens_on": c.date("opens_on", _("申报开始")),
        "deadline": c.date("deadline", _("申报截止")),
    }
    if out["opens_on"] and out["deadline"] and out["deadline"] < out["opens_on"]:
        c.add("deadline", _("申报截止日期不能早于开始日期"))
    topics = data.get("topics") or []
    cleaned_topics = []
    for index, raw in enumerate(topics, start=1):
        tc = Cleaner(raw if isinstance(raw, dict) else {"title": raw})
        topic = {
            "code": tc.text("code", _("编号"), max_length=20) or f"{out['year']}-{index:02d}",
            "title": tc.text("title", _("课题名称"), required=True, max_length=200),
            "description": tc.text("description", _("研究内容"), max_length=4000),
            "keywords": tc.names("keywords", _("关键词")),
            "max_budget": tc.decimal("max_budget", _("资助上限（万元）"), required=False) or 0,
        }
        for messages in tc.errors.values():
            for message in messages:
                c.add("topics", _("第 %(n)d 个课题：%(msg)s") % {"n": index, "msg": message})
        cleaned_topics.append(topic)
    if not cleaned_topics and "topics" in data:
        c.add("topics", _("请至少列出一个课题"))
    c.done()
    out["topics"] = cleaned_topics
    return out


@transaction.atomic
def call_create(*, data: dict[str, Any], actor: Any) -> TopicCall:
    """The secretariat publishes a yearly call (课题指南) with its topics (a draft until opened)."""
    if not policies.can_manage_research(actor):
        raise PermissionDenied
    cleaned = call_clean(data)
    topics = cleaned.pop("topics")
    call = TopicCall.objects.create(**cleaned)
    for position, topic in enumerate(topics):
        Topic.objects.create(call=call, position=position, **topic)
    audit.record(actor=actor, action="topic_call.create", target=call, new={**cleaned, "topics": len(topics)})
    return call


@transaction.atomic
def call_transition(*, call: TopicCall, action: str, actor: Any) -> TopicCall:
    if not policies.can_manage_research(actor):
        raise PermissionDenied
    call = TopicCall.objects.select_for_update(of=("self",)).get(pk=call.pk)
    new = check_transition(CALL_TRANSITIONS, call, action)
    if action == "open" and not call.topics.exists():
        raise ValidationError({"topics": _("指南中还没有课题，不能开始征集")})
    old = call.status
    call.status = new
    call.save(update_fields=["status", "updated_at"])
    audit.record(
        actor=actor, action=f"topic_call.{action}", target=call, old={"status": old}, new={"status": new}
    )
    return call


def proposal_clean(data: dict[str, Any]) -> dict[str, Any]:
    c = Cleaner(data)
    out: dict[str, Any] = {
        "title": c.text("title", _("项目名称"), required=True, max_length=200),
        "leader": c.text("leader", _("负责人"), required=True, max_length=60),
        "team": c.names("team", _("课题组成员"), required=True, max_length=400),
        "plan": c.text("plan", _("研究计划"), required=True, max_length=20000),
        "keywords": c.names("keywords", _("关键词")),
        "budget": c.decimal("budget", _("经费预算（万元）"), maximum=Decimal(100000)),
    }
    topic = None
    topic_id = str(data.get("topic") or "").strip()
    if not topic_id:
        c.add("topic", _("请选择课题"))
    elif topic_id.isdigit():
        topic = Topic.objects.select_related("call").filter(pk=int(topic_id)).first()
    if topic_id and topic is None:
        c.add("topic", _("所选课题不存在"))
    out["topic"] = topic
    if (
        topic is not None
        and out["budget"] is not None
        and topic.max_budget
        and out["budget"] > topic.max_budget
    ):
        c.add("budget", _("经费预算不能超过该课题的资助上限 %(max)s 万元") % {"max": topic.max_budget})
    c.done()
    return out


@transaction.atomic
def proposal_validate(
    *,
    data: dict[str, Any],
    organization: Organization,
    actor: Any,
    files: list[UploadedFile] | None = None,
    today: datetime.date | None = None,
) -> None:
    """Every check of proposal_submit at once (fields, files, the call's period, a repeated proposal),
    storing nothing: the form reports them all in one submit before anything is saved."""
    if not policies.can_submit_for(actor, organization):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] | None = None
    try:
        cleaned = proposal_clean(data)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        clean_files(files)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    topic: Topic | None = cleaned["topic"] if cleaned is not None else None
    if cleaned is None and str(data.get("topic") or "").isdigit():  # checked even when other fields failed
        topic = Topic.objects.filter(pk=int(str(data["topic"]))).first()
    if topic is not None:
        call = TopicCall.objects.get(pk=topic.call_id)
        today = today or timezone.localdate()
        if call.status != CallStatus.OPEN or not (call.opens_on <= today <= call.deadline):
            errors["topic"] = [_("该课题指南当前不在申报期内（截止日期 %(d)s）") % {"d": call.deadline}]
        elif (
            Proposal.objects.filter(topic=topic, organization=organization)
            .exclude(status=ProposalStatus.WITHDRAWN)
            .exists()
        ):
            errors["topic"] = [_("本单位已申报该课题，请勿重复申报")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def proposal_submit(
    *,
    data: dict[str, Any],
    organization: Organization,
    actor: Any,
    files: list[UploadedFile] | None = None,
    today: datetime.date | None = None,
) -> Proposal:
    """A member proposes a topic study for its organization while the call is open and before the deadline.
    Attachments are checked (size, real type) before anything is saved."""
    if not policies.can_submit_for(actor, organization):
        raise PermissionDenied
    cleaned = proposal_clean(data)
    checked = clean_files(files)
    topic: Topic = cleaned["topic"]
    call = TopicCall.objects.select_for_update(of=("self",)).get(pk=topic.call_id)
    today = today or timezone.localdate()
    if call.status != CallStatus.OPEN or not (call.opens_on <= today <= call.deadline):
        raise ValidationError(
            {"topic": _("该课题指南当前不在申报期内（截止日期 %(d)s）") % {"d": call.deadline}}
        )
    if organization.status != OrganizationStatus.ACTIVE:
        raise ValidationError({"organization": _("单位成员资格不在正常状态，不能申报")})
    if (
        Proposal.objects.filter(topic=topic, organization=organization)
        .exclude(status=ProposalStatus.WITHDRAWN)
        .exists()
    ):
        raise ValidationError({"topic": _("本单位已申报该课题，请勿重复申报")})
    proposal = Proposal.objects.create(organization=organization, submitted_by=actor, **cleaned)
    for upload, mime in checked:
        item = ProposalFile(proposal=proposal, original_name=display_name(upload.name), content_type=mime)
        item.file.save(stored_name(mime), upload, save=False)
        item.save()
    audit.record(
        actor=actor,
        action="proposal.submit",
        target=proposal,
        new={**{k: v for k, v in cleaned.items() if k != "topic"}, "topic": topic.pk, "files": len(checked)},
    )
    return proposal


def proposal_actions(proposal: Proposal, user: Any) -> list[str]:
    """The actions the viewer may take now (for buttons)."""
    allowed = list(PROPOSAL_TRANSITIONS.get(proposal.status, {}))
    if policies.is_secretariat(user):
        actions = allowed
    elif proposal.organization_id in policies.contact_org_ids(user):
        actions = [a for a in allowed if a in MEMBER_ACTIONS]
    else:
        actions = []
    if "pass_midterm" in actions and not _milestone_submitted(proposal, MilestoneKind.MIDTERM):
        actions.remove("pass_midterm")
    if "complete" in actions and not _milestone_submitted(proposal, MilestoneKind.COMPLETION):
        actions.remove("complete")
    return actions


def _milestone_submitted(proposal: Proposal, kind: str) -> bool:
    return any(m.kind == kind and m.status == Milestone.Status.SUBMITTED for m in proposal.milestones.all())


@transaction.atomic
def proposal_transition(*, proposal: Proposal, action: str, note: str = "", actor: Any) -> Proposal:
    """Move a proposal through PROPOSAL_TRANSITIONS. Approval (立项) schedules the mid-term check and the
    completion; completion (结项) files the final report as an achievement linked to the topic."""
    if action in MEMBER_ACTIONS:
        allowed = policies.can_edit_proposal(actor, proposal)
    else:
        allowed = policies.can_manage_research(actor)
    if not allowed:
        raise PermissionDenied
    proposal = (
        Proposal.objects.select_for_update(of=("self",))
        .select_related("topic__call", "organization")
        .get(pk=proposal.pk)
    )
    new = check_transition(PROPOSAL_TRANSITIONS, proposal, action)
    note = (note or "").strip()
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


def _file_completion_output(proposal: Proposal, actor: Any) -> None:
    from lianmeng.library.services import achievement_create

    completion = proposal.milestones.get(kind=MilestoneKind.COMPLETION)
    achievement = achievement_create(
        data={
            "kind": "research_report",
            "title": proposal.title,
            "authors": proposal.team or proposal.leader,
            "organizations": [proposal.organization_id],
            "owner_organization": proposal.organization_id,
            "year": timezone.localdate().year,
            "abstract": completion.report,
            "keywords": proposal.keywords,
            "visibility": "public",
            "source": "topic",
            "source_reference": f"{proposal.topic.call.title} · {proposal.topic.title}"[:200],
        },
        actor=actor,
    )
    ProposalOutput.objects.create(proposal=proposal, achievement=achievement)


@transaction.atomic
def milestone_validate(*, proposal: Proposal, kind: str, report: str, actor: Any) -> None:
    """milestone_report's checks without storing the report or its file (a failed form reports them
    in the same submit; the file's own check is the form's)."""
    if not policies.can_edit_proposal(actor, proposal):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    c = Cleaner({"kind": kind, "report": report})
    kind = c.choice("kind", _("节点"), MilestoneKind.values)
    c.text("report", _("报告摘要"), required=True, max_length=8000)
    try:
        c.done()
    except ValidationError as exc:
        errors.update(exc.message_dict)
    wanted = {
        MilestoneKind.MIDTERM: ProposalStatus.APPROVED,
        MilestoneKind.COMPLETION: ProposalStatus.MIDTERM_PASSED,
    }
    status = Proposal.objects.get(pk=proposal.pk).status
    if kind in wanted and status != wanted[MilestoneKind(kind)]:
        errors["kind"] = [_("课题当前状态为“%(s)s”，不能提交该报告") % {"s": proposal.get_status_display()}]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def milestone_report(
    *, proposal: Proposal, kind: str, report: str, actor: Any, file: UploadedFile | None = None
) -> Milestone:
    """The member submits (or resubmits, until checked) the mid-term or completion report."""
    if not policies.can_edit_proposal(actor, proposal):
        raise PermissionDenied
    c = Cleaner({"kind": kind, "report": report})
    kind = c.choice("kind", _("节点"), MilestoneKind.values)
    report = c.text("report", _("报告摘要"), required=True, max_length=8000)
    c.done()
    mime = clean_files([file], "report_file")[0][1] if file is not None else ""
    proposal = Proposal.objects.select_for_update(of=("self",)).get(pk=proposal.pk)
    wanted = {
        MilestoneKind.MIDTERM: ProposalStatus.APPROVED,
        MilestoneKind.COMPLETION: ProposalStatus.MIDTERM_PASSED,
    }
    if proposal.status != wanted[MilestoneKind(kind)]:
        raise ValidationError(
            {"kind": _("课题当前状态为“%(s)s”，不能提交该报告") % {"s": proposal.get_status_display()}}
        )
    milestone = Milestone.objects.select_for_update(of=("self",)).get(proposal=proposal, kind=kind)
    if milestone.status == Milestone.Status.PASSED:
        raise ValidationError({"kind": _("该节点已通过检查")})
    milestone.report = report
    if file is not None:
        milestone.report_file.save(stored_name(mime), file, save=False)
        milestone.report_content_type = mime
    milestone.status = Milestone.Status.SUBMITTED
    milestone.submitted_at = timezone.now()
    milestone.save()
    audit.record(actor=actor, action=f"milestone.{kind}", target=proposal, new={"report": report[:200]})
    return milestone


@transaction.atomic
def proposal_output_add(*, proposal: Proposal, data: dict[str, Any], actor: Any) -> Any:
    """File a further output of an approved or completed topic in the achievement library, linked to it."""
    from lianmeng.library.services import achievement_create

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
    achievement = achievement_create(
        data={
            **data,
            "owner_organization": proposal.organization_id,
            "organizations": data.get("organizations") or [proposal.organization_id],
            "source": "topic",
            "source_reference": f"{proposal.topic.call.title} · {proposal.topic.title}"[:200],
        },
        actor=actor,
    )
    ProposalOutput.objects.create(proposal=proposal, achievement=achievement)
    audit.record(actor=actor, action="proposal.output", target=proposal, new={"achievement": achievement.pk})
    return achievement

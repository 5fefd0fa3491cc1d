"""Consultations (专家咨询): a member asks, the secretariat assigns conflict-free committee experts,
experts answer, the member rates; answers can become a project's evaluation."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from lianmeng.accounts.models import User
from lianmeng.core import audit
from lianmeng.core.actors import SYSTEM, Actor
from lianmeng.core.files import display_name, stored_name
from lianmeng.core.search import tokens
from lianmeng.core.validators import PDF_OR_IMAGE, clean_upload
from lianmeng.membership.models import Organization

from .. import machines, policies
from ..commands import (
    ConsultationAnswer,
    ConsultationAsk,
    ConsultationAssign,
    ConsultationClose,
    ConsultationRate,
)
from ..mail import consultation_answered, consultation_assigned, consultation_overdue
from ..models import (
    Availability,
    Consultation,
    ConsultationAssignment,
    ConsultationAttachment,
    ConsultationStatus,
    Expert,
    ExpertiseField,
    ExpertStatus,
    Project,
    ProjectEvaluation,
    Urgency,
)
from ..models import ConsultationAnswer as Answer
from .experts import raise_if
from .references import Errors

CS = ConsultationStatus
OPEN_STATUSES = (CS.SUBMITTED, CS.ASSIGNED)
DEFAULT_DAYS = {Urgency.NORMAL: 15, Urgency.URGENT: 5}


def _ask_organization(cmd: ConsultationAsk | None, actor: User) -> Organization | None:
    """The organization a question is asked for: the contact's own (the one named when several), any
    member for the secretariat; None when the actor may not ask for it."""
    orgs: list[Organization] = list(actor.contact_organizations) if actor.is_authenticated else []
    wanted = cmd.organization if cmd is not None else None
    if wanted is None and len(orgs) == 1:
        return orgs[0]
    organization = next((o for o in orgs if o.pk == wanted), None)
    if organization is None and wanted is not None and policies.is_secretariat(actor):
        organization = Organization.objects.filter(pk=wanted).first()
    return organization


def consultation_validate(
    *, cmd: ConsultationAsk | None, attachments: list[UploadedFile[bytes]] | None = None
) -> ExpertiseField | None:
    """Every check of a question's field and attachments at once (``cmd`` is None when the fields
    themselves were already refused); raise one ValidationError naming every bad field. Writes
    nothing: the form calls it when its own checks failed (docs/DEVELOPING.md "Forms")."""
    errors: Errors = {}
    field = None
    if cmd is not None and cmd.field:
        lookup = {"pk": int(cmd.field)} if cmd.field.isdigit() else {"name": cmd.field}
        field = ExpertiseField.objects.filter(**lookup).first()
        if field is None:
            errors["field"] = [_("请选择领域目录中的领域")]
    for upload in attachments or []:
        try:
            clean_upload(upload, field="attachments", allowed=PDF_OR_IMAGE)
        except ValidationError as exc:
            errors.setdefault("attachments", []).extend(exc.messages)
    raise_if(errors)
    return field


@transaction.atomic
def consultation_ask(
    *, cmd: ConsultationAsk, actor: User, attachments: list[UploadedFile[bytes]] | None = None
) -> Consultation:
    """A member contact asks the committee a question for their organization."""
    organization = _ask_organization(cmd, actor)
    if organization is None or not policies.can_ask_consultation(actor, organization):
        raise PermissionDenied(_("只有成员单位联络员可以为本单位提出咨询"))
    attachments = attachments or []
    field = consultation_validate(cmd=cmd, attachments=attachments)
    title, question, urgency, due = cmd.title, cmd.question, cmd.urgency, cmd.due_date
    today = timezone.localdate()
    consultation = Consultation.objects.create(
        organization=organization,
        asked_by=actor,
        title=title,
        question=question,
        urgency=urgency,
        field=field,
        due_date=due or today + datetime.timedelta(days=DEFAULT_DAYS[Urgency(urgency)]),
    )
    for upload in attachments:
        mime = clean_upload(upload, field="attachments", allowed=PDF_OR_IMAGE)
        item = ConsultationAttachment(
            consultation=consultation, original_name=display_name(upload.name), content_type=mime
        )
        item.file.save(stored_name(mime), upload, save=False)
        item.save()
    audit.record(
        actor=actor,
        action="consultation.ask",
        target=consultation,
        new={"organization": organization.pk, "title": title, "urgency": urgency, "field": field},
    )
    return consultation


def committee_experts(on: datetime.date | None = None) -> Any:
    on = on or timezone.localdate()
    return Expert.objects.filter(
        status=ExpertStatus.ACTIVE, committee_terms__term_start__lte=on, committee_terms__term_end__gte=on
    ).distinct()


def conflict_reason(expert: Expert, consultation: Consultation, conflict_ids: set[int] | None = None) -> str:
    """Why the expert may not answer this consultation, or "" if they may."""
    if expert.organization_id and expert.organization_id == consultation.organization_id:
        return str(_("专家来自提问单位"))
    ids = (
        conflict_ids
        if conflict_ids is not None
        else set(expert.declared_conflicts.values_list("pk", flat=True))
    )
    if consultation.organization_id in ids:
        return str(_("专家已申报与提问单位回避"))
    return ""


@dataclass
class Suggestion:
    expert: Expert
    score: int
    reasons: list[str]
    conflict: str


def consultation_suggest_experts(*, consultation: Consultation, limit: int = 10) -> list[Suggestion]:
    """Committee experts ranked by expertise match (field, then shared keywords), conflicts excluded.

    Score: 10 for the consultation's field, 4 for a field under the same parent, 1 per keyword of the
    expert found in the question (bigram overlap), minus 2 when the expert is busy.
    """
    candidates = list(
        committee_experts()
        .exclude(availability=Availability.UNAVAILABLE)
        .exclude(organization_id=consultation.organization_id)
        .exclude(declared_conflicts=consultation.organization_id)
        .select_related("organization", "city")
        .prefetch_related("fields")
    )
    question = set(tokens(f"{consultation.title} {consultation.question}"))
    field = consultation.field
    out = []
    for expert in candidates:
        score = 0
        reasons: list[str] = []
        names = {f.pk: f for f in expert.fields.all()}
        if field and field.pk in names:
            score += 10
            reasons.append(_("领域：%(name)s") % {"name": field.name})
        elif field and field.parent_id and any(f.parent_id == field.parent_id for f in names.values()):
            score += 4
        for keyword in expert.keyword_list:
            kt = set(tokens(keyword))
            if kt and kt <= question:
                score += 1
                reasons.append(_("关键词：%(kw)s") % {"kw": keyword})
        if expert.availability == Availability.BUSY:
            score -= 2
        out.append(Suggestion(expert=expert, score=score, reasons=reasons, conflict=""))
    out.sort(key=lambda s: (-s.score, s.expert.name_sort, s.expert.pk))
    return out[:limit]


@transaction.atomic
def consultation_assign(*, consultation: Consultation, cmd: ConsultationAssign, actor: User) -> Consultation:
    """The secretariat assigns committee experts; never one from the asking organization or with a
    declared conflict. Locks the consultation. An expert id that does not exist is a 404."""
    if not policies.can_assign_consultation(actor, consultation):
        raise PermissionDenied
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    new_status = machines.CONSULTATION.check(consultation.status, "assign", actor=actor, obj=consultation)
    if not cmd.experts:
        raise ValidationError({"experts": _("请至少选择一位专家")})
    experts = list(Expert.objects.filter(pk__in=cmd.experts))
    if len(experts) != len(cmd.experts):
        raise Http404
    committee = set(committee_experts().values_list("pk", flat=True))
    errors = []
    for expert in experts:
        if expert.pk not in committee:
            errors.append(_("%(name)s不是本届专家咨询委员会委员") % {"name": expert.name})
            continue
        reason = conflict_reason(expert, consultation)
        if reason:
            errors.append(_("%(name)s需回避：%(reason)s") % {"name": expert.name, "reason": reason})
    if errors:
        raise ValidationError({"experts": errors})
    added = []
    for expert in experts:
        _obj, created = ConsultationAssignment.objects.get_or_create(
            consultation=consultation, expert=expert, defaults={"assigned_by": actor}
        )
        if created:
            added.append(expert.pk)
    consultation.status = new_status
    consultation.save(update_fields=["status", "updated_at"])
    audit.record(actor=actor, action="consultation.assign", target=consultation, new={"experts": added})
    consultation_assigned(consultation.pk, added, actor=actor)
    return consultation


@transaction.atomic
def consultation_answer(*, consultation: Consultation, cmd: ConsultationAnswer, actor: User) -> Answer:
    """An assigned expert answers in the platform (one answer per expert; a new one replaces it)."""
    expert = policies.assigned_expert(actor, consultation)
    if expert is None:
        raise PermissionDenied(_("只有被分派的专家可以答复"))
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    new_status = machines.CONSULTATION.check(consultation.status, "answer", actor=actor, obj=consultation)
    if len(cmd.text) < 10:
        raise ValidationError({"text": _("请填写答复意见（至少 10 个字）")})
    answer = Answer.objects.create(consultation=consultation, expert=expert, text=cmd.text)
    consultation.status = new_status
    consultation.save(update_fields=["status", "updated_at"])
    audit.record(actor=actor, action="consultation.answer", target=consultation, new={"expert": expert.pk})
    consultation_answered(consultation.pk, actor=actor)
    return answer


@transaction.atomic
def consultation_rate(*, consultation: Consultation, cmd: ConsultationRate, actor: User) -> Consultation:
    if not policies.can_rate_consultation(actor, consultation):
        raise PermissionDenied
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    new_status = machines.CONSULTATION.check(consultation.status, "rate", actor=actor, obj=consultation)
    value = cmd.rating
    consultation.rating = value
    consultation.rating_comment = cmd.comment
    consultation.status = new_status
    consultation.save(update_fields=["rating", "rating_comment", "status", "updated_at"])
    audit.record(actor=actor, action="consultation.rate", target=consultation, new={"rating": value})
    return consultation


@transaction.atomic
def consultation_close(*, consultation: Consultation, cmd: ConsultationClose, actor: User) -> Consultation:
    if not policies.can_assign_consultation(actor, consultation):
        raise PermissionDenied
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    new_status = machines.CONSULTATION.check(consultation.status, "close", actor=actor, obj=consultation)
    reason = cmd.reason
    old = consultation.status
    consultation.status = new_status
    consultation.save(update_fields=["status", "updated_at"])
    audit.record(
        actor=actor,
        action="consultation.close",
        target=consultation,
        old={"status": old},
        new={"status": new_status, "reason": reason},
    )
    return consultation


@transaction.atomic
def evaluation_attach(*, answer: Answer, project: Project, actor: User) -> ProjectEvaluation:
    """Attach an expert's answer to a project as an evaluation (专家评估意见)."""
    consultation = answer.consultation
    if not policies.can_attach_evaluation(actor, consultation, project):
        raise PermissionDenied
    Project.objects.select_for_update().filter(pk=project.pk).first()
    evaluation, created = ProjectEvaluation.objects.get_or_create(
        project=project, answer=answer, defaults={"attached_by": actor}
    )
    if not created:
        raise ValidationError({"answer": _("这条答复已关联到该项目")})
    if consultation.project_id is None:
        Consultation.objects.filter(pk=consultation.pk).update(project=project)
    audit.record(
        actor=actor,
        action="project.evaluation",
        target=project,
        new={"answer": answer.pk, "consultation": consultation.pk},
    )
    return evaluation


def overdue_consultations(today: datetime.date | None = None) -> Any:
    today = today or timezone.localdate()
    return Consultation.objects.filter(status__in=OPEN_STATUSES, due_date__lt=today)


def consultation_remind_overdue(*, now: datetime.datetime | None = None, actor: Actor = SYSTEM) -> int:
    """Remind assigned experts (or the secretariat, if nobody is assigned yet) of overdue consultations,
    at most once a day per consultation (the worker's daily job, acting as the system). Returns the
    number reminded."""
    if not policies.can_remind_consultations(actor):
        raise PermissionDenied
    now = now or timezone.now()
    day_ago = now - datetime.timedelta(hours=23)
    due = overdue_consultations(timezone.localdate(now)).filter(
        Q(reminded_at__isnull=True) | Q(reminded_at__lt=day_ago)
    )
    count = 0
    for pk in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            consultation = Consultation.objects.select_for_update().get(pk=pk)
            if consultation.reminded_at and consultation.reminded_at >= day_ago:
                continue
            consultation.reminded_at = now
            consultation.save(update_fields=["reminded_at"])
            audit.record(
                actor=actor,
                action="consultation.remind",
                target=consultation,
                new={"due_date": consultation.due_date},
            )
            consultation_overdue(pk)
            count += 1
    return count

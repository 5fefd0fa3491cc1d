"""Writes on the governance settings and the rotating presidency."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lianmeng.accounts.models import User
from lianmeng.core import audit, concurrency
from lianmeng.core.actors import Actor
from lianmeng.membership.models import Organization, OrganizationStatus

from .. import policies, selectors
from ..commands import HandoverRecord, RotationChangeCmd, RotationPlanCreate, SettingsUpdate
from ..models import (
    DECIDED_STATUSES,
    Ballot,
    GovernanceSettings,
    Motion,
    MotionKind,
    MotionStatus,
    PresidencyHandover,
    Resolution,
    ResolutionStatus,
    RotationChange,
    RotationHolder,
    RotationPlan,
)
from ..presidency import rotation_for, rotation_plan
from ..rotation import MAX_TERM_MONTHS, Change, ChangeRefused, Term, check_change
from .council import motion_open

SETTINGS_FIELDS = (
    "term_months",
    "quorum_numerator",
    "quorum_denominator",
    "ordinary_threshold_numerator",
    "ordinary_threshold_denominator",
    "ordinary_threshold_strict",
    "important_threshold_numerator",
    "important_threshold_denominator",
    "important_threshold_strict",
    "charter_threshold_numerator",
    "charter_threshold_denominator",
    "charter_threshold_strict",
    "president_signs_off",
    "default_voting_days",
    "notice_read_days",
)
_FRACTIONS = ("quorum", "ordinary_threshold", "important_threshold", "charter_threshold")


@transaction.atomic
def governance_settings_update(*, cmd: SettingsUpdate, actor: User) -> GovernanceSettings:
    """Change the mechanism parameters (administrators); the fields given in ``cmd`` change. Fractions
    must lie in (0, 1]."""
    if not policies.can_configure(actor):
        raise PermissionDenied
    GovernanceSettings.current().save()  # make sure the row exists before locking it
    obj = GovernanceSettings.objects.select_for_update().get(pk=1)
    concurrency.check(obj, {"version": cmd.version})
    before = audit.snapshot(obj, SETTINGS_FIELDS)
    errors: dict[str, list[str]] = {}
    for name, value in cmd.given().items():
        if value is None:
            errors[name] = [_("请填写%(label)s") % {"label": SettingsUpdate.label_of(name)}]
        else:
            setattr(obj, name, value)
    for prefix in _FRACTIONS:
        if getattr(obj, f"{prefix}_numerator") > getattr(obj, f"{prefix}_denominator"):
            errors.setdefault(f"{prefix}_numerator", []).append(_("比例不能大于 1（分子不能大于分母）"))
    if errors:
        raise ValidationError(errors)
    obj.save()
    old, new = audit.changes(before, audit.snapshot(obj, SETTINGS_FIELDS))
    if new:
        concurrency.bump(obj)
        audit.record(actor=actor, action="governance.settings", target=obj, old=old, new=new)
    return obj


@transaction.atomic
def rotation_plan_create(*, cmd: RotationPlanCreate, actor: Actor) -> RotationPlan:
    """Set up the rotation (once, at founding). Later changes go through ``rotation_change``."""
    if not policies.can_found_rotation(actor):
        raise PermissionDenied
    if RotationPlan.objects.select_for_update().exists():
        raise ValidationError({"order": _("轮值方案已经确定；调整顺序、顺延或跳过须依据理事会决议办理变更")})
    found = Organization.objects.in_bulk(cmd.order)
    missing = [str(pk) for pk in cmd.order if pk not in found]
    if missing:
        raise ValidationError({"order": _("找不到这些单位：%(names)s") % {"names": "、".join(missing)}})
    plan = RotationPlan.objects.create(start_date=cmd.start_date, term_months=cmd.term_months)
    RotationHolder.objects.bulk_create(
        RotationHolder(plan=plan, position=i, organization=found[pk])
        for i, pk in enumerate(cmd.order, start=1)
    )
    audit.record(
        actor=actor,
        action="presidency.plan",
        target=plan,
        new={"start_date": cmd.start_date, "term_months": cmd.term_months, "order": list(cmd.order)},
    )
    return plan


def _locked_plan() -> RotationPlan | None:
    current = rotation_plan()
    return None if current is None else RotationPlan.objects.select_for_update().get(pk=current.pk)


_REFUSALS = {
    "empty_order": lambda: _("新的轮值顺序不能为空"),
    "duplicate_holder": lambda: _("同一单位在轮值顺序中只能出现一次"),
    "not_a_holder": lambda: _("该单位不在轮值顺序中"),
    "already_had_turn": lambda: _(
        "该单位在本轮已担任（或已跳过）轮值主席；在每家单位都轮到之前，不能再次安排或调整"
    ),
    "already_last": lambda: _("该单位已是本轮最后一位，无需顺延"),
    "bad_term_length": lambda: _("任期应在 1 到 %(n)d 个月之间") % {"n": MAX_TERM_MONTHS},
    "unknown_kind": lambda: _("请选择变更类型"),
}


def _rotation_refs(
    cmd: RotationChangeCmd, actor: User
) -> tuple[Resolution | None, Organization | None, list[Organization]]:
    """The resolution, organization and order a change names (each must exist)."""
    errors: dict[str, list[str]] = {}
    resolution = organization = None
    if cmd.resolution is not None:
        resolution = selectors.resolution_list(viewer=actor).filter(pk=cmd.resolution).first()
        if resolution is None:
            errors["resolution"] = [_("找不到该决议")]
    if cmd.organization is not None:
        organization = Organization.objects.filter(pk=cmd.organization).first()
        if organization is None:
            errors["organization"] = [_("找不到该单位")]
    found = Organization.objects.in_bulk(cmd.order)
    missing = [str(pk) for pk in cmd.order if pk not in found]
    if missing:
        errors["order"] = [_("找不到这些单位：%(names)s") % {"names": "、".join(missing)}]
    if errors:
        raise ValidationError(errors)
    return resolution, organization, [found[pk] for pk in cmd.order]


@transaction.atomic
def rotation_change(
    *, cmd: RotationChangeCmd, actor: User, today: datetime.date | None = None
) -> RotationChange:
    """Change the order, skip or defer a holder, or change the term length, from the next term on.

    Needs a passed council resolution (in force). The current term is never changed, and the
    equality rule is checked against the rotation as it stands at the next term.
    """
    if not policies.can_change_rotation(actor):
        raise PermissionDenied
    plan = _locked_plan()
    if plan is None:
        raise ValidationError({"kind": _("尚未确定轮值方案")})
    resolution, organization, order = _rotation_refs(cmd, actor)
    kind, term_months = cmd.kind, cmd.term_months
    if resolution is None:
        raise ValidationError({"resolution": _("调整轮值须依据已通过的理事会决议；请先提交议案并经表决通过")})
    if resolution.status != ResolutionStatus.IN_FORCE:
        raise ValidationError({"resolution": _("所依据的决议尚未生效（待轮值主席签发）")})
    if RotationChange.objects.filter(resolution=resolution).exists():
        raise ValidationError({"resolution": _("该决议已用于一次轮值变更")})
    if kind in ("skip", "defer") and organization is None:
        raise ValidationError({"organization": _("请选择单位")})
    if kind == "reorder":
        inactive = [o.name for o in order if o.status != OrganizationStatus.ACTIVE]
        if inactive:
            raise ValidationError(
                {
                    "order": _("以下单位不是正常状态的成员，不能列入轮值：%(names)s")
                    % {"names": "、".join(inactive)}
                }
            )
    today = today or timezone.localdate()
    rotation = rotation_for(plan)
    current = rotation.term_on(today)
    sequence = current.sequence + 1 if current else 0
    change = Change(
        kind=kind,
        effective_sequence=sequence,
        order=tuple(o.pk for o in order),
        organization=organization.pk if organization else None,
        term_months=term_months,
    )
    try:
        check_change(rotation.state_at(sequence), change)
    except ChangeRefused as exc:
        raise ValidationError({exc.field: _REFUSALS[exc.code]()}) from exc
    row = RotationChange.objects.create(
        plan=plan,
        kind=kind,
        effective_sequence=sequence,
        order=list(change.order),
        organization=organization,
        term_months=term_months,
        resolution=resolution,
        reason=cmd.reason,
        created_by=actor,
    )
    audit.record(
        actor=actor,
        action=f"presidency.{kind}",
        target=plan,
        new={
            "effective_term": sequence + 1,
            "order": list(change.order),
            "organization": change.organization,
            "term_months": term_months,
            "resolution": resolution.number,
        },
    )
    return row


def pending_handover(plan: RotationPlan, today: datetime.date) -> tuple[Term, Term] | None:
    """The (outgoing, incoming) terms of the earliest handover not yet on file whose outgoing term has
    begun, or None."""
    terms = rotation_for(plan).terms_until(today)
    recorded = set(PresidencyHandover.objects.filter(plan=plan).values_list("sequence", flat=True))
    incoming = next(
        (t for t in terms[1:] if t.sequence not in recorded and terms[t.sequence - 1].starts_on <= today),
        None,
    )
    return None if incoming is None else (terms[incoming.sequence - 1], incoming)


def handover_motion_of(sequence: int) -> Motion | None:
    """The latest council motion confirming the handover into term ``sequence`` (with its resolution)."""
    return (
        Motion.objects.filter(kind=MotionKind.HANDOVER, handover_term=sequence)
        .select_related("resolution")
        .order_by("-id")
        .first()
    )


def handover_resolution(sequence: int) -> Resolution | None:
    """The council resolution in force that confirms the handover into term ``sequence``."""
    return (
        Resolution.objects.filter(
            motion__kind=MotionKind.HANDOVER,
            motion__handover_term=sequence,
            status=ResolutionStatus.IN_FORCE,
        )
        .order_by("-id")
        .first()
    )


def handover_refusal(sequence: int) -> str | None:
    """Why the handover into term ``sequence`` cannot be recorded yet (None: its resolution is in force)."""
    if handover_resolution(sequence) is not None:
        return None
    motion = handover_motion_of(sequence)
    if motion is None or motion.status in (MotionStatus.REJECTED, MotionStatus.NO_QUORUM):
        return _("轮值交接须经理事会决议确认；请先提请理事会表决交接议案")
    if motion.status not in DECIDED_STATUSES:
        return _("轮值交接须经理事会决议确认：议案《%(title)s》%(status)s，表决通过后才能办理交接") % {
            "title": motion.title,
            "status": motion.get_status_display(),
        }
    return _("确认交接的决议%(number)s尚未生效（待轮值主席签发）") % {"number": motion.resolution.number}


@transaction.atomic
def handover_motion_open(*, actor: User, today: datetime.date | None = None) -> Motion:
    """Put the pending handover to the council (like an application's forward): a motion of kind
    ``handover`` for the incoming term, reused while it is undecided or passed; the secretariat opens it
    at once, the outgoing president leaves a draft for the secretariat to open."""
    plan = _locked_plan()
    if plan is None:
        raise ValidationError({"motion": _("尚未确定轮值方案")})
    today = today or timezone.localdate()
    pending = pending_handover(plan, today)
    if pending is None:
        raise ValidationError({"motion": _("目前没有待办理的轮值交接")})
    outgoing, incoming = pending
    if not policies.can_propose_handover_motion(actor, outgoing.organization):
        raise PermissionDenied(_("只有秘书处或卸任的轮值主席单位可以提请理事会表决交接"))
    existing = (
        Motion.objects.select_for_update()
        .filter(kind=MotionKind.HANDOVER, handover_term=incoming.sequence)
        .exclude(status__in=(MotionStatus.REJECTED, MotionStatus.NO_QUORUM))
        .order_by("-id")
        .first()
    )
    if existing is not None:
        if existing.status == MotionStatus.DRAFT and policies.is_secretariat(actor):
            return motion_open(motion=existing, actor=actor)
        return existing
    names = dict(
        Organization.objects.filter(pk__in=(outgoing.organization, incoming.organization)).values_list(
            "pk", "name"
        )
    )
    config = GovernanceSettings.current()
    now = timezone.now()
    motion = Motion.objects.create(
        title=_("关于第 %(n)s 任轮值主席由%(from)s交接至%(to)s的议案")
        % {"n": incoming.number, "from": names[outgoing.organization], "to": names[incoming.organization]},
        text=_(
            "根据轮值方案，%(from)s的轮值主席任期（%(start)s起）届满，由%(to)s自%(next)s起担任第 %(n)s 任"
            "轮值主席。提请理事会确认本次交接；决议生效后，卸任单位办理交接并移交印章、档案等文件。"
        )
        % {
            "from": names[outgoing.organization],
            "to": names[incoming.organization],
            "start": outgoing.starts_on.isoformat(),
            "next": incoming.starts_on.isoformat(),
            "n": incoming.number,
        },
        kind=MotionKind.HANDOVER,
        ballot=Ballot.OPEN,
        opens_at=now,
        closes_at=now + datetime.timedelta(days=config.default_voting_days),
        handover_term=incoming.sequence,
        proposer=actor,
        status=MotionStatus.DRAFT,
    )
    audit.record(
        actor=actor,
        action="council.motion.create",
        target=motion,
        new={"title": motion.title, "kind": motion.kind, "term": incoming.number},
    )
    if policies.is_secretariat(actor):
        motion = motion_open(motion=motion, actor=actor)
    return motion


@transaction.atomic
def handover_record(
    *, cmd: HandoverRecord, actor: User, today: datetime.date | None = None
) -> PresidencyHandover:
    """The outgoing president records the handover to the next holder (date, notes, documents).

    The handover recorded is the earliest one not yet on file whose outgoing term has begun. It needs
    the council resolution (in force) of a ``handover`` motion for that term, which it records.
    """
    plan = _locked_plan()
    if plan is None:
        raise ValidationError({"date": _("尚未确定轮值方案")})
    today = today or timezone.localdate()
    pending = pending_handover(plan, today)
    if pending is None:
        raise ValidationError({"date": _("目前没有待办理的轮值交接")})
    outgoing, incoming = pending
    if not policies.can_record_handover(actor, outgoing.organization):
        raise PermissionDenied(_("只有卸任的轮值主席单位可以办理交接"))
    refusal = handover_refusal(incoming.sequence)
    if refusal is not None:
        raise ValidationError({"resolution": refusal})
    resolution = handover_resolution(incoming.sequence)
    day = cmd.date
    errors: list[str] = []
    if day < outgoing.starts_on:
        errors.append(_("交接日期不能早于卸任单位任期开始"))
    if day > today:
        errors.append(_("交接日期不能晚于今天"))
    if errors:
        raise ValidationError({"date": errors})
    assert resolution is not None
    handover = PresidencyHandover.objects.create(
        plan=plan,
        sequence=incoming.sequence,
        from_organization_id=outgoing.organization,
        to_organization_id=incoming.organization,
        date=day,
        notes=cmd.notes,
        documents=cmd.documents,
        recorded_by=actor,
        resolution=resolution,
    )
    audit.record(
        actor=actor,
        action="presidency.handover",
        target=handover,
        new={
            "term": incoming.number,
            "from": outgoing.organization,
            "to": incoming.organization,
            "date": day,
            "documents": handover.document_list,
            "resolution": resolution.number,
        },
    )
    return handover

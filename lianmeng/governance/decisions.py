"""The council's decisions and what they decided, read for pages: a presidency handover and a charter
version show their resolution, and a motion or resolution page shows the handover or charter version it
decided (links only where the viewer may open them, ``policies``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils import timezone

from lianmeng.membership.models import Organization

from . import policies
from .models import CharterVersion, Motion, MotionKind, MotionStatus, PresidencyHandover, Resolution
from .presidency import Schedule, rotation_plan
from .services.presidency import handover_motion_of, handover_refusal, handover_resolution, pending_handover


@dataclass
class PendingHandover:
    """The handover waiting to be recorded, as the presidency page shows it."""

    number: int  # the incoming term, as shown (第 N 任)
    outgoing: Organization
    incoming: Organization
    motion: Motion | None
    motion_url: str
    resolution: Resolution | None
    refusal: str | None  # why it cannot be recorded yet (None: the resolution is in force)
    can_record: bool
    can_propose: bool  # may put it to the council (no undecided or passed motion yet)


def pending_for(viewer: Any, schedule: Schedule) -> PendingHandover | None:
    """The pending handover for those who act on it (the outgoing president and the secretariat)."""
    if schedule.plan is None or not policies.signed_in(viewer):
        return None
    pending = pending_handover(schedule.plan, schedule.today)
    if pending is None:
        return None
    outgoing, incoming = pending
    can_record = policies.can_record_handover(viewer, outgoing.organization)
    if not (can_record or policies.is_secretariat(viewer)):
        return None
    motion = handover_motion_of(incoming.sequence)
    undecided_or_passed = motion is not None and motion.status not in (
        MotionStatus.REJECTED,
        MotionStatus.NO_QUORUM,
    )
    orgs = Organization.objects.in_bulk([outgoing.organization, incoming.organization])
    return PendingHandover(
        number=incoming.number,
        outgoing=orgs[outgoing.organization],
        incoming=orgs[incoming.organization],
        motion=motion,
        motion_url=motion.get_absolute_url() if motion and policies.can_view_motion(viewer, motion) else "",
        resolution=handover_resolution(incoming.sequence),
        refusal=handover_refusal(incoming.sequence),
        can_record=can_record,
        can_propose=policies.can_propose_handover_motion(viewer, outgoing.organization)
        and (
            not undecided_or_passed
            or (
                motion is not None and motion.status == MotionStatus.DRAFT and policies.is_secretariat(viewer)
            )
        ),
    )


@dataclass
class HandoverDecided:
    number: int
    handover: PresidencyHandover | None
    outgoing: str
    incoming: str
    url: str


def decided_by(viewer: Any, motion: Motion) -> dict[str, Any]:
    """What a handover or charter motion (and its resolution) decided, for the motion and resolution pages."""
    out: dict[str, Any] = {}
    resolution = getattr(motion, "resolution", None) if motion.status == MotionStatus.PASSED else None
    if motion.kind == MotionKind.HANDOVER and motion.handover_term is not None:
        sequence = motion.handover_term
        handover = (
            PresidencyHandover.objects.filter(sequence=sequence, resolution__motion=motion)
            .select_related("from_organization", "to_organization")
            .first()
        )
        if handover is not None:
            names = (handover.from_organization.name, handover.to_organization.name)
        else:
            names = ("", "")
            plan = rotation_plan()
            pending = pending_handover(plan, timezone.localdate()) if plan is not None else None
            if pending is not None and pending[1].sequence == sequence:
                orgs = Organization.objects.in_bulk([pending[0].organization, pending[1].organization])
                names = (orgs[pending[0].organization].name, orgs[pending[1].organization].name)
        out["handover_decided"] = HandoverDecided(
            number=sequence + 1,
            handover=handover,
            outgoing=names[0],
            incoming=names[1],
            url=reverse("governance:presidency") + f"#term-{sequence + 1}",
        )
    if motion.kind == MotionKind.CHARTER:
        out["charter_version"] = (
            CharterVersion.objects.filter(resolution=resolution).first() if resolution is not None else None
        )
        out["charter_decided"] = True
    return out

"""The governance state machines (lianmeng.core.transitions): meetings, motions, resolutions."""

from __future__ import annotations

from lianmeng.core.transitions import Machine, T

from .models import MeetingStatus, MotionStatus, ResolutionStatus

POLICIES = "lianmeng.governance.policies"

MEETING = Machine(
    "governance.meeting",
    states=MeetingStatus,
    initial=[MeetingStatus.PLANNED],
    final=[MeetingStatus.HELD, MeetingStatus.CANCELLED],
    transitions=[
        T(MeetingStatus.PLANNED, "hold", MeetingStatus.HELD),
        T(MeetingStatus.PLANNED, "cancel", MeetingStatus.CANCELLED),
    ],
    policies=POLICIES,
)

MOTION = Machine(
    "governance.motion",
    states=MotionStatus,
    initial=[MotionStatus.DRAFT],
    final=[MotionStatus.PASSED, MotionStatus.REJECTED, MotionStatus.NO_QUORUM],
    transitions=[
        T(MotionStatus.DRAFT, "open", MotionStatus.OPEN),
        T(MotionStatus.OPEN, "pass", MotionStatus.PASSED),
        T(MotionStatus.OPEN, "reject", MotionStatus.REJECTED),
        T(MotionStatus.OPEN, "no_quorum", MotionStatus.NO_QUORUM),
    ],
    policies=POLICIES,
)

RESOLUTION = Machine(
    "governance.resolution",
    states=ResolutionStatus,
    initial=[ResolutionStatus.AWAITING_SIGNOFF],
    final=[ResolutionStatus.IN_FORCE],
    transitions=[T(ResolutionStatus.AWAITING_SIGNOFF, "sign_off", ResolutionStatus.IN_FORCE)],
    policies=POLICIES,
)

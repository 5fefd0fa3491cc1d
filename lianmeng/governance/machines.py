"""The governance state machines (lianmeng.core.transitions): meetings, motions, resolutions, notices
and tasks; guards are policy names."""

from __future__ import annotations

from lianmeng.core.transitions import Machine, T

from .models import MeetingStatus, MotionStatus, NoticeStatus, ResolutionStatus, TaskStatus

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

NOTICE = Machine(
    "governance.notice",
    states=NoticeStatus,
    initial=[NoticeStatus.DRAFT],
    final=[NoticeStatus.PUBLISHED],
    transitions=[T(NoticeStatus.DRAFT, "publish", NoticeStatus.PUBLISHED, guard="can_publish_notice")],
    policies=POLICIES,
)

# The owner works the task (start, complete); the secretariat also cancels and reopens.
TASK = Machine(
    "governance.task",
    states=TaskStatus,
    initial=[TaskStatus.OPEN],
    final=[TaskStatus.CANCELLED],
    transitions=[
        T(TaskStatus.OPEN, "start", TaskStatus.IN_PROGRESS, guard="can_work_task"),
        T(TaskStatus.OPEN, "complete", TaskStatus.DONE, guard="can_work_task"),
        T(TaskStatus.OPEN, "cancel", TaskStatus.CANCELLED, guard="can_cancel_task"),
        T(TaskStatus.IN_PROGRESS, "complete", TaskStatus.DONE, guard="can_work_task"),
        T(TaskStatus.IN_PROGRESS, "cancel", TaskStatus.CANCELLED, guard="can_cancel_task"),
        T(TaskStatus.DONE, "reopen", TaskStatus.IN_PROGRESS, guard="can_cancel_task"),
    ],
    policies=POLICIES,
    field="action",
)

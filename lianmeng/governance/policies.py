"""Who may do what in governance (pure predicates over the user's roles and the facts passed in)."""

from __future__ import annotations

import datetime
from typing import Any

from lianmeng.accounts.models import Role
from lianmeng.core.actors import is_system

from .models import CouncilSeat, Motion, MotionStatus, Notice, NoticeStatus, Resolution, Task


def signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def is_secretariat(user: Any) -> bool:
    return signed_in(user) and bool(user.is_secretariat)


def is_administrator(user: Any) -> bool:
    return signed_in(user) and bool(user.is_administrator)


def represented_organization_ids(user: Any) -> set[int]:
    """The organizations a user speaks for: as their contact or as their council representative."""
    if not signed_in(user):
        return set()
    return {
        a.organization_id
        for a in user.role_assignments
        if a.organization_id is not None and a.role in (Role.MEMBER_CONTACT, Role.COUNCIL_REPRESENTATIVE)
    }


def is_council_representative(user: Any) -> bool:
    return signed_in(user) and user.has_role(Role.COUNCIL_REPRESENTATIVE)


def speaks_for_president(user: Any, president_organization_id: int | None) -> bool:
    """The current president's rights belong to the people of its organization, for its term only."""
    return (
        president_organization_id is not None
        and president_organization_id in represented_organization_ids(user)
    )


def can_configure(user: Any) -> bool:
    return is_administrator(user)


def can_view_council(user: Any) -> bool:
    """Council papers: meetings, motions, votes."""
    return is_secretariat(user) or is_council_representative(user)


def can_view_motion(user: Any, motion: Motion) -> bool:
    """Council papers; a draft only for the secretariat and its proposer (selectors.motion_list agrees)."""
    if not can_view_council(user):
        return False
    return is_secretariat(user) or motion.status != MotionStatus.DRAFT or motion.proposer_id == user.pk


def can_manage_council(user: Any) -> bool:
    return is_secretariat(user)


def can_create_seat(user: Any) -> bool:
    """Seats are set up by the secretariat, or by the system (the demo and founding data loaders)."""
    return can_manage_council(user) or is_system(user)


def can_convene_meeting(user: Any, president_organization_id: int | None) -> bool:
    return is_secretariat(user) or speaks_for_president(user, president_organization_id)


def can_propose_motion(user: Any, president_organization_id: int | None = None) -> bool:
    return (
        is_secretariat(user)
        or is_council_representative(user)
        or speaks_for_president(user, president_organization_id)
    )


def can_open_motion(user: Any, motion: Motion) -> bool:
    return is_secretariat(user)


def can_close_motion(user: Any, motion: Motion) -> bool:
    """The secretariat closes early; the system closes at the deadline (services.motion_close)."""
    return is_secretariat(user) or is_system(user)


def can_vote(user: Any, motion: Motion, seat: CouncilSeat, day: datetime.date) -> bool:
    """One vote per seat, by its representative, while the seat is valid."""
    return signed_in(user) and seat.representative_id == user.pk and seat.is_valid_on(day)


def can_sign_off(user: Any, resolution: Resolution, president_organization_id: int | None) -> bool:
    return speaks_for_president(user, president_organization_id)


def can_change_rotation(user: Any) -> bool:
    return is_secretariat(user)


def can_found_rotation(user: Any) -> bool:
    """The rotation plan is set up once, by the secretariat or the system (the founding data)."""
    return can_change_rotation(user) or is_system(user)


def can_record_handover(user: Any, outgoing_organization_id: int) -> bool:
    return outgoing_organization_id in represented_organization_ids(user)


def can_propose_handover_motion(user: Any, outgoing_organization_id: int) -> bool:
    """Put a pending handover to the council: the secretariat (opens it) or the outgoing president (a draft)."""
    return is_secretariat(user) or can_record_handover(user, outgoing_organization_id)


def can_view_resolution(user: Any, resolution: Resolution) -> bool:
    """Resolutions are read by everyone signed in (selectors.resolution_list agrees)."""
    return signed_in(user)


def can_revise_charter(user: Any) -> bool:
    return is_secretariat(user)


def can_found_charter(user: Any) -> bool:
    """The founding charter is recorded by the secretariat or the system (the founding data)."""
    return can_revise_charter(user) or is_system(user)


def can_manage_notices(user: Any) -> bool:
    return is_secretariat(user)


def can_view_notice(user: Any, notice: Notice, recipient_organization_ids: set[int]) -> bool:
    if is_secretariat(user):
        return True
    return notice.status == NoticeStatus.PUBLISHED and bool(
        represented_organization_ids(user) & recipient_organization_ids
    )


def can_manage_tasks(user: Any) -> bool:
    return is_secretariat(user)


def is_task_owner(user: Any, task: Task) -> bool:
    if not signed_in(user):
        return False
    if task.owner_user_id == user.pk:
        return True
    return (
        task.owner_organization_id is not None
        and task.owner_organization_id in represented_organization_ids(user)
    )


def can_view_task(user: Any, task: Task) -> bool:
    return is_secretariat(user) or is_task_owner(user, task)


def can_update_task_progress(user: Any, task: Task) -> bool:
    return is_secretariat(user) or is_task_owner(user, task)


def can_work_task(user: Any, task: Task) -> bool:
    """Start or complete a task (machines.TASK): its owner or the secretariat."""
    return can_update_task_progress(user, task)


def can_cancel_task(user: Any, task: Task) -> bool:
    """Cancel or reopen a task (machines.TASK): the secretariat only."""
    return can_manage_tasks(user)


def can_publish_notice(user: Any, notice: Notice) -> bool:
    return can_manage_notices(user)

"""The research state machines (lianmeng.core.transitions): calls, proposals, rounds, entries, assignments,
reviews and objections. Guards name the policies of ``lianmeng.research.policies``; a refused action is
reported on the request's ``action`` field."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied

from lianmeng.core.transitions import Machine, T

from .models import (
    AssignmentStatus,
    CallStatus,
    EntryStatus,
    Objection,
    ProposalStatus,
    ReviewStatus,
    RoundStatus,
)

POLICIES = "lianmeng.research.policies"
SECRETARIAT = "can_manage_research"

CALL = Machine(
    "research.call",
    states=CallStatus,
    initial=[CallStatus.DRAFT],
    final=[],
    transitions=[
        T(CallStatus.DRAFT, "open", CallStatus.OPEN, guard=SECRETARIAT),
        T(CallStatus.OPEN, "close", CallStatus.CLOSED, guard=SECRETARIAT),
        T(CallStatus.CLOSED, "reopen", CallStatus.OPEN, guard=SECRETARIAT),
    ],
    policies=POLICIES,
    field="action",
)

PROPOSAL = Machine(
    "research.proposal",
    states=ProposalStatus,
    initial=[ProposalStatus.SUBMITTED],
    final=[
        ProposalStatus.COMPLETED,
        ProposalStatus.REJECTED,
        ProposalStatus.WITHDRAWN,
        ProposalStatus.TERMINATED,
    ],
    transitions=[
        T(ProposalStatus.SUBMITTED, "withdraw", ProposalStatus.WITHDRAWN, guard="can_edit_proposal"),
        T(ProposalStatus.SUBMITTED, "review", ProposalStatus.UNDER_REVIEW, guard=SECRETARIAT),
        T(ProposalStatus.SUBMITTED, "approve", ProposalStatus.APPROVED, guard=SECRETARIAT),
        T(ProposalStatus.SUBMITTED, "reject", ProposalStatus.REJECTED, guard=SECRETARIAT),
        T(ProposalStatus.UNDER_REVIEW, "approve", ProposalStatus.APPROVED, guard=SECRETARIAT),
        T(ProposalStatus.UNDER_REVIEW, "reject", ProposalStatus.REJECTED, guard=SECRETARIAT),
        T(ProposalStatus.APPROVED, "pass_midterm", ProposalStatus.MIDTERM_PASSED, guard=SECRETARIAT),
        T(ProposalStatus.APPROVED, "terminate", ProposalStatus.TERMINATED, guard=SECRETARIAT),
        T(ProposalStatus.MIDTERM_PASSED, "complete", ProposalStatus.COMPLETED, guard=SECRETARIAT),
        T(ProposalStatus.MIDTERM_PASSED, "terminate", ProposalStatus.TERMINATED, guard=SECRETARIAT),
    ],
    policies=POLICIES,
    field="action",
)

ROUND = Machine(
    "research.round",
    states=RoundStatus,
    initial=[RoundStatus.DRAFT],
    final=[RoundStatus.FINAL],
    transitions=[
        T(RoundStatus.DRAFT, "open", RoundStatus.ENTRIES, guard=SECRETARIAT),
        T(RoundStatus.ENTRIES, "start_review", RoundStatus.REVIEW, guard=SECRETARIAT),
        T(RoundStatus.REVIEW, "publish", RoundStatus.PUBLICITY, guard=SECRETARIAT),
        T(RoundStatus.PUBLICITY, "finalise", RoundStatus.FINAL, guard=SECRETARIAT),
    ],
    policies=POLICIES,
    field="action",
)

ENTRY = Machine(
    "research.entry",
    states=EntryStatus,
    # a topic review's entries start eligible (the proposals were checked when submitted)
    initial=[EntryStatus.SUBMITTED, EntryStatus.ELIGIBLE],
    final=[EntryStatus.WITHDRAWN],
    transitions=[
        T(EntryStatus.SUBMITTED, "accept", EntryStatus.ELIGIBLE, guard=SECRETARIAT),
        T(EntryStatus.SUBMITTED, "refuse", EntryStatus.INELIGIBLE, guard=SECRETARIAT),
        T(EntryStatus.SUBMITTED, "withdraw", EntryStatus.WITHDRAWN, guard="can_withdraw_entry"),
        T(EntryStatus.ELIGIBLE, "refuse", EntryStatus.INELIGIBLE, guard=SECRETARIAT),
        T(EntryStatus.ELIGIBLE, "withdraw", EntryStatus.WITHDRAWN, guard="can_withdraw_entry"),
        T(EntryStatus.INELIGIBLE, "accept", EntryStatus.ELIGIBLE, guard=SECRETARIAT),
    ],
    policies=POLICIES,
    field="action",
)

ASSIGNMENT = Machine(
    "research.assignment",
    states=AssignmentStatus,
    # a reviewer added by hand after the invitations went out is invited at once
    initial=[AssignmentStatus.PROPOSED, AssignmentStatus.INVITED],
    final=[AssignmentStatus.DECLINED],
    transitions=[
        T(AssignmentStatus.PROPOSED, "invite", AssignmentStatus.INVITED, guard=SECRETARIAT),
        T(AssignmentStatus.INVITED, "accept", AssignmentStatus.ACCEPTED, guard="can_answer_invitation"),
        T(AssignmentStatus.INVITED, "decline", AssignmentStatus.DECLINED, guard="can_answer_invitation"),
        T(AssignmentStatus.ACCEPTED, "decline", AssignmentStatus.DECLINED, guard="can_answer_invitation"),
    ],
    policies=POLICIES,
    field="action",
)

REVIEW = Machine(
    "research.review",
    states=ReviewStatus,
    initial=[ReviewStatus.DRAFT],
    final=[],
    transitions=[
        # the reviewer's own assignment (and its conflicts) is checked by the service at every write
        T(ReviewStatus.DRAFT, "submit", ReviewStatus.SUBMITTED),
        T(ReviewStatus.SUBMITTED, "reopen", ReviewStatus.DRAFT, guard=SECRETARIAT),
    ],
    policies=POLICIES,
    field="action",
)

OBJECTION = Machine(
    "research.objection",
    states=Objection.Status,
    initial=[Objection.Status.OPEN],
    final=[Objection.Status.ANSWERED],
    transitions=[T(Objection.Status.OPEN, "respond", Objection.Status.ANSWERED, guard=SECRETARIAT)],
    policies=POLICIES,
    field="action",
)


def step(machine: Machine, state: str, action: str, *, actor: Any, obj: Any) -> str:
    """The state ``action`` leads to from ``state``. An actor whom no transition of that action (of the
    machine, for an action it does not know) would allow is refused first (PermissionDenied, whatever the state: the API answers 403 before it says
    anything about the record), then an action the state does not allow (ValidationError)."""
    guards = [t.guard for t in machine.transitions if t.action == action]
    guards = guards or [t.guard for t in machine.transitions]  # an unknown action: may they act at all?
    if guards and all(g is not None and not machine.guard(g)(actor, obj) for g in guards):
        raise PermissionDenied
    return machine.check(state, action, actor=actor, obj=obj)

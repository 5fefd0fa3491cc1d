"""The library's state machines (lianmeng.core.transitions): project stages and consultations.

A project's action is the stage it moves to; the guards say who may take it (``can_review_project``:
the secretariat; ``can_steer_project``: the secretariat or a contact of the lead organization).
Landing also needs a landing record (``services.project_transition``)."""

from __future__ import annotations

from lianmeng.core.transitions import Machine, T

from .models import ConsultationStatus, ProjectStage

POLICIES = "lianmeng.library.policies"
S = ProjectStage
REVIEW = "can_review_project"
STEER = "can_steer_project"

PROJECT = Machine(
    "library.project",
    states=ProjectStage,
    initial=[S.PROPOSED],
    final=[S.CLOSED],
    transitions=[
        T(S.PROPOSED, S.EVALUATING, S.EVALUATING, guard=REVIEW),
        T(S.PROPOSED, S.CLOSED, S.CLOSED, guard=STEER),
        T(S.EVALUATING, S.INCUBATING, S.INCUBATING, guard=REVIEW),
        T(S.EVALUATING, S.PROPOSED, S.PROPOSED, guard=REVIEW),
        T(S.EVALUATING, S.CLOSED, S.CLOSED, guard=STEER),
        T(S.INCUBATING, S.LANDED, S.LANDED, guard=REVIEW),
        T(S.INCUBATING, S.CLOSED, S.CLOSED, guard=STEER),
        T(S.LANDED, S.OPERATING, S.OPERATING, guard=STEER),
        T(S.LANDED, S.CLOSED, S.CLOSED, guard=REVIEW),
        T(S.OPERATING, S.CLOSED, S.CLOSED, guard=REVIEW),
    ],
    policies=POLICIES,
)

C = ConsultationStatus
ASSIGN = "can_assign_consultation"

CONSULTATION = Machine(
    "library.consultation",
    states=ConsultationStatus,
    initial=[C.SUBMITTED],
    final=[C.RATED, C.CLOSED],
    transitions=[
        T(C.SUBMITTED, "assign", C.ASSIGNED, guard=ASSIGN),
        T(C.SUBMITTED, "close", C.CLOSED, guard=ASSIGN),
        T(C.ASSIGNED, "assign", C.ASSIGNED, guard=ASSIGN),
        T(C.ASSIGNED, "answer", C.ANSWERED, guard="can_answer_consultation"),
        T(C.ASSIGNED, "close", C.CLOSED, guard=ASSIGN),
        T(C.ANSWERED, "assign", C.ANSWERED, guard=ASSIGN),
        T(C.ANSWERED, "answer", C.ANSWERED, guard="can_answer_consultation"),
        T(C.ANSWERED, "rate", C.RATED, guard="can_rate_consultation"),
        T(C.ANSWERED, "close", C.CLOSED, guard=ASSIGN),
    ],
    policies=POLICIES,
)

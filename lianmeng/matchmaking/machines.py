"""The matchmaking state machines (lianmeng.core.transitions): posts and requests."""

from __future__ import annotations

from lianmeng.core.transitions import Machine, T

from .models import RequestStatus, ResourceStatus

POLICIES = "lianmeng.matchmaking.policies"
R = ResourceStatus
Q = RequestStatus

# "renew" happens by moving valid_until forward (resource_update); "expire" is the daily job's. A
# successful request outcome marks both posts matched ("match" without the guard: either side may
# conclude, the other side's post follows).
RESOURCE = Machine(
    "matchmaking.resource",
    states=ResourceStatus,
    initial=[R.OPEN],
    final=[R.CLOSED],
    transitions=[
        T(R.OPEN, "match", R.MATCHED, guard="can_edit_resource"),
        T(R.OPEN, "close", R.CLOSED, guard="can_edit_resource"),
        T(R.OPEN, "expire", R.EXPIRED, guard="can_expire_resource"),
        T(R.MATCHED, "close", R.CLOSED, guard="can_edit_resource"),
        T(R.MATCHED, "reopen", R.OPEN, guard="can_edit_resource"),
        T(R.EXPIRED, "close", R.CLOSED, guard="can_edit_resource"),
        T(R.EXPIRED, "renew", R.OPEN, guard="can_edit_resource"),
    ],
    policies=POLICIES,
)

# The owner's organization answers, the requester withdraws; meetings and slots are recorded on an
# accepted request (the state stays), the outcome concludes it.
REQUEST = Machine(
    "matchmaking.request",
    states=RequestStatus,
    initial=[Q.PENDING],
    final=[Q.DECLINED, Q.WITHDRAWN, Q.CONCLUDED],
    transitions=[
        T(Q.PENDING, "accept", Q.ACCEPTED, guard="can_answer_request"),
        T(Q.PENDING, "decline", Q.DECLINED, guard="can_answer_request"),
        T(Q.PENDING, "withdraw", Q.WITHDRAWN, guard="can_withdraw_request"),
        T(Q.ACCEPTED, "meeting", Q.ACCEPTED, guard="can_follow_up_request"),
        T(Q.ACCEPTED, "book", Q.ACCEPTED, guard="can_follow_up_request"),
        T(Q.ACCEPTED, "conclude", Q.CONCLUDED, guard="can_follow_up_request"),
    ],
    policies=POLICIES,
)

"""The activities state machines (lianmeng.core.transitions): events and registrations."""

from __future__ import annotations

from lianmeng.core.transitions import Machine, T

from .models import EventStatus, RegistrationStatus

POLICIES = "lianmeng.activities.policies"

EVENT = Machine(
    "activities.event",
    states=EventStatus,
    initial=[EventStatus.DRAFT],
    final=[EventStatus.HELD, EventStatus.CANCELLED],
    transitions=[
        T(EventStatus.DRAFT, "publish", EventStatus.PUBLISHED, guard="can_manage_event"),
        T(EventStatus.DRAFT, "cancel", EventStatus.CANCELLED, guard="can_manage_event"),
        T(EventStatus.PUBLISHED, "hold", EventStatus.HELD, guard="can_manage_event"),
        T(EventStatus.PUBLISHED, "cancel", EventStatus.CANCELLED, guard="can_manage_event"),
    ],
    policies=POLICIES,
)

# Who may cancel a place is asked by the service (the policy, or the holder of the ticket link);
# promotion follows a freed seat, check-in is the desk's (policies.can_check_in on the event).
REGISTRATION = Machine(
    "activities.registration",
    states=RegistrationStatus,
    initial=[RegistrationStatus.REGISTERED, RegistrationStatus.WAITLISTED],
    final=[RegistrationStatus.ATTENDED, RegistrationStatus.CANCELLED],
    transitions=[
        T(RegistrationStatus.REGISTERED, "cancel", RegistrationStatus.CANCELLED),
        T(RegistrationStatus.REGISTERED, "check_in", RegistrationStatus.ATTENDED),
        T(RegistrationStatus.WAITLISTED, "cancel", RegistrationStatus.CANCELLED),
        T(RegistrationStatus.WAITLISTED, "promote", RegistrationStatus.REGISTERED),
    ],
    policies=POLICIES,
)

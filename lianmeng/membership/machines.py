"""The membership state machines (lianmeng.core.transitions): applications and organizations."""

from __future__ import annotations

from lianmeng.core.transitions import Machine, T

from .models import ApplicationStatus, OrganizationStatus

POLICIES = "lianmeng.membership.policies"
REVIEW = "can_review_application"

# The secretariat reviews; the applicant resubmits a returned application through its tracking link
# (the token is the permission, no guard). Whether the council must decide first is checked by the
# service (membership.services._check_council), which needs the database.
APPLICATION = Machine(
    "membership.application",
    states=ApplicationStatus,
    initial=[ApplicationStatus.SUBMITTED],
    final=[ApplicationStatus.ADMITTED, ApplicationStatus.REJECTED],
    transitions=[
        T(ApplicationStatus.SUBMITTED, "return", ApplicationStatus.RETURNED, guard=REVIEW),
        T(ApplicationStatus.SUBMITTED, "reject", ApplicationStatus.REJECTED, guard=REVIEW),
        T(ApplicationStatus.SUBMITTED, "forward", ApplicationStatus.FORWARDED, guard=REVIEW),
        T(ApplicationStatus.RETURNED, "resubmit", ApplicationStatus.SUBMITTED),
        # "forward" again: put the application to the council anew after a vote without quorum.
        T(ApplicationStatus.FORWARDED, "forward", ApplicationStatus.FORWARDED, guard=REVIEW),
        T(ApplicationStatus.FORWARDED, "admit", ApplicationStatus.ADMITTED, guard=REVIEW),
        T(ApplicationStatus.FORWARDED, "reject", ApplicationStatus.REJECTED, guard=REVIEW),
        T(ApplicationStatus.FORWARDED, "return", ApplicationStatus.RETURNED, guard=REVIEW),
    ],
    policies=POLICIES,
    field="action",
)

# Suspend and reinstate are the secretariat's; an organization withdraws itself (自愿), or the
# secretariat records it.
ORGANIZATION = Machine(
    "membership.organization",
    states=OrganizationStatus,
    initial=[OrganizationStatus.ACTIVE],
    final=[OrganizationStatus.WITHDRAWN],
    transitions=[
        T(
            OrganizationStatus.ACTIVE,
            "suspend",
            OrganizationStatus.SUSPENDED,
            guard="can_change_membership_status",
        ),
        T(
            OrganizationStatus.SUSPENDED,
            "reinstate",
            OrganizationStatus.ACTIVE,
            guard="can_change_membership_status",
        ),
        T(
            OrganizationStatus.ACTIVE,
            "withdraw",
            OrganizationStatus.WITHDRAWN,
            guard="can_withdraw_organization",
        ),
        T(
            OrganizationStatus.SUSPENDED,
            "withdraw",
            OrganizationStatus.WITHDRAWN,
            guard="can_withdraw_organization",
        ),
    ],
    policies=POLICIES,
)

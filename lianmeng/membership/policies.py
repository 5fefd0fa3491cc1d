"""Who may do what with organizations and applications (pure predicates)."""

from __future__ import annotations

from typing import Any

from lianmeng.core.actors import is_system

from .models import MembershipApplication, Organization


def is_secretariat(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_secretariat)


def can_create_organization(user: Any) -> bool:
    """Members are entered directly by the secretariat (imports) or by the system (demo data)."""
    return is_system(user) or is_secretariat(user)


def can_edit_organization(user: Any, organization: Organization) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return is_secretariat(user) or organization.pk in user.contact_organization_ids


def can_change_membership_status(user: Any, organization: Organization) -> bool:
    return is_secretariat(user)


def can_withdraw_organization(user: Any, organization: Organization) -> bool:
    # 自愿 principle: the organization's own contact may withdraw it; the secretariat may record it.
    return can_edit_organization(user, organization)


def can_review_application(user: Any, application: MembershipApplication | None = None) -> bool:
    return is_secretariat(user)


def can_view_private_organization_fields(user: Any, organization: Organization) -> bool:
    return can_edit_organization(user, organization)


def can_view_audit_log(user: Any) -> bool:
    return is_secretariat(user)

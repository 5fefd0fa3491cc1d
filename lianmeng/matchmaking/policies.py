"""Who may do what with resources and matchmaking requests (pure predicates)."""

from __future__ import annotations

from typing import Any

from lianmeng.core.actors import is_system

from .models import MatchRequest, Resource, ResourceStatus


def signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def is_secretariat(user: Any) -> bool:
    return signed_in(user) and bool(user.is_secretariat)


def contact_org_ids(user: Any) -> set[int]:
    return set(user.contact_organization_ids) if signed_in(user) else set()


def is_member(user: Any) -> bool:
    """Someone of the alliance: any signed-in user holding a role (contacts, experts, staff)."""
    return signed_in(user) and (bool(user.role_assignments) or bool(user.is_superuser))


def can_view_contact(user: Any, resource: Resource) -> bool:
    # Contact details of a post are for alliance members only (DOMAIN.md: members-only contact).
    return is_member(user)


def can_post_resource(user: Any, organization_id: int | None = None) -> bool:
    if is_secretariat(user):
        return True
    orgs = contact_org_ids(user)
    return bool(orgs) if organization_id is None else organization_id in orgs


def can_edit_resource(user: Any, resource: Resource) -> bool:
    return is_secretariat(user) or resource.organization_id in contact_org_ids(user)


def can_view_resource(user: Any, resource: Resource) -> bool:
    """Open and matched posts are public; others only for their organization and the secretariat."""
    return resource.status in (ResourceStatus.OPEN, ResourceStatus.MATCHED) or can_edit_resource(
        user, resource
    )


def can_view_suggestions(user: Any, resource: Resource) -> bool:
    return can_edit_resource(user, resource)


def can_view_market_admin(user: Any) -> bool:
    """The secretariat sees the whole market, closed and expired posts included."""
    return is_secretariat(user)


def can_request(user: Any, resource: Resource) -> bool:
    orgs = contact_org_ids(user)
    return bool(orgs - {resource.organization_id})


def is_request_party(user: Any, request: MatchRequest) -> bool:
    orgs = contact_org_ids(user)
    return request.requester_organization_id in orgs or request.resource.organization_id in orgs


def can_view_request(user: Any, request: MatchRequest) -> bool:
    return is_secretariat(user) or is_request_party(user, request)


def can_answer_request(user: Any, request: MatchRequest) -> bool:
    return request.resource.organization_id in contact_org_ids(user)


def can_withdraw_request(user: Any, request: MatchRequest) -> bool:
    return request.requester_organization_id in contact_org_ids(user)


def can_follow_up_request(user: Any, request: MatchRequest) -> bool:
    """Meetings and outcomes: either side, or the secretariat recording on their behalf."""
    return is_secretariat(user) or is_request_party(user, request)


def can_expire_resource(user: Any, resource: Resource | None = None) -> bool:
    """A post whose validity has ended is expired by the system (the daily job), nobody by hand."""
    return is_system(user)


def can_remind_request(user: Any, request: MatchRequest | None = None) -> bool:
    """Reminders about stalled requests are the system's (the daily job)."""
    return is_system(user)

"""Who may do what with events and registrations (pure predicates, same rules on every path).

- The secretariat manages every event; a city coordinator the events organized in their city; an
  organization's contact (a park's, typically) the events their organization organizes.
- Plenaries (the "1") are created by the secretariat only.
- Mobile numbers of registrants are seen only by those who manage the event.
"""

from __future__ import annotations

from typing import Any

from .models import Audience, Event, EventKind, EventStatus, Registration


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def is_secretariat(user: Any) -> bool:
    return _signed_in(user) and bool(user.is_secretariat)


def has_any_role(user: Any) -> bool:
    return _signed_in(user) and bool(user.role_assignments)


def can_organize_for(user: Any, organization: Any, kind: str | None = None) -> bool:
    """May ``user`` create an event organized by ``organization``?"""
    if not _signed_in(user) or organization is None:
        return False
    if is_secretariat(user):
        return True
    if kind == EventKind.PLENARY:
        return False
    return (
        organization.city_id in user.coordinated_city_codes
        or organization.pk in user.contact_organization_ids
    )


def can_create_event(user: Any) -> bool:
    return is_secretariat(user) or bool(
        _signed_in(user) and (user.coordinated_city_codes or user.contact_organization_ids)
    )


def can_manage_event(user: Any, event: Event) -> bool:
    if not _signed_in(user):
        return False
    if is_secretariat(user):
        return True
    if event.kind == EventKind.PLENARY:
        return False
    return event.city_id in user.coordinated_city_codes or event.organizer_id in user.contact_organization_ids


def can_view_event(user: Any, event: Event) -> bool:
    if event.status == EventStatus.DRAFT:
        return can_manage_event(user, event)
    if event.audience == Audience.INVITED:
        return has_any_role(user) or can_manage_event(user, event)
    return True


def can_register(user: Any, event: Event) -> bool:
    """May ``user`` register people for ``event`` (the window and status are checked by the service)."""
    if can_manage_event(user, event):
        return True
    if event.audience == Audience.PUBLIC:
        return True
    if event.audience == Audience.MEMBERS:
        return _signed_in(user) and bool(user.contact_organization_ids)
    return False


def can_view_registration(user: Any, registration: Registration) -> bool:
    if can_manage_event(user, registration.event):
        return True
    if not _signed_in(user):
        return False
    return registration.registered_by_id == user.pk or (
        registration.organization_id is not None
        and registration.organization_id in user.contact_organization_ids
    )


def can_cancel_registration(user: Any, registration: Registration) -> bool:
    return can_view_registration(user, registration)


def can_check_in(user: Any, event: Event) -> bool:
    return can_manage_event(user, event)


def can_see_personal_data(user: Any, event: Event) -> bool:
    return can_manage_event(user, event)


def can_view_compliance_parks(user: Any, city_code: str | None = None) -> bool:
    """Park-level 1+7+N detail: the secretariat for all cities, a coordinator for their own city."""
    if is_secretariat(user):
        return True
    if not _signed_in(user):
        return False
    if city_code is None:
        return bool(user.coordinated_city_codes)
    return city_code in user.coordinated_city_codes

"""Contacts of member organizations, shared by the governance services (notices, tasks)."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail

from lianmeng.accounts.models import Role, RoleAssignment


def contact_emails(organization_ids: Iterable[int]) -> dict[int, list[str]]:
    """Contact e-mail addresses per organization (member contacts and council representatives)."""
    out: dict[int, list[str]] = {}
    rows = (
        RoleAssignment.objects.filter(
            organization_id__in=list(organization_ids),
            role__in=[Role.MEMBER_CONTACT, Role.COUNCIL_REPRESENTATIVE],
            user__is_active=True,
        )
        .exclude(user__email="")
        .values_list("organization_id", "user__email")
    )
    for org_id, email in rows:
        if email not in out.setdefault(org_id, []):
            out[org_id].append(email)
    return out


def contact_user_ids(organization_ids: Iterable[int]) -> list[int]:
    """Accounts of the organizations' member contacts and council representatives (notified in-app)."""
    return sorted(
        set(
            RoleAssignment.objects.filter(
                organization_id__in=list(organization_ids),
                role__in=[Role.MEMBER_CONTACT, Role.COUNCIL_REPRESENTATIVE],
                user__is_active=True,
            ).values_list("user_id", flat=True)
        )
    )


def mail(subject: str, body: str, recipients: list[str]) -> None:
    if recipients:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients, fail_silently=True)

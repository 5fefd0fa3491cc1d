"""Small helpers shared by the governance services."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.utils.translation import gettext as _

from lianmeng.accounts.models import Role, RoleAssignment


def date_value(
    data: dict[str, Any], field: str, label: str, errors: dict[str, list[str]], *, required: bool
) -> datetime.date | None:
    value = data.get(field)
    if value in (None, ""):
        if required:
            errors.setdefault(field, []).append(_("请填写%(label)s") % {"label": label})
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        errors.setdefault(field, []).append(_("%(label)s格式不正确，例如 2026-12-01") % {"label": label})
        return None


def choice(
    data: dict[str, Any], field: str, label: str, values: Iterable[str], errors: dict[str, list[str]]
) -> str:
    value = str(data.get(field) or "")
    if value not in list(values):
        errors.setdefault(field, []).append(_("请选择%(label)s") % {"label": label})
    return value


def raise_if(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


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

"""Who may read what in reporting. The dashboard shows aggregates to every signed-in user; the annual
report (PDF, Excel) goes to the secretariat, administrators and council representatives."""

from __future__ import annotations

from typing import Any

from lianmeng.accounts.models import Role


def signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def can_view_dashboard(user: Any) -> bool:
    return signed_in(user)


def can_download_annual_report(user: Any) -> bool:
    if not signed_in(user):
        return False
    return bool(user.is_secretariat or user.is_administrator or user.has_role(Role.COUNCIL_REPRESENTATIVE))

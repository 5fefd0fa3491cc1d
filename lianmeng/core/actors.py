"""Who acts: a signed-in user, or the system.

Every service takes an ``actor``, and its policy is never skipped. Work that nobody started by hand
(the worker's scheduled jobs, closing a vote at its deadline, reminders, the demo loader) acts as
``SYSTEM``: policies that allow the system say so explicitly (``is_system(actor)``), and the audit trail
records it as 系统 (no user). Passing ``None`` is refused by the type checker.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final, TypeAlias

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from lianmeng.accounts.models import User


class SystemActor:
    """The actor of scheduled and automatic work. It is no user: no id, no roles, no organization."""

    pk = None
    id = None
    is_authenticated = False  # no session, no user row: the audit trail records no user
    is_active = True
    is_staff = False
    is_superuser = False
    is_system = True

    def get_username(self) -> str:
        return "system"

    def __str__(self) -> str:
        return str(_("系统"))

    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM: Final = SystemActor()

Actor: TypeAlias = "User | SystemActor"


def is_system(actor: Any) -> bool:
    return actor is SYSTEM


def user_of(actor: Any) -> User | None:
    """The user behind ``actor`` for a user column (``created_by``, ``actor``): None for the system and
    for anonymous visitors."""
    return actor if getattr(actor, "is_authenticated", False) else None

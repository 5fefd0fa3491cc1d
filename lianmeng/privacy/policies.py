"""Who may do what with personal data: everyone signed in downloads their own; the secretariat erases."""

from __future__ import annotations

from typing import Any


def signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def can_download_own_data(user: Any) -> bool:
    return signed_in(user) and bool(user.is_active)


def can_erase_people(user: Any) -> bool:
    return signed_in(user) and bool(user.is_secretariat)


def can_erase_person(user: Any, subject_user: Any) -> bool:
    """The secretariat erases people; not itself, and an administrator's account only by an administrator."""
    if not can_erase_people(user):
        return False
    if subject_user is None:
        return True
    if subject_user.pk == user.pk:
        return False
    return not (subject_user.is_administrator and not user.is_administrator)

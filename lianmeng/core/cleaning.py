"""Small helpers for services that validate a dict of input and raise every bad field at once."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _


def add_error(errors: dict[str, list[str]], field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def text_value(
    data: dict[str, Any],
    field: str,
    label: Any,
    errors: dict[str, list[str]],
    *,
    required: bool,
    max_length: int,
) -> str:
    """The stripped text of ``data[field]``; a missing required value or an over-long one adds a message
    naming ``label`` to ``errors``."""
    value = str(data.get(field) or "").strip()
    if required and not value:
        add_error(errors, field, _("请填写%(label)s") % {"label": label})
    elif len(value) > max_length:
        add_error(errors, field, _("%(label)s不能超过 %(n)d 个字") % {"label": label, "n": max_length})
    return value

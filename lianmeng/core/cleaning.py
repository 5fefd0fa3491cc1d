"""Small helpers for services that validate a dict of input and raise every bad field at once.

Every text a user sends passes :func:`clean_text` (through :func:`text_value`, the apps' ``Cleaner.text``,
the form mixin and the API parser): invisible control characters are removed, because one of them
stored in a row breaks every Excel export that contains it and means nothing to a reader. Long texts
(allowed more than ``LONG_TEXT`` characters: descriptions, summaries, minutes) keep tab and newline;
short ones (names, titles, addresses) fold every line break or tab into one space.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _

# C0 controls except tab, LF and CR; DEL; C1 controls. Removed from every text.
CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# What ends a line or separates columns: in short (single-line) texts, a run of spaces holding one of
# them is folded into one space.
_BREAKS = "\t\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029"
_LINE_BREAK_RE = re.compile(f"[ {_BREAKS}]*[{_BREAKS}][ {_BREAKS}]*")
# Texts allowed more than this many characters are "long texts" (multi-line).
LONG_TEXT = 255


def clean_text(value: Any, *, multiline: bool = False) -> str:
    """``value`` as text without control characters, stripped.

    ``multiline``: keep tab and newline (CR LF and lone CR become LF); otherwise every run of line
    breaks and tabs becomes one space. Idempotent.
    """
    text = "" if value is None else str(value)
    if multiline:
        text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    else:
        text = _LINE_BREAK_RE.sub(" ", text)
    return CONTROL_RE.sub("", text).strip()


def strip_controls(value: str) -> str:
    """Remove control characters other than tab, newline and CR, leaving everything else as sent."""
    return CONTROL_RE.sub("", value)


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
    multiline: bool | None = None,
) -> str:
    """The cleaned text of ``data[field]`` (see :func:`clean_text`; ``multiline`` defaults to
    ``max_length > LONG_TEXT``); a missing required value or an over-long one adds a message naming
    ``label`` to ``errors``."""
    if multiline is None:
        multiline = max_length > LONG_TEXT
    value = clean_text(data.get(field) or "", multiline=multiline)
    if required and not value:
        add_error(errors, field, _("请填写%(label)s") % {"label": label})
    elif len(value) > max_length:
        add_error(errors, field, _("%(label)s不能超过 %(n)d 个字") % {"label": label, "n": max_length})
    return value


def secret_key(key: Any) -> bool:
    return isinstance(key, str) and ("password" in key.lower() or "token" in key.lower())


def clean_json_strings(value: Any) -> Any:
    """Every string in a parsed JSON document without control characters (tab, newline and CR kept:
    the service decides whether the field is single-line). Passwords and tokens are left as sent."""
    if isinstance(value, str):
        return strip_controls(value)
    if isinstance(value, list):
        return [clean_json_strings(v) for v in value]
    if isinstance(value, dict):
        return {k: v if secret_key(k) else clean_json_strings(v) for k, v in value.items()}
    return value

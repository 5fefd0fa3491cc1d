"""Text cleaning shared by every way text comes in.

Every text a user sends passes :func:`clean_text` (through the commands' ``Text`` fields,
lianmeng.core.commands, the form mixin and the API parser): invisible control characters are removed, because one of them
stored in a row breaks every Excel export that contains it and means nothing to a reader. Long texts
(allowed more than ``LONG_TEXT`` characters: descriptions, summaries, minutes) keep tab and newline;
short ones (names, titles, addresses) fold every line break or tab into one space.
"""

from __future__ import annotations

import re
from typing import Any

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

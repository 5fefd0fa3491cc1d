"""English is complete: every app's catalog translates every string, and the compiled .mo matches the .po."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.one_pass  # reads the message catalogues only

ROOT = Path(__file__).resolve().parents[2] / "lianmeng"
CATALOGS = sorted(ROOT.glob("*/locale/en/LC_MESSAGES/django.po"))


def _unquote(block: str) -> str:
    raw = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', block))
    escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}
    return re.sub(r"\\(.)", lambda m: escapes.get(m.group(1), m.group(1)), raw)


def _entries(po: Path) -> list[tuple[str, list[str], bool]]:
    """(msgid, msgstrs, fuzzy) for every entry, parsed line by line (blank lines are not relied on)."""
    out: list[tuple[str, list[str], bool]] = []
    flags = ""
    key = ""
    parts: dict[str, list[str]] = {}

    def flush() -> None:
        if "msgid" in parts:
            msgid = _unquote("\n".join(parts["msgid"]))
            if "msgctxt" in parts:  # gettext keys a context entry as "context\x04msgid"
                msgid = _unquote("\n".join(parts["msgctxt"])) + "\x04" + msgid
            strs = [_unquote("\n".join(v)) for k, v in parts.items() if k.startswith("msgstr")]
            if msgid:
                out.append((msgid, strs, "fuzzy" in flags))

    for line in po.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            if key.startswith("msgstr"):
                flush()
                parts, flags, key = {}, "", ""
            if line.startswith("#,"):
                flags += line
            continue
        m = re.match(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d\])?) (.*)$", line)
        if m:
            if m.group(1) in ("msgid", "msgctxt") and key.startswith("msgstr"):
                flush()
                parts, flags = {}, flags if not key else ""
            key = m.group(1)
            parts.setdefault(key, []).append(m.group(2))
        elif line.startswith('"') and key:
            parts[key].append(line)
    flush()
    return out


def test_every_app_with_strings_has_a_catalog() -> None:
    apps_with_templates_or_code = {p.parent.name for p in ROOT.glob("*/apps.py")}
    have = {p.parents[3].name for p in CATALOGS}
    assert {"core", "accounts", "membership"} <= have
    assert have <= apps_with_templates_or_code


@pytest.mark.parametrize("po", CATALOGS, ids=lambda p: p.parents[3].name)
def test_catalog_is_complete_and_compiled(po: Path) -> None:
    entries = _entries(po)
    assert entries, f"{po} is empty"
    untranslated = [msgid for msgid, strs, _fuzzy in entries if not all(strs)]
    fuzzy = [msgid for msgid, _strs, is_fuzzy in entries if is_fuzzy]
    assert not untranslated, f"untranslated in {po}: {untranslated[:10]}"
    assert not fuzzy, f"fuzzy in {po}: {fuzzy[:10]}"
    with po.with_suffix(".mo").open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    stale = [
        msgid
        for msgid, strs, _f in entries
        if "\x00" not in msgid and compiled.gettext(msgid) != strs[0] and len(strs) == 1
    ]
    assert not stale, f"{po.with_suffix('.mo')} is out of date (run compilemessages): {stale[:5]}"


def test_no_translatable_string_outside_an_app() -> None:
    """makemessages runs per app: a string in lianmeng/api.py or settings.py would reach no catalog and
    stay Chinese for English clients (the API's error titles did)."""
    outside = sorted(
        f"{path.name}: {m.group(0)}"
        for path in ROOT.glob("*.py")
        for m in re.finditer(
            r"\b_\(\s*[\"'][^\"']*[\u4e00-\u9fff][^\"']*[\"']", path.read_text(encoding="utf-8")
        )
    )
    assert not outside, outside

"""Fill English msgstr entries of a .po file from a Python dict file (msgid -> translation).

Usage: python scripts/po_fill.py lianmeng/<app>/locale/en/LC_MESSAGES/django.po translations.py
The dict file defines ``T = {"中文": "English", ...}``. Plural entries get the same text for both
forms unless the value is a tuple (singular, plural). Entries not in the dict keep their translation;
those still empty are listed.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ENTRY = re.compile(r"(?ms)^(#[^\n]*\n)*msgid .*?(?=\n\n|\Z)")


def unquote(block: str) -> str:
    raw = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', block))
    escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}
    return re.sub(r"\\(.)", lambda m: escapes.get(m.group(1), m.group(1)), raw)


def quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def normalise_blocks(text: str) -> str:
    """Make sure entries are separated by a blank line (some tools write the first entry right
    after the header)."""
    out: list[str] = []
    in_msgstr = False
    for line in text.splitlines():
        starts_entry = line.startswith("#") or line.startswith("msgid ")
        if starts_entry and in_msgstr and out and out[-1] != "":
            out.append("")
        if line.startswith("msgstr"):
            in_msgstr = True
        elif starts_entry or line == "":
            in_msgstr = False
        out.append(line)
    return "\n".join(out) + "\n"


def main() -> None:
    po_path, dict_path = Path(sys.argv[1]), Path(sys.argv[2])
    namespace: dict[str, object] = {}
    exec(compile(dict_path.read_text(encoding="utf-8"), str(dict_path), "exec"), namespace)  # noqa: S102
    table: dict[str, object] = namespace["T"]  # type: ignore[assignment]
    text = normalise_blocks(po_path.read_text(encoding="utf-8"))
    missing = []
    out = []
    for chunk in text.split("\n\n"):
        m = re.search(r'(?ms)^msgid ((?:"(?:[^"\\]|\\.)*"\n?)+)', chunk)
        if not m:
            out.append(chunk)
            continue
        msgid = unquote(m.group(1))
        if not msgid:  # the header
            out.append(chunk.replace("#, fuzzy\n", ""))
            continue
        chunk = chunk.replace("#, fuzzy\n", "").replace(", fuzzy", "")
        chunk = re.sub(r"(?m)^#\| .*\n?", "", chunk)
        value = table.get(msgid)
        if value is None:
            if re.search(r'(?m)^msgstr(?:\[0\])? ""\s*$', chunk) and not re.search(
                r'(?m)^"', chunk.split("msgstr", 1)[1]
            ):
                missing.append(msgid)
            out.append(chunk)
            continue
        head = chunk[: chunk.index("msgstr")]
        if "msgid_plural" in chunk:
            one, other = value if isinstance(value, tuple) else (value, value)
            chunk = head + f"msgstr[0] {quote(str(one))}\nmsgstr[1] {quote(str(other))}"
        else:
            chunk = head + f"msgstr {quote(str(value))}"
        out.append(chunk)
    po_path.write_text("\n\n".join(out).rstrip("\n") + "\n", encoding="utf-8")
    if missing:
        print(f"{len(missing)} untranslated:")
        for msgid in missing:
            print("  " + msgid)


if __name__ == "__main__":
    main()

"""The three pinyin columns of a name in one pass (imports of 100,000 rows spend most time here).

``core.search`` computes full pinyin, initials and the sort key with three ``lazy_pinyin`` calls.
When folding changes nothing but case (simplified text, the usual case), one call gives all three:
pinyin's first-letter style is the first letter of the plain style, and the characters that have no
pinyin are kept (letters and digits for the full pinyin and initials, every character, lower-cased,
for the sort key) exactly as ``core.search`` keeps them. Other text goes through ``core.search``.
``tests/library/test_imports.py`` checks the results equal ``core.search`` on awkward names.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from pypinyin import lazy_pinyin

from lianmeng.core.search import normalize, pinyin_full, pinyin_initials, pinyin_sort_key

_MARK = "\x00"  # prefixes characters without pinyin, to tell them from syllables


def _marked(chars: str) -> Any:  # pypinyin accepts a list, its stubs say str
    return [_MARK + c for c in chars]


def _kept(c: str) -> bool:
    return c.isascii() and c.isalnum()


def name_pinyin(name: str) -> tuple[str, str, str]:
    """(full pinyin, initials, sort key) of ``name``, equal to ``core.search``'s three functions."""
    nfkc = unicodedata.normalize("NFKC", name or "")
    folded = normalize(name)
    if folded != nfkc.lower():
        return pinyin_full(name), pinyin_initials(name), pinyin_sort_key(name)
    full: list[str] = []
    initials: list[str] = []
    sort: list[str] = []
    for s in lazy_pinyin(folded, errors=_marked):
        if s.startswith(_MARK):
            c = s[1:]
            sort.append(c)
            if _kept(c):
                full.append(c)
                initials.append(c)
        else:
            sort.append(s)
            full.append(s)
            if s:
                initials.append(s[0])
    return "".join(full).lower(), "".join(initials), " ".join(sort)[:250]

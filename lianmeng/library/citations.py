"""Citation export of achievements: GB/T 7714-2015 text and BibTeX."""

from __future__ import annotations

import re

from lianmeng.core.search import pinyin_full

from .models import Achievement, AchievementKind

K = AchievementKind
# GB/T 7714-2015 document type codes (文献类型标识).
GBT_TYPE = {
    K.RESEARCH_REPORT: "R",
    K.POLICY_ADVICE: "R",
    K.TYPICAL_CASE: "Z",
    K.APPLICATION_SCENARIO: "Z",
    K.STANDARD: "S",
    K.PATENT: "P",
    K.SOFTWARE_COPYRIGHT: "CP",
    K.PAPER: "J",
}
BIBTEX_TYPE = {
    K.RESEARCH_REPORT: "techreport",
    K.POLICY_ADVICE: "techreport",
    K.PAPER: "article",
}


def _gbt_authors(authors: list[str]) -> str:
    """At most three authors, then 等 (GB/T 7714-2015 8.1.2)."""
    if len(authors) > 3:
        return ", ".join(authors[:3]) + ", 等"
    return ", ".join(authors)


def _organizations(achievement: Achievement) -> list[str]:
    return [o.name for o in achievement.organizations.all()]


def gbt7714(achievement: Achievement) -> str:
    a = achievement
    code = GBT_TYPE.get(K(a.kind), "Z")
    who = _gbt_authors(a.author_list) or "、".join(_organizations(a))
    title = a.title
    if a.identifier and code in ("S", "P", "CP"):
        title = f"{title}: {a.identifier}"
    publisher = a.publisher or ("、".join(_organizations(a)[:1]))
    if code == "J":
        tail = f"{publisher}, {a.year}." if publisher else f"{a.year}."
    elif code == "P":
        tail = f"{a.year}."
    else:
        tail = f"{publisher}, {a.year}." if publisher else f"{a.year}."
    return f"{who}. {title}[{code}]. {tail}"


def _bib_escape(value: str) -> str:
    return re.sub(r"([{}\\])", r"\\\1", value)


def bibtex_key(achievement: Achievement) -> str:
    first = achievement.author_list[0] if achievement.author_list else "lianmeng"
    return re.sub(r"[^a-z0-9]", "", pinyin_full(first)) + str(achievement.year) + f"_{achievement.pk}"


def bibtex(achievement: Achievement) -> str:
    a = achievement
    entry = BIBTEX_TYPE.get(K(a.kind), "misc")
    fields: list[tuple[str, str]] = [
        ("title", a.title),
        ("author", " and ".join(a.author_list)),
        ("year", str(a.year)),
    ]
    orgs = _organizations(a)
    if entry == "article" and a.publisher:
        fields.append(("journal", a.publisher))
    elif entry == "techreport":
        fields.append(("institution", a.publisher or "、".join(orgs)))
    elif a.publisher or orgs:
        fields.append(("publisher", a.publisher or "、".join(orgs)))
    if a.identifier:
        fields.append(("number", a.identifier))
    if a.keywords:
        fields.append(("keywords", ", ".join(a.keyword_list)))
    fields.append(("note", str(a.get_kind_display())))
    body = ",\n".join(f"  {name} = {{{_bib_escape(value)}}}" for name, value in fields if value)
    return f"@{entry}{{{bibtex_key(a)},\n{body}\n}}\n"

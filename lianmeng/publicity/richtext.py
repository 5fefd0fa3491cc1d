"""An article's rich text: the safe subset of HTML it keeps, and its visible text."""

from __future__ import annotations

import html
import re

import nh3

ALLOWED_TAGS = {
    "p", "br", "strong", "b", "em", "i", "u", "s", "sub", "sup", "h2", "h3", "h4", "ul", "ol", "li",
    "blockquote", "a", "img", "table", "thead", "tbody", "tr", "th", "td", "figure", "figcaption", "hr",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "th": {"colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
}


def sanitize_body(value: str) -> str:
    """Rich text reduced to a safe subset (nh3): no script, style, event handlers or javascript: links.

    Plain text (no tags) becomes paragraphs, so a member may paste text from a word processor.
    """
    text = (value or "").strip()
    if text and not re.search(r"<[a-zA-Z/!]", text):
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n|\r\n\s*\r\n|\n", text) if p.strip()]
        text = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return nh3.clean(
        text,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    ).strip()


def plain_text(body_html: str) -> str:
    """The visible text of a sanitised body (for search, summaries and feeds)."""
    return html.unescape(re.sub(r"\s+", " ", nh3.clean(body_html or "", tags=set()))).strip()

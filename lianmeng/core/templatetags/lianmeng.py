"""Template filters: Chinese dates, amounts, highlighted search matches, status badges."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django import template
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, pgettext

from lianmeng.core.search import highlight_terms, normalize

register = template.Library()


def _is_en() -> bool:
    return (get_language() or "").startswith("en")


@register.filter
def date_cn(value: Any) -> str:
    """2026年11月27日 in Chinese, 27 Nov 2026 in English (local time for datetimes)."""
    if not value:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        value = value.date()
    if _is_en():
        return f"{value.day} {value.strftime('%b')} {value.year}"
    return f"{value.year}年{value.month}月{value.day}日"


@register.filter
def datetime_cn(value: Any) -> str:
    if not value:
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{date_cn(local)} {local:%H:%M}"


@register.filter
def iso_date(value: Any) -> str:
    if not value:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.strftime("%Y-%m-%d %H:%M")
    return value.strftime("%Y-%m-%d")


@register.filter
def money(value: Any, unit: str | None = None) -> str:
    """Amounts with thousands separators: 1,234.5 万元 (English: 1,234.5 10k CNY)."""
    if value is None or value == "":
        return ""
    if unit is None:
        unit = pgettext("money", "万元")
    amount = Decimal(str(value))
    text = f"{amount:,.2f}".rstrip("0").rstrip(".")
    return f"{text} {unit}"


@register.filter
def highlight(value: Any, q: str | None) -> SafeString:
    """Wrap the query's terms in <mark>, matching after the same folding as search (聯盟 finds 联盟)."""
    return highlight_terms(str(value or ""), normalize(q or "").split())


@register.simple_tag(takes_context=True)
def query_with(context: Any, **kwargs: Any) -> str:
    """The current query string with some parameters replaced (for pagination and filters)."""
    request = context["request"]
    params = request.GET.copy()
    for key, value in kwargs.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    return "?" + urlencode(sorted((k, v) for k in params for v in params.getlist(k)))


_BADGES = {
    "active": "text-bg-success",
    "admitted": "text-bg-success",
    "passed": "text-bg-success",
    "held": "text-bg-success",
    "published": "text-bg-primary",
    "open": "text-bg-primary",
    "submitted": "text-bg-info",
    "forwarded": "text-bg-primary",
    "returned": "text-bg-warning",
    "suspended": "text-bg-warning",
    "draft": "text-bg-secondary",
    "withdrawn": "text-bg-secondary",
    "rejected": "text-bg-danger",
    "cancelled": "text-bg-danger",
    "no_quorum": "text-bg-warning",
    "overdue": "text-bg-danger",
    "done": "text-bg-success",
}


@register.simple_tag
def status_badge(code: str, label: Any) -> SafeString:
    css = _BADGES.get(str(code), "text-bg-light border")
    return mark_safe(f'<span class="badge {css}">{escape(label)}</span>')  # noqa: S308


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    return mapping.get(key) if hasattr(mapping, "get") else None

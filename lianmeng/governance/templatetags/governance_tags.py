"""Template helpers for governance pages."""

from __future__ import annotations

from typing import Any

from django import template

from lianmeng.governance import policies

register = template.Library()


@register.simple_tag
def can_view_council(user: Any) -> bool:
    return policies.can_view_council(user)

"""``{% picker "library.experts" name="expert" id="id_expert" key=entry.pk %}``: a type-ahead picker (lianmeng.core.pickers)
in a hand-written form, for pages whose view builds no Django form. It posts ``name=<pk>`` like a select."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from ..pickers import sources, widget_context

register = template.Library()


@register.simple_tag(takes_context=True)
def picker(
    context: Any, source: str, *, name: str, id: str, key: Any = "", multiple: bool = False
) -> SafeString:
    """``key`` tells apart several pickers of one page (the input's id becomes ``<id>_<key>``)."""
    if source not in sources():
        raise template.TemplateSyntaxError(f"unknown picker source {source!r}")
    picker_context = widget_context(
        source=source,
        name=name,
        input_id=f"{id}_{key}" if key != "" else id,
        multiple=multiple,
        selected=[],
        placeholder=_("输入名称或拼音首字母搜索"),
    )
    request = context.get("request")
    return mark_safe(  # noqa: S308 - our template, autoescaped
        render_to_string("core/widgets/picker.html", {"picker": picker_context}, request=request)
    )

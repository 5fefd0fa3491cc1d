"""Type-ahead pickers for organizations and experts, in place of long selects and Ctrl-click list boxes.

A picker is a text input that searches as it is typed (``lianmeng.core.search.search_filter``: characters,
pinyin initials "qd" -> 青岛, traditional characters) plus the chosen value(s) as hidden inputs; a multiple
picker shows its choices as chips with a remove button. It is plain htmx (no script of our own, so the
CSP holds): typing asks ``core:picker`` for the results list; choosing a result or removing a chip asks it
for the whole widget again, which replaces the old one.

What may be picked comes from a *source*: an app's ``pickers.py`` defines ``SOURCES = {"name": Source(...)}``
whose ``queryset(viewer)`` is what that viewer may choose (the endpoint never shows more). The form field
keeps its own choices for validation; the widget only replaces how it is shown:

    organizer = forms.ChoiceField(..., widget=PickerSelect(source="activities.organizers"))
    co_organizers = forms.MultipleChoiceField(..., widget=PickerSelectMultiple(source="membership.organizations"))
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from .discovery import app_modules
from .search import search_filter

RESULTS = 10
QUERY_MAX = 60


@dataclass(frozen=True)
class Source:
    """What a picker offers: ``queryset(viewer)`` (already filtered by what the viewer may pick) and
    how a row is labelled; the model needs ``search_text`` and the pinyin columns named below."""

    queryset: Callable[[Any], QuerySet[Any]]
    label: Callable[[Any], str] = str
    initials_fields: tuple[str, ...] = ("name_initials", "name_pinyin")
    order_by: tuple[str, ...] = ("name_sort", "pk")
    select_related: tuple[str, ...] = field(default_factory=tuple)


@functools.cache
def sources() -> dict[str, Source]:
    found: dict[str, Source] = {}
    for config, module in app_modules("pickers"):
        for name, source in getattr(module, "SOURCES", {}).items():
            found[f"{config.label}.{name}"] = source
    return found


def search(source: Source, viewer: Any, q: str, *, exclude: Iterable[str] = ()) -> list[tuple[str, str]]:
    """The first RESULTS rows of ``source`` the viewer may pick that match ``q``, as (value, label)."""
    qs = source.queryset(viewer)
    if source.select_related:
        qs = qs.select_related(*source.select_related)
    qs = search_filter(qs, q[:QUERY_MAX], initials_fields=source.initials_fields)
    excluded = [int(v) for v in exclude if str(v).isdigit()]
    if excluded:
        qs = qs.exclude(pk__in=excluded)
    return [(str(row.pk), source.label(row)) for row in qs.order_by(*source.order_by)[:RESULTS]]


def labels(source: Source, viewer: Any, values: Iterable[str]) -> list[tuple[str, str]]:
    """(value, label) of the chosen values the viewer may see, in the order given."""
    wanted = [str(v) for v in values if str(v).isdigit()]
    if not wanted:
        return []
    qs = source.queryset(viewer)
    if source.select_related:
        qs = qs.select_related(*source.select_related)
    rows: dict[str, Model] = {str(row.pk): row for row in qs.filter(pk__in=[int(v) for v in wanted])}
    return [(v, source.label(rows[v])) for v in dict.fromkeys(wanted) if v in rows]


def widget_context(
    *,
    source: str,
    name: str,
    input_id: str,
    multiple: bool,
    selected: list[tuple[str, str]],
    invalid: bool = False,
    placeholder: str = "",
) -> dict[str, Any]:
    """What core/widgets/picker.html needs; shared by the form widget and the endpoint."""
    base = urlencode({"name": name, "id": input_id, "multiple": "1" if multiple else "0"})
    return {
        "url": reverse("core:picker", args=[source]),
        "base": base,
        "name": name,
        "input_id": input_id,
        "multiple": multiple,
        "selected": selected,
        "invalid": invalid,
        "placeholder": placeholder,
        "text": "" if multiple or not selected else selected[0][1],
    }


class _PickerMixin:
    """Renders a Select / SelectMultiple as a type-ahead picker; labels of the chosen values come from
    the field's choices, so a form shows exactly what it would accept."""

    allow_multiple_selected: bool
    choices: Any

    def __init__(self, *args: Any, source: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.source = source

    def get_context(self, name: str, value: Any, attrs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context(name, value, attrs)  # type: ignore[misc]
        chosen = [str(v) for v in (context["widget"]["value"] or []) if v not in (None, "")]
        known = {str(k): str(v) for k, v in self.choices if k not in (None, "")}
        selected = [(v, known[v]) for v in chosen if v in known]
        widget_attrs = context["widget"]["attrs"]
        context["picker"] = widget_context(
            source=self.source,
            name=name,
            input_id=widget_attrs.get("id") or f"id_{name}",
            multiple=self.allow_multiple_selected,
            selected=selected,
            invalid="is-invalid" in widget_attrs.get("class", ""),
            placeholder=_("输入名称或拼音首字母搜索"),
        )
        return context


class PickerSelect(_PickerMixin, forms.Select):
    template_name = "core/widgets/picker.html"


class PickerSelectMultiple(_PickerMixin, forms.SelectMultiple):
    template_name = "core/widgets/picker.html"


@login_required
@require_GET
def picker_view(request: HttpRequest, source: str) -> HttpResponse:
    """``?q=qd`` the results list (HTML, or JSON with ``format=json``); ``add=<pk>`` / ``remove=<pk>``
    the whole widget with that choice added or removed. The current choices come as ``<name>=<pk>``."""
    found = sources().get(source)
    if found is None:
        raise Http404
    name = request.GET.get("name", "")[:60] or "value"
    input_id = request.GET.get("id", "")[:80] or f"id_{name}"
    multiple = request.GET.get("multiple") == "1"
    current = [v for v in request.GET.getlist(name)[:50] if v.isdigit()]
    q = request.GET.get("q") or request.GET.get(f"{name}__q") or ""
    if "add" in request.GET or "remove" in request.GET:
        add, remove = request.GET.get("add", ""), request.GET.get("remove", "")
        chosen = [v for v in current if v != remove]
        if add.isdigit() and labels(found, request.user, [add]):  # only what this viewer may pick
            chosen = [*chosen, add] if multiple else [add]
        context = widget_context(
            source=source,
            name=name,
            input_id=input_id,
            multiple=multiple,
            selected=labels(found, request.user, chosen),
            placeholder=_("输入名称或拼音首字母搜索"),
        )
        return render(request, "core/widgets/picker.html", {"picker": context})
    results = search(found, request.user, q.strip(), exclude=current if multiple else ())
    if request.GET.get("format") == "json":
        return JsonResponse({"results": [{"id": int(v), "label": label} for v, label in results]})
    context = widget_context(source=source, name=name, input_id=input_id, multiple=multiple, selected=[])
    return render(
        request, "core/widgets/picker_results.html", {"picker": context, "results": results, "q": q}
    )

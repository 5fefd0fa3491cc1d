"""Type-ahead pickers for organizations and experts, in place of long selects and Ctrl-click list boxes.

A picker is a text input that searches as it is typed (``lianmeng.core.search.search_filter``: characters,
pinyin initials "qd" -> 青岛, traditional characters) plus the chosen value(s) as hidden inputs; a multiple
picker shows its choices as chips with a remove button. It is plain htmx (no script of our own, so the
CSP holds): typing asks ``core:picker`` for the results list; choosing a result or removing a chip asks it
for the whole widget again, which replaces the old one.

What may be picked comes from a *source*: an app's ``pickers.py`` defines ``SOURCES = {"name": Source(...)}``
whose ``queryset(viewer)`` is what that viewer may choose (the endpoint never shows more).

A form field validates against the same source, asking it only for the submitted values (one query), so a
form never loads every organization (100,000 at national scale) to check one id or label a chip:

    organizer = PickerChoiceField(label=..., source="activities.organizers")
    co_organizers = PickerMultipleChoiceField(label=..., source="membership.organizations", required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        bind_pickers(self, user)      # the viewer the sources filter by (None: a source that ignores it)

``choices=`` of such a field are extra choices besides the source (e.g. a blank "other organization").
A ModelChoiceField with a picker widget validates with one ``queryset.get``; its widget labels the chosen
values from the source too (never iterating the queryset).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.forms.models import ModelChoiceIterator
from django.forms.widgets import ChoiceWidget
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
    """Renders a Select / SelectMultiple as a type-ahead picker; labels of the chosen values come from the
    widget's own (extra) choices, else from its source for ``viewer`` (one query for the chosen values,
    so the picker shows what the form would accept without reading every row)."""

    allow_multiple_selected: bool
    choices: Any

    def __init__(self, *args: Any, source: str, viewer: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.source = source
        self.viewer = viewer
        # Labels the field found while validating this form's values (assigned, never mutated: the
        # widget of the declared field is shallow-copied into every form).
        self.validated_labels: dict[str, str] = {}

    def _static_labels(self) -> dict[str, str]:
        if isinstance(self.choices, ModelChoiceIterator):  # a queryset: labelled from the source below
            return {}
        return {str(k): str(v) for k, v in self.choices if k not in (None, "")}

    def get_context(self, name: str, value: Any, attrs: Any) -> dict[str, Any]:
        # forms.Widget's context, not ChoiceWidget's: that one builds an option per choice (optgroups),
        # which the picker template never shows.
        context: dict[str, Any] = super(ChoiceWidget, self).get_context(name, value, attrs)  # type: ignore[misc]
        chosen = [str(v) for v in (context["widget"]["value"] or []) if v not in (None, "")]
        known = {**self._static_labels(), **self.validated_labels}
        rest = [v for v in chosen if v not in known]
        found = sources().get(self.source)
        if rest and found is not None:
            known.update(labels(found, self.viewer, rest))
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


class _SourceFieldMixin:
    """A choice field whose choices are its picker source (plus any extra ``choices``): a submitted
    value is valid when the source offers it to the bound viewer, asked for just those values."""

    choices: Any
    widget: Any

    def _init_source(self, source: str) -> None:
        self.source = source
        self.viewer: Any = None

    def bind(self, viewer: Any) -> None:
        self.viewer = viewer
        self.widget.viewer = viewer

    def allowed(self, values: Iterable[Any]) -> set[str]:
        """Which of ``values`` (as strings) the field accepts."""
        wanted = {str(v) for v in values}
        extra = {str(k) for k, _label in self.choices} & wanted
        rest = wanted - extra
        if not rest:
            return extra
        found = dict(labels(sources()[self.source], self.viewer, sorted(rest)))
        self.widget.validated_labels = {**self.widget.validated_labels, **found}
        return extra | set(found)


class PickerChoiceField(_SourceFieldMixin, forms.TypedChoiceField):
    """One value of ``source`` (coerced with ``coerce``), shown as a PickerSelect."""

    def __init__(self, *, source: str, choices: Any = (), widget: Any = None, **kwargs: Any) -> None:
        self._init_source(source)
        super().__init__(choices=choices, widget=widget or PickerSelect(source=source), **kwargs)

    def valid_value(self, value: Any) -> bool:
        return str(value) in self.allowed([value])


class PickerMultipleChoiceField(_SourceFieldMixin, forms.TypedMultipleChoiceField):
    """Values of ``source`` (coerced with ``coerce``), shown as a PickerSelectMultiple; one query for all."""

    def __init__(self, *, source: str, choices: Any = (), widget: Any = None, **kwargs: Any) -> None:
        self._init_source(source)
        super().__init__(choices=choices, widget=widget or PickerSelectMultiple(source=source), **kwargs)

    def validate(self, value: Any) -> None:
        if not value:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return
        allowed = self.allowed(value)
        for val in value:
            if str(val) not in allowed:
                raise ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": val}
                )


def bind_pickers(form: forms.BaseForm, viewer: Any) -> None:
    """Give every picker field (and picker widget) of ``form`` the viewer its source filters by."""
    for form_field in form.fields.values():
        if isinstance(form_field, _SourceFieldMixin):
            form_field.bind(viewer)
        elif isinstance(form_field.widget, _PickerMixin):
            form_field.widget.viewer = viewer


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

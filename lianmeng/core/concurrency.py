"""Two tabs editing the same record: a version number per editable record, checked by the services.

Every editable model inherits :class:`VersionedModel` (an integer ``version``, 1 when created). An edit
form carries the version it was loaded with (a hidden ``version`` input, :class:`VersionedFormMixin`); an
API update may send it as ``version`` in the body. The update service, inside its transaction and after
locking the row, calls :func:`check` (stale -> :class:`StaleVersion`, nothing saved) and, when something
changed, :func:`bump` (a compare-and-set ``UPDATE ... WHERE pk = %s AND version = %s``) before writing
its audit entry. The audit entry then carries the new version (``AuditEntry.target_version``), which is
how a refused save names what changed meanwhile, by whom and when.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.db.models import F
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .errors import problem

VERSION_FIELD = "version"
VERSION_HELP = (
    "可选：读取记录时得到的 version。若记录此后已被他人修改，返回 409 且不保存。"
    " Optional: the record's `version` as read; if someone saved it since, 409 and nothing is saved."
)
_MAX_SHOWN = 60


class VersionedModel(models.Model):
    """An editable record: ``version`` counts its saved edits (optimistic locking)."""

    version = models.PositiveIntegerField(
        gettext_lazy("版本"),
        default=1,
        editable=False,
        help_text=gettext_lazy("每次修改加一；保存时若已被他人修改则拒绝保存"),
    )

    class Meta:
        abstract = True


class VersionedFormMixin:
    """Adds the hidden ``version`` input to an edit form (give ``initial["version"] = obj.version``)."""

    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields[VERSION_FIELD] = forms.IntegerField(
            required=False, min_value=1, widget=forms.HiddenInput, label=_("版本")
        )


def _parse(value: Any) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        value = None
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if number < 1:
        raise ValidationError({VERSION_FIELD: _("版本号无效，请重新打开编辑页面")})
    return number


def check(obj: models.Model, data: Mapping[str, Any]) -> dict[str, Any]:
    """Compare the version the client loaded (``data["version"]``, optional) with the locked row.

    Call it after ``select_for_update``. Returns ``data`` without ``version``; raises :class:`StaleVersion`
    when the record was saved by someone else since it was loaded.
    """
    expected = _parse(data.get(VERSION_FIELD))
    if expected is not None and expected != obj.version:  # type: ignore[attr-defined]
        raise StaleVersion(obj, expected)
    return {k: v for k, v in data.items() if k != VERSION_FIELD}


def bump(obj: models.Model, changed: Any = True) -> None:
    """Count one saved edit (when ``changed`` is truthy): compare-and-set on the row, then on ``obj``.

    Call it after the row is saved and before ``audit.record`` so the entry carries the new version.
    """
    if not changed:
        return
    current: int = obj.version  # type: ignore[attr-defined]
    rows = type(obj)._base_manager.filter(pk=obj.pk, version=current).update(version=F(VERSION_FIELD) + 1)
    if rows != 1:
        fresh = type(obj)._base_manager.get(pk=obj.pk)
        raise StaleVersion(fresh, current)
    obj.version = current + 1  # type: ignore[attr-defined]


def field_label(obj: models.Model, name: str) -> str | None:
    """The verbose name of a field or relation of ``obj`` (None when ``name`` is neither)."""
    try:
        field = obj._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    verbose = getattr(field, "verbose_name", None)
    if verbose is None and field.related_model is not None:  # a reverse relation (a meeting's agenda)
        verbose = field.related_model._meta.verbose_name
    return str(verbose or name)


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 1] + "…"


def display_value(obj: models.Model, name: str) -> str | None:
    """The current value of ``name`` on ``obj`` as a person reads it (None when it is not a field)."""
    try:
        field = obj._meta.get_field(name)
    except FieldDoesNotExist:
        field = None
    if field is not None and (field.many_to_many or field.one_to_many):
        return "、".join(str(o) for o in getattr(obj, name).all()) or _("（空）")
    if field is not None and getattr(field, "choices", None):
        value = getattr(obj, f"get_{name}_display")()
    elif field is not None and field.is_relation:
        value = getattr(obj, name)
    elif field is not None:
        value = getattr(obj, getattr(field, "attname", name))
    else:
        return None
    if value is None or value == "" or value == []:
        return _("（空）")
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "、".join(str(v) for v in value)
    return _shorten(str(value))


def _same(a: Any, b: Any) -> bool:
    """Equal values in the audit log, where one instant may be written in two time zones."""
    if a == b:
        return True
    if isinstance(a, str) and isinstance(b, str):
        try:
            x, y = datetime.datetime.fromisoformat(a), datetime.datetime.fromisoformat(b)
        except ValueError:
            return False
        return x.tzinfo is not None and y.tzinfo is not None and x == y
    return False


def _plain_value(obj: models.Model, name: str) -> Any:
    from .audit import _plain  # cycle: core.models builds on this module (VersionedModel)

    try:
        field = obj._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    if field.many_to_many or field.one_to_many:
        return sorted(o.pk for o in getattr(obj, name).all())
    return _plain(getattr(obj, getattr(field, "attname", name)))


class StaleVersion(ValidationError):
    """The record was saved by someone else after the client loaded it: nothing was saved.

    ``changed_fields`` (field names), ``editors`` (display names), ``changed_at`` (the last such save),
    ``current_version``; :meth:`text` names them for a person, :meth:`problem_extra` for the API.
    """

    def __init__(self, obj: models.Model, expected: int) -> None:
        from .models import (  # cycle: core.models builds on this module (VersionedModel)
            AuditEntry,
            model_label,
        )

        self.obj = obj
        self.expected = expected
        self.current_version: int = obj.version  # type: ignore[attr-defined]
        entries = list(
            AuditEntry.objects.filter(
                target_type=model_label(obj), target_id=str(obj.pk), target_version__gt=expected
            )
            .select_related("actor")
            .order_by("created_at", "id")[:200]
        )
        # The first entry carrying each version is the edit that produced it (``bump`` runs before
        # ``audit.record``); later entries with the same version are transitions, notes or reminders.
        edits: dict[int, Any] = {}
        for entry in entries:
            edits.setdefault(entry.target_version or 0, entry)
        entries = list(edits.values())
        fields: list[str] = []
        editors: list[str] = []
        for entry in entries:
            old, new = entry.old or {}, entry.new or {}
            for key in [*new, *old]:
                if key == VERSION_FIELD or key in fields or field_label(obj, key) is None:
                    continue
                if key in old and key in new and _same(old[key], new[key]):
                    continue  # logged but not changed (a time written in another time zone)
                fields.append(key)
            who = str(entry.actor) if entry.actor else entry.actor_repr
            if who and who not in editors:
                editors.append(who)
        self.changed_fields = fields
        self.editors = editors
        self.changed_at: datetime.datetime | None = entries[-1].created_at if entries else None
        super().__init__({VERSION_FIELD: [self.text()]})

    def text(self, labels: Mapping[str, Any] | None = None) -> str:
        labels = labels or {}
        sep = _("、")  # the list separator (", " in English)
        names = sep.join(str(labels.get(f) or field_label(self.obj, f)) for f in self.changed_fields)
        if not self.editors or self.changed_at is None:
            return _("此记录在您打开后已被他人修改。请核对后再保存。")
        return _("此记录已被 %(who)s 于 %(when)s 修改：%(fields)s。请核对后再保存。") % {
            "who": sep.join(self.editors),
            "when": timezone.localtime(self.changed_at).strftime("%Y-%m-%d %H:%M"),
            "fields": names or _("（未记录字段）"),
        }

    def current_values(self, names: Iterable[str] | None = None) -> dict[str, str]:
        """Field name -> current value as shown to a person, for the changed fields that are fields."""
        out: dict[str, str] = {}
        for name in self.changed_fields if names is None else names:
            value = display_value(self.obj, name)
            if value is not None:
                out[name] = value
        return out

    def problem(self) -> HttpResponse:
        """The API's answer: 409 problem+json naming the changed fields, who changed them and when."""
        message = self.text()
        return problem(
            409, _("记录已被他人修改"), message, {VERSION_FIELD: [message]}, **self.problem_extra()
        )

    def problem_extra(self) -> dict[str, Any]:
        return {
            "changed_fields": self.changed_fields,
            "changed_by": self.editors,
            "changed_at": self.changed_at.isoformat() if self.changed_at else None,
            "current_version": self.current_version,
            "your_version": self.expected,
            "current": {name: _plain_value(self.obj, name) for name in self.changed_fields},
        }


def apply_to_form(form: Any, exc: StaleVersion) -> None:
    """Show a refused save on the form (``includes/form_errors.html``, ``includes/field.html``): one
    message naming what changed, by whom and when, the current values, and beside each changed field its
    current value. The user's input is kept; the hidden version moves to the current one, so saving
    again (after checking) goes through."""
    labels = {name: field.label for name, field in form.fields.items()}
    current: list[tuple[str, str]] = []
    for name, value in exc.current_values().items():
        current.append((str(labels.get(name) or field_label(exc.obj, name) or name), value))
        if name in form.fields and name != VERSION_FIELD:
            form[name].conflict_value = value
            widget = form.fields[name].widget
            widget.attrs["class"] = (widget.attrs.get("class", "") + " border-warning").strip()
    form.conflict = {"message": exc.text(labels), "current": current}
    if form.is_bound:
        data = form.data.copy()
        data[VERSION_FIELD] = str(exc.current_version)
        form.data = data

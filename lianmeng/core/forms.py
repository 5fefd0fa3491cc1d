from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from lianmeng.core.cleaning import clean_text
from lianmeng.core.commands import Command
from lianmeng.core.errors import apply_to_form

T = TypeVar("T")


class BootstrapFormMixin:
    """Adds Bootstrap classes (and is-invalid on errors) to every widget."""

    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()

    def _post_clean(self) -> None:
        """Every text without control characters (lianmeng.core.cleaning.clean_text): a textarea keeps
        tab and newline, a one-line input folds them into a space; passwords are left as typed."""
        cleaned = getattr(self, "cleaned_data", {})
        for name, value in list(cleaned.items()):
            field = self.fields.get(name)
            if (
                isinstance(value, str)
                and isinstance(field, forms.CharField)
                and not isinstance(field.widget, forms.PasswordInput)
            ):
                cleaned[name] = clean_text(value, multiline=isinstance(field.widget, forms.Textarea))
        super()._post_clean()  # type: ignore[misc]

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)  # type: ignore[misc]
        names = [field] if field else []
        if isinstance(error, dict):
            names = list(error)
        for name in names:
            if name in self.fields:
                widget = self.fields[name].widget
                if "is-invalid" not in widget.attrs.get("class", ""):
                    widget.attrs["class"] = widget.attrs.get("class", "") + " is-invalid"
                widget.attrs["aria-invalid"] = "true"


class _DryRun(Exception):
    """Raised inside dry_run's transaction to roll it back."""


def dry_run(save: Callable[[Any], Any], data: Any) -> ValidationError | None:
    """Run a service's write on ``data`` and roll everything back (rows, audit entries, on-commit mail);
    return the ValidationError it raised, if any. Used when the form itself already failed, to report
    the service's own checks in the same submit. Refusals and errors from data the form rejected
    (a missing key) are left to the real submit."""
    try:
        with transaction.atomic():
            save(data)
            raise _DryRun
    except ValidationError as exc:
        return exc
    except (_DryRun, PermissionDenied, KeyError, TypeError, ValueError, AttributeError):
        return None


def _validate_only(validate: Callable[[Any], Any], data: Any) -> ValidationError | None:
    """The ValidationError a validate-only function raises on ``data`` (refusals and errors from data
    the form rejected are left to the real submit, as in dry_run)."""
    try:
        validate(data)
    except ValidationError as exc:
        return exc
    except (PermissionDenied, KeyError, TypeError, ValueError, AttributeError):
        return None
    return None


def submit_form(
    form: Any,
    save: Callable[[Any], T],
    *,
    validate: Callable[[Any], Any] | None = None,
    command: type[Command] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> T | None:
    """Validate ``form`` and run ``save`` (the service call) so one submit reports every error: the
    form's own, the command's and the service's (merged with apply_to_form; a field keeps the form's
    message when both complain). Returns what ``save`` returned, or None when nothing was saved
    (``save`` must return something: the saved object).

    With ``command`` (the write's :class:`lianmeng.core.commands.Command`), the form's ``cleaned_data``
    plus ``extra`` (values that are not form fields: the event of a registration...) is built into the
    command and ``save`` receives the command; the command's field errors land on the form's fields::

        motion = submit_form(form, lambda cmd: services.motion_create(cmd=cmd, actor=user), command=MotionCreate)

    Without ``command``, ``save`` receives ``cleaned_data`` (the older style).

    When the form itself failed, the service's checks still run on what could be read (a dry run rolled
    back, so every error shows at once). A service that stores uploaded files must not be dry-run (the
    files would stay stored): pass its validate-only function as ``validate`` (it raises the same
    field-keyed ValidationError and writes nothing)::

        submit_form(form, lambda d: services.meeting_add_paper(...), validate=lambda d: services.meeting_paper_validate(...))
    """

    def build(data: Mapping[str, Any]) -> Any:
        if command is None:
            return dict(data)
        return command.build({**data, **(extra or {})})

    if form.is_valid():
        try:
            return save(build(form.cleaned_data))
        except ValidationError as exc:
            apply_to_form(form, exc)
            return None
    try:
        value = build(form.cleaned_data)
    except ValidationError as exc:
        apply_to_form(form, exc)
        # The service's rules on what the command accepted: without the bad fields, a command whose
        # other fields are optional (an update) still builds, and its database rules report too.
        bad = set(exc.message_dict)
        good = {k: v for k, v in form.cleaned_data.items() if k not in bad}
        try:
            value = build(good)
        except ValidationError:
            if command is None or validate is None:
                return None
            # A required field is missing: the validate-only check (it writes nothing) still looks at
            # the fields that were read (a USCC already a member, reported with the missing name).
            value = command.model_construct(**{**good, **(extra or {})})
    refused = _validate_only(validate, value) if validate is not None else dry_run(save, value)
    if refused is not None:
        apply_to_form(form, refused)
    return None

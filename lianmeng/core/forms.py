from __future__ import annotations

from typing import Any

from django import forms

from lianmeng.core.cleaning import clean_text


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

"""Checks as the user types: a field posts its value (htmx) to a small endpoint that runs the same
validator the service runs and answers the field's message fragment (includes/field_feedback.html),
which replaces the slot ``#<auto_id>_feedback`` that includes/field.html renders under every field.

    form.fields["uscc"].widget.attrs.update(inline_check(reverse("membership:apply-check", args=["uscc"]), "uscc"))

and in the endpoint ``return check_response(request, "uscc", services.uscc_check, ok=_("…"))``.
No JavaScript of our own: htmx's attributes only (the CSP forbids inline scripts).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .errors import error_dict

TRIGGER = "change, keyup changed delay:500ms"
MAX_VALUE = 200


def inline_check(url: str, name: str, *, auto_id: str = "id_%s") -> dict[str, str]:
    """The widget attributes that make field ``name`` check itself against ``url`` as it is typed."""
    return {
        "hx-post": url,
        "hx-trigger": TRIGGER,
        "hx-target": "#" + (auto_id % name) + "_feedback",
        "hx-swap": "outerHTML",
        "hx-sync": "this:replace",
    }


def check_response(
    request: HttpRequest, name: str, check: Callable[[str], Any], *, ok: str = "", auto_id: str = "id_%s"
) -> HttpResponse:
    """Run ``check`` on the posted value of ``name``; answer the field's message slot. An empty value
    says nothing (the "required" message comes with the submit, not while typing)."""
    value = str(request.POST.get(name, ""))[:MAX_VALUE]
    errors: list[str] = []
    passed = ""
    if value.strip():
        try:
            check(value)
        except ValidationError as exc:
            errors = [m for messages in error_dict(exc).values() for m in messages]
        else:
            passed = ok
    return render(
        request,
        "includes/field_feedback.html",
        {"feedback_id": (auto_id % name) + "_feedback", "name": name, "errors": errors, "ok": passed},
    )

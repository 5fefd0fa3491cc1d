"""Turning service errors into field-keyed messages (forms) and RFC 9457 problems (API)."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import HttpResponse
from django.utils.translation import gettext as _


def error_dict(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {
            ("__all__" if k == NON_FIELD_ERRORS else k): [str(m) for m in v]
            for k, v in exc.message_dict.items()
        }
    return {"__all__": [str(m) for m in exc.messages]}


def problem(
    status: int, title: str, detail: str = "", errors: dict[str, list[str]] | None = None, **extra: Any
) -> HttpResponse:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    body.update(extra)
    return HttpResponse(
        json.dumps(body, ensure_ascii=False),
        status=status,
        content_type="application/problem+json; charset=utf-8",
    )


def validation_problem(exc: ValidationError) -> HttpResponse:
    errors = error_dict(exc)
    detail = "；".join(f"{k}: {' '.join(v)}" if k != "__all__" else " ".join(v) for k, v in errors.items())
    return problem(422, _("提交的数据有误"), detail, errors)


def apply_to_form(form: Any, exc: ValidationError) -> None:
    """Attach a service's ValidationError to a Django form, field by field."""
    from .concurrency import StaleVersion
    from .concurrency import apply_to_form as apply_stale

    if isinstance(exc, StaleVersion):
        apply_stale(form, exc)
        return
    for field, messages in error_dict(exc).items():
        target = field if field in form.fields else None
        for message in messages:
            form.add_error(target, message)

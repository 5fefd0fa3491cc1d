"""Security headers Django does not set by itself: Permissions-Policy.

The Content-Security-Policy comes from django-csp (``CONTENT_SECURITY_POLICY`` in settings); HSTS,
Referrer-Policy, Cross-Origin-Opener-Policy and X-Content-Type-Options from Django's SecurityMiddleware.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse


def permissions_policy_header(features: dict[str, list[str]]) -> str:
    """``{"camera": [], "fullscreen": ["self"]}`` -> ``camera=(), fullscreen=(self)``."""
    return ", ".join(f"{name}=({' '.join(allow)})" for name, allow in features.items())


def permissions_policy(
    **features: list[str],
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Let one view use a browser feature the site otherwise switches off, e.g. the check-in page's camera:
    ``@permissions_policy(camera=["self"])``."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            response = view(request, *args, **kwargs)
            response.permissions_policy = features  # type: ignore[attr-defined]
            return response

        return wrapped

    return decorator


class PermissionsPolicyMiddleware:
    """Sends ``Permissions-Policy`` (settings.PERMISSIONS_POLICY, with a view's own additions) on every
    response that does not already carry one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        features = {**settings.PERMISSIONS_POLICY, **getattr(response, "permissions_policy", {})}
        if features and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = permissions_policy_header(features)
        return response

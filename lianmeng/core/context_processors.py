from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .models import AllianceSettings
from .nav import nav_for


def site(request: HttpRequest) -> dict[str, Any]:
    """The alliance and the navigation, computed once per request: a page that renders templates
    inside its template (a picker per row of the assignment page) runs the context processors each
    time, and the alliance is a query (500 pickers were 501 queries)."""
    cached: dict[str, Any] | None = getattr(request, "_lianmeng_site", None)
    if cached is None:
        user = getattr(request, "user", None)
        cached = {
            "alliance": AllianceSettings.current(),
            "nav_public": nav_for(user, "public", request.path),
            "nav_work": nav_for(user, "work", request.path),
        }
        request._lianmeng_site = cached  # type: ignore[attr-defined]
    return cached

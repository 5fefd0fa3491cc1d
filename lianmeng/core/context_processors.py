from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .models import AllianceSettings
from .nav import nav_for


def site(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {
        "alliance": AllianceSettings.current(),
        "nav_public": nav_for(user, "public", request.path),
        "nav_work": nav_for(user, "work", request.path),
    }

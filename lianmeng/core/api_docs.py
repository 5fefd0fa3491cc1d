"""The API documentation page (/api/v1/docs): Swagger UI served from our own static files.

Swagger UI is vendored from npm (``frontend/``, ``make vendor``) like Bootstrap and ECharts; the page has no
inline script, so it runs under the site's Content-Security-Policy. Under DEBUG everyone may read it; in
production only signed-in users (anonymous visitors are sent to the login page). The OpenAPI document
itself (/api/v1/openapi.json) stays public: API clients without an account need it, and it describes
only what every endpoint enforces anyway.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja.openapi.docs import DocsBase

if TYPE_CHECKING:
    from ninja import NinjaAPI

SWAGGER_SETTINGS: dict[str, Any] = {
    "layout": "BaseLayout",
    "deepLinking": True,
    # No badge from validator.swagger.io: the page loads nothing from other origins.
    "validatorUrl": None,
    "docExpansion": "list",
}


def docs_visible_to(request: HttpRequest) -> bool:
    """Everyone under DEBUG; signed-in users in production."""
    return bool(settings.DEBUG or request.user.is_authenticated)


class LocalSwagger(DocsBase):
    template = "core/api_docs.html"

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        if not docs_visible_to(request):
            return redirect_to_login(request.get_full_path())
        swagger_settings = {**SWAGGER_SETTINGS, "url": self.get_openapi_url(api, kwargs)}
        return render(request, self.template, {"api": api, "swagger_settings": swagger_settings})

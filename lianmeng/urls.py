"""URL root: each app's ``urls`` module is included under its ``URL_PREFIX`` (see core.apps)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from lianmeng.api import api
from lianmeng.core import health
from lianmeng.core.discovery import app_modules


def _app_urls() -> list[URLPattern | URLResolver]:
    return [
        path(getattr(module, "URL_PREFIX", f"{config.label}/"), include(module))
        for config, module in app_modules("urls")
    ]


urlpatterns: list[URLPattern | URLResolver] = [
    # Answered by lianmeng.core.health.ProbeMiddleware before sessions; listed here for reverse() and the matrix.
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", health.metrics, name="metrics"),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    *_app_urls(),
]

# Error answers: problem+json under /api/, the site's pages elsewhere; 503 while the database is down.
handler400 = "lianmeng.core.errors.bad_request"
handler404 = "lianmeng.core.errors.page_not_found"
handler500 = "lianmeng.core.errors.server_error"

if settings.DEBUG:
    admin.site.site_header = "Lianmeng"

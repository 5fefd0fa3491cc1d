"""URL root: each app's ``urls`` module is included under its ``URL_PREFIX`` (see core.apps)."""

from __future__ import annotations

import importlib

from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from lianmeng.api import api


def _app_urls() -> list[URLPattern | URLResolver]:
    out: list[URLPattern | URLResolver] = []
    for config in apps.get_app_configs():
        if not config.name.startswith("lianmeng."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.urls")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.urls":
                raise
            continue
        prefix = getattr(module, "URL_PREFIX", f"{config.label}/")
        out.append(path(prefix, include(module)))
    return out


urlpatterns: list[URLPattern | URLResolver] = [
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    *_app_urls(),
]

if settings.DEBUG:
    admin.site.site_header = "Lianmeng"

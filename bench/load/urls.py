"""The site's URLs plus the load benchmark's floor: ``/bench/floor/``, an empty view that every
middleware of the site still runs around (``bench/load/settings.py`` makes this the URLconf)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, path

from lianmeng.urls import handler400, handler404, handler500
from lianmeng.urls import urlpatterns as site_urlpatterns

__all__ = ["handler400", "handler404", "handler500", "urlpatterns"]


def floor(request: HttpRequest) -> HttpResponse:
    """The framework floor: no query, no template; what the middleware costs."""
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


urlpatterns: list[URLPattern | URLResolver] = [
    path("bench/floor/", floor, name="bench-floor"),
    *site_urlpatterns,
]

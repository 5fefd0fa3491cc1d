"""Navigation and desk panels contributed by each app.

An app adds top-bar entries with ``nav_items`` on its AppConfig and desk panels with a module
``<app>/desk.py`` exposing ``panels(user) -> list[DeskPanel]``; nothing central needs editing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.apps import apps
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from .cache import cached_each, viewer_parts
from .discovery import app_modules
from .pagination import capped_count


def everyone(user: Any) -> bool:
    return True


def signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def anonymous_only(user: Any) -> bool:
    return not signed_in(user)


def secretariat_only(user: Any) -> bool:
    return signed_in(user) and bool(user.is_secretariat)


@dataclass(frozen=True)
class NavItem:
    label: Any
    url_name: str
    order: int
    section: str = "public"  # "public" (portal bar) or "work" (signed-in mechanisms)
    visible: Callable[[Any], bool] = everyone


@dataclass
class DeskItem:
    label: str
    url: str = ""
    meta: str = ""
    badge: str = ""
    badge_class: str = "text-bg-secondary"


DESK_COUNT_CAP = 99


def desk_count(queryset: Any) -> dict[str, Any]:
    """A panel's badge counts at most DESK_COUNT_CAP rows ("99+"): counting every upcoming event or open
    consultation of a national alliance took 0.2-0.4 s for the secretariat's workbench."""
    n, capped = capped_count(queryset, DESK_COUNT_CAP)
    return {"count": n, "count_capped": capped}


@dataclass
class DeskPanel:
    title: Any
    items: list[DeskItem] = field(default_factory=list)
    count: int | None = None
    count_capped: bool = False  # the badge says "99+": more rows than DESK_COUNT_CAP
    more_url: str = ""
    empty_text: Any = ""
    empty_hint: Any = ""  # what to do next when the panel is empty
    empty_url: str = ""  # with empty_label: the button to do it (only when the viewer may)
    empty_label: Any = ""
    order: int = 100
    to_do: bool = True  # False: information only (my roles, my organization), not something to act on


def nav_for(user: Any, section: str, path: str = "") -> list[dict[str, Any]]:
    items: list[NavItem] = []
    for config in apps.get_app_configs():
        items.extend(i for i in getattr(config, "nav_items", ()) if i.section == section)
    out = []
    for item in sorted(items, key=lambda i: i.order):
        if not item.visible(user):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        active = path == url if url == "/" else path.startswith(url)
        out.append({"label": item.label, "url": url, "active": active})
    return out


def desk_panels(user: Any) -> list[DeskPanel]:
    """Every app's panels for ``user``, in panel order.

    A desk module that names the versions its panels read (``CACHED_BY = ("governance", ...)``, see
    ``core.cache``) has them cached per viewer (``viewer_parts``: the person and every role) and minute
    (due dates, deadlines and "ended" badges move with the clock); an edit to one of those apps shows at
    once. What they read outside those apps (a person's display name in ``accounts``) may lag by a minute
    at most. Modules without ``CACHED_BY`` (notifications, privacy) are read every time.
    """
    modules = list(app_modules("desk"))
    parts = (*viewer_parts(user), timezone.now().strftime("%Y-%m-%dT%H:%M"))
    cacheable = [(c, m) for c, m in modules if getattr(m, "CACHED_BY", None) is not None]
    built = cached_each(
        [
            (f"desk-{config.label}", module.CACHED_BY, parts, partial(module.panels, user))
            for config, module in cacheable
        ]
    )
    panels: list[DeskPanel] = [p for group in built for p in group]
    for _config, module in modules:
        if getattr(module, "CACHED_BY", None) is None:
            panels.extend(module.panels(user))
    return sorted(panels, key=lambda p: p.order)


@dataclass
class PortalSection:
    """A block an app adds to a portal page ("home" or "about"): rendered with ``section`` in context."""

    template: str
    context: dict[str, Any] = field(default_factory=dict)
    order: int = 100
    column: str = "main"  # "main" (full width, below the figures) or "side" (beside the member list)


def portal_sections(request: Any, page: str) -> list[PortalSection]:
    """Blocks from every app's ``portal.py`` (``sections(request, page) -> list[PortalSection]``)."""
    sections: list[PortalSection] = []
    for _config, module in app_modules("portal"):
        sections.extend(module.sections(request, page))
    return sorted(sections, key=lambda s: s.order)


def object_sections(request: Any, page: str, obj: Any) -> list[PortalSection]:
    """Blocks other apps add to one object's page (``page`` "event": an event's news, a matchmaking
    session's figures), from every app's ``portal.object_sections(request, page, obj)``: the page's app
    need not know the apps above it."""
    sections: list[PortalSection] = []
    for _config, module in app_modules("portal"):
        if hasattr(module, "object_sections"):
            sections.extend(module.object_sections(request, page, obj))
    return sorted(sections, key=lambda s: s.order)


def home_figures(request: Any) -> list[tuple[Any, Any, str]]:
    """Key figures for the portal home: (value, label, url) from every app's ``portal.figures(request)``."""
    out: list[tuple[Any, Any, str]] = []
    for _config, module in app_modules("portal"):
        if hasattr(module, "figures"):
            out.extend(module.figures(request))
    return out

"""Portal contributions: projects landed per city and the latest showcase achievements."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from lianmeng.core import cache
from lianmeng.core.nav import PortalSection

from . import selectors
from .models import Achievement, Visibility


def figures(request: Any) -> list[tuple[Any, Any, str]]:
    viewer = request.user
    landed = sum(r["projects"] for r in selectors.landed_by_city(viewer=viewer))
    # Public achievements are visible to everyone: one count for all viewers, cached until the library
    # changes (the visibility OR of a member made PostgreSQL scan 600,000 rows: 190 ms).
    public = cache.cached(
        "library-public-achievements",
        apps=("library",),
        build=lambda: Achievement.objects.filter(visibility=Visibility.PUBLIC).count(),
    )
    return [
        (landed, _("落地项目"), reverse("library:landed")),
        (public, _("公开成果"), reverse("library:achievements")),
    ]


def sections(request: Any, page: str) -> list[PortalSection]:
    if page != "home":
        return []
    years = selectors.showcase_years()
    showcase = list(selectors.showcase(year=years[0])[:4]) if years else []
    return [
        PortalSection(
            template="library/portal_home.html",
            context={
                "landed": selectors.landed_by_city(viewer=request.user),
                "showcase": showcase,
                "showcase_year": years[0] if years else None,
            },
            order=40,
        )
    ]

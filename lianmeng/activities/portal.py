"""Portal blocks: upcoming events on the home page, the 1+7+N summary on the about page."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lianmeng.core.nav import PortalSection

from . import selectors
from .compliance import compliance_for_year
from .models import EventStatus


def sections(request: Any, page: str) -> list[PortalSection]:
    if page == "home":
        events = list(
            selectors.event_calendar(viewer=request.user, upcoming=True).filter(status=EventStatus.PUBLISHED)[
                :5
            ]
        )
        return [
            PortalSection(
                template="activities/portal_upcoming.html",
                context={"events": events},
                order=20,
                column="side",
            )
        ]
    if page == "about":
        report = compliance_for_year(year=timezone.localdate().year, viewer=None)
        return [
            PortalSection(template="activities/portal_compliance.html", context={"report": report}, order=30)
        ]
    return []


def figures(request: Any) -> list[tuple[Any, Any, str]]:
    start, end = selectors.year_bounds(timezone.localdate().year)
    count = (
        selectors.event_calendar(viewer=None, starts_after=start, starts_before=end)
        .exclude(status=EventStatus.CANCELLED)
        .count()
    )
    return [(count, _("本年度活动"), reverse("activities:calendar"))]

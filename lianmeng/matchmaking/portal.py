"""The matchmaking mechanism on the portal: its key figure (cooperation reached through matchmaking)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from lianmeng.activities.models import EventKind, EventStatus
from lianmeng.core.nav import PortalSection

from . import selectors
from .models import SUCCESS_OUTCOMES, MatchRequest, Outcome


def sections(request: Any, page: str) -> list[PortalSection]:
    return []


def object_sections(request: Any, page: str, obj: Any) -> list[PortalSection]:
    """On a matchmaking session's page (an event, published or held): the session's figures."""
    if page != "event" or obj.kind != EventKind.MATCHMAKING:
        return []
    if obj.status not in (EventStatus.PUBLISHED, EventStatus.HELD):
        return []
    stats = selectors.session_statistics(event_id=obj.pk)
    return [PortalSection(template="matchmaking/_event_session.html", context={"stats": stats}, order=10)]


def figures(request: Any) -> list[tuple[Any, Any, str]]:
    counts = MatchRequest.objects.aggregate(
        deals=Count("id", filter=Q(outcome__in=SUCCESS_OUTCOMES)),
        projects=Count("id", filter=Q(outcome=Outcome.PROJECT_CREATED)),
    )
    return [
        (counts["deals"], _("对接达成合作"), reverse("matchmaking:market")),
        (counts["projects"], _("对接形成项目"), reverse("matchmaking:market")),
    ]

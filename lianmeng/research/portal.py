"""Portal contribution: selection rounds in 公示 (with the objection deadline) on the home page."""

from __future__ import annotations

from typing import Any

from lianmeng.core.nav import PortalSection

from .models import RoundStatus, SelectionRound


def sections(request: Any, page: str) -> list[PortalSection]:
    if page != "home":
        return []
    rounds = list(
        SelectionRound.objects.filter(status=RoundStatus.PUBLICITY).order_by("publicity_ends_at", "id")[:5]
    )
    if not rounds:
        return []
    return [PortalSection(template="research/portal_home.html", context={"rounds": rounds}, order=45)]

"""The matchmaking mechanism on the portal: its key figure (cooperation reached through matchmaking)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from lianmeng.core.nav import PortalSection

from .models import SUCCESS_OUTCOMES, MatchRequest


def sections(request: Any, page: str) -> list[PortalSection]:
    return []


def figures(request: Any) -> list[tuple[Any, Any, str]]:
    agreements = MatchRequest.objects.filter(outcome__in=SUCCESS_OUTCOMES).count()
    return [(agreements, _("对接达成合作"), reverse("matchmaking:market"))]

"""``{% notification_bell %}``: the top bar's bell; htmx fills in the unread count on load and every
NOTIFICATIONS_POLL_SECONDS seconds (no query while the page itself renders)."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings

register = template.Library()


@register.inclusion_tag("notifications/bell.html", takes_context=True)
def notification_bell(context: Any) -> dict[str, Any]:
    return {"poll_seconds": settings.NOTIFICATIONS_POLL_SECONDS, "unread": 0, "loaded": False}

"""Reads: a person sees only their own notifications; another's id is the same 404 as a missing one."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from .models import Notification


def notifications_for(*, viewer: Any, unread: bool | None = None) -> QuerySet[Notification]:
    if not getattr(viewer, "is_authenticated", False):
        return Notification.objects.none()
    qs = Notification.objects.filter(recipient=viewer)
    if unread is True:
        qs = qs.filter(read_at__isnull=True)
    elif unread is False:
        qs = qs.filter(read_at__isnull=False)
    return qs.order_by("-created_at", "-id")


def notification_get(*, viewer: Any, pk: int) -> Notification:
    row = notifications_for(viewer=viewer).filter(pk=pk).first()
    if row is None:
        raise Http404
    return row


def unread_count(*, viewer: Any) -> int:
    return notifications_for(viewer=viewer, unread=True).count()

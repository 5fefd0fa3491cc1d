"""Notifications API: the caller's own notifications and preferences (another's id answers 404)."""

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from lianmeng.core.api_support import AUTH
from lianmeng.core.pagination import PageNumberPagination
from lianmeng.core.params import Id
from lianmeng.core.types import AuthedRequest

from . import selectors, services
from .models import Kind

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    kind: str
    kind_label: str
    title: str
    body: str
    url: str
    actor: str | None
    created_at: datetime
    read_at: datetime | None

    @staticmethod
    def resolve_kind_label(obj: Any) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_actor(obj: Any) -> str | None:
        return str(obj.actor) if obj.actor_id else None


class NotificationFilters(Schema):
    unread: bool | None = Field(None, description="true: only unread; false: only read")


class NotificationReadAllOut(Schema):
    marked: int


class NotificationPreferenceOut(Schema):
    kind: str
    label: str
    channel: str = Field(
        description="in_app, mail (in-app and mail) or digest (in-app and a daily digest mail)"
    )


class NotificationPreferenceIn(Schema):
    kind: str = Field(max_length=40)
    channel: str = Field(max_length=10)


class NotificationPreferencesIn(Schema):
    preferences: list[NotificationPreferenceIn] = Field(max_length=100)


def _preferences(user: Any) -> list[dict[str, str]]:
    return [
        {"kind": kind, "label": str(Kind(kind).label), "channel": channel}
        for kind, channel in services.preferences_of(user, receivable_only=True).items()
    ]


@router.get("/notifications", response=list[NotificationOut], auth=AUTH)
@paginate(PageNumberPagination, page_size=20)
def notification_list(request: HttpRequest, filters: Query[NotificationFilters]) -> Any:
    """The caller's notifications, newest first (``?unread=true`` for the unread ones only)."""
    return selectors.notifications_for(viewer=request.user, unread=filters.unread).select_related("actor")


@router.post("/notifications/read-all", response=NotificationReadAllOut, auth=AUTH)
def notification_read_all(request: AuthedRequest) -> dict[str, int]:
    """Mark every unread notification of the caller read."""
    return {"marked": services.mark_all_read(actor=request.user)}


@router.get("/notifications/preferences", response=list[NotificationPreferenceOut], auth=AUTH)
def notification_preferences(request: AuthedRequest) -> list[dict[str, str]]:
    """The caller's channel for every kind of notification they can receive by their roles."""
    return _preferences(request.user)


@router.put("/notifications/preferences", response=list[NotificationPreferenceOut], auth=AUTH)
def notification_preferences_update(
    request: AuthedRequest, payload: NotificationPreferencesIn
) -> list[dict[str, str]]:
    """Set the channel of the kinds given (the others stay as they are)."""
    choices = {p.kind: p.channel for p in payload.preferences}
    services.preferences_set(user=request.user, choices=choices, actor=request.user)
    return _preferences(request.user)


@router.post("/notifications/{notification_id}/read", response=NotificationOut, auth=AUTH)
def notification_read(request: AuthedRequest, notification_id: Id) -> Any:
    """Mark one of the caller's notifications read."""
    notification = selectors.notification_get(viewer=request.user, pk=notification_id)
    return services.mark_read(notification=notification, actor=request.user)

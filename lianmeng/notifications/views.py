"""Pages: the notification list, the bell fragment (polled by htmx), open-and-mark-read, preferences."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lianmeng.core.pagination import CappedPaginator
from lianmeng.core.types import AuthedRequest

from . import selectors, services
from .models import Channel, Kind

PAGE_SIZE = 20
HTMX_STOP_POLLING = 286
FILTERS = ("all", "unread", "read")


@login_required
def notification_list(request: AuthedRequest) -> HttpResponse:
    show = request.GET.get("show", "all")
    if show not in FILTERS:
        show = "all"
    unread = {"all": None, "unread": True, "read": False}[show]
    qs = selectors.notifications_for(viewer=request.user, unread=unread).select_related("actor")
    paginator = CappedPaginator(qs, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/list.html",
        {
            "page_obj": page,
            "count_capped": paginator.capped,
            "show": show,
            "unread_count": selectors.unread_count(viewer=request.user),
        },
    )


def bell(request: AuthedRequest) -> HttpResponse:
    """The top bar's bell with the unread count: a small fragment that htmx swaps in every few seconds.

    When the session has ended, htmx's poll gets 286 (htmx stops polling, nothing swapped) instead of the
    sign-in page inside the top bar; a plain request is sent to sign in as on every other page."""
    if not request.user.is_authenticated:
        if request.headers.get("HX-Request"):
            return HttpResponse(status=HTMX_STOP_POLLING)
        return redirect_to_login(request.get_full_path())
    return render(
        request,
        "notifications/bell.html",
        {
            "unread": selectors.unread_count(viewer=request.user),
            "poll_seconds": settings.NOTIFICATIONS_POLL_SECONDS,
            "loaded": True,
        },
    )


@login_required
@require_POST
def notification_open(request: AuthedRequest, pk: int) -> HttpResponse:
    """Mark the notification read and go to its object (a link elsewhere than this site goes to the list)."""
    notification = selectors.notification_get(viewer=request.user, pk=pk)
    services.mark_read(notification=notification, actor=request.user)
    target = notification.url
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return HttpResponseRedirect(target)
    return redirect("notifications:list")


@login_required
@require_POST
def notification_read_all(request: AuthedRequest) -> HttpResponse:
    n = services.mark_all_read(actor=request.user)
    messages.success(request, _("已将 %(n)s 条消息标为已读") % {"n": n})
    return redirect("notifications:list")


@login_required
def preferences(request: AuthedRequest) -> HttpResponse:
    """The channel per kind, for the kinds this person can receive by their roles (``RECEIVERS``)."""
    current = services.preferences_of(request.user, receivable_only=True)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        choices = {kind: request.POST.get(f"kind-{kind}", "") for kind in current}
        try:
            services.preferences_set(user=request.user, choices=choices, actor=request.user)
        except ValidationError as exc:
            errors = exc.message_dict
            current = {**current, **choices}
        else:
            messages.success(request, _("消息接收设置已保存"))
            return redirect("notifications:preferences")
    rows = [
        {"kind": kind, "label": Kind(kind).label, "channel": channel, "errors": errors.get(kind, [])}
        for kind, channel in current.items()
    ]
    return render(
        request,
        "notifications/preferences.html",
        {"rows": rows, "channels": Channel.choices, "has_errors": bool(errors)},
        status=400 if errors else 200,
    )

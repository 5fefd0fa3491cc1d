from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from lianmeng.matchmaking.policies import can_post_resource
from lianmeng.membership.models import Organization, OrganizationKind, OrganizationStatus

from . import audit_text, cache, selectors
from .nav import desk_panels, home_figures, portal_sections
from .types import AuthedRequest

# The portal home reads every mechanism's tables (sections, figures) besides organizations and cities.
HOME_APPS = (
    "membership",
    "core",
    "activities",
    "library",
    "publicity",
    "governance",
    "matchmaking",
    "research",
)
HOME_TIMEOUT = 300  # upcoming events move into the past with time, not with writes: bounded to 5 minutes


def _home_data() -> dict[str, Any]:
    """The member figures of the home page; the same for every viewer (cached for all)."""
    active = Q(organization__status=OrganizationStatus.ACTIVE)
    cities = list(
        selectors.member_cities().annotate(
            members=Count("organization", filter=active),
            parks=Count("organization", filter=active & Q(organization__kind=OrganizationKind.PARK)),
        )
    )
    latest = list(
        Organization.objects.filter(status=OrganizationStatus.ACTIVE)
        .select_related("city")
        .order_by("-joined_on", "-id")[:8]
    )
    counts = Organization.objects.filter(status=OrganizationStatus.ACTIVE).aggregate(
        members=Count("id"), parks=Count("id", filter=Q(kind=OrganizationKind.PARK))
    )
    return {"cities": cities, "latest": latest, "counts": counts}


def home(request: HttpRequest) -> HttpResponse:
    def content() -> str:
        data = cache.cached("portal-home-data", apps=("membership", "core"), build=_home_data)
        counts = data["counts"]
        figures = [
            (counts["members"], _("入盟单位"), reverse("membership:directory")),
            (len(data["cities"]), _("成员城市"), reverse("core:about")),
            (
                counts["parks"],
                pgettext("key figure", "人力资源服务产业园"),
                reverse("membership:directory") + "?kind=park",
            ),
            *home_figures(request),
        ]
        sections = portal_sections(request, "home")
        return render_to_string(
            "core/_home_content.html",
            {
                "cities": data["cities"],
                "latest": data["latest"],
                "figures": figures,
                "main_sections": [s for s in sections if s.column == "main"],
                "side_sections": [s for s in sections if s.column == "side"],
            },
            request=request,
        )

    # Anonymous visitors share one copy per language and day; a signed-in viewer's sections and figures are
    # their own: one copy per viewer and roles (``viewer_parts``), for HOME_TIMEOUT at most like the public
    # one (98 ms and 20 queries to build for a member at national scale).
    html = cache.cached(
        "portal-home",
        apps=HOME_APPS,
        build=content,
        parts=(*cache.viewer_parts(request.user), timezone.localdate().isoformat()),
        timeout=HOME_TIMEOUT,
    )
    return render(request, "core/home.html", {"content": mark_safe(html)})  # noqa: S308 - rendered template


def about(request: HttpRequest) -> HttpResponse:
    cities = selectors.member_cities().annotate(
        members=Count("organization", filter=Q(organization__status=OrganizationStatus.ACTIVE))
    )
    bureaus = (
        Organization.objects.filter(kind=OrganizationKind.BUREAU, tier="founding")
        .select_related("city")
        .order_by("city__position")
    )
    return render(
        request,
        "core/about.html",
        {"cities": cities, "bureaus": bureaus, "sections": portal_sections(request, "about")},
    )


@login_required
def desk(request: AuthedRequest) -> HttpResponse:
    panels = desk_panels(request.user)
    return render(
        request, "core/desk.html", {"panels": panels, "first_steps": _first_steps(request.user, panels)}
    )


def _first_steps(user: Any, panels: list[Any]) -> dict[str, str] | None:
    """When nothing waits on the workbench (a new member), what to do first, with the buttons."""
    if any(panel.items for panel in panels if panel.to_do):
        return None
    steps = {"calendar_url": reverse("activities:calendar")}
    org_ids = sorted(user.contact_organization_ids)
    if org_ids:
        steps["profile_url"] = reverse("membership:organization-edit", args=[org_ids[0]])
    if can_post_resource(user):
        steps["resource_url"] = reverse("matchmaking:resource-new")
    return steps


@login_required
def audit_log(request: AuthedRequest) -> HttpResponse:
    if not request.user.is_secretariat:
        raise PermissionDenied
    qs = selectors.audit_entries(
        viewer=request.user,
        q=request.GET.get("q", "").strip(),
        action=request.GET.get("action", "").strip(),
        target_type=request.GET.get("target_type", "").strip(),
        actor=request.GET.get("actor", "").strip(),
    )
    page = Paginator(qs.select_related("actor"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "core/audit_log.html",
        {
            "page_obj": page,
            "sentences": audit_text.describe(page.object_list, viewer=request.user),
            "target_types": audit_text.object_kinds(),
        },
    )

"""Picker sources (lianmeng.core.pickers) of the event forms."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from lianmeng.core.pickers import Source
from lianmeng.library.selectors import projects_visible
from lianmeng.membership.models import Organization, OrganizationKind, OrganizationStatus
from lianmeng.membership.pickers import organization_label

from . import policies

PARTNER_KINDS = (
    OrganizationKind.RESEARCH_INSTITUTE,
    OrganizationKind.ACADEMIC_SOCIETY,
    OrganizationKind.STANDARDS_BODY,
    OrganizationKind.UNIVERSITY,
    OrganizationKind.ASSOCIATION,
)


def organizers_for(user: Any) -> QuerySet[Organization]:
    """The organizations ``user`` may organize events for: any for the secretariat, else those of the
    cities they coordinate and their own."""
    qs = Organization.objects.filter(status=OrganizationStatus.ACTIVE)
    if not policies.is_secretariat(user):
        qs = qs.filter(Q(city_id__in=user.coordinated_city_codes) | Q(pk__in=user.contact_organization_ids))
    return qs


def partners(viewer: Any) -> QuerySet[Organization]:
    return Organization.objects.filter(status=OrganizationStatus.ACTIVE, kind__in=PARTNER_KINDS)


def projects(viewer: Any) -> QuerySet[Any]:
    """Projects of the library an event summary may link: every project the viewer may see."""
    return projects_visible(viewer)


def project_label(project: Any) -> str:
    return f"{project.name}（{project.lead_organization.name}）"


SOURCES = {
    "organizers": Source(queryset=organizers_for, label=organization_label, select_related=("city",)),
    "partners": Source(queryset=partners, label=organization_label, select_related=("city",)),
    "projects": Source(queryset=projects, label=project_label, select_related=("lead_organization",)),
}

"""Picker sources (lianmeng.core.pickers) of the library forms."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from lianmeng.core.pickers import Source
from lianmeng.membership.models import Organization, OrganizationStatus
from lianmeng.membership.pickers import organization_label

from . import policies


def project_leads(viewer: Any) -> QuerySet[Organization]:
    """Who may lead a project the viewer enters: any active member for the secretariat, else the
    viewer's own organizations (the same rule as the project form's choices)."""
    qs = Organization.objects.filter(status=OrganizationStatus.ACTIVE)
    if policies.is_secretariat(viewer):
        return qs
    return qs.filter(pk__in=viewer.contact_organization_ids)


SOURCES = {
    "project-leads": Source(queryset=project_leads, label=organization_label, select_related=("city",)),
}

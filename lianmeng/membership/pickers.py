"""Picker sources (lianmeng.core.pickers): the member organizations a form may name."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from lianmeng.core.pickers import Source

from .models import Organization, OrganizationStatus


def active_organizations(viewer: Any) -> QuerySet[Organization]:
    """Every active member organization: the public directory lists them to everyone."""
    return Organization.objects.filter(status=OrganizationStatus.ACTIVE)


def organization_label(org: Organization) -> str:
    return f"{org.city.display_name} · {org.name}"


SOURCES = {
    "organizations": Source(
        queryset=active_organizations, label=organization_label, select_related=("city",)
    ),
}

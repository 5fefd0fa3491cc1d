"""Picker sources (lianmeng.core.pickers) of the library forms."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from lianmeng.core.pickers import Source
from lianmeng.membership.models import Organization, OrganizationStatus
from lianmeng.membership.pickers import organization_label

from . import policies
from .models import Expert, ExpertStatus
from .services import committee_experts


def project_leads(viewer: Any) -> QuerySet[Organization]:
    """Who may lead a project the viewer enters: any active member for the secretariat, else the
    viewer's own organizations (the same rule as the project form's choices)."""
    qs = Organization.objects.filter(status=OrganizationStatus.ACTIVE)
    if policies.is_secretariat(viewer):
        return qs
    return qs.filter(pk__in=viewer.contact_organization_ids)


def experts(viewer: Any) -> QuerySet[Expert]:
    """Experts a form may offer: active experts, for the secretariat (who assigns reviewers and
    consultations); nobody else picks experts."""
    if not policies.can_manage_experts(viewer):
        return Expert.objects.none()
    return Expert.objects.filter(status=ExpertStatus.ACTIVE)


def reviewers(viewer: Any) -> QuerySet[Expert]:
    """Experts who can review online (active, with an active account: research.services.expert_pool),
    for the secretariat adding a reviewer to a selection entry."""
    return experts(viewer).filter(user__isnull=False, user__is_active=True)


def committee(viewer: Any) -> QuerySet[Expert]:
    """Members of the current expert committee, for the secretariat assigning a consultation."""
    if not policies.can_assign_consultation(viewer):
        return Expert.objects.none()
    return Expert.objects.filter(pk__in=committee_experts().values("pk"))


def expert_label(expert: Expert) -> str:
    """Name · affiliation · fields (what tells two experts apart when choosing)."""
    fields = "、".join(f.name for f in expert.fields.all()[:3])
    return " · ".join(part for part in (expert.name, expert.affiliation, fields) if part)


SOURCES = {
    "project-leads": Source(queryset=project_leads, label=organization_label, select_related=("city",)),
    "experts": Source(queryset=experts, label=expert_label, select_related=("organization",)),
    "committee": Source(queryset=committee, label=expert_label, select_related=("organization",)),
    "reviewers": Source(queryset=reviewers, label=expert_label, select_related=("organization",)),
}

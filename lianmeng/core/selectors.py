from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from .models import AuditEntry, City


def member_cities() -> QuerySet[City]:
    return City.objects.filter(is_member=True).order_by("position", "code")


def audit_entries(
    *, viewer: Any, q: str = "", action: str = "", target_type: str = "", actor: str = ""
) -> QuerySet[AuditEntry]:
    if not (getattr(viewer, "is_authenticated", False) and viewer.is_secretariat):
        return AuditEntry.objects.none()
    qs = AuditEntry.objects.all()
    if action:
        qs = qs.filter(action__startswith=action)
    if target_type:
        qs = qs.filter(target_type=target_type)
    if actor:
        qs = qs.filter(Q(actor_repr__icontains=actor) | Q(actor__display_name__icontains=actor))
    if q:
        qs = qs.filter(target_repr__icontains=q)
    return qs

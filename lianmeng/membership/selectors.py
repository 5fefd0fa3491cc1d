"""Reads of organizations and applications, filtered by what the viewer may see."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from django.http import Http404

from lianmeng.core.search import ParsedQuery, fts_condition, parse_query, search_filter, search_order

from . import policies
from .models import MembershipApplication, Organization, OrganizationStatus

INITIALS_FIELDS = ("name_initials", "name_pinyin")


def organization_directory(
    *,
    viewer: Any,
    q: str | None = None,
    city: str | None = None,
    kind: str | None = None,
    tier: str | None = None,
    status: str | None = None,
) -> QuerySet[Organization]:
    """The member directory, sorted by pinyin. The public sees active members; the secretariat all."""
    qs = Organization.objects.select_related("city")
    if policies.is_secretariat(viewer):
        if status:
            qs = qs.filter(status=status)
    else:
        qs = qs.filter(status=OrganizationStatus.ACTIVE)
    if city:
        qs = qs.filter(city_id=city)
    if kind:
        qs = qs.filter(kind=kind)
    if tier:
        qs = qs.filter(tier=tier)
    parsed = parse_query(q)
    if parsed.empty:
        return qs.order_by("name_sort", "id")
    if parsed.initials and connection.vendor == "sqlite":
        return qs.filter(id__in=_pinyin_matches(parsed)).order_by(search_order("name_sort"), "id")
    return search_filter(qs, parsed, initials_fields=INITIALS_FIELDS).order_by(
        search_order("name_sort"), "id"
    )


def _pinyin_matches(parsed: ParsedQuery) -> RawSQL:
    """Ids matching a pure-letter query: the words through the full-text index, or the letters as a
    prefix of the pinyin initials or the full pinyin (``qd``, ``qingdao``).

    The same rows as ``search_filter(..., initials_fields=INITIALS_FIELDS)``, written as a UNION ALL of
    index-only lookups instead of an OR, for SQLite: with the OR its planner walked the ``(status,
    name_sort)`` index reading every row to test it; with the ids it walks the same index without
    reading the table. PostgreSQL keeps the OR (a BitmapOr of the three indexes): there the UNION is
    slower, it fetches each match by its key (docs/scale.md, "Directory search").
    """
    initials = parsed.initials or ""
    table = connection.ops.quote_name(Organization._meta.db_table)
    fts_sql, params = fts_condition(table, parsed, connection.vendor)
    upper = initials[:-1] + chr(ord(initials[-1]) + 1)
    parts = [f"SELECT {table}.id FROM {table} WHERE {fts_sql}"]
    for field in INITIALS_FIELDS:
        column = connection.ops.quote_name(field)
        parts.append(f"SELECT id FROM {table} WHERE {column} >= %s AND {column} < %s")
        params = [*params, initials, upper]
    return RawSQL(" UNION ALL ".join(parts), params)  # noqa: S611 - names quoted, values bound


def organization_get(*, viewer: Any, pk: int) -> Organization:
    """One organization as the viewer may see it; missing and hidden give the same 404."""
    org = Organization.objects.select_related("city").filter(pk=pk).first()
    if org is None:
        raise Http404
    if org.status != OrganizationStatus.ACTIVE and not policies.can_edit_organization(viewer, org):
        raise Http404
    return org


def application_list(
    *, viewer: Any, status: str | None = None, q: str | None = None
) -> QuerySet[MembershipApplication]:
    if not policies.can_review_application(viewer):
        return MembershipApplication.objects.none()
    qs = MembershipApplication.objects.select_related("city")
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(name__icontains=q) | qs.filter(uscc__icontains=q.upper())
    return qs.order_by("-submitted_at", "-id")


def application_get(*, viewer: Any, pk: int) -> MembershipApplication:
    if not policies.can_review_application(viewer):
        raise Http404
    application = MembershipApplication.objects.select_related("city", "organization").filter(pk=pk).first()
    if application is None:
        raise Http404
    return application


def application_by_token(token: str) -> MembershipApplication:
    application = MembershipApplication.objects.select_related("city").filter(tracking_token=token).first()
    if application is None:
        raise Http404
    return application

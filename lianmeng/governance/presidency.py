"""Reading the rotation from the database: the plan, its changes and the derived terms."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from lianmeng.membership.models import Organization

from .models import PresidencyHandover, RotationChange, RotationPlan
from .rotation import Change, Rotation, Term


def rotation_plan() -> RotationPlan | None:
    """The plan in force (the latest one)."""
    return RotationPlan.objects.order_by("-id").first()


def rotation_for(plan: RotationPlan) -> Rotation:
    changes = [
        Change(
            kind=c.kind,
            effective_sequence=c.effective_sequence,
            order=tuple(int(x) for x in (c.order or [])),
            organization=c.organization_id,
            term_months=c.term_months,
        )
        for c in RotationChange.objects.filter(plan=plan).order_by("effective_sequence", "id")
    ]
    order = list(plan.holders.order_by("position").values_list("organization_id", flat=True))
    return Rotation(start_date=plan.start_date, term_months=plan.term_months, order=order, changes=changes)


@dataclass
class TermView:
    """A derived term with its organization (for pages and the API)."""

    term: Term
    organization: Organization
    handover: PresidencyHandover | None = None

    @property
    def number(self) -> int:
        return self.term.number

    @property
    def starts_on(self) -> datetime.date:
        return self.term.starts_on

    @property
    def ends_on(self) -> datetime.date:
        return self.term.ends_on

    @property
    def cycle_number(self) -> int:
        return self.term.cycle + 1


@dataclass
class Schedule:
    plan: RotationPlan | None
    terms: list[TermView]
    current: TermView | None
    next: TermView | None
    today: datetime.date

    @property
    def past(self) -> list[TermView]:
        return [t for t in self.terms if t.ends_on < self.today]

    @property
    def upcoming(self) -> list[TermView]:
        return [t for t in self.terms if t.starts_on > self.today]


def presidency_schedule(day: datetime.date | None = None) -> Schedule:
    """Every term so far, the current one, the rest of the cycle and the next (3 queries)."""
    today = day or timezone.localdate()
    plan = rotation_plan()
    if plan is None:
        return Schedule(None, [], None, None, today)
    terms = rotation_for(plan).terms_until(today)
    orgs = Organization.objects.select_related("city").in_bulk({t.organization for t in terms})
    handovers = {
        h.sequence: h for h in PresidencyHandover.objects.filter(plan=plan).select_related("resolution")
    }
    views = [TermView(t, orgs[t.organization], handovers.get(t.sequence)) for t in terms]
    current = next((v for v in views if v.term.contains(today)), None)
    upcoming = [v for v in views if v.starts_on > today]
    return Schedule(plan, views, current, upcoming[0] if upcoming else None, today)


def president_organization_id(day: datetime.date | None = None) -> int | None:
    """The organization holding the presidency on ``day`` (today by default), if any."""
    plan = rotation_plan()
    if plan is None:
        return None
    term = rotation_for(plan).term_on(day or timezone.localdate())
    return term.organization if term else None


def president_for(user: Any) -> int | None:
    """The current president's organization id, cached on the user object for one request."""
    cached = getattr(user, "_governance_president_id", ...)
    if cached is ...:
        cached = president_organization_id()
        if user is not None and getattr(user, "is_authenticated", False):
            user._governance_president_id = cached
    return cached

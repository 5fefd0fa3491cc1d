"""Reads of events and registrations, filtered by what the viewer may see."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db.models import Case, Count, IntegerField, Q, QuerySet, When
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from lianmeng.core.search import normalize
from lianmeng.library.selectors import projects_visible

from . import policies
from .models import SEATED, Audience, Event, EventStatus, Registration, RegistrationStatus

PUBLIC_STATUSES = (EventStatus.PUBLISHED, EventStatus.HELD, EventStatus.CANCELLED)


def year_bounds(year: int) -> tuple[datetime.datetime, datetime.datetime]:
    """[1 January 00:00, next 1 January 00:00) in Asia/Shanghai, as aware datetimes."""
    tz = timezone.get_default_timezone()
    return (
        datetime.datetime(year, 1, 1, tzinfo=tz),
        datetime.datetime(year + 1, 1, 1, tzinfo=tz),
    )


def month_bounds(year: int, month: int) -> tuple[datetime.datetime, datetime.datetime]:
    tz = timezone.get_default_timezone()
    start = datetime.datetime(year, month, 1, tzinfo=tz)
    end = datetime.datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=tz)
    return start, end


def managed_filter(viewer: Any) -> Q | None:
    """The Q of events ``viewer`` manages; None means every event (secretariat)."""
    if policies.is_secretariat(viewer):
        return None
    if not getattr(viewer, "is_authenticated", False):
        return Q(pk__in=[])
    cities = viewer.coordinated_city_codes
    orgs = viewer.contact_organization_ids
    if not cities and not orgs:
        return Q(pk__in=[])
    return (Q(city_id__in=cities) | Q(organizer_id__in=orgs)) & ~Q(kind="plenary")


def _visible(viewer: Any) -> Q:
    visible = Q(status__in=PUBLIC_STATUSES)
    if not policies.has_any_role(viewer):
        visible &= ~Q(audience=Audience.INVITED)
    managed = managed_filter(viewer)
    if managed is None:
        return Q()
    return visible | managed


def event_calendar(
    *,
    viewer: Any,
    city: str | None = None,
    kind: str | None = None,
    organizer: int | str | None = None,
    q: str | None = None,
    starts_after: datetime.datetime | None = None,
    starts_before: datetime.datetime | None = None,
    upcoming: bool = False,
    include_drafts: bool = False,
) -> QuerySet[Event]:
    """Events the viewer may see (the public calendar shows published, held and cancelled ones),
    in time order."""
    qs = Event.objects.select_related("organizer", "city")
    if include_drafts:
        qs = qs.filter(_visible(viewer))
    else:
        qs = qs.filter(status__in=PUBLIC_STATUSES)
        if not policies.has_any_role(viewer):
            qs = qs.exclude(audience=Audience.INVITED)
    if city:
        qs = qs.filter(city_id=city)
    if kind:
        qs = qs.filter(kind=kind)
    if organizer:
        try:
            qs = qs.filter(organizer_id=int(organizer))
        except (TypeError, ValueError):
            qs = qs.none()
    if q:
        for term in normalize(q).split():
            qs = qs.filter(
                Q(title__icontains=term) | Q(organizer__name__icontains=term) | Q(venue__icontains=term)
            )
    if starts_after:
        qs = qs.filter(starts_at__gte=starts_after)
    if starts_before:
        qs = qs.filter(starts_at__lt=starts_before)
    if upcoming:
        qs = qs.filter(ends_at__gte=timezone.now())
    return qs.order_by("starts_at", "id")


def events_managed(*, viewer: Any, status: str | None = None, q: str | None = None) -> QuerySet[Event]:
    """The events the viewer manages, soonest first (drafts included)."""
    qs = Event.objects.select_related("organizer", "city")
    managed = managed_filter(viewer)
    if managed is not None:
        qs = qs.filter(managed)
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(title__icontains=q)
    return qs.order_by("-starts_at", "-id")


def event_get(*, viewer: Any, pk: int) -> Event:
    """One event as the viewer may see it; missing and hidden give the same 404."""
    event = Event.objects.select_related("organizer", "city").filter(pk=pk).first()
    if event is None or not policies.can_view_event(viewer, event):
        raise Http404
    return event


def event_projects(*, viewer: Any, event: Event) -> list[Any]:
    """The library projects an event's outcomes link, those the viewer may see (library's rules)."""
    return list(
        projects_visible(viewer)
        .filter(pk__in=event.projects.values("pk"))
        .select_related("lead_organization")
        .order_by("name_sort", "id")
    )


def project_choices(
    *, viewer: Any, event: Event, limit: int = 200, include: Iterable[Any] = ()
) -> list[tuple[int, str]]:
    """Projects a manager may link to an event's outcomes: those linked and visible, then the ones led by
    the organizer, then the most recently updated, as (id, label); plus the visible ones of ``include``
    (ids chosen in the picker, which searches every project the viewer may see)."""

    linked = list(event.projects.values_list("pk", flat=True)) if event.pk else []
    linked += [int(v) for v in include if str(v).isdigit()]
    qs = (
        projects_visible(viewer)
        .select_related("lead_organization")
        .annotate(
            first=Case(
                When(pk__in=linked, then=0),
                When(lead_organization_id=event.organizer_id, then=1),
                default=2,
                output_field=IntegerField(),
            )
        )
        .order_by("first", "-updated_at", "-id")[:limit]
    )
    return [(p.pk, f"{p.name}（{p.lead_organization.name}）") for p in qs]


def event_counts(event: Event) -> dict[str, int]:
    """Registered (seats taken, attended included), waitlisted, attended, no-show, cancelled."""
    row = event.registrations.aggregate(
        registered=Count("id", filter=Q(status__in=SEATED)),
        waitlisted=Count("id", filter=Q(status=RegistrationStatus.WAITLISTED)),
        attended=Count("id", filter=Q(status=RegistrationStatus.ATTENDED)),
        cancelled=Count("id", filter=Q(status=RegistrationStatus.CANCELLED)),
    )
    counts = {k: int(v or 0) for k, v in row.items()}
    finished = event.status == EventStatus.HELD or event.ends_at < timezone.now()
    counts["no_show"] = counts["registered"] - counts["attended"] if finished else 0
    counts["free"] = max(event.capacity - counts["registered"], 0) if event.capacity is not None else -1
    return counts


def attendance_by_organization(event: Event) -> list[dict[str, Any]]:
    """Per organization: registered, waitlisted, attended, no-show (one grouped query)."""
    finished = event.status == EventStatus.HELD or event.ends_at < timezone.now()
    rows = (
        event.registrations.values("organization_id", "organization__name", "organization_name")
        .annotate(
            registered=Count("id", filter=Q(status__in=SEATED)),
            waitlisted=Count("id", filter=Q(status=RegistrationStatus.WAITLISTED)),
            attended=Count("id", filter=Q(status=RegistrationStatus.ATTENDED)),
        )
        .order_by("organization__name_sort", "organization_name")
    )
    merged: dict[str, dict[str, Any]] = {}
    for row in rows:
        label = row["organization__name"] or row["organization_name"] or ""
        entry = merged.setdefault(
            label, {"organization": label, "registered": 0, "waitlisted": 0, "attended": 0, "no_show": 0}
        )
        for key in ("registered", "waitlisted", "attended"):
            entry[key] += row[key]
    for entry in merged.values():
        entry["no_show"] = entry["registered"] - entry["attended"] if finished else 0
    return [e for e in merged.values() if e["registered"] or e["waitlisted"]]


def registrations_for(*, viewer: Any, event: Event, status: str | None = None) -> QuerySet[Registration]:
    """Managers see every registration; a contact those of their organizations or made by them."""
    qs = event.registrations.select_related("organization")
    if not policies.can_manage_event(viewer, event):
        if not getattr(viewer, "is_authenticated", False):
            return qs.none()
        qs = qs.filter(Q(registered_by=viewer) | Q(organization_id__in=viewer.contact_organization_ids))
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("id")


def registration_get(*, viewer: Any, pk: int) -> Registration:
    registration = Registration.objects.select_related("event", "organization").filter(pk=pk).first()
    if registration is None or not policies.can_view_registration(viewer, registration):
        raise Http404
    return registration


def registration_by_token(token: str) -> Registration:
    registration = (
        Registration.objects.select_related("event", "event__organizer", "event__city", "organization")
        .filter(token=token)
        .first()
    )
    if registration is None:
        raise Http404
    return registration


def my_registrations(*, viewer: Any, upcoming: bool = True) -> QuerySet[Registration]:
    """Places the viewer booked (for themselves or others), not cancelled."""
    if not getattr(viewer, "is_authenticated", False):
        return Registration.objects.none()
    qs = (
        Registration.objects.filter(registered_by=viewer)
        .exclude(status=RegistrationStatus.CANCELLED)
        .select_related("event", "event__city", "organization")
    )
    if upcoming:
        qs = qs.filter(event__ends_at__gte=timezone.now()).exclude(event__status=EventStatus.CANCELLED)
    return qs.order_by("event__starts_at", "id")


def personal_feed_events(user: Any) -> QuerySet[Event]:
    """Events a user holds a place at, or booked places for (their personal iCal feed)."""
    booked = Registration.objects.filter(registered_by=user).exclude(status=RegistrationStatus.CANCELLED)
    return (
        Event.objects.filter(pk__in=booked.values("event_id"), status__in=PUBLIC_STATUSES)
        .select_related("organizer", "city")
        .order_by("starts_at", "id")
    )


def checkin_timing(event: Event, *, today: datetime.date | None = None) -> str:
    """The event seen from today: "before" its first day, "after" its last day (local dates), "" on them."""
    today = today or timezone.localdate()
    if today < timezone.localtime(event.starts_at).date():
        return "before"
    if today > timezone.localtime(event.ends_at).date():
        return "after"
    return ""


def registration_mail_recipients(registration: Registration) -> list[str]:
    """Who is mailed about a registration (waitlist promotion, reminders): its own address and the
    signed-in person who registered it, where given."""
    emails = {registration.email}
    if registration.registered_by_id and registration.registered_by:
        emails.add(registration.registered_by.email)
    return sorted(e for e in emails if e)


def registration_message(registration: Registration) -> str:
    """What the person is told after registering; mail is promised only when an address was given."""
    if registration.status == RegistrationStatus.WAITLISTED:
        if registration_mail_recipients(registration):
            return _("名额已满，%(name)s 已进入候补名单；有人取消时将按顺序自动转正，并发邮件通知") % {
                "name": registration.name
            }
        return _(
            "名额已满，%(name)s 已进入候补名单；有人取消时将按顺序自动转正。"
            "未填写电子邮箱，转正时不会收到邮件，请在电子票页面查看"
        ) % {"name": registration.name}
    return _("%(name)s 报名成功，签到码 %(code)s") % {
        "name": registration.name,
        "code": registration.code_display,
    }

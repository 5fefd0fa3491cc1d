"""Events, registrations, check-in, 1+7+N compliance and iCal feeds under /api/v1/."""

from datetime import datetime
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from lianmeng.core.api_support import (
    AUTH,
    OPTIONAL_AUTH,
    LocalDateTime,
    RelatedIds,
    cached_list,
    signed_in,
)
from lianmeng.core.models import City
from lianmeng.core.pagination import PageNumberPagination
from lianmeng.core.params import Id, Year

from . import ical, policies, selectors, services
from .commands import (
    EventCancel,
    EventCreate,
    EventSummary,
    EventUpdate,
    RegistrationCheckIn,
    RegistrationCreate,
    SummaryUpdate,
)
from .compliance import Requirement, compliance_for_year
from .models import Event, EventKind, Registration

router = Router(tags=["activities"])

Kind = Literal["plenary", "summit", "forum", "themed", "matchmaking", "showcase", "training", "other"]
AudienceIn = Literal["public", "members", "invited"]


def _local(value: datetime | None) -> datetime | None:
    return timezone.localtime(value) if value else None


class EventOut(Schema):
    id: int
    title: str
    kind: str
    kind_label: str
    organizer: int = Field(alias="organizer_id")
    organizer_name: str = Field(alias="organizer.name")
    city: str = Field(alias="city_id")
    co_organizers: RelatedIds
    partners: RelatedIds
    starts_at: LocalDateTime
    ends_at: LocalDateTime
    venue: str
    address: str
    online_url: str
    capacity: int | None
    audience: str
    registration_opens_at: LocalDateTime | None
    registration_closes_at: LocalDateTime | None
    description: str
    status: str
    cancel_reason: str
    summary: str
    attendance: int | None
    outcomes: str
    agreements_signed: int
    projects_started: int
    url: str
    ics_url: str

    # A list page serialises 50 events: the label from the enum (``get_kind_display`` rebuilds a dict
    # of the choices on every call) and the page's address reversed once per event, not twice.
    @staticmethod
    def resolve_kind_label(obj: Event) -> str:
        return str(EventKind(obj.kind).label) if obj.kind in EventKind.values else obj.kind

    @staticmethod
    def resolve_url(obj: Event) -> str:
        return _event_url(obj)

    @staticmethod
    def resolve_ics_url(obj: Event) -> str:
        return _event_url(obj).rstrip("/") + ".ics"


def _event_url(obj: Event) -> str:
    url: str = obj.__dict__.get("_api_url") or obj.get_absolute_url()
    obj.__dict__["_api_url"] = url
    return url


class Counts(Schema):
    registered: int
    waitlisted: int
    attended: int
    no_show: int
    cancelled: int


class EventDetailOut(EventOut):
    counts: Counts
    projects: list[int]
    version: int

    @staticmethod
    def resolve_projects(obj: Event) -> list[int]:
        """Linked library projects the caller may see (set by the endpoint); otherwise public ones."""
        visible = getattr(obj, "visible_projects", None)
        if visible is None:
            visible = selectors.event_projects(viewer=None, event=obj)
        return [p.pk for p in visible]

    @staticmethod
    def resolve_counts(obj: Event) -> dict[str, int]:
        return selectors.event_counts(obj)


class EventFilters(Schema):
    q: str | None = None
    city: str | None = None
    kind: str | None = None
    organizer: Id | None = None
    status: str | None = None
    year: Year | None = None


class RegistrationOut(Schema):
    id: int
    event: int
    name: str
    mobile: str
    organization: int | None
    organization_name: str
    role: str
    status: str
    code: str
    ticket_url: str
    created_at: datetime
    checked_in_at: datetime | None
    message: str = Field(
        "",
        description="What to tell the person: registered with code, or waitlisted (mail promised only "
        "when an address was given)",
    )


def _registration_out(registration: Registration, *, show_mobile: bool) -> dict[str, Any]:
    return {
        "id": registration.pk,
        "event": registration.event_id,
        "name": registration.name,
        "mobile": registration.mobile if show_mobile else registration.mobile_masked,
        "organization": registration.organization_id,
        "organization_name": registration.organization_label,
        "role": registration.role,
        "status": registration.status,
        "code": registration.code,
        "ticket_url": registration.get_absolute_url(),
        "created_at": timezone.localtime(registration.created_at),
        "checked_in_at": _local(registration.checked_in_at),
    }


class CheckInIn(RegistrationCheckIn):
    """The check-in's body: the service's command."""


class CheckInOut(Schema):
    already_checked_in: bool
    registration: RegistrationOut
    attended: int
    registered: int


class RequirementOut(Schema):
    status: str
    status_label: str
    required: int
    held: int
    scheduled: int
    pending: int
    missing: str


class CityRequirementOut(RequirementOut):
    city: str
    name: str


class ParkRequirementOut(RequirementOut):
    park: int
    name: str
    city: str


class ComplianceOut(Schema):
    year: int
    themed_quota: int
    city_kinds: list[str]
    park_kinds: list[str]
    plenary: RequirementOut
    cities: list[CityRequirementOut]
    park_totals: dict[str, int]
    parks: list[ParkRequirementOut] | None


def _requirement(req: Requirement) -> dict[str, Any]:
    return {
        "status": req.status,
        "status_label": req.status_label,
        "required": req.required,
        "held": req.held,
        "scheduled": req.scheduled,
        "pending": req.pending,
        "missing": req.missing,
    }


def _manageable(request: HttpRequest, event_id: int) -> Event:
    event = selectors.event_get(viewer=request.user, pk=event_id)
    if not policies.can_manage_event(request.user, event):
        raise PermissionDenied
    return event


@router.get("/events", response=list[EventOut], auth=OPTIONAL_AUTH)
@cached_list("api-events", apps=("activities", "membership", "core"), item=EventOut)
@paginate(PageNumberPagination, page_size=50)
def event_list(request: HttpRequest, filters: Query[EventFilters]) -> Any:
    """Published, held and cancelled events (and, for those who manage them, drafts), in time order."""
    starts_after = starts_before = None
    if filters.year:
        starts_after, starts_before = selectors.year_bounds(filters.year)
    qs = selectors.event_calendar(
        viewer=request.user,
        city=filters.city,
        kind=filters.kind,
        organizer=filters.organizer,
        q=filters.q,
        starts_after=starts_after,
        starts_before=starts_before,
        include_drafts=True,
    )
    if filters.status:
        qs = qs.filter(status=filters.status)
    return qs.prefetch_related("co_organizers", "partners")


@router.post("/events", response={201: EventDetailOut}, auth=AUTH)
def event_create(request: HttpRequest, payload: EventCreate) -> Status:
    """Create a draft. City coordinators organize for organizations of their city, contacts for their
    own organization, the secretariat for any (plenaries: the secretariat only)."""
    return Status(201, services.event_create(cmd=payload, actor=signed_in(request)))


@router.get("/events/{event_id}", response=EventDetailOut, auth=OPTIONAL_AUTH)
def event_detail(request: HttpRequest, event_id: int) -> Event:
    """One event with its counts and, once held, the library projects its outcomes link (`projects`:
    ids of those you may see)."""
    event = selectors.event_get(viewer=request.user, pk=event_id)
    event.visible_projects = selectors.event_projects(viewer=request.user, event=event)  # type: ignore[attr-defined]
    return event


@router.patch("/events/{event_id}", response=EventDetailOut, auth=AUTH)
def event_patch(request: HttpRequest, event_id: int, payload: EventUpdate) -> Event:
    event = _manageable(request, event_id)
    return services.event_update(event=event, cmd=payload, actor=signed_in(request))


@router.post("/events/{event_id}/publish", response=EventDetailOut, auth=AUTH)
def event_publish(request: HttpRequest, event_id: int) -> Event:
    return services.event_publish(event=_manageable(request, event_id), actor=signed_in(request))


@router.post("/events/{event_id}/cancel", response=EventDetailOut, auth=AUTH)
def event_cancel(request: HttpRequest, event_id: int, payload: EventCancel) -> Event:
    return services.event_cancel(event=_manageable(request, event_id), cmd=payload, actor=signed_in(request))


@router.post("/events/{event_id}/hold", response=EventDetailOut, auth=AUTH)
def event_hold(request: HttpRequest, event_id: int, payload: EventSummary) -> Event:
    """File the summary of a published event that has started; it then counts for 1+7+N. `projects`
    links projects of the library (ids of projects you may see) as outcomes."""
    event = services.event_hold(event=_manageable(request, event_id), cmd=payload, actor=signed_in(request))
    event.visible_projects = selectors.event_projects(viewer=request.user, event=event)  # type: ignore[attr-defined]
    return event


@router.patch("/events/{event_id}/summary", response=EventDetailOut, auth=AUTH)
def event_summary_update(request: HttpRequest, event_id: int, payload: SummaryUpdate) -> Event:
    """Correct a held event's summary, attendance or outcomes; `projects` replaces the linked projects
    (those you cannot see stay linked)."""
    event = services.event_summary_update(
        event=_manageable(request, event_id), cmd=payload, actor=signed_in(request)
    )
    event.visible_projects = selectors.event_projects(viewer=request.user, event=event)  # type: ignore[attr-defined]
    return event


@router.get("/events/{event_id}/registrations", response=list[RegistrationOut], auth=AUTH)
@paginate(PageNumberPagination, page_size=100)
def registration_list(request: HttpRequest, event_id: int, status: str | None = None) -> Any:
    """Organizers see every registration with mobiles; a contact those of their organization, masked."""
    event = selectors.event_get(viewer=request.user, pk=event_id)
    show = policies.can_see_personal_data(request.user, event)
    return [
        _registration_out(r, show_mobile=show)
        for r in selectors.registrations_for(viewer=request.user, event=event, status=status)
    ]


@router.post("/events/{event_id}/registrations", response={201: RegistrationOut}, auth=OPTIONAL_AUTH)
def registration_create(request: HttpRequest, event_id: int, payload: RegistrationCreate) -> Status:
    """Register one person. `status` answers `registered` or `waitlisted` (capacity is exact)."""
    event = selectors.event_get(viewer=request.user, pk=event_id)
    registration = services.registration_create(event=event, cmd=payload, actor=request.user)
    said = selectors.registration_message(registration)
    return Status(201, {**_registration_out(registration, show_mobile=True), "message": said})


@router.delete("/registrations/{registration_id}", response=RegistrationOut, auth=AUTH)
def registration_cancel(request: HttpRequest, registration_id: int) -> dict[str, Any]:
    """Cancel a place; the first waitlisted person is promoted and notified."""
    registration = selectors.registration_get(viewer=request.user, pk=registration_id)
    registration = services.registration_cancel(registration=registration, actor=request.user)
    return _registration_out(
        registration, show_mobile=policies.can_see_personal_data(request.user, registration.event)
    )


@router.post("/events/{event_id}/checkin", response=CheckInOut, auth=AUTH)
def checkin(request: HttpRequest, event_id: int, payload: CheckInIn) -> dict[str, Any]:
    """Check in by code (as typed or scanned). A second check-in answers `already_checked_in: true`;
    a code of another event is refused (422)."""
    event = selectors.event_get(viewer=request.user, pk=event_id)
    result = services.registration_check_in(event=event, cmd=payload, actor=signed_in(request))
    counts = selectors.event_counts(event)
    return {
        "already_checked_in": result.already,
        "registration": _registration_out(result.registration, show_mobile=True),
        "attended": counts["attended"],
        "registered": counts["registered"],
    }


@router.get("/compliance/{year}", response=ComplianceOut, auth=OPTIONAL_AUTH)
def compliance(request: HttpRequest, year: Year, city: str | None = None) -> dict[str, Any]:
    """1+7+N for a year: the plenary, each city (by division code), and each park (by id) for those
    who may see parks (coordinators: their city; the secretariat: all; the public: totals only)."""
    report = compliance_for_year(year=year, viewer=request.user, city=city)
    return {
        "year": report.year,
        "themed_quota": report.settings.themed_quota,
        "city_kinds": list(report.settings.city_kinds),
        "park_kinds": list(report.settings.park_kinds),
        "plenary": _requirement(report.plenary),
        "cities": [{**_requirement(c), "city": c.key, "name": c.label} for c in report.cities],
        "park_totals": report.park_totals,
        "parks": [
            {**_requirement(p), "park": int(p.key), "name": p.label, "city": p.city_code}
            for p in report.parks
        ]
        if report.parks_visible
        else None,
    }


@router.get("/calendar.ics", auth=None, include_in_schema=True)
def calendar_ics(request: HttpRequest) -> HttpResponse:
    """All published events (RFC 5545)."""
    events = selectors.event_calendar(viewer=None)
    return ical.ics_response(ical.calendar_for(events, name=ical.feed_name()), filename="events.ics")


@router.get("/calendar/{city_code}.ics", auth=None)
def calendar_city_ics(request: HttpRequest, city_code: str) -> HttpResponse:
    """The published events of one city (division code, e.g. 370200)."""
    city = get_object_or_404(City, pk=city_code)
    events = selectors.event_calendar(viewer=None, city=city.code)
    return ical.ics_response(
        ical.calendar_for(events, name=ical.feed_name(f" · {city.name}")), filename=f"events-{city.code}.ics"
    )

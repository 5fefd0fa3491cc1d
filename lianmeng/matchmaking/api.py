"""Resources and matchmaking: /api/v1/resources, /api/v1/match-requests."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from lianmeng.core.api_support import AUTH, OPTIONAL_AUTH, RelatedCodes, signed_in
from lianmeng.core.pagination import PageNumberPagination
from lianmeng.core.params import AnyInt64, Id

from . import commands, integrations, policies, selectors, services
from .matching import Suggestion
from .models import MatchRequest, Resource

router = Router(tags=["matchmaking"])

DirectionLiteral = Literal["supply", "demand"]
CategoryLiteral = Literal[
    "policy",
    "industry",
    "academia",
    "research",
    "talent",
    "finance",
    "services",
    "application",
    "award",
    "competition",
]


class ResourceOut(Schema):
    id: int
    direction: str
    category: str
    category_label: str = Field(alias="get_category_display")
    title: str
    description: str
    organization: int = Field(alias="organization_id")
    organization_name: str = Field(alias="organization.name")
    cities: RelatedCodes
    tags: list[str]
    strategy_tags: list[str]
    valid_from: date
    valid_until: date
    status: str
    created_at: datetime
    contact: dict[str, str] | None = None
    version: int

    @staticmethod
    def resolve_contact(obj: Resource, context: dict[str, Any]) -> dict[str, str] | None:
        if not policies.can_view_contact(context["request"].user, obj):
            return None
        return {"name": obj.contact_name, "phone": obj.contact_phone, "email": obj.contact_email}


class ResourceFilters(Schema):
    q: str | None = None
    direction: DirectionLiteral | None = None
    category: CategoryLiteral | None = None
    city: str | None = None
    organization: Id | None = None
    status: str | None = None
    mine: bool = False


class ResourcePatch(commands.ResourceUpdate):
    """Changes to a post; `status` (API only) marks it matched, closes it, or reopens a matched one."""

    status: Literal["matched", "closed", "open"] | None = None

    def given(self) -> set[str]:
        return super().given() - {"status"}


class ExplanationPart(Schema):
    part: str
    label: str
    points: int
    max: int
    detail: str


class MatchItemOut(Schema):
    kind: str
    id: int
    title: str
    subtitle: str
    url: str


class MatchOut(Schema):
    kind: Literal["resource", "expert", "project", "achievement"]
    resource: ResourceOut | None
    item: MatchItemOut
    score: int
    explanation: list[ExplanationPart]

    @staticmethod
    def resolve_resource(obj: Suggestion) -> Resource | None:
        return obj.resource if obj.kind == "resource" else None

    @staticmethod
    def resolve_item(obj: Suggestion) -> dict[str, Any]:
        item = obj.resource
        if obj.kind == "resource":
            return {
                "kind": "resource",
                "id": item.pk,
                "title": item.title,
                "subtitle": f"{item.organization.name} · {item.get_category_display()}",
                "url": item.get_absolute_url(),
            }
        return {
            "kind": obj.kind,
            "id": item.pk,
            "title": item.title,
            "subtitle": item.subtitle,
            "url": item.url,
        }


class MatchMeetingOut(Schema):
    id: int
    mode: str
    held_at: datetime
    place: str
    event: int | None = Field(alias="event_id")
    notes: str


class MatchRequestOut(Schema):
    id: int
    resource: int = Field(alias="resource_id")
    resource_title: str = Field(alias="resource.title")
    from_resource: int | None = Field(alias="from_resource_id")
    requester_organization: int = Field(alias="requester_organization_id")
    requester_organization_name: str = Field(alias="requester_organization.name")
    responder_organization: int = Field(alias="responder_organization_id")
    message: str
    score: int | None
    status: str
    response_message: str
    responded_at: datetime | None
    outcome: str
    outcome_amount: Decimal | None
    outcome_count: int | None
    outcome_note: str
    outcome_at: datetime | None
    project: int | None = Field(alias="project_id")
    created_at: datetime
    meetings: list[MatchMeetingOut]


class MatchRequestIn(commands.MatchRequestCreate):
    """The request's body: the service's command."""


class MatchRequestAnswerIn(commands.AnswerMessage):
    """The body of accept and decline (the action is the URL's)."""


@router.get("/resources", response=list[ResourceOut], auth=OPTIONAL_AUTH)
@paginate(PageNumberPagination, page_size=20)
def resource_list(request: HttpRequest, filters: Query[ResourceFilters]) -> Any:
    """The market, newest first. Contact details only for signed-in alliance members."""
    return selectors.resource_market(viewer=request.user, **filters.dict())


@router.post("/resources", response={201: ResourceOut}, auth=AUTH)
def resource_create(request: HttpRequest, payload: commands.ResourceCreate) -> Status[Resource]:
    """Publish a post for your organization (`organization` when you are contact of several)."""
    resource = services.resource_create(cmd=payload, actor=signed_in(request))
    return Status(201, selectors.resource_get(viewer=request.user, pk=resource.pk))


@router.get("/resources/{resource_id}", response=ResourceOut, auth=OPTIONAL_AUTH)
def resource_detail(request: HttpRequest, resource_id: int) -> Resource:
    return selectors.resource_get(viewer=request.user, pk=resource_id)


@router.patch("/resources/{resource_id}", response=ResourceOut, auth=AUTH)
def resource_patch(request: HttpRequest, resource_id: int, payload: ResourcePatch) -> Resource:
    """Edit a post; `status` marks it matched, closes it, or reopens a matched one."""
    resource = selectors.resource_get(viewer=request.user, pk=resource_id)
    if not policies.can_edit_resource(request.user, resource):
        raise PermissionDenied  # also for an empty body: a 200 would tell others they may edit
    if payload.given():
        resource = services.resource_update(resource=resource, cmd=payload, actor=signed_in(request))
    if payload.status:
        action = {"matched": "match", "closed": "close", "open": "reopen"}[payload.status]
        services.resource_change_status(resource=resource, action=action, actor=signed_in(request))
    return selectors.resource_get(viewer=request.user, pk=resource_id)


@router.get("/resources/{resource_id}/matches", response=list[MatchOut], auth=AUTH)
def resource_matches(
    request: HttpRequest, resource_id: int, limit: AnyInt64 = 10, library: bool = True
) -> list[Suggestion]:
    """Suggested partners for your post: posts of the other side first (best first, `limit`), then, where
    the post's category fits, up to three each of experts, projects and achievements (`kind`; `resource`
    is null for them, `item.url` links to their page). `explanation` holds the parts of `score`."""
    resource = selectors.resource_get(viewer=request.user, pk=resource_id)
    posts, items = selectors.resource_suggestions(
        viewer=request.user, resource=resource, limit=max(1, min(limit, 50)), library=library
    )
    return posts + items


@router.get("/match-requests", response=list[MatchRequestOut], auth=AUTH)
@paginate(PageNumberPagination, page_size=20)
def match_request_list(
    request: HttpRequest, box: Literal["all", "incoming", "outgoing"] = "all", status: str | None = None
) -> Any:
    return selectors.request_list(viewer=request.user, box=box, status=status).prefetch_related("meetings")


@router.post("/match-requests", response={201: MatchRequestOut}, auth=AUTH)
def match_request_create(request: HttpRequest, payload: MatchRequestIn) -> Status[MatchRequest]:
    """Ask the owner of `resource` to talk; `from_resource` is your own post it answers, if any."""
    selectors.resource_get(viewer=request.user, pk=payload.resource)  # missing and hidden: 404
    if payload.from_resource is not None:
        selectors.resource_get(viewer=request.user, pk=payload.from_resource)
    created = services.match_request_create(cmd=payload, actor=signed_in(request))
    return Status(201, selectors.request_get(viewer=request.user, pk=created.pk))


@router.get("/match-requests/{request_id}", response=MatchRequestOut, auth=AUTH)
def match_request_detail(request: HttpRequest, request_id: int) -> MatchRequest:
    return selectors.request_get(viewer=request.user, pk=request_id)


def _answer(request: HttpRequest, request_id: int, action: str, message: str) -> MatchRequest:
    match_request = selectors.request_get(viewer=request.user, pk=request_id)
    cmd = commands.MatchRequestAnswer.build(action=action, message=message)
    services.match_request_answer(request=match_request, cmd=cmd, actor=signed_in(request))
    return selectors.request_get(viewer=request.user, pk=request_id)


@router.post("/match-requests/{request_id}/accept", response=MatchRequestOut, auth=AUTH)
def match_request_accept(
    request: HttpRequest, request_id: int, payload: MatchRequestAnswerIn
) -> MatchRequest:
    return _answer(request, request_id, "accept", payload.message)


@router.post("/match-requests/{request_id}/decline", response=MatchRequestOut, auth=AUTH)
def match_request_decline(
    request: HttpRequest, request_id: int, payload: MatchRequestAnswerIn
) -> MatchRequest:
    """Decline with a short reason (`message`, required)."""
    return _answer(request, request_id, "decline", payload.message)


@router.post("/match-requests/{request_id}/withdraw", response=MatchRequestOut, auth=AUTH)
def match_request_withdraw(request: HttpRequest, request_id: int) -> MatchRequest:
    return _answer(request, request_id, "withdraw", "")


@router.post("/match-requests/{request_id}/meetings", response={201: MatchMeetingOut}, auth=AUTH)
def match_request_meeting(
    request: HttpRequest, request_id: int, payload: commands.MeetingRecord
) -> Status[Any]:
    match_request = selectors.request_get(viewer=request.user, pk=request_id)
    meeting = services.meeting_record(request=match_request, cmd=payload, actor=signed_in(request))
    return Status(201, meeting)


@router.post("/match-requests/{request_id}/outcome", response=MatchRequestOut, auth=AUTH)
def match_request_outcome(
    request: HttpRequest, request_id: int, payload: commands.OutcomeRecord
) -> MatchRequest:
    """Record the outcome of an accepted request; `project_created` creates the project in the library."""
    match_request = selectors.request_get(viewer=request.user, pk=request_id)
    services.match_request_conclude(request=match_request, cmd=payload, actor=signed_in(request))
    return selectors.request_get(viewer=request.user, pk=request_id)


class SlotIn(commands.SlotBook):
    """The booking's body: the service's command."""


class SlotOut(Schema):
    id: int
    event: int = Field(alias="event_id")
    starts_at: datetime
    ends_at: datetime
    table: str


@router.post("/match-requests/{request_id}/slots", response={201: SlotOut}, auth=AUTH)
def match_request_slot(request: HttpRequest, request_id: int, payload: SlotIn) -> Status[Any]:
    """Book a one-to-one slot at a matchmaking session (an event of kind matchmaking) for an accepted
    request; a person already booked at that time is refused with a message."""
    match_request = selectors.request_get(viewer=request.user, pk=request_id)
    slot = services.slot_book(request=match_request, cmd=payload, actor=signed_in(request))
    return Status(201, slot)


class SessionOutcomeOut(Schema):
    outcome: str
    label: str
    count: int


class SessionStatisticsOut(Schema):
    event: int
    title: str
    slots_booked: int
    meetings_held: int
    requests: int
    requests_accepted: int
    organizations: int
    outcomes: list[SessionOutcomeOut]
    successful: int
    agreements: int
    agreement_amount: Decimal
    projects_created: int
    talent_placed: int


@router.get("/match-sessions", response=list[SessionStatisticsOut], auth=OPTIONAL_AUTH)
def match_session_list(request: HttpRequest, limit: AnyInt64 = 20) -> list[dict[str, Any]]:
    """The newest matchmaking sessions you may see (published or held), each with its figures."""
    rows = selectors.sessions_overview(viewer=request.user, limit=max(1, min(limit, 100)))
    return [{"event": e.pk, "title": e.title, **stats} for e, stats in rows]


@router.get("/match-sessions/{event_id}", response=SessionStatisticsOut, auth=OPTIONAL_AUTH)
def match_session_statistics(request: HttpRequest, event_id: int) -> dict[str, Any]:
    """What a matchmaking session (an event of kind `matchmaking`) led to: slots booked, meetings held,
    requests accepted, outcomes by kind, agreement amounts (万元). Visible to whoever may see the event."""
    event = integrations.session_for_viewer(viewer=request.user, event_id=event_id)
    return {"event": event.pk, "title": event.title, **selectors.session_statistics(event_id=event.pk)}

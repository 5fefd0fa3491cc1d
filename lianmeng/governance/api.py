"""Governance API: presidency, council meetings and motions, notices, tasks (mounted at /api/v1/)."""

from datetime import date, datetime
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from lianmeng.core.api_support import AUTH, OPTIONAL_AUTH

from . import policies, selectors, services
from .models import Meeting, Motion, Task
from .presidency import TermView, presidency_schedule

router = Router(tags=["governance"])


# ---------------------------------------------------------------- presidency


class TermOut(Schema):
    number: int
    cycle: int
    organization: int
    organization_name: str
    starts_on: date
    ends_on: date
    handover_date: date | None = None


def _term(view: TermView | None) -> dict[str, Any] | None:
    if view is None:
        return None
    return {
        "number": view.number,
        "cycle": view.cycle_number,
        "organization": view.organization.pk,
        "organization_name": view.organization.name,
        "starts_on": view.starts_on,
        "ends_on": view.ends_on,
        "handover_date": view.handover.date if view.handover else None,
    }


class CurrentOut(Schema):
    current: TermOut | None
    next: TermOut | None


class HandoverIn(Schema):
    date: date
    notes: str = ""
    documents: str = ""


class HandoverOut(Schema):
    id: int
    term: int
    from_organization: int
    to_organization: int
    date: date
    notes: str
    documents: list[str]


@router.get("/presidency/terms", response=list[TermOut], auth=OPTIONAL_AUTH)
def presidency_terms(request: HttpRequest) -> list[Any]:
    """Every term so far, the current one, the rest of the cycle and the next (public)."""
    return [_term(v) for v in presidency_schedule().terms]


@router.get("/presidency/current", response=CurrentOut, auth=OPTIONAL_AUTH)
def presidency_current(request: HttpRequest) -> dict[str, Any]:
    schedule = presidency_schedule()
    return {"current": _term(schedule.current), "next": _term(schedule.next)}


@router.post("/presidency/handover", response={201: HandoverOut}, auth=AUTH)
def presidency_handover(request: HttpRequest, payload: HandoverIn) -> Status:
    """The outgoing president records the handover to the next holder."""
    handover = services.handover_record(data=payload.dict(), actor=request.user)
    return Status(
        201,
        {
            "id": handover.pk,
            "term": handover.sequence + 1,
            "from_organization": handover.from_organization_id,
            "to_organization": handover.to_organization_id,
            "date": handover.date,
            "notes": handover.notes,
            "documents": handover.document_list,
        },
    )


# ---------------------------------------------------------------- council


class MeetingIn(Schema):
    kind: Literal["plenary", "ordinary", "extraordinary"]
    title: str
    starts_at: datetime
    place: str = ""
    online_link: str = ""
    agenda: list[str] = []


class MeetingOut(Schema):
    id: int
    kind: str
    title: str
    starts_at: datetime
    place: str
    online_link: str
    status: str
    agenda: list[str]
    minutes: str

    @staticmethod
    def resolve_agenda(obj: Meeting) -> list[str]:
        return [a.title for a in obj.agenda.all()]


@router.get("/council/meetings", response=list[MeetingOut], auth=AUTH)
@paginate(PageNumberPagination, page_size=20)
def meeting_list(request: HttpRequest, status: str | None = None) -> Any:
    if not policies.can_view_council(request.user):
        raise PermissionDenied
    return selectors.meeting_list(viewer=request.user, status=status).prefetch_related("agenda")


@router.post("/council/meetings", response={201: MeetingOut}, auth=AUTH)
def meeting_create(request: HttpRequest, payload: MeetingIn) -> Status:
    data = payload.dict()
    agenda = data.pop("agenda")
    return Status(201, services.meeting_create(data=data, agenda=agenda, actor=request.user))


class MotionIn(Schema):
    title: str
    text: str
    kind: Literal["ordinary", "important", "charter"] = "ordinary"
    ballot: Literal["open", "secret"] = "open"
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    meeting: int | None = None
    application: int | None = None
    status: Literal["draft", "open"] = "draft"


class SeatVoteOut(Schema):
    seat: int
    organization: str
    voted: bool
    choice: str | None


class MotionOut(Schema):
    id: int
    title: str
    text: str
    kind: str
    ballot: str
    opens_at: datetime
    closes_at: datetime
    status: str
    seats_count: int | None
    votes_cast: int | None
    votes_for: int | None
    votes_against: int | None
    votes_abstain: int | None
    decided_at: datetime | None
    resolution_number: str | None

    @staticmethod
    def resolve_votes_cast(obj: Motion) -> int | None:
        return obj.votes_cast if obj.is_decided else None

    @staticmethod
    def resolve_votes_for(obj: Motion) -> int | None:
        return obj.votes_for if obj.is_decided else None

    @staticmethod
    def resolve_votes_against(obj: Motion) -> int | None:
        return obj.votes_against if obj.is_decided else None

    @staticmethod
    def resolve_votes_abstain(obj: Motion) -> int | None:
        return obj.votes_abstain if obj.is_decided else None

    @staticmethod
    def resolve_resolution_number(obj: Motion) -> str | None:
        resolution = getattr(obj, "resolution", None) if obj.status == "passed" else None
        return resolution.number if resolution else None


class MotionDetailOut(Schema):
    id: int
    title: str
    text: str
    kind: str
    ballot: str
    opens_at: datetime
    closes_at: datetime
    status: str
    seats_count: int | None
    votes_cast: int | None
    votes_for: int | None
    votes_against: int | None
    votes_abstain: int | None
    decided_at: datetime | None
    resolution_number: str | None
    seats_voted: int
    votes: list[SeatVoteOut]


class VoteIn(Schema):
    choice: Literal["for", "against", "abstain"]
    seat: int | None = None


class VoteOut(Schema):
    motion: int
    seat: int
    voted_at: datetime
    choice: str | None


@router.get("/council/motions", response=list[MotionOut], auth=AUTH)
@paginate(PageNumberPagination, page_size=20)
def motion_list(request: HttpRequest, status: str | None = None, q: str | None = None) -> Any:
    if not policies.can_view_council(request.user):
        raise PermissionDenied
    return selectors.motion_list(viewer=request.user, status=status, q=q)


@router.post("/council/motions", response={201: MotionOut}, auth=AUTH)
def motion_create(request: HttpRequest, payload: MotionIn) -> Status:
    """Create a draft (``status: "draft"``) or, for the secretariat, open it at once (``"open"``)."""
    data = payload.dict()
    open_now = data.pop("status") == "open"
    return Status(201, services.motion_create(data=data, actor=request.user, open_now=open_now))


def _motion_detail(request: HttpRequest, motion: Motion) -> dict[str, Any]:
    rows = selectors.motion_seat_votes(viewer=request.user, motion=motion)
    decided = motion.is_decided
    resolution = getattr(motion, "resolution", None) if motion.status == "passed" else None
    out: dict[str, Any] = {
        **{f: getattr(motion, f) for f in ("id", "title", "text", "kind", "ballot", "opens_at", "closes_at")},
        "status": motion.status,
        "seats_count": motion.seats_count,
        "decided_at": motion.decided_at,
        "votes_cast": motion.votes_cast if decided else None,
        "votes_for": motion.votes_for if decided else None,
        "votes_against": motion.votes_against if decided else None,
        "votes_abstain": motion.votes_abstain if decided else None,
        "resolution_number": resolution.number if resolution else None,
    }
    out["seats_voted"] = sum(1 for r in rows if r.voted)
    out["votes"] = [
        {
            "seat": r.seat.pk,
            "organization": r.seat.organization.name,
            "voted": r.voted,
            "choice": r.choice or None,
        }
        for r in rows
    ]
    return out


@router.get("/council/motions/{motion_id}", response=MotionDetailOut, auth=AUTH)
def motion_detail(request: HttpRequest, motion_id: int) -> dict[str, Any]:
    """The result with counts once decided; choices per seat only for open ballots after the close."""
    return _motion_detail(request, selectors.motion_get(viewer=request.user, pk=motion_id))


@router.post("/council/motions/{motion_id}/open", response=MotionOut, auth=AUTH)
def motion_open(request: HttpRequest, motion_id: int) -> Motion:
    motion = selectors.motion_get(viewer=request.user, pk=motion_id)
    return services.motion_open(motion=motion, actor=request.user)


@router.post("/council/motions/{motion_id}/votes", response={201: VoteOut}, auth=AUTH)
def motion_vote(request: HttpRequest, motion_id: int, payload: VoteIn) -> Status:
    """Vote (or change the vote) for the representative's seat valid today."""
    motion = selectors.motion_get(viewer=request.user, pk=motion_id)
    seat = None
    if payload.seat is not None:
        seat = next(
            (s for s in services.seats_of(request.user, timezone.localdate()) if s.pk == payload.seat), None
        )
        if seat is None:
            raise PermissionDenied
    vote = services.vote_cast(motion=motion, choice=payload.choice, actor=request.user, seat=seat)
    return Status(
        201,
        {
            "motion": motion.pk,
            "seat": vote.seat_id,
            "voted_at": vote.cast_at,
            "choice": vote.choice or None,
        },
    )


@router.post("/council/motions/{motion_id}/close", response=MotionDetailOut, auth=AUTH)
def motion_close(request: HttpRequest, motion_id: int) -> dict[str, Any]:
    motion = selectors.motion_get(viewer=request.user, pk=motion_id)
    motion = services.motion_close(motion=motion, actor=request.user)
    return _motion_detail(request, selectors.motion_get(viewer=request.user, pk=motion.pk))


# ---------------------------------------------------------------- notices


class NoticeIn(Schema):
    title: str
    body: str
    audience: Literal["all", "city", "tier", "organizations"] = "all"
    audience_city: str | None = None
    audience_tier: str | None = None
    audience_organizations: list[int] = []
    read_by: date | None = None
    publish: bool = True


class NoticeOut(Schema):
    id: int
    number: str
    title: str
    body: str
    audience: str
    status: str
    published_at: datetime | None
    read_by: date | None
    recipients_count: int
    read_count: int


class ReceiptOut(Schema):
    organization: int
    organization_name: str
    read_at: datetime | None


@router.get("/notices", response=list[NoticeOut], auth=AUTH)
@paginate(PageNumberPagination, page_size=20)
def notice_list(request: HttpRequest, q: str | None = None, unread: bool = False) -> Any:
    """The secretariat sees every notice; members the published notices sent to their organizations."""
    return selectors.notice_list(viewer=request.user, q=q, unread=unread)


@router.post("/notices", response={201: NoticeOut}, auth=AUTH)
def notice_create(request: HttpRequest, payload: NoticeIn) -> Status:
    data = payload.dict()
    publish = data.pop("publish")
    return Status(201, services.notice_create(data=data, actor=request.user, publish=publish))


@router.post("/notices/{notice_id}/read", response=list[ReceiptOut], auth=AUTH)
def notice_read(request: HttpRequest, notice_id: int) -> list[dict[str, Any]]:
    """Confirm reading for every recipient organization the caller speaks for (idempotent)."""
    notice = selectors.notice_get(viewer=request.user, pk=notice_id)
    receipts = services.notice_mark_read(notice=notice, actor=request.user)
    return [
        {"organization": r.organization_id, "organization_name": r.organization.name, "read_at": r.read_at}
        for r in receipts
    ]


# ---------------------------------------------------------------- tasks


class TaskIn(Schema):
    title: str
    description: str = ""
    due_on: date
    owner_user: int | None = None
    owner_organization: int | None = None
    resolution: int | None = None


class TaskPatch(Schema):
    action: Literal["start", "complete", "cancel", "reopen"] | None = None
    note: str | None = None
    title: str | None = None
    description: str | None = None
    due_on: date | None = None
    owner_user: int | None = None
    owner_organization: int | None = None


class TaskOut(Schema):
    id: int
    title: str
    description: str
    due_on: date
    status: str
    overdue: bool
    owner_user: int | None
    owner_organization: int | None
    resolution: int | None
    completed_at: datetime | None

    @staticmethod
    def resolve_owner_user(obj: Task) -> int | None:
        return obj.owner_user_id

    @staticmethod
    def resolve_owner_organization(obj: Task) -> int | None:
        return obj.owner_organization_id

    @staticmethod
    def resolve_resolution(obj: Task) -> int | None:
        return obj.resolution_id


class TaskFilters(Schema):
    status: str | None = None
    overdue: bool = False
    q: str | None = None


@router.get("/tasks", response=list[TaskOut], auth=AUTH)
@paginate(PageNumberPagination, page_size=20)
def task_list(request: HttpRequest, filters: Query[TaskFilters]) -> Any:
    """The secretariat sees every task; owners their own (as a person or through their organization)."""
    return selectors.task_list(viewer=request.user, **filters.dict())


@router.post("/tasks", response={201: TaskOut}, auth=AUTH)
def task_create(request: HttpRequest, payload: TaskIn) -> Status:
    return Status(201, services.task_create(data=payload.dict(), actor=request.user))


@router.patch("/tasks/{task_id}", response=TaskOut, auth=AUTH)
def task_patch(request: HttpRequest, task_id: int, payload: TaskPatch) -> Task:
    """Owners: ``action`` start/complete and ``note``; the secretariat also edits, cancels and reopens."""
    task = selectors.task_get(viewer=request.user, pk=task_id)
    return services.task_update(task=task, data=payload.dict(exclude_unset=True), actor=request.user)

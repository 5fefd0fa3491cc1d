"""Governance API: presidency, council meetings and motions, notices, tasks (mounted at /api/v1/)."""

from datetime import date, datetime
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from lianmeng.accounts.models import User
from lianmeng.core.api_support import AUTH, OPTIONAL_AUTH, signed_in
from lianmeng.core.concurrency import VERSION_HELP
from lianmeng.core.pagination import PageNumberPagination
from lianmeng.core.params import Count, DateIn, DateTimeIn, Id

from . import policies, selectors, services
from .commands import (
    CharterRevise,
    HandoverRecord,
    MeetingCreate,
    MeetingUpdate,
    MotionCreate,
    NoticeCreate,
    PaperAdd,
    RotationChangeCmd,
    SeatCreate,
    SeatRepresentativeChange,
    TaskCreate,
    TaskUpdate,
    VoteCast,
)
from .models import (
    CharterVersion,
    CouncilSeat,
    Meeting,
    MeetingPaper,
    Motion,
    Notice,
    NoticeAttachment,
    RotationChange,
    SeatRepresentative,
    Task,
)
from .presidency import TermView, presidency_schedule, rotation_for, rotation_plan
from .views import attachment_response

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
    handover_resolution_number: str | None = None


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
        "handover_resolution_number": view.handover.resolution.number
        if view.handover and view.handover.resolution
        else None,
    }


class CurrentOut(Schema):
    current: TermOut | None
    next: TermOut | None


class HandoverOut(Schema):
    id: int
    term: int
    from_organization: int
    to_organization: int
    date: date
    notes: str
    documents: list[str]
    resolution_number: str | None = None


@router.get("/presidency/terms", response=list[TermOut], auth=OPTIONAL_AUTH)
def presidency_terms(request: HttpRequest) -> list[Any]:
    """Every term so far, the current one, the rest of the cycle and the next (public)."""
    return [_term(v) for v in presidency_schedule().terms]


@router.get("/presidency/current", response=CurrentOut, auth=OPTIONAL_AUTH)
def presidency_current(request: HttpRequest) -> dict[str, Any]:
    schedule = presidency_schedule()
    return {"current": _term(schedule.current), "next": _term(schedule.next)}


@router.post("/presidency/handover", response={201: HandoverOut}, auth=AUTH)
def presidency_handover(request: HttpRequest, payload: HandoverRecord) -> Status:
    """The outgoing president records the handover to the next holder, once the council's resolution
    confirming it is in force (otherwise 422 with ``errors.resolution`` saying why)."""
    handover = services.handover_record(cmd=payload, actor=signed_in(request))
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
            "resolution_number": handover.resolution.number if handover.resolution else None,
        },
    )


class HandoverMotionOut(Schema):
    id: int
    title: str
    status: str
    term: int


@router.post("/presidency/handover/motion", response={201: HandoverMotionOut}, auth=AUTH)
def presidency_handover_motion(request: HttpRequest) -> Status:
    """Put the pending handover to the council (a ``handover`` motion for the incoming term): the
    secretariat opens it at once, the outgoing president leaves a draft; an undecided or passed motion is
    answered again rather than duplicated. No handover due: 422."""
    motion = services.handover_motion_open(actor=signed_in(request))
    assert motion.handover_term is not None
    return Status(
        201,
        {"id": motion.pk, "title": motion.title, "status": motion.status, "term": motion.handover_term + 1},
    )


class CharterVersionOut(Schema):
    number: int
    effective_on: date
    summary: str
    text: str
    resolution: int | None = None
    resolution_number: str | None = None


def _charter_version(version: CharterVersion) -> dict[str, Any]:
    return {
        "number": version.number,
        "effective_on": version.effective_on,
        "summary": version.summary,
        "text": version.text,
        "resolution": version.resolution_id,
        "resolution_number": version.resolution.number if version.resolution else None,
    }


@router.get("/charter", response=list[CharterVersionOut], auth=OPTIONAL_AUTH)
def charter_versions(request: HttpRequest) -> list[dict[str, Any]]:
    """The charter's versions, the one in force first, each with the resolution it was revised under
    (public)."""
    return [
        _charter_version(v) for v in CharterVersion.objects.select_related("resolution").order_by("-number")
    ]


@router.post("/charter/versions", response={201: CharterVersionOut}, auth=AUTH)
def charter_revise(request: HttpRequest, payload: CharterRevise) -> Status:
    """Record a new version of the charter under a council resolution on a charter motion (secretariat);
    without one, or with any other, 422 with ``errors.resolution`` saying why."""
    version = services.charter_revise(cmd=payload, actor=signed_in(request))
    return Status(201, _charter_version(version))


class HolderOut(Schema):
    position: int
    organization: int
    organization_name: str


class ChangeOut(Schema):
    id: int
    kind: str
    effective_term: int
    order: list[int]
    organization: int | None
    term_months: int | None
    resolution: int
    resolution_number: str
    reason: str
    created_at: datetime


class PlanOut(Schema):
    id: int
    start_date: date
    term_months: int
    holders: list[HolderOut]
    next_term: int
    next_term_months: int
    next_order: list[int]
    still_to_serve_this_cycle: list[int]
    changes: list[ChangeOut]


def _change(c: RotationChange) -> dict[str, Any]:
    return {
        "id": c.pk,
        "kind": c.kind,
        "effective_term": c.effective_sequence + 1,
        "order": [int(x) for x in c.order or []],
        "organization": c.organization_id,
        "term_months": c.term_months,
        "resolution": c.resolution_id,
        "resolution_number": c.resolution.number,
        "reason": c.reason,
        "created_at": c.created_at,
    }


@router.get("/presidency/plan", response=PlanOut, auth=OPTIONAL_AUTH)
def presidency_plan(request: HttpRequest) -> dict[str, Any]:
    """The rotation plan, the state the next term starts from, and every change with its resolution (public)."""
    plan = rotation_plan()
    if plan is None:
        raise Http404
    rotation = rotation_for(plan)
    current = rotation.term_on(timezone.localdate())
    sequence = current.sequence + 1 if current else 0
    state = rotation.state_at(sequence)
    return {
        "id": plan.pk,
        "start_date": plan.start_date,
        "term_months": plan.term_months,
        "holders": [
            {
                "position": h.position,
                "organization": h.organization_id,
                "organization_name": h.organization.name,
            }
            for h in plan.holders.select_related("organization").order_by("position")
        ],
        "next_term": sequence + 1,
        "next_term_months": state.term_months,
        "next_order": list(state.order),
        "still_to_serve_this_cycle": list(state.queue),
        "changes": [
            _change(c) for c in plan.changes.select_related("resolution").order_by("effective_sequence", "id")
        ],
    }


@router.post("/presidency/changes", response={201: ChangeOut}, auth=AUTH)
def presidency_change(request: HttpRequest, payload: RotationChangeCmd) -> Status:
    """Reorder, skip, defer or change the term length from the next term, by a resolution in force
    (secretariat). Without ``resolution`` the change is refused with the page's message."""
    change = services.rotation_change(cmd=payload, actor=signed_in(request))
    return Status(201, _change(RotationChange.objects.select_related("resolution").get(pk=change.pk)))


# ---------------------------------------------------------------- council


def _name(user: User | None) -> str | None:
    return (user.display_name or user.get_username()) if user is not None else None


class RepresentativeOut(Schema):
    user: int = Field(alias="user_id")
    name: str
    starts_on: date
    ends_on: date | None

    @staticmethod
    def resolve_name(obj: SeatRepresentative) -> str | None:
        return _name(obj.user)


class SeatOut(Schema):
    id: int
    organization: int = Field(alias="organization_id")
    organization_name: str = Field(alias="organization.name")
    representative: int | None = Field(alias="representative_id")
    representative_name: str | None
    post: str
    starts_on: date
    ends_on: date | None

    @staticmethod
    def resolve_representative_name(obj: CouncilSeat) -> str | None:
        return _name(obj.representative)


class SeatDetailOut(SeatOut):
    representatives: list[RepresentativeOut]

    @staticmethod
    def resolve_representatives(obj: CouncilSeat) -> list[SeatRepresentative]:
        return list(obj.representatives.select_related("user").order_by("starts_on", "id"))


@router.get("/council/seats", response=list[SeatOut], auth=AUTH)
@paginate(PageNumberPagination, page_size=100)
def seat_list(request: HttpRequest, on: DateIn | None = None) -> Any:
    """The seats valid on ``on`` (today by default), for the council and the secretariat."""
    if not policies.can_view_council(request.user):
        raise PermissionDenied
    return selectors.seat_list(day=on)


@router.post("/council/seats", response={201: SeatDetailOut}, auth=AUTH)
def seat_create(request: HttpRequest, payload: SeatCreate) -> Status:
    """A seat for an active member organization (secretariat); one seat per organization at a time."""
    if not policies.can_manage_council(request.user):
        raise PermissionDenied
    seat = services.seat_create(cmd=payload, actor=signed_in(request))
    return Status(201, selectors.seat_get(viewer=request.user, pk=seat.pk))


@router.get("/council/seats/{seat_id}", response=SeatDetailOut, auth=AUTH)
def seat_detail(request: HttpRequest, seat_id: int) -> CouncilSeat:
    return selectors.seat_get(viewer=request.user, pk=seat_id)


@router.post("/council/seats/{seat_id}/representative", response=SeatDetailOut, auth=AUTH)
def seat_representative(request: HttpRequest, seat_id: int, payload: SeatRepresentativeChange) -> CouncilSeat:
    """A new representative from ``on``; the seat, its votes and the earlier representatives stay."""
    seat = selectors.seat_get(viewer=request.user, pk=seat_id)
    services.seat_change_representative(seat=seat, cmd=payload, actor=signed_in(request))
    return selectors.seat_get(viewer=request.user, pk=seat.pk)


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
def meeting_create(request: HttpRequest, payload: MeetingCreate) -> Status:
    return Status(201, services.meeting_create(cmd=payload, actor=signed_in(request)))


class PaperOut(Schema):
    id: int
    title: str
    content_type: str
    uploaded_at: datetime
    url: str

    @staticmethod
    def resolve_url(obj: MeetingPaper) -> str:
        return f"/api/v1/council/meetings/{obj.meeting_id}/papers/{obj.pk}"


class MeetingDetailOut(MeetingOut):
    papers: list[PaperOut]
    version: int


class MeetingPatch(Schema):
    kind: Literal["plenary", "ordinary", "extraordinary"] | None = None
    title: str | None = None
    starts_at: DateTimeIn | None = None
    place: str | None = None
    online_link: str | None = None
    agenda: list[str] | None = None
    version: Count | None = Field(None, description=VERSION_HELP)


@router.get("/council/meetings/{meeting_id}", response=MeetingDetailOut, auth=AUTH)
def meeting_detail(request: HttpRequest, meeting_id: int) -> Meeting:
    return selectors.meeting_get(viewer=request.user, pk=meeting_id)


@router.patch("/council/meetings/{meeting_id}", response=MeetingDetailOut, auth=AUTH)
def meeting_patch(request: HttpRequest, meeting_id: int, payload: MeetingPatch) -> Meeting:
    """Change a planned meeting (the secretariat or the current president); ``agenda`` replaces the list."""
    meeting = selectors.meeting_get(viewer=request.user, pk=meeting_id)
    current = {f: getattr(meeting, f) for f in ("kind", "title", "starts_at", "place", "online_link")}
    given = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None or k == "agenda"}
    cmd = MeetingUpdate.build({**current, **given})
    services.meeting_update(meeting=meeting, cmd=cmd, actor=signed_in(request))
    return selectors.meeting_get(viewer=request.user, pk=meeting_id)


@router.get("/council/meetings/{meeting_id}/papers", response=list[PaperOut], auth=AUTH)
def meeting_papers(request: HttpRequest, meeting_id: int) -> Any:
    return selectors.meeting_get(viewer=request.user, pk=meeting_id).papers.all()


@router.post("/council/meetings/{meeting_id}/papers", response={201: PaperOut}, auth=AUTH)
def meeting_paper_upload(
    request: HttpRequest, meeting_id: int, file: File[UploadedFile], title: Form[str] = ""
) -> Status:
    """Multipart ``file`` (PDF/JPEG/PNG, checked by content) and optional ``title``, to a planned meeting."""
    meeting = selectors.meeting_get(viewer=request.user, pk=meeting_id)
    return Status(
        201,
        services.meeting_add_paper(
            meeting=meeting, cmd=PaperAdd.build(title=title), file=file, actor=signed_in(request)
        ),
    )


@router.get("/council/meetings/{meeting_id}/papers/{paper_id}", auth=AUTH)
def meeting_paper_file(request: HttpRequest, meeting_id: int, paper_id: int) -> FileResponse:
    meeting = selectors.meeting_get(viewer=request.user, pk=meeting_id)
    paper = get_object_or_404(MeetingPaper, meeting=meeting, pk=paper_id)
    return attachment_response(paper.file, paper.content_type, paper.title)


@router.delete("/council/meetings/{meeting_id}/papers/{paper_id}", response={204: None}, auth=AUTH)
def meeting_paper_delete(request: HttpRequest, meeting_id: int, paper_id: int) -> Status:
    meeting = selectors.meeting_get(viewer=request.user, pk=meeting_id)
    paper = get_object_or_404(MeetingPaper, meeting=meeting, pk=paper_id)
    services.meeting_remove_paper(paper=paper, actor=signed_in(request))
    return Status(204, None)


class MotionIn(MotionCreate):
    status: Literal["draft", "open"] = Field("draft", description="`open`: the secretariat opens it at once")


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
    application: int | None = Field(
        None, alias="application_id", description="the membership application an admission motion decides on"
    )

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


def _seat_rows(motion: Motion) -> list[selectors.SeatVote]:
    rows: list[selectors.SeatVote] = motion.seat_rows  # type: ignore[attr-defined]
    return rows


# A motion with its seats: ``_motion_detail`` puts the rows the viewer may see on ``obj.seat_rows``.
class MotionDetailOut(MotionOut):
    seats_voted: int
    votes: list[SeatVoteOut]

    @staticmethod
    def resolve_seats_voted(obj: Motion) -> int:
        return sum(1 for r in _seat_rows(obj) if r.voted)

    @staticmethod
    def resolve_votes(obj: Motion) -> list[dict[str, Any]]:
        return [
            {
                "seat": r.seat.pk,
                "organization": r.seat.organization.name,
                "voted": r.voted,
                "choice": r.choice or None,
            }
            for r in _seat_rows(obj)
        ]


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
    open_now = payload.status == "open"
    return Status(201, services.motion_create(cmd=payload, actor=signed_in(request), open_now=open_now))


def _motion_detail(request: HttpRequest, motion: Motion) -> Motion:
    """The motion for ``MotionDetailOut``, with the seats' rows the viewer may see."""
    motion.seat_rows = selectors.motion_seat_votes(viewer=request.user, motion=motion)  # type: ignore[attr-defined]
    return motion


@router.get("/council/motions/{motion_id}", response=MotionDetailOut, auth=AUTH)
def motion_detail(request: HttpRequest, motion_id: int) -> Motion:
    """The result with counts once decided; choices per seat only for open ballots after the close."""
    return _motion_detail(request, selectors.motion_get(viewer=request.user, pk=motion_id))


@router.post("/council/motions/{motion_id}/open", response=MotionOut, auth=AUTH)
def motion_open(request: HttpRequest, motion_id: int) -> Motion:
    motion = selectors.motion_get(viewer=request.user, pk=motion_id)
    return services.motion_open(motion=motion, actor=signed_in(request))


@router.post("/council/motions/{motion_id}/votes", response={201: VoteOut}, auth=AUTH)
def motion_vote(request: HttpRequest, motion_id: int, payload: VoteCast) -> Status:
    """Vote (or change the vote) for the representative's seat valid today (``seat`` picks one of
    several)."""
    motion = selectors.motion_get(viewer=request.user, pk=motion_id)
    vote = services.vote_cast(motion=motion, cmd=payload, actor=signed_in(request))
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
def motion_close(request: HttpRequest, motion_id: int) -> Motion:
    motion = selectors.motion_get(viewer=request.user, pk=motion_id)
    motion = services.motion_close(motion=motion, actor=signed_in(request))
    return _motion_detail(request, selectors.motion_get(viewer=request.user, pk=motion.pk))


# ---------------------------------------------------------------- notices


class NoticeIn(NoticeCreate):
    publish: bool = Field(True, description="`false`: keep it as a draft (attachments are added to drafts)")


class AttachmentOut(Schema):
    id: int
    title: str
    content_type: str
    size: int
    url: str

    @staticmethod
    def resolve_size(obj: NoticeAttachment) -> int:
        try:
            return int(obj.file.size)
        except OSError:
            return 0

    @staticmethod
    def resolve_url(obj: NoticeAttachment) -> str:
        return f"/api/v1/notices/{obj.notice_id}/attachments/{obj.pk}"


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
    attachments: list[AttachmentOut]


class ReceiptOut(Schema):
    organization: int
    organization_name: str
    read_at: datetime | None


@router.get("/notices", response=list[NoticeOut], auth=AUTH)
@paginate(PageNumberPagination, page_size=20)
def notice_list(request: HttpRequest, q: str | None = None, unread: bool = False) -> Any:
    """The secretariat sees every notice; members the published notices sent to their organizations."""
    return selectors.notice_list(viewer=request.user, q=q, unread=unread).prefetch_related("attachments")


@router.get("/notices/{notice_id}", response=NoticeOut, auth=AUTH)
def notice_detail(request: HttpRequest, notice_id: int) -> Notice:
    return selectors.notice_get(viewer=request.user, pk=notice_id)


@router.post("/notices/{notice_id}/attachments", response={201: list[AttachmentOut]}, auth=AUTH)
def notice_attach(request: HttpRequest, notice_id: int, files: File[list[UploadedFile]]) -> Status:
    """Multipart upload of one or more ``files`` to a draft notice (secretariat); each is checked by content."""
    notice = selectors.notice_get(viewer=request.user, pk=notice_id)
    return Status(
        201, services.notice_add_attachments(notice=notice, files=list(files), actor=signed_in(request))
    )


@router.delete("/notices/{notice_id}/attachments/{attachment_id}", response={204: None}, auth=AUTH)
def notice_attachment_delete(request: HttpRequest, notice_id: int, attachment_id: int) -> Status:
    notice = selectors.notice_get(viewer=request.user, pk=notice_id)
    attachment = get_object_or_404(NoticeAttachment, notice=notice, pk=attachment_id)
    services.notice_remove_attachment(attachment=attachment, actor=signed_in(request))
    return Status(204, None)


@router.get("/notices/{notice_id}/attachments/{attachment_id}", auth=AUTH)
def notice_attachment_file(request: HttpRequest, notice_id: int, attachment_id: int) -> FileResponse:
    """The file, for the notice's recipients and the secretariat (others get 404)."""
    notice = selectors.notice_get(viewer=request.user, pk=notice_id)
    attachment = get_object_or_404(NoticeAttachment, notice=notice, pk=attachment_id)
    return attachment_response(attachment.file, attachment.content_type, attachment.title)


@router.post("/notices", response={201: NoticeOut}, auth=AUTH)
def notice_create(request: HttpRequest, payload: NoticeIn) -> Status:
    return Status(201, services.notice_create(cmd=payload, actor=signed_in(request), publish=payload.publish))


@router.post("/notices/{notice_id}/read", response=list[ReceiptOut], auth=AUTH)
def notice_read(request: HttpRequest, notice_id: int) -> list[dict[str, Any]]:
    """Confirm reading for every recipient organization the caller speaks for (idempotent)."""
    notice = selectors.notice_get(viewer=request.user, pk=notice_id)
    receipts = services.notice_mark_read(notice=notice, actor=signed_in(request))
    return [
        {"organization": r.organization_id, "organization_name": r.organization.name, "read_at": r.read_at}
        for r in receipts
    ]


# ---------------------------------------------------------------- tasks


class TaskPatch(Schema):
    action: Literal["start", "complete", "cancel", "reopen"] | None = None
    note: str | None = None
    title: str | None = None
    description: str | None = None
    due_on: DateIn | None = None
    owner_user: Id | None = None
    owner_organization: Id | None = None
    version: Count | None = Field(None, description=VERSION_HELP)


class TaskOut(Schema):
    id: int
    title: str
    description: str
    due_on: date
    status: str
    overdue: bool
    owner_user: int | None = Field(alias="owner_user_id")
    owner_organization: int | None = Field(alias="owner_organization_id")
    resolution: int | None = Field(alias="resolution_id")
    completed_at: datetime | None
    version: int


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
def task_create(request: HttpRequest, payload: TaskCreate) -> Status:
    return Status(201, services.task_create(cmd=payload, actor=signed_in(request)))


@router.patch("/tasks/{task_id}", response=TaskOut, auth=AUTH)
def task_patch(request: HttpRequest, task_id: int, payload: TaskPatch) -> Task:
    """Owners: ``action`` start/complete and ``note``; the secretariat also edits, cancels and reopens."""
    task = selectors.task_get(viewer=request.user, pk=task_id)
    cmd = TaskUpdate.build(payload.dict(exclude_unset=True))
    return services.task_update(task=task, cmd=cmd, actor=signed_in(request))

"""Research leads: /api/v1/topics/..., /api/v1/selections/..., /api/v1/reviews/..."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from lianmeng.accounts.throttle import client_ip
from lianmeng.core.api_support import AUTH, OPTIONAL_AUTH, signed_in
from lianmeng.core.pagination import PageNumberPagination
from lianmeng.core.params import Id
from lianmeng.membership.models import Organization

from . import policies, selectors, services
from .commands import (
    CallCreate,
    EntrySubmit,
    ObjectionFile,
    ProposalSubmit,
    ReviewSave,
    RoundCreate,
    ScoreItem,
)
from .models import AssignmentJob, AwardLevel, Proposal, Review, SelectionRound

router = Router(tags=["research"])


# ------------------------------------------------------------------ schemas


class TopicOut(Schema):
    id: int
    code: str
    title: str
    description: str
    keywords: str
    max_budget: Decimal


class CallIn(CallCreate):
    open: bool = Field(True, description="`false`: keep the call as a draft")


class CallOut(Schema):
    id: int
    year: int
    title: str
    description: str
    opens_on: date
    deadline: date
    status: str
    topics: list[TopicOut]


class ProposalIn(ProposalSubmit):
    organization: Id | None = Field(None, description="the proposing organization (the contact's only one)")


class ProposalOut(Schema):
    id: int
    topic: int = Field(alias="topic_id")
    topic_title: str = Field(alias="topic.title")
    organization: int = Field(alias="organization_id")
    organization_name: str = Field(alias="organization.name")
    title: str
    leader: str
    team: str
    plan: str
    keywords: str
    budget: Decimal
    status: str
    status_label: str = Field(alias="get_status_display")
    decision_note: str
    approved_on: date | None
    completed_on: date | None


class ResearchTransitionIn(Schema):
    action: str = Field(max_length=40)
    note: str = Field("", max_length=4000)


class RoundIn(RoundCreate):
    open: bool = Field(True, description="`false`: keep the round in preparation (筹备中)")


class CriterionOut(Schema):
    id: int
    name: str
    description: str
    weight: Decimal
    max_score: int


class TierOut(Schema):
    level: str
    label: str = Field(alias="get_level_display")
    quota_percent: Decimal


class RoundOut(Schema):
    id: int
    kind: str
    year: int
    title: str
    description: str
    status: str
    status_label: str = Field(alias="get_status_display")
    entries_close_on: date
    review_due_on: date
    publicity_days: int
    publicity_starts_at: datetime | None
    publicity_ends_at: datetime | None
    reviewers_per_entry: int
    max_load: int
    min_load: int
    same_city_conflict: bool
    normalisation: str
    criteria: list[CriterionOut]
    tiers: list[TierOut]


class EntryIn(EntrySubmit):
    organization: Id | None = Field(None, description="the entering organization (the contact's only one)")


class EntryOut(Schema):
    id: int
    round: int = Field(alias="round_id")
    organization: int = Field(alias="organization_id")
    organization_name: str = Field(alias="organization.name")
    title: str
    authors: str
    summary: str
    keywords: str
    status: str
    eligibility_note: str
    score: Decimal | None
    rank: int | None
    award: str


class AssignmentRunIn(Schema):
    mode: Literal["total", "fair"] = "total"
    time_limit: float | None = Field(
        None, ge=1, le=600, description="Seconds for the whole computation (fair mode; default 20)."
    )


class AssignmentJobOut(Schema):
    id: int
    round: int = Field(alias="round_id")
    mode: str
    status: str = Field(description="queued, running, done, applied, cancelled, failed or stale")
    stage: str
    best_worst: int | None = Field(description="The best worst-entry affinity found so far")
    ceiling: float | None = Field(description="Proven upper bound on the worst entry (fair mode)")
    gap: float | None = Field(description="(ceiling - best_worst) / ceiling")
    seconds: float
    time_limit: float
    error: str
    figures: dict[str, Any] | None = Field(description="Quality figures of the result, once done")
    status_url: str

    @staticmethod
    def resolve_figures(job: AssignmentJob) -> dict[str, Any] | None:
        figures: dict[str, Any] | None = (job.result or {}).get("figures")
        return figures

    @staticmethod
    def resolve_status_url(job: AssignmentJob) -> str:
        return f"/api/v1/selections/{job.round_id}/assignment/jobs/{job.pk}"


class PairOut(Schema):
    entry: int = Field(alias="entry_id")
    entry_title: str = Field(alias="entry.title")
    expert: int = Field(alias="expert_id")
    expert_name: str = Field(alias="expert.name")
    affinity: int
    explanation: list[dict[str, str]]
    status: str


class AssignmentOut(Schema):
    pairs: list[PairOut]
    figures: dict[str, Any]


class InviteOut(Schema):
    invited: int


class ReviewScoresIn(ReviewSave):
    """``{"scores": {"<criterion id>": {"score": 8.5, "comment": "…"}}, "overall_comment": "…"}``."""


class ScoreOut(Schema):
    criterion: int = Field(alias="criterion_id")
    criterion_name: str = Field(alias="criterion.name")
    max_score: int = Field(alias="criterion.max_score")
    score: Decimal | None
    comment: str


class ReviewOut(Schema):
    id: int
    assignment: int = Field(alias="assignment_id")
    round: int = Field(alias="assignment.round_id")
    entry: int = Field(alias="assignment.entry_id")
    entry_title: str = Field(alias="assignment.entry.title")
    status: str
    weighted_score: Decimal | None
    overall_comment: str
    version: int
    scores: list[ScoreOut]


class ResultOut(Schema):
    rank: int | None
    entry: int
    title: str
    organization_name: str
    city: str
    score: Decimal | None
    award: str
    award_label: str


class ObjectionIn(ObjectionFile):
    pass


class ObjectionOut(Schema):
    id: int
    status: str
    entry: int | None = Field(alias="entry_id")


class FinaliseOut(Schema):
    id: int
    status: str
    achievements: list[int]


# ------------------------------------------------------------------ helpers


def _org_for(request: HttpRequest, org_id: int | None) -> Organization:
    """The organization an entry/proposal is for: given, or the contact's only one."""
    if org_id is not None:
        org = Organization.objects.filter(pk=org_id).first()
        if org is None:
            raise PermissionDenied
        return org
    orgs = request.user.contact_organizations  # type: ignore[union-attr]
    if len(orgs) != 1:
        raise PermissionDenied
    return orgs[0]


def _pairs(selection: SelectionRound, request: HttpRequest) -> dict[str, Any]:
    rows = selectors.round_assignments(viewer=request.user, selection=selection)
    return {"pairs": rows, "figures": selection.assignment_figures}


# ------------------------------------------------------------------ topics


@router.get("/topics/calls", response=list[CallOut], auth=OPTIONAL_AUTH)
@paginate(PageNumberPagination, page_size=20)
def call_list(request: HttpRequest) -> Any:
    """Topic calls (课题指南) with their topics; drafts only for the secretariat."""
    return selectors.call_list(viewer=request.user).prefetch_related("topics")


@router.post("/topics/calls", response={201: CallOut}, auth=AUTH)
def call_create(request: HttpRequest, payload: CallIn) -> Status:
    user = signed_in(request)
    call = services.call_create(cmd=payload, actor=user)
    if payload.open:
        call = services.call_transition(call=call, action="open", actor=user)
    return Status(201, call)


@router.get("/topics/proposals", response=list[ProposalOut], auth=AUTH)
@paginate(PageNumberPagination, page_size=20)
def proposal_list(request: HttpRequest, call: Id | None = None, status: str | None = None) -> Any:
    """The secretariat sees every proposal; a member contact their own organization's."""
    return selectors.proposal_list(viewer=request.user, call=call, status=status)


@router.post("/topics/proposals", response={201: ProposalOut}, auth=AUTH)
def proposal_create(request: HttpRequest, payload: ProposalIn) -> Status:
    org = _org_for(request, payload.organization)
    return Status(201, services.proposal_submit(cmd=payload, organization=org, actor=signed_in(request)))


@router.post("/topics/proposals/{proposal_id}/transition", response=ProposalOut, auth=AUTH)
def proposal_transition(request: HttpRequest, proposal_id: int, payload: ResearchTransitionIn) -> Proposal:
    """Actions: withdraw (member); review, approve (立项), reject, pass_midterm, complete (结项), terminate."""
    proposal = selectors.proposal_get(viewer=request.user, pk=proposal_id)
    return services.proposal_transition(
        proposal=proposal, action=payload.action, note=payload.note, actor=signed_in(request)
    )


# ------------------------------------------------------------------ selection rounds


@router.get("/selections", response=list[RoundOut], auth=OPTIONAL_AUTH)
@paginate(PageNumberPagination, page_size=20)
def round_list(request: HttpRequest, status: str | None = None, kind: str | None = None) -> Any:
    """Rounds the viewer may see (the public: rounds in 公示 and final)."""
    return selectors.round_list(viewer=request.user, status=status, kind=kind).prefetch_related(
        "criteria", "tiers"
    )


@router.post("/selections", response={201: RoundOut}, auth=AUTH)
def round_create(request: HttpRequest, payload: RoundIn) -> Status:
    user = signed_in(request)
    selection = services.round_create(cmd=payload, actor=user)
    if payload.open:
        selection = services.round_transition(selection=selection, action="open", actor=user)
    return Status(201, selection)


@router.get("/selections/{round_id}/entries", response=list[EntryOut], auth=AUTH)
def entry_list(request: HttpRequest, round_id: int) -> Any:
    """The secretariat: all entries; a member: its own; an expert: those assigned to them (no conflicts)."""
    selection = selectors.round_get(viewer=request.user, pk=round_id)
    return selectors.entry_list(viewer=request.user, selection=selection)


@router.post("/selections/{round_id}/entries", response={201: EntryOut}, auth=AUTH)
def entry_create(request: HttpRequest, round_id: int, payload: EntryIn) -> Status:
    selection = selectors.round_get(viewer=request.user, pk=round_id)
    org = _org_for(request, payload.organization)
    return Status(
        201,
        services.entry_submit(selection=selection, organization=org, cmd=payload, actor=signed_in(request)),
    )


@router.post("/selections/{round_id}/transition", response=RoundOut, auth=AUTH)
def round_transition(request: HttpRequest, round_id: int, payload: ResearchTransitionIn) -> SelectionRound:
    """Actions: open, start_review, publish (公示), finalise."""
    selection = selectors.round_get(viewer=request.user, pk=round_id)
    return services.round_transition(selection=selection, action=payload.action, actor=signed_in(request))


@router.post("/selections/{round_id}/entries/{entry_id}/transition", response=EntryOut, auth=AUTH)
def entry_transition(
    request: HttpRequest, round_id: int, entry_id: int, payload: ResearchTransitionIn
) -> Any:
    """Eligibility: accept / refuse (with a note) by the secretariat; withdraw by the member."""
    entry, access = selectors.entry_get(viewer=request.user, pk=entry_id)
    if entry.round_id != round_id or access != "full":
        raise PermissionDenied
    return services.entry_transition(
        entry=entry, action=payload.action, note=payload.note, actor=signed_in(request)
    )


def _job(request: HttpRequest, round_id: int, job_id: int) -> AssignmentJob:
    if not policies.can_manage_research(request.user):
        raise PermissionDenied
    selection = selectors.round_get(viewer=request.user, pk=round_id)
    return get_object_or_404(AssignmentJob, pk=job_id, round=selection)


@router.post("/selections/{round_id}/assignment", response={202: AssignmentJobOut}, auth=AUTH)
def assignment(request: HttpRequest, round_id: int, payload: AssignmentRunIn) -> Any:
    """Start computing the optimal assignment in the background (``lianmeng worker``): ``total`` (maximum
    total affinity, exact) or ``fair`` (maximise the worst entry's affinity, then the total, with a proven
    ceiling). Answers 202 with the job; follow ``status_url`` for progress, then apply the result."""
    if not policies.can_manage_research(request.user):
        raise PermissionDenied
    selection = selectors.round_get(viewer=request.user, pk=round_id)
    job = services.assignment_start(
        selection=selection, mode=payload.mode, actor=signed_in(request), time_limit=payload.time_limit
    )
    return Status(202, job)


@router.get("/selections/{round_id}/assignment/jobs/{job_id}", response=AssignmentJobOut, auth=AUTH)
def assignment_job(request: HttpRequest, round_id: int, job_id: int) -> AssignmentJob:
    """An assignment computation: status, stage, best worst entry so far, ceiling and gap, seconds."""
    return _job(request, round_id, job_id)


@router.post("/selections/{round_id}/assignment/jobs/{job_id}/apply", response=AssignmentOut, auth=AUTH)
def assignment_apply(request: HttpRequest, round_id: int, job_id: int) -> dict[str, Any]:
    """Apply a finished computation (refused when the round changed since it started: compute again).
    Returns the pairs with explanations and the quality figures."""
    selection = services.assignment_apply(job=_job(request, round_id, job_id), actor=signed_in(request))
    return _pairs(selection, request)


@router.post("/selections/{round_id}/assignment/jobs/{job_id}/cancel", response=AssignmentJobOut, auth=AUTH)
def assignment_cancel(request: HttpRequest, round_id: int, job_id: int) -> AssignmentJob:
    """Stop a queued or running computation."""
    return services.assignment_cancel(job=_job(request, round_id, job_id), actor=signed_in(request))


@router.post("/selections/{round_id}/invite", response=InviteOut, auth=AUTH)
def invite(request: HttpRequest, round_id: int) -> dict[str, int]:
    selection = selectors.round_get(viewer=request.user, pk=round_id)
    return {"invited": services.assignment_invite(selection=selection, actor=signed_in(request))}


@router.get("/selections/{round_id}/results", response=list[ResultOut], auth=OPTIONAL_AUTH)
def results(request: HttpRequest, round_id: int) -> list[dict[str, Any]]:
    """Ranked results, public once the round is in 公示."""
    selection = selectors.round_get(viewer=request.user, pk=round_id)
    if not policies.round_is_public(selection) and not policies.is_secretariat(request.user):
        raise PermissionDenied
    if policies.round_is_public(selection):
        entries = services.round_results(selection)
        rows = [(e.rank, e, e.score, e.award) for e in entries]
    else:
        rows = [
            (r.rank, r.entry, None if r.score is None else Decimal(str(round(r.score, 3))), r.award)
            for r in services.compute_results(selection)
        ]
    return [
        {
            "rank": rank,
            "entry": e.pk,
            "title": e.title,
            "organization_name": e.organization.name,
            "city": e.organization.city.name,
            "score": score,
            "award": award,
            "award_label": str(AwardLevel(award).label) if award else "",
        }
        for rank, e, score, award in rows
    ]


@router.post("/selections/{round_id}/objections", response={201: ObjectionOut}, auth=OPTIONAL_AUTH)
def objection_create(request: HttpRequest, round_id: int, payload: ObjectionIn) -> Status:
    """Anyone may object during 公示 (reasons and a contact are required)."""
    selection = get_object_or_404(SelectionRound, pk=round_id)
    objection = services.objection_file(
        selection=selection, cmd=payload, actor=request.user, ip=client_ip(request)
    )
    return Status(201, objection)


@router.post("/selections/{round_id}/finalise", response=FinaliseOut, auth=AUTH)
def finalise(request: HttpRequest, round_id: int) -> dict[str, Any]:
    """After 公示 with every objection answered: winners become or update achievements."""
    selection = selectors.round_get(viewer=request.user, pk=round_id)
    selection = services.round_transition(selection=selection, action="finalise", actor=signed_in(request))
    ids = list(
        selection.entries.exclude(result_achievement=None).values_list("result_achievement_id", flat=True)
    )
    return {"id": selection.pk, "status": selection.status, "achievements": ids}


# ------------------------------------------------------------------ reviews


@router.get("/reviews", response=list[ReviewOut], auth=AUTH)
def review_list(request: HttpRequest) -> list[Review]:
    """The signed-in expert's own reviews (a draft is opened for each invitation)."""
    user = signed_in(request)
    assignments = selectors.my_assignments(viewer=user)
    for a in assignments:
        if a.my_review is None:  # type: ignore[attr-defined]
            services.review_open(assignment=a, actor=user)
    return selectors.reviews_of(assignments)


@router.put("/reviews/{review_id}", response=ReviewOut, auth=AUTH)
def review_update(request: HttpRequest, review_id: int, payload: ReviewScoresIn) -> Review:
    """Save a draft: ``{"scores": {"<criterion id>": {"score": 8.5, "comment": "…"}}}``."""
    review = selectors.review_get(viewer=request.user, pk=review_id)
    services.review_save(review=review, cmd=payload, actor=signed_in(request))
    return selectors.review_get(viewer=request.user, pk=review_id)


@router.post("/reviews/{review_id}/submit", response=ReviewOut, auth=AUTH)
def review_submit(request: HttpRequest, review_id: int) -> Review:
    """Submit the saved draft (every criterion scored with a comment); the review is locked afterwards."""
    review = selectors.review_get(viewer=request.user, pk=review_id)
    cmd = ReviewSave(
        scores={s.criterion_id: ScoreItem(score=s.score, comment=s.comment) for s in review.scores.all()},
        overall_comment=review.overall_comment,
    )
    services.review_save(review=review, cmd=cmd, actor=signed_in(request), submit=True)
    return selectors.review_get(viewer=request.user, pk=review_id)

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
from lianmeng.core.api_support import AUTH, OPTIONAL_AUTH
from lianmeng.core.concurrency import VERSION_HELP
from lianmeng.core.pagination import PageNumberPagination
from lianmeng.core.params import Count, DateIn, Id, SmallCount, Year
from lianmeng.membership.models import Organization

from . import policies, selectors, services
from .models import AssignmentJob, Proposal, Review, SelectionRound, TopicCall

router = Router(tags=["research"])


# ------------------------------------------------------------------ schemas


class TopicIn(Schema):
    code: str = ""
    title: str
    description: str = ""
    keywords: str = ""
    max_budget: Decimal = Decimal(0)


class TopicOut(Schema):
    id: int
    code: str
    title: str
    description: str
    keywords: str
    max_budget: Decimal


class CallIn(Schema):
    year: Year
    title: str
    description: str = ""
    opens_on: DateIn
    deadline: DateIn
    topics: list[TopicIn]
    open: bool = True


class CallOut(Schema):
    id: int
    year: int
    title: str
    description: str
    opens_on: date
    deadline: date
    status: str
    topics: list[TopicOut]

    @staticmethod
    def resolve_topics(obj: TopicCall) -> list[Any]:
        return list(obj.topics.all())


class ProposalIn(Schema):
    topic: Id
    organization: Id | None = None
    title: str
    leader: str
    team: str
    plan: str
    keywords: str = ""
    budget: Decimal


class ProposalOut(Schema):
    id: int
    topic: int
    topic_title: str
    organization: int
    organization_name: str
    title: str
    leader: str
    team: str
    plan: str
    keywords: str
    budget: Decimal
    status: str
    status_label: str
    decision_note: str
    approved_on: date | None
    completed_on: date | None

    @staticmethod
    def resolve_topic(obj: Proposal) -> int:
        return obj.topic_id

    @staticmethod
    def resolve_topic_title(obj: Proposal) -> str:
        return obj.topic.title

    @staticmethod
    def resolve_organization(obj: Proposal) -> int:
        return obj.organization_id

    @staticmethod
    def resolve_organization_name(obj: Proposal) -> str:
        return obj.organization.name

    @staticmethod
    def resolve_status_label(obj: Proposal) -> str:
        return str(obj.get_status_display())


class ResearchTransitionIn(Schema):
    action: str
    note: str = ""


class CriterionIn(Schema):
    name: str
    description: str = ""
    weight: Decimal
    max_score: SmallCount = 10


class TierIn(Schema):
    level: Literal["first", "second", "third", "excellent", "approved"]
    quota_percent: Decimal


class RoundIn(Schema):
    kind: str
    year: Year
    title: str
    description: str = ""
    require_good_standing: bool = True
    accepted_kinds: list[str] = []
    one_entry_per_organization: bool = True
    entries_close_on: DateIn
    review_due_on: DateIn
    publicity_days: SmallCount = 7
    objection_contact: str = ""
    reviewers_per_entry: SmallCount = 3
    max_load: SmallCount = 6
    min_load: SmallCount = 0
    same_city_conflict: bool = True
    normalisation: Literal["none", "zscore"] = "none"
    criteria: list[CriterionIn]
    tiers: list[TierIn]
    open: bool = True


class CriterionOut(Schema):
    id: int
    name: str
    description: str
    weight: Decimal
    max_score: int


class TierOut(Schema):
    level: str
    label: str
    quota_percent: Decimal

    @staticmethod
    def resolve_label(obj: Any) -> str:
        return str(obj.get_level_display())


class RoundOut(Schema):
    id: int
    kind: str
    year: int
    title: str
    description: str
    status: str
    status_label: str
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

    @staticmethod
    def resolve_status_label(obj: SelectionRound) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_criteria(obj: SelectionRound) -> list[Any]:
        return list(obj.criteria.all())

    @staticmethod
    def resolve_tiers(obj: SelectionRound) -> list[Any]:
        return list(obj.tiers.all())


class EntryIn(Schema):
    organization: Id | None = None
    title: str
    authors: str
    summary: str
    keywords: str = ""
    achievement: Id | None = None


class EntryOut(Schema):
    id: int
    round: int
    organization: int
    organization_name: str
    title: str
    authors: str
    summary: str
    keywords: str
    status: str
    eligibility_note: str
    score: Decimal | None
    rank: int | None
    award: str

    @staticmethod
    def resolve_round(obj: Any) -> int:
        return int(obj.round_id)

    @staticmethod
    def resolve_organization(obj: Any) -> int:
        return int(obj.organization_id)

    @staticmethod
    def resolve_organization_name(obj: Any) -> str:
        return str(obj.organization.name)


class AssignmentRunIn(Schema):
    mode: Literal["total", "fair"] = "total"
    time_limit: float | None = Field(
        None, ge=1, le=600, description="Seconds for the whole computation (fair mode; default 20)."
    )


class AssignmentJobOut(Schema):
    id: int
    round: int
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


class PairOut(Schema):
    entry: int
    entry_title: str
    expert: int
    expert_name: str
    affinity: int
    explanation: list[dict[str, str]]
    status: str


class AssignmentOut(Schema):
    pairs: list[PairOut]
    figures: dict[str, Any]


class InviteOut(Schema):
    invited: int


class ScoreIn(Schema):
    score: Decimal | None = None
    comment: str = ""


class ReviewScoresIn(Schema):
    scores: dict[int, ScoreIn]
    overall_comment: str = ""
    version: Count | None = Field(None, description=VERSION_HELP)


class ScoreOut(Schema):
    criterion: int
    criterion_name: str
    max_score: int
    score: Decimal | None
    comment: str


class ReviewOut(Schema):
    id: int
    assignment: int
    round: int
    entry: int
    entry_title: str
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


class ObjectionIn(Schema):
    entry: Id | None = None
    name: str
    contact: str
    reasons: str


class ObjectionOut(Schema):
    id: int
    status: str
    entry: int | None


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
    return {
        "pairs": [
            {
                "entry": a.entry_id,
                "entry_title": a.entry.title,
                "expert": a.expert_id,
                "expert_name": a.expert.name,
                "affinity": a.affinity,
                "explanation": a.explanation,
                "status": a.status,
            }
            for a in rows
        ],
        "figures": selection.assignment_figures,
    }


def _review_out(review: Review) -> dict[str, Any]:
    a = review.assignment
    return {
        "id": review.pk,
        "assignment": a.pk,
        "round": a.round_id,
        "entry": a.entry_id,
        "entry_title": a.entry.title,
        "status": review.status,
        "weighted_score": review.weighted_score,
        "overall_comment": review.overall_comment,
        "version": review.version,
        "scores": [
            {
                "criterion": s.criterion_id,
                "criterion_name": s.criterion.name,
                "max_score": s.criterion.max_score,
                "score": s.score,
                "comment": s.comment,
            }
            for s in review.scores.select_related("criterion").all()
        ],
    }


# ------------------------------------------------------------------ topics


@router.get("/topics/calls", response=list[CallOut], auth=OPTIONAL_AUTH)
@paginate(PageNumberPagination, page_size=20)
def call_list(request: HttpRequest) -> Any:
    """Topic calls (课题指南) with their topics; drafts only for the secretariat."""
    return selectors.call_list(viewer=request.user).prefetch_related("topics")


@router.post("/topics/calls", response={201: CallOut}, auth=AUTH)
def call_create(request: HttpRequest, payload: CallIn) -> Status:
    data = payload.dict()
    open_now = data.pop("open")
    call = services.call_create(data=data, actor=request.user)
    if open_now:
        call = services.call_transition(call=call, action="open", actor=request.user)
    return Status(201, call)


@router.get("/topics/proposals", response=list[ProposalOut], auth=AUTH)
@paginate(PageNumberPagination, page_size=20)
def proposal_list(request: HttpRequest, call: Id | None = None, status: str | None = None) -> Any:
    """The secretariat sees every proposal; a member contact their own organization's."""
    return selectors.proposal_list(viewer=request.user, call=call, status=status)


@router.post("/topics/proposals", response={201: ProposalOut}, auth=AUTH)
def proposal_create(request: HttpRequest, payload: ProposalIn) -> Status:
    data = payload.dict()
    org = _org_for(request, data.pop("organization"))
    return Status(201, services.proposal_submit(data=data, organization=org, actor=request.user))


@router.post("/topics/proposals/{proposal_id}/transition", response=ProposalOut, auth=AUTH)
def proposal_transition(request: HttpRequest, proposal_id: int, payload: ResearchTransitionIn) -> Proposal:
    """Actions: withdraw (member); review, approve (立项), reject, pass_midterm, complete (结项), terminate."""
    proposal = selectors.proposal_get(viewer=request.user, pk=proposal_id)
    return services.proposal_transition(
        proposal=proposal, action=payload.action, note=payload.note, actor=request.user
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
    data = payload.dict()
    open_now = data.pop("open")
    selection = services.round_create(data=data, actor=request.user)
    if open_now:
        selection = services.round_transition(selection=selection, action="open", actor=request.user)
    return Status(201, selection)


@router.get("/selections/{round_id}/entries", response=list[EntryOut], auth=AUTH)
def entry_list(request: HttpRequest, round_id: int) -> Any:
    """The secretariat: all entries; a member: its own; an expert: those assigned to them (no conflicts)."""
    selection = selectors.round_get(viewer=request.user, pk=round_id)
    return selectors.entry_list(viewer=request.user, selection=selection)


@router.post("/selections/{round_id}/entries", response={201: EntryOut}, auth=AUTH)
def entry_create(request: HttpRequest, round_id: int, payload: EntryIn) -> Status:
    selection = selectors.round_get(viewer=request.user, pk=round_id)
    data = payload.dict()
    org = _org_for(request, data.pop("organization"))
    return Status(
        201, services.entry_submit(selection=selection, organization=org, data=data, actor=request.user)
    )


@router.post("/selections/{round_id}/transition", response=RoundOut, auth=AUTH)
def round_transition(request: HttpRequest, round_id: int, payload: ResearchTransitionIn) -> SelectionRound:
    """Actions: open, start_review, publish (公示), finalise."""
    selection = selectors.round_get(viewer=request.user, pk=round_id)
    return services.round_transition(selection=selection, action=payload.action, actor=request.user)


@router.post("/selections/{round_id}/entries/{entry_id}/transition", response=EntryOut, auth=AUTH)
def entry_transition(
    request: HttpRequest, round_id: int, entry_id: int, payload: ResearchTransitionIn
) -> Any:
    """Eligibility: accept / refuse (with a note) by the secretariat; withdraw by the member."""
    entry, access = selectors.entry_get(viewer=request.user, pk=entry_id)
    if entry.round_id != round_id or access != "full":
        raise PermissionDenied
    return services.entry_transition(
        entry=entry, action=payload.action, note=payload.note, actor=request.user
    )


def _job_out(job: AssignmentJob) -> dict[str, Any]:
    return {
        "id": job.pk,
        "round": job.round_id,
        "mode": job.mode,
        "status": job.status,
        "stage": job.stage,
        "best_worst": job.best_worst,
        "ceiling": job.ceiling,
        "gap": job.gap,
        "seconds": job.seconds,
        "time_limit": job.time_limit,
        "error": job.error,
        "figures": (job.result or {}).get("figures"),
        "status_url": f"/api/v1/selections/{job.round_id}/assignment/jobs/{job.pk}",
    }


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
        selection=selection, mode=payload.mode, actor=request.user, time_limit=payload.time_limit
    )
    return Status(202, _job_out(job))


@router.get("/selections/{round_id}/assignment/jobs/{job_id}", response=AssignmentJobOut, auth=AUTH)
def assignment_job(request: HttpRequest, round_id: int, job_id: int) -> dict[str, Any]:
    """An assignment computation: status, stage, best worst entry so far, ceiling and gap, seconds."""
    return _job_out(_job(request, round_id, job_id))


@router.post("/selections/{round_id}/assignment/jobs/{job_id}/apply", response=AssignmentOut, auth=AUTH)
def assignment_apply(request: HttpRequest, round_id: int, job_id: int) -> dict[str, Any]:
    """Apply a finished computation (refused when the round changed since it started: compute again).
    Returns the pairs with explanations and the quality figures."""
    selection = services.assignment_apply(job=_job(request, round_id, job_id), actor=request.user)
    return _pairs(selection, request)


@router.post("/selections/{round_id}/assignment/jobs/{job_id}/cancel", response=AssignmentJobOut, auth=AUTH)
def assignment_cancel(request: HttpRequest, round_id: int, job_id: int) -> dict[str, Any]:
    """Stop a queued or running computation."""
    return _job_out(services.assignment_cancel(job=_job(request, round_id, job_id), actor=request.user))


@router.post("/selections/{round_id}/invite", response=InviteOut, auth=AUTH)
def invite(request: HttpRequest, round_id: int) -> dict[str, int]:
    selection = selectors.round_get(viewer=request.user, pk=round_id)
    return {"invited": services.assignment_invite(selection=selection, actor=request.user)}


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
    from .models import AwardLevel

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
        selection=selection, data=payload.dict(), actor=request.user, ip=client_ip(request)
    )
    return Status(201, {"id": objection.pk, "status": objection.status, "entry": objection.entry_id})


@router.post("/selections/{round_id}/finalise", response=FinaliseOut, auth=AUTH)
def finalise(request: HttpRequest, round_id: int) -> dict[str, Any]:
    """After 公示 with every objection answered: winners become or update achievements."""
    selection = selectors.round_get(viewer=request.user, pk=round_id)
    selection = services.round_transition(selection=selection, action="finalise", actor=request.user)
    ids = list(
        selection.entries.exclude(result_achievement=None).values_list("result_achievement_id", flat=True)
    )
    return {"id": selection.pk, "status": selection.status, "achievements": ids}


# ------------------------------------------------------------------ reviews


@router.get("/reviews", response=list[ReviewOut], auth=AUTH)
def review_list(request: HttpRequest) -> list[dict[str, Any]]:
    """The signed-in expert's own reviews (a draft is opened for each invitation)."""
    out = []
    for a in selectors.my_assignments(viewer=request.user):
        review = a.my_review or services.review_open(assignment=a, actor=request.user)  # type: ignore[attr-defined]
        review.assignment = a
        out.append(_review_out(review))
    return out


@router.put("/reviews/{review_id}", response=ReviewOut, auth=AUTH)
def review_update(request: HttpRequest, review_id: int, payload: ReviewScoresIn) -> dict[str, Any]:
    """Save a draft: ``{"scores": {"<criterion id>": {"score": 8.5, "comment": "…"}}}``."""
    review = selectors.review_get(viewer=request.user, pk=review_id)
    data = {
        "scores": {k: v.dict() for k, v in payload.scores.items()},
        "overall_comment": payload.overall_comment,
        "version": payload.version,
    }
    review = services.review_save(review=review, data=data, actor=request.user)
    return _review_out(selectors.review_get(viewer=request.user, pk=review.pk))


@router.post("/reviews/{review_id}/submit", response=ReviewOut, auth=AUTH)
def review_submit(request: HttpRequest, review_id: int) -> dict[str, Any]:
    """Submit the saved draft (every criterion scored with a comment); the review is locked afterwards."""
    review = selectors.review_get(viewer=request.user, pk=review_id)
    data = {
        "scores": {s.criterion_id: {"score": s.score, "comment": s.comment} for s in review.scores.all()},
        "overall_comment": review.overall_comment,
    }
    review = services.review_save(review=review, data=data, actor=request.user, submit=True)
    return _review_out(selectors.review_get(viewer=request.user, pk=review.pk))

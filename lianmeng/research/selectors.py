"""Reads in research leads, filtered by what the viewer may see. Missing and hidden give the same 404.

An expert sees an entry (its text and files) and its review only while assigned (invited or accepted)
and only if no conflict rule holds *now*: the rules are evaluated again on every read, so a conflict
declared after the assignment hides the entry at once.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from lianmeng.library.models import Expert

from . import policies
from .matching import conflict_reasons, entry_facts, expert_facts
from .models import (
    Assignment,
    AssignmentStatus,
    CallStatus,
    Entry,
    EntryFile,
    EntryStatus,
    Objection,
    Proposal,
    ProposalFile,
    Review,
    ReviewStatus,
    RoundStatus,
    SelectionRound,
    TopicCall,
)

VISIBLE_ASSIGNMENT = (AssignmentStatus.INVITED, AssignmentStatus.ACCEPTED)


# ------------------------------------------------------------------ topics


def call_list(*, viewer: Any) -> QuerySet[TopicCall]:
    qs = TopicCall.objects.annotate(n_topics=Count("topics", distinct=True))
    if not policies.is_secretariat(viewer):
        qs = qs.exclude(status=CallStatus.DRAFT)
    return qs.order_by("-year", "-id")


def call_get(*, viewer: Any, pk: int) -> TopicCall:
    call = TopicCall.objects.filter(pk=pk).prefetch_related("topics").first()
    if call is None or (call.status == CallStatus.DRAFT and not policies.is_secretariat(viewer)):
        raise Http404
    return call


def proposal_list(*, viewer: Any, call: int | None = None, status: str | None = None) -> QuerySet[Proposal]:
    qs = Proposal.objects.select_related("topic__call", "organization")
    if not policies.is_secretariat(viewer):
        qs = qs.filter(organization_id__in=policies.contact_org_ids(viewer))
    if call:
        qs = qs.filter(topic__call_id=call)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")


def proposal_get(*, viewer: Any, pk: int) -> Proposal:
    proposal = (
        Proposal.objects.select_related("topic__call", "organization__city", "submitted_by")
        .prefetch_related("files", "milestones", "outputs__achievement")
        .filter(pk=pk)
        .first()
    )
    if proposal is None or not policies.can_edit_proposal(viewer, proposal):
        raise Http404
    return proposal


def proposal_file_get(*, viewer: Any, pk: int) -> ProposalFile:
    item = ProposalFile.objects.select_related("proposal").filter(pk=pk).first()
    if item is None or not policies.can_edit_proposal(viewer, item.proposal):
        raise Http404
    return item


# ------------------------------------------------------------------ rounds


def round_list(
    *, viewer: Any, status: str | None = None, kind: str | None = None
) -> QuerySet[SelectionRound]:
    qs = SelectionRound.objects.annotate(
        n_entries=Count("entries", filter=~Q(entries__status=EntryStatus.WITHDRAWN), distinct=True)
    )
    if not policies.is_secretariat(viewer):
        qs = qs.exclude(status=RoundStatus.DRAFT)
        if not policies.signed_in(viewer):
            qs = qs.filter(status__in=(RoundStatus.PUBLICITY, RoundStatus.FINAL))
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-year", "-id")


def public_rounds() -> QuerySet[SelectionRound]:
    return SelectionRound.objects.filter(status__in=(RoundStatus.PUBLICITY, RoundStatus.FINAL)).order_by(
        "-publicity_starts_at", "-id"
    )


def round_get(*, viewer: Any, pk: int) -> SelectionRound:
    selection = SelectionRound.objects.filter(pk=pk).prefetch_related("criteria", "tiers").first()
    if selection is None:
        raise Http404
    if selection.status == RoundStatus.DRAFT and not policies.is_secretariat(viewer):
        raise Http404
    if not policies.signed_in(viewer) and not policies.round_is_public(selection):
        raise Http404
    return selection


def _expert_assignments(expert: Any, qs: QuerySet[Assignment]) -> list[Assignment]:
    """The expert's assignments among ``qs`` without a conflict under the current data."""
    facts = expert_facts(expert)
    out = []
    for a in qs.filter(expert=expert, status__in=VISIBLE_ASSIGNMENT).select_related(
        "round", "entry__organization", "entry__proposal"
    ):
        if not conflict_reasons(facts, entry_facts(a.entry), same_city=a.round.same_city_conflict):
            out.append(a)
    return out


def _expert_with_facts(viewer: Any) -> Any:
    expert = policies.expert_of(viewer)
    if expert is None:
        return None
    return (
        Expert.objects.select_related("organization")
        .prefetch_related("fields", "declared_conflicts")
        .get(pk=expert.pk)
    )


def entry_list(*, viewer: Any, selection: SelectionRound) -> list[Entry]:
    """Entries of a round as the viewer may see them: the secretariat all, a member its own, an expert
    the entries assigned to them (conflict-free), the public the ranked results once in 公示."""
    base = (
        Entry.objects.filter(round=selection)
        .select_related("organization__city")
        .order_by("created_at", "id")
    )
    if policies.is_secretariat(viewer):
        return list(
            base.annotate(
                n_assigned=Count(
                    "assignments",
                    filter=Q(assignments__status__in=(*VISIBLE_ASSIGNMENT, AssignmentStatus.PROPOSED)),
                )
            )
        )
    seen: dict[int, Entry] = {}
    orgs = policies.contact_org_ids(viewer)
    if orgs:
        for e in base.filter(organization_id__in=orgs):
            seen[e.pk] = e
    expert = _expert_with_facts(viewer)
    if expert is not None:
        for a in _expert_assignments(expert, Assignment.objects.filter(round=selection)):
            seen.setdefault(a.entry.pk, a.entry)
    return sorted(seen.values(), key=lambda e: (e.created_at, e.pk))


def can_read_entry(viewer: Any, entry: Entry) -> str:
    """'full' (secretariat, own organization, conflict-free assigned expert), 'public' (a result in
    公示 or final), or '' (not visible)."""
    if policies.is_secretariat(viewer) or entry.organization_id in policies.contact_org_ids(viewer):
        return "full"
    expert = _expert_with_facts(viewer)
    if expert is not None and _expert_assignments(expert, Assignment.objects.filter(entry=entry)):
        return "full"
    if (
        policies.round_is_public(entry.round)
        and entry.rank is not None
        and entry.status == EntryStatus.ELIGIBLE
    ):
        return "public"
    return ""


def entry_get(*, viewer: Any, pk: int) -> tuple[Entry, str]:
    entry = (
        Entry.objects.select_related(
            "round", "organization__city", "achievement", "proposal", "result_achievement"
        )
        .prefetch_related("files")
        .filter(pk=pk)
        .first()
    )
    if entry is None or (entry.round.status == RoundStatus.DRAFT and not policies.is_secretariat(viewer)):
        raise Http404
    access = can_read_entry(viewer, entry)
    if not access:
        raise Http404
    return entry, access


def entry_file_get(*, viewer: Any, pk: int) -> EntryFile:
    item = EntryFile.objects.select_related("entry__round", "entry__organization").filter(pk=pk).first()
    if item is None or can_read_entry(viewer, item.entry) != "full":
        raise Http404
    return item


# ------------------------------------------------------------------ reviews


def my_assignments(*, viewer: Any, round_id: int | None = None) -> list[Assignment]:
    """The expert's own invitations and reviews (conflict-free), rounds under review first."""
    expert = _expert_with_facts(viewer)
    if expert is None:
        return []
    qs = Assignment.objects.all()
    if round_id:
        qs = qs.filter(round_id=round_id)
    items = _expert_assignments(
        expert, qs.prefetch_related(Prefetch("review", queryset=Review.objects.all()))
    )
    reviews = {r.assignment_id: r for r in Review.objects.filter(assignment__in=[a.pk for a in items])}
    for a in items:
        a.my_review = reviews.get(a.pk)  # type: ignore[attr-defined]
    return sorted(
        items,
        key=lambda a: (
            0 if a.round.status == RoundStatus.REVIEW else 1,
            a.round_id,
            a.entry.created_at,
            a.pk,
        ),
    )


def reviews_of(assignments: list[Assignment]) -> list[Review]:
    """The reviews of assignments the viewer may already see, in their order, with scores and criteria
    (a fixed number of queries however many there are)."""
    order = {a.pk: i for i, a in enumerate(assignments)}
    reviews = Review.objects.filter(assignment_id__in=order).select_related("assignment__entry")
    return sorted(reviews.prefetch_related("scores__criterion"), key=lambda r: order[r.assignment_id])


def review_get(*, viewer: Any, pk: int) -> Review:
    """A review for its own (conflict-free) expert, or for the secretariat; anyone else gets 404."""
    review = (
        Review.objects.select_related(
            "assignment__round", "assignment__entry__organization", "assignment__expert"
        )
        .prefetch_related("scores__criterion", "assignment__entry__files")
        .filter(pk=pk)
        .first()
    )
    if review is None:
        raise Http404
    if policies.is_secretariat(viewer):
        return review
    expert = _expert_with_facts(viewer)
    if expert is None or review.assignment.expert_id != expert.pk:
        raise Http404
    if not _expert_assignments(expert, Assignment.objects.filter(pk=review.assignment_id)):
        raise Http404
    return review


def assignment_get(*, viewer: Any, pk: int) -> Assignment:
    assignment = (
        Assignment.objects.select_related("round", "entry__organization", "expert").filter(pk=pk).first()
    )
    if assignment is None:
        raise Http404
    if policies.is_secretariat(viewer):
        return assignment
    expert = _expert_with_facts(viewer)
    if expert is None or not _expert_assignments(expert, Assignment.objects.filter(pk=pk)):
        raise Http404
    return assignment


def round_assignments(*, viewer: Any, selection: SelectionRound) -> list[Assignment]:
    if not policies.is_secretariat(viewer):
        return []
    return list(
        selection.assignments.select_related("entry", "expert__organization", "review").order_by(
            "entry__created_at", "entry_id", "-affinity", "id"
        )
    )


def round_reviews(*, viewer: Any, selection: SelectionRound) -> list[Review]:
    if not policies.is_secretariat(viewer):
        return []
    return list(
        Review.objects.filter(assignment__round=selection)
        .select_related("assignment__entry", "assignment__expert")
        .order_by("assignment__entry_id", "id")
    )


def objections_for(*, viewer: Any, selection: SelectionRound) -> QuerySet[Objection]:
    """The secretariat sees every objection with contacts; the public sees answered ones (no contact)."""
    qs = selection.objections.select_related("entry").order_by("created_at", "id")
    if policies.is_secretariat(viewer):
        return qs
    return qs.filter(status=Objection.Status.ANSWERED)


def pending_review_count(viewer: Any) -> int:
    return len(
        [
            a
            for a in my_assignments(viewer=viewer)
            if a.round.status == RoundStatus.REVIEW
            and (a.my_review is None or a.my_review.status != ReviewStatus.SUBMITTED)  # type: ignore[attr-defined]
        ]
    )

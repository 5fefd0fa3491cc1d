"""Reviewing: per-criterion scores with comments, drafts, submission (locks), secretariat reopen."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lianmeng.core import audit, concurrency

from .. import policies
from ..models import (
    Assignment,
    AssignmentStatus,
    Criterion,
    CriterionScore,
    Review,
    ReviewStatus,
    RoundStatus,
)
from ._clean import Cleaner
from ._common import check_transition
from .assignment import pair_conflicts

REVIEW_TRANSITIONS: dict[str, dict[str, str]] = {
    ReviewStatus.DRAFT: {"submit": ReviewStatus.SUBMITTED},
    ReviewStatus.SUBMITTED: {"reopen": ReviewStatus.DRAFT},
}


def _own_assignment(assignment: Assignment, actor: Any) -> Assignment:
    """The actor's own, active, conflict-free assignment in a round under review; else PermissionDenied.
    The conflict rules are evaluated again on the current data at every write."""
    expert = policies.expert_of(actor)
    if expert is None or assignment.expert_id != expert.pk:
        raise PermissionDenied
    if assignment.status not in (AssignmentStatus.INVITED, AssignmentStatus.ACCEPTED):
        raise PermissionDenied
    if pair_conflicts(assignment.round, assignment.entry, expert):
        raise PermissionDenied
    return assignment


def weighted_score(scores: dict[int, Decimal | None], criteria: list[Criterion]) -> Decimal | None:
    """Σ score/max × weight over the criteria (weights add up to 100): a score out of 100."""
    total = Decimal(0)
    weights = Decimal(0)
    for c in criteria:
        value = scores.get(c.pk)
        if value is None:
            return None
        total += value / Decimal(c.max_score) * c.weight
        weights += c.weight
    if not weights:
        return None
    return (total * Decimal(100) / weights).quantize(Decimal("0.001"))


@transaction.atomic
def review_open(*, assignment: Assignment, actor: Any) -> Review:
    """The expert's review of an assignment (a draft is created the first time)."""
    assignment = (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("round", "entry__organization", "entry__proposal")
        .get(pk=assignment.pk)
    )
    _own_assignment(assignment, actor)
    review, _created = Review.objects.get_or_create(assignment=assignment)
    return review


@transaction.atomic
def review_save(*, review: Review, data: dict[str, Any], actor: Any, submit: bool = False) -> Review:
    """Save a draft (scores may be missing) or submit (every criterion scored and commented). A submitted
    review is locked until the secretariat reopens it. ``data``: ``{"scores": {criterion_id: {"score":
    8.5, "comment": "..."}}, "overall_comment": "..."}``."""
    review = Review.objects.select_for_update(of=("self",)).get(pk=review.pk)
    data = concurrency.check(review, data)
    assignment = (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("round", "entry__organization", "entry__proposal")
        .get(pk=review.assignment_id)
    )
    _own_assignment(assignment, actor)
    if assignment.round.status != RoundStatus.REVIEW:
        raise ValidationError({"review": _("评审阶段已结束，不能再修改")})
    if review.status == ReviewStatus.SUBMITTED:
        raise ValidationError({"review": _("评审意见已提交并锁定；如需修改请联系秘书处退回")})
    criteria = list(assignment.round.criteria.all())
    raw_scores = data.get("scores") or {}
    c = Cleaner({})
    values: dict[int, Decimal | None] = {}
    comments: dict[int, str] = {}
    for criterion in criteria:
        item = raw_scores.get(criterion.pk) or raw_scores.get(str(criterion.pk)) or {}
        field = f"score_{criterion.pk}"
        ic = Cleaner({field: item.get("score"), f"comment_{criterion.pk}": item.get("comment")})
        values[criterion.pk] = ic.decimal(
            field, criterion.name, required=submit, maximum=Decimal(criterion.max_score), places="0.1"
        )
        comments[criterion.pk] = ic.text(
            f"comment_{criterion.pk}",
            _("%(name)s的评语") % {"name": criterion.name},
            required=submit,
            max_length=2000,
        )
        for key, messages in ic.errors.items():
            for message in messages:
                c.add(key, message)
    overall = Cleaner(data).text("overall_comment", _("总体意见"), max_length=4000)
    c.done()
    old = {
        "status": review.status,
        "weighted_score": review.weighted_score,
        "overall_comment": review.overall_comment,
        "scores": sorted((s.criterion_id, s.score, s.comment) for s in review.scores.all()),
    }
    for criterion in criteria:
        CriterionScore.objects.update_or_create(
            review=review,
            criterion=criterion,
            defaults={"score": values[criterion.pk], "comment": comments[criterion.pk]},
        )
    review.overall_comment = overall
    review.weighted_score = weighted_score(values, criteria)
    if submit:
        review.status = check_transition(REVIEW_TRANSITIONS, review, "submit")
        review.submitted_at = timezone.now()
    review.save()
    after = {
        "status": review.status,
        "weighted_score": review.weighted_score,
        "overall_comment": review.overall_comment,
        "scores": sorted((s.criterion_id, s.score, s.comment) for s in review.scores.all()),
    }
    changed = [k for k in ("overall_comment", "scores") if after[k] != old[k]]
    concurrency.bump(review, changed or after["status"] != old["status"])
    if assignment.status == AssignmentStatus.INVITED:
        assignment.status = AssignmentStatus.ACCEPTED
        assignment.responded_at = timezone.now()
        assignment.save(update_fields=["status", "responded_at"])
    audit.record(
        actor=actor,
        action="review.submit" if submit else "review.save",
        target=review,
        old={k: old[k] for k in ("status", "weighted_score", *changed)},
        new={k: after[k] for k in ("status", "weighted_score", *changed)},
    )
    return review


@transaction.atomic
def review_reopen(*, review: Review, reason: str, actor: Any) -> Review:
    """The secretariat sends a submitted review back to the expert (the round must still be in review)."""
    if not policies.can_manage_research(actor):
        raise PermissionDenied
    review = (
        Review.objects.select_for_update(of=("self",)).select_related("assignment__round").get(pk=review.pk)
    )
    check_transition(REVIEW_TRANSITIONS, review, "reopen")
    if review.assignment.round.status != RoundStatus.REVIEW:
        raise ValidationError({"action": _("只有评审阶段可以退回评审意见")})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("退回评审意见时请写明原因，专家会看到这条说明")})
    review.status = ReviewStatus.DRAFT
    review.submitted_at = None
    review.reopened_count += 1
    review.save()
    audit.record(
        actor=actor,
        action="review.reopen",
        target=review,
        old={"status": "submitted"},
        new={"status": "draft", "reason": reason},
    )
    return review

"""Reviewing: per-criterion scores with comments, drafts, submission (locks), secretariat reopen."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lianmeng.accounts.models import User
from lianmeng.core import audit, concurrency

from .. import machines, policies
from ..commands import ReviewSave, ScoreItem
from ..models import (
    Assignment,
    AssignmentStatus,
    Criterion,
    CriterionScore,
    Review,
    ReviewStatus,
    RoundStatus,
)
from .assignment import pair_conflicts


def _own_assignment(assignment: Assignment, actor: User) -> Assignment:
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
def review_open(*, assignment: Assignment, actor: User) -> Review:
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
def review_save(*, review: Review, cmd: ReviewSave, actor: User, submit: bool = False) -> Review:
    """Save a draft (scores may be missing) or submit (every criterion scored and commented). A submitted
    review is locked until the secretariat reopens it. Each score is checked against its criterion's
    maximum; errors are keyed ``score_<criterion id>`` / ``comment_<criterion id>``."""
    review = Review.objects.select_for_update(of=("self",)).get(pk=review.pk)
    concurrency.check(review, {"version": cmd.version})
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
    errors: dict[str, list[str]] = {}
    values: dict[int, Decimal | None] = {}
    comments: dict[int, str] = {}
    for criterion in criteria:
        item = cmd.scores.get(criterion.pk) or ScoreItem()
        values[criterion.pk], comments[criterion.pk] = item.score, item.comment
        if item.score is None and submit:
            errors[f"score_{criterion.pk}"] = [_("请填写%(label)s") % {"label": criterion.name}]
        elif item.score is not None and item.score > criterion.max_score:
            errors[f"score_{criterion.pk}"] = [
                _("%(label)s应在 %(min)s 到 %(max)s 之间")
                % {"label": criterion.name, "min": 0, "max": criterion.max_score}
            ]
        if not item.comment and submit:
            label = _("%(name)s的评语") % {"name": criterion.name}
            errors[f"comment_{criterion.pk}"] = [_("请填写%(label)s") % {"label": label}]
    if errors:
        raise ValidationError(errors)
    overall = cmd.overall_comment
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
        review.status = machines.step(machines.REVIEW, review.status, "submit", actor=actor, obj=review)
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
def review_reopen(*, review: Review, reason: str, actor: User) -> Review:
    """The secretariat sends a submitted review back to the expert (the round must still be in review)."""
    review = (
        Review.objects.select_for_update(of=("self",)).select_related("assignment__round").get(pk=review.pk)
    )
    new = machines.step(machines.REVIEW, review.status, "reopen", actor=actor, obj=review)
    if review.assignment.round.status != RoundStatus.REVIEW:
        raise ValidationError({"action": _("只有评审阶段可以退回评审意见")})
    reason = (reason or "").strip()[:2000]
    if not reason:
        raise ValidationError({"reason": _("退回评审意见时请写明原因，专家会看到这条说明")})
    review.status = new
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

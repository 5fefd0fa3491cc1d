"""Reviewer assignment: the conflict-aware optimal solver, manual adjustment, invitations and declines."""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lianmeng.accounts.models import User
from lianmeng.core import audit
from lianmeng.library.models import Expert, ExpertStatus

from .. import machines, mail, policies, solver
from ..matching import (
    EntryFacts,
    ExpertFacts,
    affinity,
    conflict_labels,
    conflict_reasons,
    entry_facts,
    expert_facts,
    facts_signature,
    matrix_arrays,
)
from ..models import (
    Assignment,
    AssignmentJob,
    AssignmentSource,
    AssignmentStatus,
    Entry,
    EntryStatus,
    JobStatus,
    ReviewStatus,
    RoundStatus,
    SelectionRound,
)

log = logging.getLogger(__name__)
ACTIVE = (AssignmentStatus.PROPOSED, AssignmentStatus.INVITED, AssignmentStatus.ACCEPTED)


def expert_pool() -> list[Expert]:
    """Experts who can review online: in the library (active) and with an account."""
    return list(
        Expert.objects.filter(status=ExpertStatus.ACTIVE, user__isnull=False, user__is_active=True)
        .select_related("organization")
        .prefetch_related("fields", "declared_conflicts")
        .order_by("name_sort", "id")
    )


def eligible_entries(selection: SelectionRound) -> list[Entry]:
    return list(
        selection.entries.filter(status=EntryStatus.ELIGIBLE)
        .select_related("organization", "proposal")
        .order_by("created_at", "id")
    )


def pair_conflicts(selection: SelectionRound, entry: Entry, expert: Expert) -> list[str]:
    """Conflict codes for one pair, computed from the current data (used at every read and write)."""
    return conflict_reasons(expert_facts(expert), entry_facts(entry), same_city=selection.same_city_conflict)


@dataclass
class Matrix:
    entries: list[Entry]
    experts: list[Expert]
    entry_facts: list[EntryFacts]
    expert_facts: list[ExpertFacts]
    affinity: np.ndarray
    allowed: np.ndarray


MATRIX_CACHE_SECONDS = 7 * 24 * 3600


def build_matrix(selection: SelectionRound, entries: list[Entry], experts: list[Expert]) -> Matrix:
    """Affinity and allowed pairs of the round, computed once per version of its data.

    The key is the round and a digest of every fact the numbers depend on (``facts_signature``), so an
    edited entry, a new expert or a declared conflict gives a new matrix at once, and reloading the
    page or re-solving reuses the stored one (Django's cache: Redis in production, shared by all
    workers). Conflicts are evaluated again from the current data on every read and write elsewhere."""
    efacts = [entry_facts(e, with_tokens=False) for e in entries]
    xfacts = [expert_facts(x) for x in experts]
    same_city = selection.same_city_conflict
    key = f"research:matrix:{selection.pk}:{facts_signature(efacts, xfacts, same_city=same_city)}"
    shape = (len(entries), len(experts))
    stored = cache.get(key)
    if stored is not None and stored[0] == shape:
        aff = np.frombuffer(stored[1], dtype=np.uint8).reshape(shape).astype(np.int64)
        allowed = np.frombuffer(stored[2], dtype=np.bool_).reshape(shape).copy()
    else:
        aff, allowed = matrix_arrays(efacts, xfacts, same_city=same_city)
        cache.set(key, (shape, aff.astype(np.uint8).tobytes(), allowed.tobytes()), MATRIX_CACHE_SECONDS)
    return Matrix(entries, experts, efacts, xfacts, aff, allowed)


def _infeasible(exc: solver.NoValidAssignment, matrix: Matrix, selection: SelectionRound) -> ValidationError:
    if exc.entries:
        titles = "、".join(f"“{matrix.entries[e].title}”" for e in exc.entries[:5])
        return ValidationError(
            {
                "assignment": _(
                    "无法完成分配：%(titles)s 没有足够的无回避专家（每项需要 %(k)d 位）。请增加专家或调整回避规则。"
                )
                % {"titles": titles, "k": selection.reviewers_per_entry}
            }
        )
    return ValidationError(
        {
            "assignment": ngettext(
                "无法完成分配：专家数量或评审上限不足以满足每项 %(k)d 位专家的要求",
                "无法完成分配：专家数量或评审上限不足以满足每项 %(k)d 位专家的要求",
                selection.reviewers_per_entry,
            )
            % {"k": selection.reviewers_per_entry}
        }
    )


def _figures(selection: SelectionRound, matrix: Matrix, result: solver.Solution) -> dict[str, Any]:
    per_entry = np.zeros(len(matrix.entries), dtype=np.int64)
    for e, x in result.pairs:
        per_entry[e] += matrix.affinity[e, x]
    used = result.loads[result.loads > 0] if result.loads.size else result.loads
    k = selection.reviewers_per_entry
    figures = {
        "mode": result.mode,
        "optimal": result.optimal,
        "worst_optimal": result.worst_optimal,
        "total": result.total,
        "worst": result.worst,
        "worst_entry": matrix.entries[result.worst_entry].title if result.worst_entry is not None else "",
        "mean_pair": round(result.total / max(1, len(result.pairs)), 1),
        "worst_mean": round(result.worst / k, 1),
        "load_min": int(result.loads.min()) if result.loads.size else 0,
        "load_max": int(result.loads.max()) if result.loads.size else 0,
        "load_spread": result.load_spread,
        "experts_used": int(used.size),
        "experts_pool": len(matrix.experts),
        "pairs": len(result.pairs),
        "seconds": round(result.seconds, 3),
        "computed_at": timezone.now().isoformat(),
    }
    if result.mode == "fair" and result.ceiling is not None:
        figures.update(
            ceiling=result.ceiling,
            gap=round(result.gap or 0.0, 4),
            total_optimum=result.total_optimum,
            total_share=round(result.total / result.total_optimum, 4) if result.total_optimum else None,
            method=result.method,
        )
    return figures


def round_signature(selection: SelectionRound, entries: list[Entry], experts: list[Expert]) -> str:
    """Everything an assignment computation depends on: the eligible entries and the expert pool with
    every fact of the affinity and the conflicts, k and the loads, and whether invitations went out.
    Equal before and after a computation means its result still fits the round."""
    efacts = [entry_facts(e, with_tokens=False) for e in entries]
    xfacts = [expert_facts(x) for x in experts]
    facts = facts_signature(efacts, xfacts, same_city=selection.same_city_conflict)
    invited = selection.assignments.exclude(status=AssignmentStatus.PROPOSED).exists()
    rules = (selection.reviewers_per_entry, selection.max_load, selection.min_load, invited)
    return hashlib.blake2b(repr((facts, rules)).encode(), digest_size=16).hexdigest()


def _check_assignable(selection: SelectionRound) -> list[Entry]:
    if selection.status != RoundStatus.REVIEW:
        raise ValidationError({"assignment": _("只有评审阶段的评选可以分配专家")})
    if selection.assignments.exclude(status=AssignmentStatus.PROPOSED).exists():
        raise ValidationError({"assignment": _("已经发出邀请，不能重新计算；请人工调整")})
    entries = eligible_entries(selection)
    if not entries:
        raise ValidationError({"assignment": _("没有通过资格审查的参评项目")})
    return entries


JOB_TIME_LIMIT_MAX = 600.0


def assignment_start(
    *,
    selection: SelectionRound,
    mode: str,
    actor: User,
    time_limit: float | None = None,
    enqueue: bool = True,
) -> AssignmentJob:
    """Start an assignment computation (``total`` or ``fair``) in the background: checks the round,
    records the job with the round's signature and hands it to ``lianmeng worker`` after the commit.
    Nothing of the round changes until the secretariat applies the result (``assignment_apply``)."""
    if not policies.can_manage_research(actor):
        raise PermissionDenied
    if mode not in solver.MODES:
        raise ValidationError({"mode": _("分配方式只能是 total（总匹配度最高）或 fair（兼顾最差项目）")})
    limit = solver.FAIR_TIME_LIMIT if time_limit is None else float(time_limit)
    if not 1 <= limit <= JOB_TIME_LIMIT_MAX:
        raise ValidationError({"time_limit": _("计算时限应在 1 到 600 秒之间")})
    with transaction.atomic():
        selection = SelectionRound.objects.select_for_update(of=("self",)).get(pk=selection.pk)
        entries = _check_assignable(selection)
        if selection.assignment_jobs.filter(status__in=(JobStatus.QUEUED, JobStatus.RUNNING)).exists():
            raise ValidationError({"assignment": _("这一评选已有一次计算正在进行，请等待它完成或先取消")})
        job = AssignmentJob.objects.create(
            round=selection,
            mode=mode,
            time_limit=limit,
            created_by=actor,
            signature=round_signature(selection, entries, expert_pool()),
        )
        audit.record(
            actor=actor, action="round.assign_start", target=selection, new={"job": job.pk, "mode": mode}
        )
        if enqueue:
            transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id: int) -> None:
    from .. import tasks  # cycle: tasks imports this module for run_assignment_job

    try:
        tasks.compute_assignment.enqueue(job_id)
    except Exception:  # the queue is down: say so on the job instead of leaving it waiting forever
        log.exception("could not enqueue assignment job %s", job_id)
        AssignmentJob.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
            status=JobStatus.FAILED, error=_("无法把计算交给后台队列，请稍后重试"), finished_at=timezone.now()
        )


PROGRESS_EVERY = 0.5  # seconds between progress writes (and cancel checks) of a running job


def run_assignment_job(job_id: int) -> str:
    """The worker's part (tasks.compute_assignment): solve, writing progress to the job, stopping when
    the secretariat cancels; the result (pairs with affinity and explanation, figures) is stored on the
    job, never applied here. Returns the job's final status."""
    job = AssignmentJob.objects.select_related("round").filter(pk=job_id).first()
    if job is None or job.status != JobStatus.QUEUED:
        return job.status if job else "missing"
    if job.cancel_requested:
        AssignmentJob.objects.filter(pk=job_id).update(status=JobStatus.CANCELLED, finished_at=timezone.now())
        return JobStatus.CANCELLED
    started = timezone.now()
    claimed = AssignmentJob.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=started, stage="matrix"
    )
    if not claimed:
        return AssignmentJob.objects.get(pk=job_id).status
    selection = job.round
    last = {"write": 0.0, "check": 0.0, "stop": False}

    def progress(stage: str, worst: int | None, ceiling: float | None, seconds: float) -> None:
        now = time.monotonic()
        if now - last["write"] < PROGRESS_EVERY and stage not in ("total", "ceiling"):
            return
        last["write"] = now
        AssignmentJob.objects.filter(pk=job_id).update(
            stage=stage, best_worst=worst, ceiling=ceiling, seconds=round(seconds, 2)
        )

    def should_stop() -> bool:
        now = time.monotonic()
        if now - last["check"] >= PROGRESS_EVERY:
            last["check"] = now
            last["stop"] = AssignmentJob.objects.filter(pk=job_id, cancel_requested=True).exists()
        return bool(last["stop"])

    try:
        entries = eligible_entries(selection)
        matrix = build_matrix(selection, entries, expert_pool())
        problem = solver.Problem(
            affinity=matrix.affinity,
            allowed=matrix.allowed,
            k=selection.reviewers_per_entry,
            max_load=selection.max_load,
            min_load=selection.min_load,
        )
        result = solver.solve(
            problem,
            job.mode,
            labels=[e.title for e in entries],
            time_limit=job.time_limit,
            progress=progress,
            should_stop=should_stop,
        )
    except solver.NoValidAssignment as exc:
        message = "；".join(str(m) for m in _infeasible(exc, matrix, selection).message_dict["assignment"])
        return _finish_job(job_id, JobStatus.FAILED, error=message)
    except Exception:
        log.exception("assignment job %s failed", job_id)
        return _finish_job(job_id, JobStatus.FAILED, error=_("计算出错，请重试；若仍失败请联系管理员"))
    if should_stop() or AssignmentJob.objects.filter(pk=job_id, cancel_requested=True).exists():
        return _finish_job(job_id, JobStatus.CANCELLED, best_worst=result.worst, ceiling=result.ceiling)
    pairs = []
    for e, x in result.pairs:
        points, explanation = affinity(matrix.expert_facts[x], matrix.entry_facts[e])
        pairs.append([matrix.entries[e].pk, matrix.experts[x].pk, points, explanation])
    figures = _figures(selection, matrix, result)
    return _finish_job(
        job_id,
        JobStatus.DONE,
        best_worst=result.worst,
        ceiling=result.ceiling,
        result={"pairs": pairs, "figures": figures},
        stage="done",
        seconds=round(result.seconds, 2),
    )


def _finish_job(job_id: int, status: str, **fields: Any) -> str:
    AssignmentJob.objects.filter(pk=job_id).update(status=status, finished_at=timezone.now(), **fields)
    return status


def assignment_cancel(*, job: AssignmentJob, actor: User) -> AssignmentJob:
    """Stop a computation: a queued job ends at once, a running one at the worker's next check."""
    if not policies.can_manage_research(actor):
        raise PermissionDenied
    with transaction.atomic():
        job = AssignmentJob.objects.select_for_update().get(pk=job.pk)
        if not job.active:
            raise ValidationError({"assignment": _("这次计算已经结束，无需取消")})
        job.cancel_requested = True
        if job.status == JobStatus.QUEUED:
            job.status = JobStatus.CANCELLED
            job.finished_at = timezone.now()
        job.save(update_fields=["cancel_requested", "status", "finished_at", "updated_at"])
        audit.record(actor=actor, action="round.assign_cancel", target=job.round, new={"job": job.pk})
    return job


def assignment_apply(*, job: AssignmentJob, actor: User) -> SelectionRound:
    """Apply a finished computation: in one short transaction, check that the round has not changed since
    the job started (same entries, experts, facts, rules, no invitations), then replace the proposal."""
    if not policies.can_manage_research(actor):
        raise PermissionDenied
    selection = job.round
    if job.status != JobStatus.DONE:
        raise ValidationError({"assignment": _("这次计算没有可应用的结果")})
    entries = eligible_entries(selection)
    if (
        selection.status != RoundStatus.REVIEW
        or round_signature(selection, entries, expert_pool()) != job.signature
    ):
        AssignmentJob.objects.filter(pk=job.pk, status=JobStatus.DONE).update(status=JobStatus.STALE)
        raise ValidationError(
            {"assignment": _("计算开始后，评选的项目、专家、回避关系或分配规则发生了变化，请重新计算")}
        )
    with transaction.atomic():
        selection = SelectionRound.objects.select_for_update(of=("self",)).get(pk=selection.pk)
        job = AssignmentJob.objects.select_for_update().get(pk=job.pk)
        if job.status != JobStatus.DONE:
            raise ValidationError({"assignment": _("这次计算没有可应用的结果")})
        entries = _check_assignable(selection)
        if round_signature(selection, entries, expert_pool()) != job.signature:
            raise ValidationError(
                {"assignment": _("计算开始后，评选的项目、专家、回避关系或分配规则发生了变化，请重新计算")}
            )
        selection.assignments.all().delete()
        Assignment.objects.bulk_create(
            [
                Assignment(
                    round=selection,
                    entry_id=entry_id,
                    expert_id=expert_id,
                    affinity=points,
                    explanation=explanation,
                    source=AssignmentSource.SOLVER,
                )
                for entry_id, expert_id, points, explanation in job.result["pairs"]
            ]
        )
        selection.assignment_mode = job.mode
        selection.assignment_figures = job.result["figures"]
        selection.save(update_fields=["assignment_mode", "assignment_figures", "updated_at"])
        job.status = JobStatus.APPLIED
        job.save(update_fields=["status", "updated_at"])
        audit.record(actor=actor, action="round.assign", target=selection, new=selection.assignment_figures)
    return selection


def assignment_compute(*, selection: SelectionRound, mode: str, actor: User) -> SelectionRound:
    """Compute and apply at once, in this process (demo data, tests, scripts): start, run, apply."""
    job = assignment_start(selection=selection, mode=mode, actor=actor, enqueue=False)
    status = run_assignment_job(job.pk)
    job.refresh_from_db()
    if status == JobStatus.FAILED:
        raise ValidationError({"assignment": job.error})
    return assignment_apply(job=job, actor=actor)


def refresh_figures(selection: SelectionRound) -> None:
    """Recompute the quality figures from the stored pairs (after manual changes or re-assignment)."""
    active = list(
        selection.assignments.filter(status__in=ACTIVE).values_list("entry_id", "expert_id", "affinity")
    )
    per_entry: dict[int, int] = {e.pk: 0 for e in selection.entries.filter(status=EntryStatus.ELIGIBLE)}
    loads: dict[int, int] = {}
    for entry_id, expert_id, points in active:
        per_entry[entry_id] = per_entry.get(entry_id, 0) + points
        loads[expert_id] = loads.get(expert_id, 0) + 1
    figures = dict(selection.assignment_figures or {})
    worst_id = min(per_entry, key=lambda k: per_entry[k]) if per_entry else None
    figures.update(
        total=sum(per_entry.values()),
        worst=per_entry[worst_id] if worst_id else 0,
        worst_entry=Entry.objects.get(pk=worst_id).title if worst_id else "",
        load_min=min(loads.values()) if loads else 0,
        load_max=max(loads.values()) if loads else 0,
        load_spread=(max(loads.values()) - min(loads.values())) if loads else 0,
        experts_used=len(loads),
        pairs=len(active),
        adjusted=True,
    )
    selection.assignment_figures = figures
    selection.save(update_fields=["assignment_figures", "updated_at"])


@transaction.atomic
def assignment_add(*, entry: Entry, expert: Expert, actor: User) -> Assignment:
    """Add a reviewer by hand. Conflicts, k and the load limit are still enforced."""
    if not policies.can_manage_research(actor):
        raise PermissionDenied
    selection = SelectionRound.objects.select_for_update(of=("self",)).get(pk=entry.round_id)
    entry = Entry.objects.select_related("organization", "proposal").get(pk=entry.pk)
    expert = (
        Expert.objects.select_related("organization")
        .prefetch_related("fields", "declared_conflicts")
        .get(pk=expert.pk)
    )
    if selection.status != RoundStatus.REVIEW or entry.status != EntryStatus.ELIGIBLE:
        raise ValidationError({"expert": _("只有评审阶段、资格审查通过的项目可以调整专家")})
    if expert.status != ExpertStatus.ACTIVE or expert.user_id is None:
        raise ValidationError({"expert": _("该专家不在库或没有登录账户，不能评审")})
    reasons = pair_conflicts(selection, entry, expert)
    if reasons:
        raise ValidationError(
            {
                "expert": _("%(name)s与该项目存在回避关系（%(why)s），不能分配")
                % {"name": expert.name, "why": "、".join(conflict_labels(reasons))}
            }
        )
    if Assignment.objects.filter(entry=entry, expert=expert).exists():
        raise ValidationError(
            {"expert": _("%(name)s已分配到该项目（含已婉拒），请另选专家") % {"name": expert.name}}
        )
    if entry.assignments.filter(status__in=ACTIVE).count() >= selection.reviewers_per_entry:
        raise ValidationError(
            {
                "expert": ngettext(
                    "该项目已有 %(k)d 位专家，请先移除一位再添加",
                    "该项目已有 %(k)d 位专家，请先移除一位再添加",
                    selection.reviewers_per_entry,
                )
                % {"k": selection.reviewers_per_entry}
            }
        )
    load = Assignment.objects.filter(round=selection, expert=expert, status__in=ACTIVE).count()
    if load >= selection.max_load:
        raise ValidationError(
            {
                "expert": ngettext(
                    "%(name)s已评审 %(n)d 项，达到上限", "%(name)s已评审 %(n)d 项，达到上限", load
                )
                % {"name": expert.name, "n": load}
            }
        )
    points, explanation = affinity(expert_facts(expert), entry_facts(entry))
    invited = selection.invited_at is not None
    assignment = Assignment.objects.create(
        round=selection,
        entry=entry,
        expert=expert,
        affinity=points,
        explanation=explanation,
        source=AssignmentSource.MANUAL,
        status=AssignmentStatus.INVITED if invited else AssignmentStatus.PROPOSED,
        invited_at=timezone.now() if invited else None,
    )
    refresh_figures(selection)
    audit.record(
        actor=actor, action="assignment.add", target=entry, new={"expert": expert.pk, "affinity": points}
    )
    return assignment


@transaction.atomic
def assignment_remove(*, assignment: Assignment, actor: User) -> None:
    """Remove a reviewer by hand, unless their review is already submitted."""
    if not policies.can_manage_research(actor):
        raise PermissionDenied
    assignment = (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("round", "expert")
        .get(pk=assignment.pk)
    )
    review = getattr(assignment, "review", None)
    if review is not None and review.status == ReviewStatus.SUBMITTED:
        raise ValidationError({"expert": _("该专家已提交评审意见，不能移除")})
    selection = SelectionRound.objects.select_for_update(of=("self",)).get(pk=assignment.round_id)
    entry_id, expert_id = assignment.entry_id, assignment.expert_id
    assignment.delete()
    refresh_figures(selection)
    audit.record(
        actor=actor,
        action="assignment.remove",
        target=selection,
        old={"entry": entry_id, "expert": expert_id},
    )


@transaction.atomic
def assignment_invite(*, selection: SelectionRound, actor: User) -> int:
    """Check every proposed pair again (conflicts, k, loads) and invite the experts. Returns the number invited."""
    if not policies.can_manage_research(actor):
        raise PermissionDenied
    selection = SelectionRound.objects.select_for_update(of=("self",)).get(pk=selection.pk)
    if selection.status != RoundStatus.REVIEW:
        raise ValidationError({"assignment": _("只有评审阶段的评选可以发出邀请")})
    proposed = list(
        selection.assignments.filter(status=AssignmentStatus.PROPOSED)
        .select_related("entry__organization", "entry__proposal", "expert__organization")
        .prefetch_related("expert__fields", "expert__declared_conflicts")
    )
    if not proposed:
        raise ValidationError({"assignment": _("没有待发出的邀请，请先计算分配")})
    problems = []
    for a in proposed:
        reasons = pair_conflicts(selection, a.entry, a.expert)
        if reasons:
            problems.append(f"{a.expert.name} → {a.entry.title}（{'、'.join(conflict_labels(reasons))}）")
    counts: dict[int, int] = {}
    for entry_id in selection.assignments.filter(status__in=ACTIVE).values_list("entry_id", flat=True):
        counts[entry_id] = counts.get(entry_id, 0) + 1
    short = [
        e.title for e in eligible_entries(selection) if counts.get(e.pk, 0) != selection.reviewers_per_entry
    ]
    if problems:
        raise ValidationError(
            {"assignment": _("以下分配存在回避关系，请先调整：%(list)s") % {"list": "；".join(problems)}}
        )
    if short:
        raise ValidationError(
            {
                "assignment": ngettext(
                    "以下项目的专家人数不是 %(k)d 位：%(list)s",
                    "以下项目的专家人数不是 %(k)d 位：%(list)s",
                    selection.reviewers_per_entry,
                )
                % {"k": selection.reviewers_per_entry, "list": "、".join(short)}
            }
        )
    now = timezone.now()
    invited_ids = [a.pk for a in proposed]
    n = selection.assignments.filter(status=AssignmentStatus.PROPOSED).update(
        status=machines.ASSIGNMENT.target(AssignmentStatus.PROPOSED, "invite"), invited_at=now
    )
    mail.invitations(invited_ids, actor=actor)
    selection.invited_at = selection.invited_at or now
    selection.save(update_fields=["invited_at", "updated_at"])
    audit.record(actor=actor, action="round.invite", target=selection, new={"invited": n})
    return n


@transaction.atomic
def assignment_respond(*, assignment: Assignment, accept: bool, reason: str = "", actor: User) -> Assignment:
    """The invited expert accepts or declines. A decline is re-assigned automatically to the best
    non-conflicted expert with spare load (the solver, keeping every other pair fixed)."""
    assignment = (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("round", "entry__organization", "entry__proposal", "expert")
        .get(pk=assignment.pk)
    )
    if not policies.can_answer_invitation(actor, assignment):
        raise PermissionDenied
    expert = assignment.expert
    if pair_conflicts(assignment.round, assignment.entry, expert) and accept:
        raise PermissionDenied
    action = "accept" if accept else "decline"
    new = machines.step(machines.ASSIGNMENT, assignment.status, action, actor=actor, obj=assignment)
    review = getattr(assignment, "review", None)
    if not accept and review is not None and review.status == ReviewStatus.SUBMITTED:
        raise ValidationError({"action": _("评审意见已提交，不能再婉拒")})
    reason = (reason or "").strip()[:300]
    assignment.status = new
    assignment.responded_at = timezone.now()
    assignment.decline_reason = "" if accept else reason
    assignment.save()
    audit.record(
        actor=actor,
        action=f"assignment.{action}",
        target=assignment.entry,
        new={"expert": expert.pk, "reason": reason},
    )
    if not accept:
        if review is not None:
            review.delete()
        reassign_after_decline(assignment.round, actor)
    return assignment


def reassign_after_decline(selection: SelectionRound, actor: User) -> list[Assignment]:
    """Fill every entry back to k reviewers: all current pairs stay fixed, declined pairs are excluded.
    Called inside the decline's transaction. If no valid expert is left, the entry stays short and the
    secretariat's desk shows it."""
    selection = SelectionRound.objects.select_for_update(of=("self",)).get(pk=selection.pk)
    entries = eligible_entries(selection)
    experts = expert_pool()
    matrix = build_matrix(selection, entries, experts)
    e_index = {e.pk: i for i, e in enumerate(entries)}
    x_index = {x.pk: j for j, x in enumerate(experts)}
    fixed = []
    for a in selection.assignments.all():
        i, j = e_index.get(a.entry_id), x_index.get(a.expert_id)
        if i is None or j is None:
            continue
        if a.status in ACTIVE:
            fixed.append((i, j))
        matrix.allowed[i, j] = False  # never re-use a declined (or already used) pair
    problem = solver.Problem(
        affinity=matrix.affinity,
        allowed=matrix.allowed,
        k=selection.reviewers_per_entry,
        max_load=selection.max_load,
        min_load=0,
        fixed=fixed,
    )
    try:
        result = solver.solve_total(problem)
    except solver.NoValidAssignment:
        audit.record(
            actor=actor, action="round.reassign_failed", target=selection, new={"reason": "no valid expert"}
        )
        return []
    now = timezone.now()
    fixed_set = set(fixed)
    created = []
    for e, x in result.pairs:
        if (e, x) in fixed_set:
            continue
        points, explanation = affinity(matrix.expert_facts[x], matrix.entry_facts[e])
        created.append(
            Assignment.objects.create(
                round=selection,
                entry=entries[e],
                expert=experts[x],
                affinity=points,
                explanation=explanation,
                source=AssignmentSource.REASSIGN,
                status=AssignmentStatus.INVITED if selection.invited_at else AssignmentStatus.PROPOSED,
                invited_at=now if selection.invited_at else None,
            )
        )
    refresh_figures(selection)
    if selection.invited_at:
        new_ids = [a.pk for a in created]
        mail.invitations(new_ids, actor=actor)
    audit.record(
        actor=actor,
        action="round.reassign",
        target=selection,
        new={"pairs": [(a.entry_id, a.expert_id) for a in created]},
    )
    return created


def short_entries(selection: SelectionRound) -> list[Entry]:
    """Eligible entries with fewer than k active reviewers (after declines nobody could take)."""
    counts: dict[int, int] = {}
    for entry_id in selection.assignments.filter(status__in=ACTIVE).values_list("entry_id", flat=True):
        counts[entry_id] = counts.get(entry_id, 0) + 1
    return [e for e in eligible_entries(selection) if counts.get(e.pk, 0) < selection.reviewers_per_entry]

"""Research pages: topics and proposals, rounds, assignment, phone-first reviewing, public results."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

import numpy as np
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lianmeng.accounts.throttle import client_ip
from lianmeng.core.api_support import signed_in
from lianmeng.core.concurrency import StaleVersion
from lianmeng.core.errors import apply_to_form, error_dict
from lianmeng.core.files import file_response
from lianmeng.core.forms import dry_run, submit_form
from lianmeng.core.params import int_param
from lianmeng.core.pending_uploads import discard_pending
from lianmeng.core.types import AuthedRequest
from lianmeng.library.models import Achievement, Expert
from lianmeng.membership.models import Organization

from . import machines, policies, selectors, services
from .commands import (
    CallCreate,
    EntrySubmit,
    MilestoneReport,
    ObjectionAnswer,
    ObjectionFile,
    ProposalSubmit,
    ReviewSave,
    RoundCreate,
)
from .forms import (
    CallForm,
    EntryForm,
    MilestoneForm,
    NoteForm,
    ObjectionForm,
    ObjectionResponseForm,
    ProposalForm,
    RoundForm,
)
from .matching import explain
from .models import (
    AssignmentJob,
    AssignmentStatus,
    AwardLevel,
    Criterion,
    Entry,
    EntryStatus,
    JobStatus,
    Milestone,
    Objection,
    ProposalStatus,
    ReviewStatus,
    RoundKind,
    RoundStatus,
    SelectionRound,
)

PAGE_SIZE = 20


def _flash(request: HttpRequest, exc: ValidationError) -> None:
    for msgs in error_dict(exc).values():
        for m in msgs:
            messages.error(request, m)


def every_error(*checks: Callable[[], object]) -> None:
    """Run every check (a command's build, a service's validate-only function) and raise all their field
    errors together: one submit reports the form's, the command's and the database's problems."""
    errors: dict[str, list[str]] = {}
    for check in checks:
        try:
            check()
        except ValidationError as exc:
            for key, msgs in error_dict(exc).items():
                errors.setdefault(key, []).extend(msgs)
    if errors:
        raise ValidationError(errors)


def int_or_none(value: Any) -> int | None:
    """An id the form read (a choice's value), or None when there is none."""
    text = str(getattr(value, "pk", value) or "").strip()
    return int(text) if text.isdigit() and len(text) < 19 else None


def decimal_or_none(value: Any) -> Decimal | None:
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        return None
    return amount if amount.is_finite() else None


def _posted_scores(post: Any, criteria: list[Criterion]) -> tuple[dict[str, list[str]], dict[str, Any]]:
    """The review form's scores read per criterion (a number from 0 to its maximum, named by the
    criterion), and the data of the ReviewSave command (unreadable scores left out)."""
    errors: dict[str, list[str]] = {}
    scores: dict[int, dict[str, Any]] = {}
    for c in criteria:
        raw = str(post.get(f"score_{c.pk}", "")).strip()
        score = decimal_or_none(raw) if raw else None
        if raw and score is None:
            errors[f"score_{c.pk}"] = [_("%(label)s应为数字") % {"label": c.name}]
        elif score is not None and score < 0:
            errors[f"score_{c.pk}"] = [
                _("%(label)s应在 %(min)s 到 %(max)s 之间") % {"label": c.name, "min": 0, "max": c.max_score}
            ]
            score = None
        scores[c.pk] = {"score": score, "comment": post.get(f"comment_{c.pk}", "")}
    data = {
        "scores": scores,
        "overall_comment": post.get("overall_comment", ""),
        "version": post.get("version"),
    }
    return errors, data


def _file(item: Any, field: str = "file") -> FileResponse:
    return file_response(getattr(item, field), name=getattr(item, "original_name", "") or None)


# ------------------------------------------------------------------ hub


@login_required
def index(request: AuthedRequest) -> HttpResponse:
    """研究评选: what the viewer can do here (calls, rounds, my proposals and entries, my reviews)."""
    user = request.user
    rounds = list(selectors.round_list(viewer=user)[:30])
    return render(
        request,
        "research/index.html",
        {
            "calls": list(selectors.call_list(viewer=user)[:10]),
            "rounds": rounds,
            "proposals": list(selectors.proposal_list(viewer=user)[:10])
            if not policies.is_secretariat(user)
            else [],
            "assignments": selectors.my_assignments(viewer=user),
            "is_secretariat": policies.is_secretariat(user),
            "is_contact": bool(policies.contact_org_ids(user)),
        },
    )


# ------------------------------------------------------------------ topics


@login_required
def call_new(request: AuthedRequest) -> HttpResponse:
    if not policies.can_manage_research(request.user):
        raise PermissionDenied
    form = CallForm(request.POST or None)
    user = request.user

    if request.method == "POST":
        call = submit_form(form, lambda cmd: services.call_create(cmd=cmd, actor=user), command=CallCreate)
        if call is not None:
            messages.success(request, _("课题指南已保存为草稿"))
            return redirect(call)
    return render(request, "research/call_form.html", {"form": form})


def call_detail(request: HttpRequest, pk: int) -> HttpResponse:
    call = selectors.call_get(viewer=request.user, pk=pk)
    if request.method == "POST":
        if not request.user.is_authenticated:
            raise PermissionDenied
        action = request.POST.get("action", "")
        try:
            if action == "review":
                selection = services.call_start_review(call=call, actor=signed_in(request))
                messages.success(request, _("已创建立项评审，请计算专家分配"))
                return redirect("research:assignment", pk=selection.pk)
            services.call_transition(call=call, action=action, actor=signed_in(request))
            messages.success(request, _("指南状态已更新"))
        except ValidationError as exc:
            _flash(request, exc)
        return redirect(call)
    proposals = (
        selectors.proposal_list(viewer=request.user, call=call.pk) if request.user.is_authenticated else []
    )
    return render(
        request,
        "research/call_detail.html",
        {
            "call": call,
            "topics": call.topics.all(),
            "proposals": proposals,
            "actions": machines.CALL.actions(call.status),
            "is_secretariat": policies.is_secretariat(request.user),
            "can_propose": call.status == "open" and bool(policies.contact_org_ids(request.user)),
            "review_rounds": call.review_rounds.all(),
        },
    )


def _my_org(request: HttpRequest) -> Organization:
    orgs = request.user.contact_organizations  # type: ignore[union-attr]
    wanted = request.GET.get("org") or request.POST.get("org")
    for org in orgs:
        if wanted and str(org.pk) == wanted:
            return org
    if not orgs:
        raise PermissionDenied
    return orgs[0]


@login_required
def proposal_new(request: AuthedRequest, pk: int) -> HttpResponse:
    call = selectors.call_get(viewer=request.user, pk=pk)
    org = _my_org(request)
    form = ProposalForm(request.POST or None, request.FILES or None, topics=call.topics.all())
    user = request.user

    def check(cleaned: dict[str, Any]) -> None:
        every_error(
            lambda: ProposalSubmit.build(cleaned),
            lambda: services.proposal_validate(
                topic=int_or_none(cleaned.get("topic")),
                budget=decimal_or_none(cleaned.get("budget")),
                organization=org,
                actor=user,
                files=cleaned.get("attachments"),
            ),
        )

    def submit(cleaned: dict[str, Any]) -> Any:
        check(cleaned)  # every error at once, before any file is stored
        return services.proposal_submit(
            cmd=ProposalSubmit.build(cleaned), organization=org, actor=user, files=cleaned["attachments"]
        )

    if request.method == "POST":
        proposal = submit_form(form, submit, validate=check)
        if proposal is not None:
            discard_pending(form, "attachments")
            messages.success(
                request,
                _("课题申报已提交：%(org)s申报《%(title)s》，等待秘书处审核")
                % {"org": org.name, "title": proposal.title},
            )
            return redirect(proposal)
    return render(
        request,
        "research/submission_form.html",
        {"form": form, "call": call, "org": org, "heading": _("申报课题"), "subject": call},
    )


@login_required
def proposal_list(request: AuthedRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    qs = selectors.proposal_list(viewer=request.user, status=status or None)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "research/proposal_list.html",
        {"page_obj": page, "statuses": ProposalStatus.choices, "status": status},
    )


@login_required
def proposal_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    proposal = selectors.proposal_get(viewer=request.user, pk=pk)
    note_form = NoteForm(request.POST or None)
    milestone_form = MilestoneForm(request.POST or None, request.FILES or None)
    user = request.user
    if request.method == "POST":
        try:
            if request.POST.get("action") == "report":
                milestone = submit_form(
                    milestone_form,
                    lambda d: services.milestone_report(
                        proposal=proposal, cmd=MilestoneReport.build(d), file=d.get("file"), actor=user
                    ),
                    validate=lambda d: every_error(
                        lambda: MilestoneReport.build(d),
                        lambda: services.milestone_validate(
                            proposal=proposal, kind=d.get("kind", ""), actor=user
                        ),
                    ),
                )
                if milestone is not None:
                    discard_pending(milestone_form, "file")
                    messages.success(
                        request,
                        _("报告已提交：《%(title)s》的%(kind)s报告，等待秘书处检查")
                        % {"title": proposal.title, "kind": milestone.get_kind_display()},
                    )
                    return redirect(proposal)
            else:
                note_form.is_valid()
                services.proposal_transition(
                    proposal=proposal,
                    action=request.POST.get("action", ""),
                    note=note_form.cleaned_data.get("note", ""),
                    actor=request.user,
                )
                messages.success(request, _("课题状态已更新"))
                return redirect(proposal)
        except ValidationError as exc:
            _flash(request, exc)
    milestones = list(proposal.milestones.all())
    due = next(
        (
            m
            for m in milestones
            if m.status != Milestone.Status.PASSED
            and (
                (m.kind == "midterm" and proposal.status == ProposalStatus.APPROVED)
                or (m.kind == "completion" and proposal.status == ProposalStatus.MIDTERM_PASSED)
            )
        ),
        None,
    )
    entry = Entry.objects.filter(proposal=proposal).select_related("round").first()
    return render(
        request,
        "research/proposal_detail.html",
        {
            "proposal": proposal,
            "actions": services.proposal_actions(proposal, request.user),
            "note_form": note_form,
            "milestones": milestones,
            "due_milestone": due,
            "milestone_form": milestone_form,
            "can_report": policies.can_edit_proposal(request.user, proposal) and due is not None,
            "entry": entry,
        },
    )


@login_required
def proposal_file(request: AuthedRequest, pk: int) -> FileResponse:
    return _file(selectors.proposal_file_get(viewer=request.user, pk=pk))


# ------------------------------------------------------------------ rounds


@login_required
def round_new(request: AuthedRequest) -> HttpResponse:
    if not policies.can_manage_research(request.user):
        raise PermissionDenied
    form = RoundForm(request.POST or None)
    if request.method == "POST":
        selection = submit_form(
            form, lambda cmd: services.round_create(cmd=cmd, actor=request.user), command=RoundCreate
        )
        if selection is not None:
            messages.success(request, _("评选已创建（筹备中），确认无误后开始征集"))
            return redirect(selection)
    return render(request, "research/round_form.html", {"form": form})


def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    selection = selectors.round_get(viewer=request.user, pk=pk)
    if not request.user.is_authenticated:
        return redirect("research:result", pk=pk)
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action in ("accept", "refuse"):
                entry = get_object_or_404(
                    Entry, pk=int_param(request.POST, "entry", default=0), round=selection
                )
                services.entry_transition(
                    entry=entry, action=action, note=request.POST.get("note", ""), actor=signed_in(request)
                )
                messages.success(
                    request,
                    (
                        _("资格审查结果已保存：《%(title)s》符合条件")
                        if action == "accept"
                        else _("资格审查结果已保存：《%(title)s》不符合条件")
                    )
                    % {"title": entry.title},
                )
            else:
                services.round_transition(selection=selection, action=action, actor=signed_in(request))
                if action == "finalise":
                    messages.success(
                        request, _("《%(title)s》已定稿，公示结果即为最终结果") % {"title": selection.title}
                    )
                else:
                    done = {
                        "open": _("《%(title)s》已开始征集，成员单位可以申报"),
                        "start_review": _("《%(title)s》已截止申报，进入评审"),
                        "publish": _("《%(title)s》的结果已公示，公示期 %(days)d 天"),
                    }.get(action, _("评选状态已更新"))
                    messages.success(
                        request, done % {"title": selection.title, "days": selection.publicity_days}
                    )
        except ValidationError as exc:
            _flash(request, exc)
        return redirect(selection)
    entries = selectors.entry_list(viewer=request.user, selection=selection)
    mine = [e for e in entries if e.organization_id in policies.contact_org_ids(request.user)]
    return render(
        request,
        "research/round_detail.html",
        {
            "round": selection,
            "entries": entries,
            "my_entries": mine,
            "is_secretariat": policies.is_secretariat(request.user),
            "actions": machines.ROUND.actions(selection.status),
            "can_enter": selection.status == RoundStatus.ENTRIES
            and selection.kind != RoundKind.TOPIC_REVIEW
            and bool(policies.contact_org_ids(request.user)),
            "short": services.short_entries(selection)
            if policies.is_secretariat(request.user) and selection.status == RoundStatus.REVIEW
            else [],
            "open_objections": selection.objections.filter(status=Objection.Status.OPEN).count()
            if policies.is_secretariat(request.user)
            else 0,
        },
    )


@login_required
def entry_new(request: AuthedRequest, pk: int) -> HttpResponse:
    selection = selectors.round_get(viewer=request.user, pk=pk)
    org = _my_org(request)
    achievements = Achievement.objects.filter(owner_organization=org).order_by("-year", "name_sort")[:50]
    form = EntryForm(request.POST or None, request.FILES or None, achievements=achievements)
    user = request.user

    def check(cleaned: dict[str, Any]) -> None:
        every_error(
            lambda: EntrySubmit.build(cleaned),
            lambda: services.entry_validate(
                selection=selection,
                organization=org,
                achievement=int_or_none(cleaned.get("achievement")),
                actor=user,
                files=cleaned.get("attachments"),
            ),
        )

    def submit(cleaned: dict[str, Any]) -> Any:
        check(cleaned)  # every error at once, before any file is stored
        return services.entry_submit(
            selection=selection,
            organization=org,
            cmd=EntrySubmit.build(cleaned),
            actor=user,
            files=cleaned["attachments"],
        )

    if request.method == "POST":
        entry = submit_form(form, submit, validate=check)
        if entry is not None:
            discard_pending(form, "attachments")
            messages.success(request, _("申报已提交，等待秘书处资格审查"))
            return redirect(entry)
    return render(
        request,
        "research/submission_form.html",
        {"form": form, "round": selection, "org": org, "heading": _("我要申报"), "subject": selection},
    )


def entry_detail(request: HttpRequest, pk: int) -> HttpResponse:
    entry, access = selectors.entry_get(viewer=request.user, pk=pk)
    if request.method == "POST" and request.POST.get("action") == "withdraw":
        try:
            services.entry_transition(entry=entry, action="withdraw", actor=signed_in(request))
            messages.success(request, _("申报已撤回"))
        except ValidationError as exc:
            _flash(request, exc)
        return redirect(entry)
    return render(
        request,
        "research/entry_detail.html",
        {
            "entry": entry,
            "full": access == "full",
            "files": entry.files.all() if access == "full" else [],
            "can_withdraw": "withdraw" in machines.ENTRY.actions(entry.status)
            and entry.round.status == RoundStatus.ENTRIES
            and entry.organization_id in policies.contact_org_ids(request.user),
        },
    )


@login_required
def entry_file(request: AuthedRequest, pk: int) -> FileResponse:
    return _file(selectors.entry_file_get(viewer=request.user, pk=pk))


# ------------------------------------------------------------------ assignment


SUGGESTIONS = 8


def _suggest(selection: Any, entries: list[Entry], rows: list[Any]) -> None:
    """For manual additions: per entry the best non-conflicted experts with spare load, not yet on it,
    from the round's cached affinity matrix (one vector pass over 500 x 300 pairs)."""
    matrix = services.build_matrix(selection, services.eligible_entries(selection), services.expert_pool())
    e_index = {e.pk: i for i, e in enumerate(matrix.entries)}
    x_index = {x.pk: j for j, x in enumerate(matrix.experts)}
    usable = matrix.allowed.copy()
    loads = np.zeros(len(matrix.experts), dtype=np.int64)
    for a in rows:
        i, j = e_index.get(a.entry_id), x_index.get(a.expert_id)
        if i is not None and j is not None:
            usable[i, j] = False  # already on it (or declined it)
            if a.status != AssignmentStatus.DECLINED:
                loads[j] += 1
    usable &= (loads < selection.max_load)[None, :]
    scores = np.where(usable, matrix.affinity, -1)
    n = min(SUGGESTIONS, scores.shape[1])
    for e in entries:
        i = e_index.get(e.pk)
        if i is None or n == 0:
            continue
        top = np.argpartition(-scores[i], n - 1)[:n]
        top = top[np.argsort(-scores[i, top], kind="stable")]
        e.suggestions = [  # type: ignore[attr-defined]
            (matrix.experts[j], int(scores[i, j])) for j in top.tolist() if scores[i, j] >= 0
        ]


@login_required
def assignment(request: AuthedRequest, pk: int) -> HttpResponse:
    """The secretariat's assignment page: compute (total / fair), quality figures, pairs with the reason
    for each match, manual adjustment (conflicts enforced), invitations."""
    if not policies.can_manage_research(request.user):
        raise PermissionDenied
    selection = selectors.round_get(viewer=request.user, pk=pk)
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "compute":
                services.assignment_start(
                    selection=selection, mode=request.POST.get("mode", "total"), actor=request.user
                )
                messages.success(request, _("已开始计算分配，进度显示在下方；完成后请检查结果并应用"))
            elif action in ("apply", "cancel"):
                job = get_object_or_404(
                    selection.assignment_jobs, pk=int_param(request.POST, "job", default=0)
                )
                if action == "apply":
                    services.assignment_apply(job=job, actor=request.user)
                    messages.success(request, _("已应用计算结果，请检查后发出邀请"))
                else:
                    services.assignment_cancel(job=job, actor=request.user)
                    messages.success(request, _("已取消计算"))
            elif action == "invite":
                n = services.assignment_invite(selection=selection, actor=request.user)
                messages.success(request, _("已向专家发出 %(n)d 份评审邀请") % {"n": n})
            elif action == "remove":
                a = get_object_or_404(
                    selection.assignments, pk=int_param(request.POST, "assignment", default=0)
                )
                services.assignment_remove(assignment=a, actor=request.user)
                messages.success(request, _("已移除"))
            elif action == "add":
                entry_pk = int_param(request.POST, "entry", default=0)
                expert_pk = int_param(request.POST, "expert", default=0)
                entry = get_object_or_404(Entry, pk=entry_pk, round=selection)
                expert = get_object_or_404(Expert, pk=expert_pk)
                services.assignment_add(entry=entry, expert=expert, actor=request.user)
                messages.success(request, _("已添加 %(name)s") % {"name": expert.name})
            elif action == "reopen":
                review = selectors.review_get(
                    viewer=request.user, pk=int_param(request.POST, "review", default=0)
                )
                services.review_reopen(
                    review=review, reason=request.POST.get("reason", ""), actor=request.user
                )
                messages.success(request, _("评审意见已退回专家修改"))
        except ValidationError as exc:
            _flash(request, exc)
        return redirect("research:assignment", pk=selection.pk)
    rows = selectors.round_assignments(viewer=request.user, selection=selection)
    by_entry: dict[int, list[Any]] = {}
    for a in rows:
        a.why = explain(a.explanation)  # type: ignore[attr-defined]
        by_entry.setdefault(a.entry_id, []).append(a)
    entries = [
        e
        for e in selectors.entry_list(viewer=request.user, selection=selection)
        if e.status == EntryStatus.ELIGIBLE
    ]
    for e in entries:
        e.pairs = by_entry.get(e.pk, [])  # type: ignore[attr-defined]
        e.suggestions = []  # type: ignore[attr-defined]
    if selection.status == RoundStatus.REVIEW and entries:
        _suggest(selection, entries, rows)
    return render(
        request,
        "research/assignment.html",
        {
            "round": selection,
            "entries": entries,
            "figures": selection.assignment_figures,
            "can_compute": selection.status == RoundStatus.REVIEW
            and not any(a.status != AssignmentStatus.PROPOSED for a in rows),
            "has_proposed": any(a.status == AssignmentStatus.PROPOSED for a in rows),
            **_job_context(selection, selection.assignment_jobs.first()),
        },
    )


JOB_POLL_SECONDS = 1
WORKER_WAIT_SECONDS = 10  # a job queued longer than this gets the "start lianmeng worker" hint

STAGES = {
    "matrix": gettext_lazy("计算匹配度矩阵"),
    "total": gettext_lazy("总匹配度最优解"),
    "ceiling": gettext_lazy("线性规划上限"),
    "rounding": gettext_lazy("线性规划取整"),
    "sets": gettext_lazy("整组评审人"),
    "repair": gettext_lazy("增广路径改进"),
    "exact": gettext_lazy("精确求解"),
    "done": gettext_lazy("完成"),
}


def _job_context(selection: Any, job: AssignmentJob | None) -> dict[str, Any]:
    """The computation panel: the latest job of the round, its progress and what can be done with it."""
    if job is None:
        return {"job": None}
    now = timezone.now()
    waiting = (now - job.created_at).total_seconds()
    elapsed = job.seconds
    if job.status == JobStatus.RUNNING and job.started_at:
        elapsed = max(elapsed, (now - job.started_at).total_seconds())
    figures = (job.result or {}).get("figures", {})
    return {
        "job": job,
        "job_stage": STAGES.get(job.stage, job.stage),
        "job_elapsed": round(elapsed, 1),
        "job_percent": min(100, int(100 * elapsed / max(job.time_limit, 0.1))),
        "job_waiting_long": job.status == JobStatus.QUEUED and waiting > WORKER_WAIT_SECONDS,
        "job_waiting": int(waiting),
        "job_gap": None if job.gap is None else round(100 * job.gap, 1),
        "job_figures": figures,
        "job_total_share": None if not figures.get("total_share") else round(100 * figures["total_share"], 1),
        "job_status_url": reverse("research:assignment-job", args=[selection.pk, job.pk]),
        "poll_seconds": JOB_POLL_SECONDS,
    }


@login_required
def assignment_job(request: AuthedRequest, pk: int, job: int) -> HttpResponse:
    """The computation panel alone, for htmx polling while the worker computes."""
    if not policies.can_manage_research(request.user):
        raise PermissionDenied
    selection = selectors.round_get(viewer=request.user, pk=pk)
    row = get_object_or_404(selection.assignment_jobs, pk=job)
    context = {"round": selection, **_job_context(selection, row)}
    response = render(request, "research/_assignment_job.html", context)
    if request.headers.get("HX-Request") and not row.active:
        response["HX-Refresh"] = "true"  # finished: reload the page (compute button, figures) once
    return response


# ------------------------------------------------------------------ reviewing (phone first)


@login_required
def my_reviews(request: AuthedRequest) -> HttpResponse:
    return render(
        request, "research/my_reviews.html", {"assignments": selectors.my_assignments(viewer=request.user)}
    )


@login_required
def review_start(request: AuthedRequest, pk: int) -> HttpResponse:
    a = selectors.assignment_get(viewer=request.user, pk=pk)
    if request.method == "POST":
        accept = request.POST.get("action") == "accept"
        try:
            services.assignment_respond(
                assignment=a, accept=accept, reason=request.POST.get("reason", ""), actor=request.user
            )
        except ValidationError as exc:
            _flash(request, exc)
            return redirect("research:my-reviews")
        if not accept:
            messages.success(request, _("已婉拒，秘书处将另行安排专家"))
            return redirect("research:my-reviews")
    review = services.review_open(assignment=a, actor=request.user)
    return redirect(review)


@login_required
def review_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    review = selectors.review_get(viewer=request.user, pk=pk)
    a = review.assignment
    criteria = list(a.round.criteria.all())
    scores = {s.criterion_id: s for s in review.scores.all()}
    errors: dict[str, list[str]] = {}
    posted: dict[str, Any] = {}
    own_expert = policies.expert_of(request.user)
    is_owner = not policies.is_secretariat(request.user) or (
        own_expert is not None and own_expert.pk == a.expert_id
    )
    if request.method == "POST" and is_owner:
        submit = request.POST.get("action") == "submit"
        errors, data = _posted_scores(request.POST, criteria)
        user = request.user
        stale_version = None

        def save(cmd: ReviewSave) -> Any:
            return services.review_save(review=review, cmd=cmd, actor=user, submit=submit)

        try:
            cmd = ReviewSave.build(data)
            refused = dry_run(save, cmd) if errors else None  # unreadable scores: nothing is saved
            if refused is not None:
                raise refused
            if not errors:
                save(cmd)
        except ValidationError as exc:
            for key, msgs in error_dict(exc).items():
                errors.setdefault(key, []).extend(m for m in msgs if m not in errors.get(key, []))
            if isinstance(exc, StaleVersion):  # saving again (after checking) goes through
                stale_version = exc.current_version
        if errors:
            posted = dict(request.POST.items())
            if stale_version is not None:
                posted["version"] = str(stale_version)
        else:
            messages.success(request, _("评审意见已提交") if submit else _("草稿已保存"))
            return redirect(review)
    rows = []
    for c in criteria:
        s = scores.get(c.pk)
        rows.append(
            {
                "criterion": c,
                "score": posted.get(f"score_{c.pk}", s.score if s and s.score is not None else ""),
                "comment": posted.get(f"comment_{c.pk}", s.comment if s else ""),
                "errors": errors.get(f"score_{c.pk}", []) + errors.get(f"comment_{c.pk}", []),
            }
        )
    return render(
        request,
        "research/review_form.html",
        {
            "review": review,
            "a": a,
            "entry": a.entry,
            "files": a.entry.files.all(),
            "rows": rows,
            "errors": errors,
            "overall": posted.get("overall_comment", review.overall_comment),
            "version": posted.get("version", review.version),
            "locked": review.status == ReviewStatus.SUBMITTED
            or a.round.status != RoundStatus.REVIEW
            or not is_owner,
            "is_secretariat": policies.is_secretariat(request.user),
        },
    )


# ------------------------------------------------------------------ 公示 (public)


def results(request: HttpRequest) -> HttpResponse:
    rounds = selectors.public_rounds()
    page = Paginator(rounds, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "research/results.html", {"page_obj": page})


def result_detail(request: HttpRequest, pk: int) -> HttpResponse:
    selection = get_object_or_404(SelectionRound, pk=pk)
    if not policies.round_is_public(selection):
        raise Http404
    entries = services.round_results(selection)
    winners = [e for e in entries if e.award]
    is_secretariat = policies.is_secretariat(request.user)
    form = ObjectionForm(request.POST or None, entries=winners)
    if request.method == "POST":
        action = request.POST.get("action", "object")
        try:
            if action == "object":
                filed = submit_form(
                    form,
                    lambda cmd: services.objection_file(
                        selection=selection, cmd=cmd, actor=request.user, ip=client_ip(request)
                    ),
                    command=ObjectionFile,
                )
                if filed is not None:
                    messages.success(request, _("异议已提交，秘书处将在公示期内答复"))
                    return redirect("research:result", pk=pk)
            elif action == "respond":
                objection = get_object_or_404(
                    Objection, pk=int_param(request.POST, "objection", default=0), round=selection
                )
                rf = ObjectionResponseForm(request.POST)
                answered = submit_form(
                    rf,
                    lambda cmd: services.objection_respond(
                        objection=objection, cmd=cmd, actor=signed_in(request)
                    ),
                    command=ObjectionAnswer,
                )
                if answered is not None:
                    messages.success(
                        request,
                        _("答复已保存：%(name)s 的异议，处理结果为“%(outcome)s”")
                        % {"name": answered.name, "outcome": answered.get_outcome_display()},
                    )
                    return redirect("research:result", pk=pk)
                for name, field_messages in rf.errors.items():  # every field's error, labelled
                    label = rf.fields[name].label if name in rf.fields else ""
                    for message in field_messages:
                        messages.error(request, f"{label}{_('：')}{message}" if label else str(message))
            elif action == "result":
                entry = get_object_or_404(
                    Entry, pk=int_param(request.POST, "entry", default=0), round=selection
                )
                services.entry_set_result(
                    entry=entry,
                    award=request.POST.get("award", ""),
                    showcase=bool(request.POST.get("showcase")),
                    actor=signed_in(request),
                )
                messages.success(request, _("结果已调整"))
                return redirect("research:result", pk=pk)
        except ValidationError as exc:
            if action == "object":
                apply_to_form(form, exc)
            else:
                _flash(request, exc)
    return render(
        request,
        "research/result_detail.html",
        {
            "round": selection,
            "entries": entries,
            "winners": winners,
            "form": form,
            "publicity_open": services.publicity_open(selection),
            "objections": selectors.objections_for(viewer=request.user, selection=selection),
            "is_secretariat": is_secretariat,
            "response_form": ObjectionResponseForm(),
            "levels": [(t.level, t.get_level_display()) for t in selection.tiers.all()],
            "award_labels": dict(AwardLevel.choices),
        },
    )

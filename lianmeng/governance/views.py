"""Governance pages: presidency, council, meetings, motions, resolutions, notices, tasks, settings."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lianmeng.core.errors import error_dict
from lianmeng.core.files import file_response
from lianmeng.core.forms import submit_form
from lianmeng.core.params import int_param
from lianmeng.core.pending_uploads import discard_pending
from lianmeng.core.types import AuthedRequest
from lianmeng.membership import policies as membership_policies

from . import decisions, machines, policies, selectors, services
from .commands import (
    AttendanceRecord,
    HandoverRecord,
    MeetingCreate,
    MeetingUpdate,
    MinutesApprove,
    MinutesSave,
    MotionCreate,
    NoticeCreate,
    PaperAdd,
    RotationChangeCmd,
    SeatCreate,
    SeatRepresentativeChange,
    SettingsUpdate,
    TaskCreate,
    TaskUpdate,
    VoteCast,
)
from .forms import (
    ApproveMinutesForm,
    AttendanceForm,
    HandoverForm,
    MeetingForm,
    MinutesForm,
    MotionForm,
    NoticeAttachmentsForm,
    NoticeForm,
    PaperForm,
    RotationChangeForm,
    SeatForm,
    SeatRepresentativeForm,
    SettingsForm,
    TaskForm,
    TaskProgressForm,
    VoteForm,
)
from .models import (
    GovernanceSettings,
    MeetingPaper,
    MeetingStatus,
    MotionKind,
    MotionStatus,
    NoticeAttachment,
    NoticeStatus,
    ResolutionStatus,
    TaskStatus,
)
from .presidency import presidency_schedule, president_for

PAGE_SIZE = 20


def _flash(request: HttpRequest, fn: Callable[[], Any], success: str) -> Any:
    """Call a service from a button; errors become messages at the top of the page."""
    try:
        result = fn()
    except ValidationError as exc:
        for msgs in error_dict(exc).values():
            for m in msgs:
                messages.error(request, m)
        return None
    if success:
        messages.success(request, success)
    return result


def _flash_outcome(request: HttpRequest, motion: Any) -> None:
    """Say what closing a motion did: its result and, when passed, the resolution's number."""
    resolution = getattr(motion, "resolution", None) if motion.status == "passed" else None
    if resolution is not None:
        text = _("表决已结束：《%(title)s》%(result)s，已生成决议 %(number)s") % {
            "title": motion.title,
            "result": motion.get_status_display(),
            "number": resolution.number,
        }
    else:
        text = _("表决已结束：《%(title)s》%(result)s") % {
            "title": motion.title,
            "result": motion.get_status_display(),
        }
    messages.success(request, text)


def _notice_done(notice: Any) -> str:
    """What saving a notice did: published to how many organizations, or kept as a draft."""
    if notice.status == NoticeStatus.PUBLISHED:
        return _("通知已发布：《%(title)s》（%(number)s），已发送给 %(n)d 家成员单位") % {
            "title": notice.title,
            "number": notice.number,
            "n": notice.recipients_count,
        }
    return _("通知草稿已保存：《%(title)s》，发布前成员单位看不到") % {"title": notice.title}


def _task_assigned(task: Any) -> str:
    """What assigning a task did, to whom."""
    owners = "、".join(str(o) for o in (task.owner_organization, task.owner_user) if o is not None)
    return _("督办任务已交办：《%(title)s》交给 %(owners)s，完成期限 %(date)s，已通知责任方") % {
        "title": task.title,
        "owners": owners,
        "date": task.due_on.isoformat() if task.due_on else "—",
    }


@login_required
def index(request: AuthedRequest) -> HttpResponse:
    user = request.user
    schedule = presidency_schedule()
    return render(
        request,
        "governance/index.html",
        {
            "schedule": schedule,
            "to_vote": selectors.motions_to_vote(viewer=user),
            "open_motions": selectors.motion_list(viewer=user, status=MotionStatus.OPEN)[:5],
            "meetings": selectors.meetings_upcoming(viewer=user),
            "notices": selectors.notice_list(viewer=user)[:5],
            "my_tasks": selectors.task_list(viewer=user).filter(status__in=["open", "in_progress"])[:5]
            if not policies.is_secretariat(user)
            else [],
            "can_view_council": policies.can_view_council(user),
            "seat_count": selectors.seat_list().count(),
        },
    )


# ---------------------------------------------------------------- presidency


def presidency(request: HttpRequest) -> HttpResponse:
    """Public: the schedule of terms and the handovers; forms for those who may act."""
    schedule = presidency_schedule()
    user = request.user
    handover_form = change_form = None
    outgoing_id = None
    if schedule.plan is not None and policies.signed_in(user):
        recorded = {t.number for t in schedule.terms if t.handover}
        for previous, term in zip(schedule.terms, schedule.terms[1:], strict=False):
            if term.number not in recorded and previous.starts_on <= schedule.today:
                outgoing_id = previous.organization.pk
                break
        if outgoing_id is not None and policies.can_record_handover(user, outgoing_id):
            handover_form = HandoverForm(initial={"date": timezone.localdate()})
    pending = decisions.pending_for(user, schedule)
    if pending is not None and pending.refusal is not None:
        handover_form = None  # the council has not confirmed the handover yet: the page says why
        if policies.can_change_rotation(user):
            change_form = RotationChangeForm()
    return render(
        request,
        "governance/presidency.html",
        {
            "schedule": schedule,
            "handover_form": handover_form,
            "pending": pending,
            "may_view_resolutions": policies.signed_in(user),
            "change_form": change_form,
            "changes": schedule.plan.changes.select_related("resolution", "organization")
            if schedule.plan
            else [],
        },
    )


@login_required
@require_POST
def handover(request: AuthedRequest) -> HttpResponse:
    form = HandoverForm(request.POST)
    done = submit_form(
        form, lambda cmd: services.handover_record(cmd=cmd, actor=request.user), command=HandoverRecord
    )
    if done is not None:
        messages.success(
            request,
            _("轮值交接已记录：%(from)s 已向 %(to)s 移交轮值主席职责")
            % {"from": done.from_organization, "to": done.to_organization},
        )
        return redirect("governance:presidency")
    for field, errors in form.errors.items():
        for e in errors:
            messages.error(request, f"{form.fields[field].label if field in form.fields else ''} {e}".strip())
    return redirect("governance:presidency")


@login_required
def rotation_change(request: AuthedRequest) -> HttpResponse:
    if not policies.can_change_rotation(request.user):
        raise PermissionDenied
    form = RotationChangeForm(request.POST or None)
    if request.method == "POST":
        done = submit_form(
            form,
            lambda cmd: services.rotation_change(cmd=cmd, actor=request.user),
            command=RotationChangeCmd,
        )
        if done is not None:
            messages.success(
                request,
                _("轮值安排已按决议调整：依据 %(number)s，自第 %(term)d 任起生效")
                % {"number": done.resolution.number, "term": done.effective_sequence + 1},
            )
            return redirect("governance:presidency")
    return render(request, "governance/rotation_change.html", {"form": form})


# ---------------------------------------------------------------- council


@login_required
def council(request: AuthedRequest) -> HttpResponse:
    seats = selectors.seat_list()
    can_manage = policies.can_manage_council(request.user)
    form = SeatForm(request.POST or None) if can_manage else None
    if form is not None and request.method == "POST":
        seat = submit_form(
            form, lambda cmd: services.seat_create(cmd=cmd, actor=request.user), command=SeatCreate
        )
        if seat is not None:
            messages.success(
                request,
                _("理事会席位已添加：%(org)s，自 %(date)s 起")
                % {"org": seat.organization, "date": seat.starts_on},
            )
            return redirect("governance:council")
    return render(
        request,
        "governance/council.html",
        {
            "seats": seats,
            "form": form,
            "can_manage": can_manage,
            "show_people": policies.can_view_council(request.user),
        },
    )


@login_required
def seat_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    seat = selectors.seat_get(viewer=request.user, pk=pk)
    form = SeatRepresentativeForm(request.POST or None, initial={"on": timezone.localdate()})
    if request.method == "POST":
        if not policies.can_manage_council(request.user):
            raise PermissionDenied
        changed = submit_form(
            form,
            lambda cmd: services.seat_change_representative(seat=seat, cmd=cmd, actor=request.user),
            command=SeatRepresentativeChange,
        )
        if changed is not None:
            messages.success(
                request,
                _("理事已更换：%(org)s 的理事现为 %(name)s，席位与表决记录保留")
                % {"org": changed.organization, "name": changed.representative},
            )
            return redirect("governance:seat", pk=seat.pk)
    return render(
        request,
        "governance/seat.html",
        {
            "seat": seat,
            "history": seat.representatives.select_related("user"),
            "form": form if policies.can_manage_council(request.user) else None,
        },
    )


# ---------------------------------------------------------------- meetings


@login_required
def meeting_list(request: AuthedRequest) -> HttpResponse:
    if not policies.can_view_council(request.user):
        raise PermissionDenied
    status = request.GET.get("status", "")
    qs = selectors.meeting_list(viewer=request.user, status=status or None)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "governance/meeting_list.html",
        {
            "page_obj": page,
            "status": status,
            "statuses": MeetingStatus.choices,
            "can_convene": policies.can_convene_meeting(request.user, president_for(request.user)),
        },
    )


@login_required
def meeting_new(request: AuthedRequest) -> HttpResponse:
    if not policies.can_convene_meeting(request.user, president_for(request.user)):
        raise PermissionDenied
    form = MeetingForm(request.POST or None)
    if request.method == "POST":
        meeting = submit_form(
            form, lambda cmd: services.meeting_create(cmd=cmd, actor=request.user), command=MeetingCreate
        )
        if meeting is not None:
            messages.success(request, _("会议已安排"))
            return redirect(meeting)
    return render(request, "governance/meeting_form.html", {"form": form})


@login_required
def meeting_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_get(viewer=request.user, pk=pk)
    if not policies.can_convene_meeting(request.user, president_for(request.user)):
        raise PermissionDenied
    if meeting.status != MeetingStatus.PLANNED:
        messages.error(request, _("会议%(status)s，不能再修改") % {"status": meeting.get_status_display()})
        return redirect(meeting)
    initial = {
        "kind": meeting.kind,
        "title": meeting.title,
        "starts_at": timezone.localtime(meeting.starts_at),
        "place": meeting.place,
        "online_link": meeting.online_link,
        "agenda": "\n".join(a.title for a in meeting.agenda.all()),
        "version": meeting.version,
    }
    form = MeetingForm(request.POST or None, initial=initial)
    if request.method == "POST":
        updated = submit_form(
            form,
            lambda cmd: services.meeting_update(meeting=meeting, cmd=cmd, actor=request.user),
            command=MeetingUpdate,
        )
        if updated is not None:
            messages.success(request, _("会议已修改"))
            return redirect(updated)
    return render(request, "governance/meeting_form.html", {"form": form, "meeting": meeting})


@login_required
def meeting_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_get(viewer=request.user, pk=pk)
    user = request.user
    can_manage = policies.can_manage_council(user)
    day = timezone.localtime(meeting.starts_at).date()
    seats = list(selectors.seat_list(day=day))
    current = {a.seat_id: a for a in meeting.attendance.all()}
    form_name = request.POST.get("form", "")
    attendance_form = AttendanceForm(
        request.POST if form_name == "attendance" else None, seats=seats, current=current
    )
    minutes_form = MinutesForm(
        request.POST if form_name == "minutes" else None,
        initial={"minutes": meeting.minutes, "version": meeting.version},
    )
    paper_form = PaperForm(
        request.POST if form_name == "paper" else None, request.FILES if form_name == "paper" else None
    )
    later_held = selectors.meeting_list(viewer=user, status=MeetingStatus.HELD).filter(
        starts_at__gt=meeting.starts_at
    )
    approve_form = ApproveMinutesForm(request.POST if form_name == "approve" else None, meetings=later_held)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        ok: Any = None
        if form_name == "attendance":
            ok = submit_form(
                attendance_form,
                lambda d: services.meeting_record_attendance(
                    meeting=meeting,
                    cmd=AttendanceRecord.build(attendance=attendance_form.entries()),
                    actor=user,
                ),
            )
        elif form_name == "minutes":
            ok = submit_form(
                minutes_form,
                lambda cmd: services.meeting_save_minutes(meeting=meeting, cmd=cmd, actor=user),
                command=MinutesSave,
            )
        elif form_name == "paper":
            ok = submit_form(
                paper_form,
                lambda cmd: services.meeting_add_paper(
                    meeting=meeting, cmd=cmd, file=paper_form.cleaned_data["file"], actor=user
                ),
                validate=lambda cmd: services.meeting_paper_validate(
                    meeting=meeting, cmd=cmd, file=paper_form.cleaned_data.get("file"), actor=user
                ),
                command=PaperAdd,
            )
            if ok is not None:
                discard_pending(paper_form, "file")
                messages.success(
                    request,
                    _("已保存：材料《%(title)s》已添加到会议“%(meeting)s”")
                    % {"title": ok.title, "meeting": meeting.title},
                )
                return redirect(meeting)
        elif form_name == "remove-paper":
            paper = MeetingPaper.objects.filter(
                meeting=meeting, pk=int_param(request.POST, "paper", default=0)
            ).first()
            if paper is None:
                raise Http404
            _flash(request, lambda: services.meeting_remove_paper(paper=paper, actor=user), _("材料已删除"))
            return redirect(meeting)
        elif form_name == "approve":
            ok = submit_form(
                approve_form,
                lambda cmd: services.meeting_approve_minutes(meeting=meeting, cmd=cmd, actor=user),
                command=MinutesApprove,
            )
        elif form_name in ("hold", "cancel"):
            changed = _flash(
                request,
                lambda: services.meeting_change_status(meeting=meeting, action=form_name, actor=user),
                "",
            )
            if changed is not None:
                messages.success(
                    request,
                    _("会议状态已更新：“%(title)s”%(status)s")
                    % {"title": changed.title, "status": changed.get_status_display()},
                )
            return redirect(meeting)
        if ok:
            messages.success(request, _("已保存"))
            return redirect(meeting)
    attendance = [(s, current.get(s.pk)) for s in seats]
    return render(
        request,
        "governance/meeting_detail.html",
        {
            "meeting": meeting,
            "agenda": meeting.agenda.all(),
            "papers": meeting.papers.all(),
            "motions": meeting.motions.all(),
            "attendance": attendance,
            "attendance_counts": {
                key: sum(1 for _s, a in attendance if a and a.status == key)
                for key in ("present", "proxy", "absent")
            },
            "can_manage": can_manage,
            "can_edit": meeting.status == MeetingStatus.PLANNED
            and policies.can_convene_meeting(user, president_for(user)),
            "attendance_form": attendance_form,
            "minutes_form": minutes_form,
            "paper_form": paper_form,
            "approve_form": approve_form if later_held.exists() else None,
            "actions": machines.MEETING.actions(meeting.status),
        },
    )


@login_required
def meeting_paper(request: AuthedRequest, pk: int, paper_id: int) -> FileResponse:
    meeting = selectors.meeting_get(viewer=request.user, pk=pk)
    paper = MeetingPaper.objects.filter(meeting=meeting, pk=paper_id).first()
    if paper is None:
        raise Http404
    return attachment_response(paper.file, paper.content_type, paper.title)


# ---------------------------------------------------------------- motions


@login_required
def motion_list(request: AuthedRequest) -> HttpResponse:
    if not policies.can_view_council(request.user):
        raise PermissionDenied
    status = request.GET.get("status", "")
    q = request.GET.get("q", "").strip()
    qs = selectors.motion_list(viewer=request.user, status=status or None, q=q)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "governance/motion_list.html",
        {
            "page_obj": page,
            "status": status,
            "q": q,
            "statuses": MotionStatus.choices,
            "can_propose": policies.can_propose_motion(request.user, president_for(request.user)),
        },
    )


@login_required
def motion_new(request: AuthedRequest) -> HttpResponse:
    if not policies.can_propose_motion(request.user, president_for(request.user)):
        raise PermissionDenied
    initial: dict[str, Any] = {}
    if request.GET.get("application"):
        initial["application"] = request.GET["application"]
    if request.GET.get("kind") in (MotionKind.CHARTER, MotionKind.IMPORTANT, MotionKind.ORDINARY):
        initial["kind"] = request.GET["kind"]  # the charter page's "起草章程修改议案"
    form = MotionForm(request.POST or None, initial=initial)

    def create(cmd: MotionCreate) -> Any:
        open_now = bool(form.cleaned_data.get("open_now")) and policies.is_secretariat(request.user)
        return services.motion_create(cmd=cmd, actor=request.user, open_now=open_now)

    if request.method == "POST":
        motion = submit_form(form, create, command=MotionCreate)
        if motion is not None:
            opened = motion.status == MotionStatus.OPEN
            messages.success(request, _("议案已开始表决") if opened else _("议案草稿已保存"))
            return redirect(motion)
    return render(request, "governance/motion_form.html", {"form": form})


@login_required
def motion_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    motion = selectors.motion_get(viewer=request.user, pk=pk)
    user = request.user
    seats = services.seats_of(user, timezone.localdate())
    seat = seats[0] if len(seats) == 1 else None
    vote = selectors.my_vote(viewer=user, motion=motion, seat=seat)
    form = VoteForm(request.POST or None, initial={"choice": vote.choice if vote and vote.choice else None})
    if request.method == "POST":
        done = submit_form(
            form,
            lambda cmd: services.vote_cast(motion=motion, cmd=cmd, actor=user),
            command=VoteCast,
            extra={"seat": seat.pk if seat else None},
        )
        if done is not None:
            messages.success(request, _("您的表决已记录，可在截止前更改"))
            return redirect(motion)
    rows = selectors.motion_seat_votes(viewer=user, motion=motion)
    return render(
        request,
        "governance/motion_detail.html",
        {
            "motion": motion,
            "form": form,
            "seat": seat,
            "vote": vote,
            "can_vote": seat is not None and motion.is_open_for_voting(),
            "rows": rows,
            "voted_count": sum(1 for r in rows if r.voted),
            "can_open": policies.can_open_motion(user, motion) and motion.status == MotionStatus.DRAFT,
            "can_close": policies.can_close_motion(user, motion) and motion.can_close(),
            "resolution": getattr(motion, "resolution", None)
            if motion.status == MotionStatus.PASSED
            else None,
            "config": GovernanceSettings.current(),
            **_decides_on(user, motion),
            **decisions.decided_by(user, motion),
        },
    )


def _decides_on(viewer: Any, motion: Any) -> dict[str, Any]:
    """What an admission motion decides on: the application (a link for those who review applications)
    and, once admitted, the member organization (a link where its page opens for the viewer)."""
    application = motion.application
    if application is None:
        return {}
    org = application.organization
    return {
        "application_url": application.get_absolute_url()
        if membership_policies.can_review_application(viewer, application)
        else "",
        "organization_url": org.get_absolute_url()
        if org is not None and (org.is_active or membership_policies.can_edit_organization(viewer, org))
        else "",
    }


@login_required
@require_POST
def motion_action(request: AuthedRequest, pk: int, action: str) -> HttpResponse:
    motion = selectors.motion_get(viewer=request.user, pk=pk)
    if action == "open":
        _flash(request, lambda: services.motion_open(motion=motion, actor=request.user), _("议案已开始表决"))
    elif action == "close":
        closed = _flash(request, lambda: services.motion_close(motion=motion, actor=request.user), "")
        if closed is not None:
            _flash_outcome(request, closed)
    else:
        raise Http404
    return redirect(motion)


# ---------------------------------------------------------------- resolutions


@login_required
def resolution_list(request: AuthedRequest) -> HttpResponse:
    qs = selectors.resolution_list(viewer=request.user).annotate(task_count=Count("tasks"))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "governance/resolution_list.html", {"page_obj": page})


@login_required
def resolution_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    resolution = selectors.resolution_get(viewer=request.user, pk=pk)
    user = request.user
    form = (
        TaskForm(request.POST or None, initial={"resolution": resolution.pk})
        if policies.can_manage_tasks(user)
        else None
    )
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "sign_off":
            _flash(
                request,
                lambda: services.resolution_sign_off(resolution=resolution, actor=user),
                _("决议已签发：%(number)s《%(title)s》即日生效")
                % {"number": resolution.number, "title": resolution.title},
            )
            return redirect(resolution)
        if action == "admit":
            if not policies.is_secretariat(user):
                raise PermissionDenied
            pending = resolution.motion.application
            _flash(
                request,
                lambda: services.resolution_admit_application(resolution=resolution, actor=user),
                _(
                    "已依据决议批准入盟：依据 %(number)s 批准“%(name)s”入盟，成员单位已创建，"
                    "%(contact)s（%(email)s）为联络员，通知邮件已排队发送"
                )
                % {
                    "number": resolution.number,
                    "name": getattr(pending, "name", ""),
                    "contact": getattr(pending, "contact_name", ""),
                    "email": getattr(pending, "contact_email", ""),
                },
            )
            return redirect(resolution)
        if form is None:
            raise PermissionDenied
        task = submit_form(
            form,
            lambda cmd: services.task_create(cmd=cmd, actor=user),
            command=TaskCreate,
            extra={"resolution": resolution.pk},
        )
        if task is not None:
            messages.success(request, _task_assigned(task))
            return redirect(resolution)
    application = resolution.motion.application
    return render(
        request,
        "governance/resolution_detail.html",
        {
            "resolution": resolution,
            "tasks": resolution.tasks.select_related("owner_user", "owner_organization"),
            "form": form,
            "can_sign_off": resolution.status == ResolutionStatus.AWAITING_SIGNOFF
            and policies.can_sign_off(user, resolution, president_for(user)),
            "can_admit": application is not None
            and application.is_pending
            and resolution.status == ResolutionStatus.IN_FORCE
            and policies.is_secretariat(user),
            "rotation_changes": resolution.rotation_changes.select_related("organization"),
            **_decides_on(user, resolution.motion),
            **decisions.decided_by(user, resolution.motion),
        },
    )


# ---------------------------------------------------------------- notices


@login_required
def notice_list(request: AuthedRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    unread = request.GET.get("unread") == "1"
    qs = selectors.notice_list(viewer=request.user, q=q, unread=unread)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "governance/notice_list.html",
        {"page_obj": page, "q": q, "unread": unread, "can_manage": policies.can_manage_notices(request.user)},
    )


@login_required
def notice_new(request: AuthedRequest) -> HttpResponse:
    if not policies.can_manage_notices(request.user):
        raise PermissionDenied
    config = GovernanceSettings.current()
    form = NoticeForm(
        request.POST or None,
        request.FILES or None,
        initial={"read_by": timezone.localdate() + datetime.timedelta(days=config.notice_read_days)},
    )
    user = request.user

    def create(cmd: NoticeCreate) -> Any:
        attachments = form.cleaned_data.get("attachments") or []
        publish = bool(form.cleaned_data.get("publish"))
        # Every check first (fields and files), so the files are stored only when all is well.
        services.notice_validate(cmd=cmd, files=attachments, actor=user)
        with transaction.atomic():
            notice = services.notice_create(cmd=cmd, actor=user)
            if attachments:
                services.notice_add_attachments(notice=notice, files=attachments, actor=user)
            if publish:
                notice = services.notice_publish(notice=notice, actor=user)
            return notice

    if request.method == "POST":
        notice = submit_form(
            form,
            create,
            validate=lambda cmd: services.notice_validate(
                cmd=cmd, files=form.cleaned_data.get("attachments"), actor=user
            ),
            command=NoticeCreate,
        )
        if notice is not None:
            discard_pending(form, "attachments")
            messages.success(request, _notice_done(notice))
            return redirect(notice)
    return render(request, "governance/notice_form.html", {"form": form})


@login_required
def notice_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    notice = selectors.notice_get(viewer=request.user, pk=pk)
    user = request.user
    can_manage = policies.can_manage_notices(user)
    upload_form = NoticeAttachmentsForm(
        request.POST if request.POST.get("action") == "attach" else None,
        request.FILES if request.POST.get("action") == "attach" else None,
    )
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "read":
            services.notice_mark_read(notice=notice, actor=user)
            messages.success(request, _("已确认阅读"))
        elif action == "publish":
            published = _flash(request, lambda: services.notice_publish(notice=notice, actor=user), "")
            if published is not None:
                messages.success(request, _notice_done(published))
        elif action == "attach":
            if not can_manage:
                raise PermissionDenied
            added = submit_form(
                upload_form,
                lambda d: services.notice_add_attachments(notice=notice, files=d["attachments"], actor=user),
                validate=lambda d: None,  # one field: the form's own error is all there is to say
            )
            if added is not None:
                discard_pending(upload_form, "attachments")
                messages.success(
                    request,
                    _("已添加 %(n)d 个附件到通知《%(title)s》：%(names)s")
                    % {"title": notice.title, "n": len(added), "names": "、".join(a.title for a in added)},
                )
                return redirect(notice)
        elif action == "remove-attachment":
            attachment = NoticeAttachment.objects.filter(
                notice=notice, pk=int_param(request.POST, "attachment", default=0)
            ).first()
            if attachment is None:
                raise Http404
            _flash(
                request,
                lambda: services.notice_remove_attachment(attachment=attachment, actor=user),
                _("附件已删除"),
            )
        if action != "attach":
            return redirect(notice)
    receipts = selectors.notice_receipts(viewer=user, notice=notice)
    mine_unread = any(r.read_at is None for r in receipts) if not policies.is_secretariat(user) else False
    return render(
        request,
        "governance/notice_detail.html",
        {
            "notice": notice,
            "receipts": receipts[:500] if policies.is_secretariat(user) else receipts,
            "attachments": notice.attachments.all(),
            "mine_unread": mine_unread,
            "can_manage": can_manage,
            "upload_form": upload_form,
        },
    )


def attachment_response(file: Any, content_type: str, title: str) -> FileResponse:
    """A private file as a download named after its title (the stored name is random). The type and
    the extension come from the file's content (``lianmeng.core.files``), not from ``content_type``."""
    return file_response(file, name=title)


@login_required
def notice_attachment(request: AuthedRequest, pk: int, attachment_id: int) -> FileResponse:
    notice = selectors.notice_get(viewer=request.user, pk=pk)
    attachment = NoticeAttachment.objects.filter(notice=notice, pk=attachment_id).first()
    if attachment is None:
        raise Http404
    return attachment_response(attachment.file, attachment.content_type, attachment.title)


# ---------------------------------------------------------------- tasks


@login_required
def task_list(request: AuthedRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    overdue = request.GET.get("overdue") == "1"
    q = request.GET.get("q", "").strip()
    qs = selectors.task_list(viewer=request.user, status=status or None, overdue=overdue, q=q)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "governance/task_list.html",
        {
            "page_obj": page,
            "status": status,
            "overdue": overdue,
            "q": q,
            "statuses": TaskStatus.choices,
            "can_manage": policies.can_manage_tasks(request.user),
            "today": timezone.localdate(),
        },
    )


@login_required
def task_new(request: AuthedRequest) -> HttpResponse:
    if not policies.can_manage_tasks(request.user):
        raise PermissionDenied
    form = TaskForm(request.POST or None)
    if request.method == "POST":
        task = submit_form(
            form, lambda cmd: services.task_create(cmd=cmd, actor=request.user), command=TaskCreate
        )
        if task is not None:
            messages.success(request, _task_assigned(task))
            return redirect(task)
    return render(request, "governance/task_form.html", {"form": form})


@login_required
def task_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    task = selectors.task_get(viewer=request.user, pk=pk)
    user = request.user
    form = TaskProgressForm(request.POST or None)
    if request.method == "POST":
        action = request.POST.get("action", "")
        if submit_form(
            form,
            lambda cmd: services.task_update(task=task, cmd=cmd, actor=user),
            command=TaskUpdate,
            extra={"action": action},
        ):
            messages.success(request, _("办理进展已登记"))
            return redirect(task)
    actions = machines.TASK.allowed(task.status, actor=user, obj=task)
    return render(
        request,
        "governance/task_detail.html",
        {
            "task": task,
            "notes": task.notes.select_related("author"),
            "form": form,
            "actions": actions,
            "can_update": policies.can_update_task_progress(user, task),
        },
    )


# ---------------------------------------------------------------- settings


@login_required
def settings_view(request: AuthedRequest) -> HttpResponse:
    if not policies.can_configure(request.user):
        raise PermissionDenied
    config = GovernanceSettings.current()
    form = SettingsForm(request.POST or None, instance=config, initial={"version": config.version})
    if request.method == "POST":
        saved = submit_form(
            form,
            lambda cmd: services.governance_settings_update(cmd=cmd, actor=request.user),
            command=SettingsUpdate,
        )
        if saved is not None:
            messages.success(request, _("治理设置已保存"))
            return redirect("governance:settings")
    return render(request, "governance/settings.html", {"form": form})

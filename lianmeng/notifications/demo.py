"""Demo notifications for the demo accounts (a few unread), each linking to a real object of the demo
where there is one. Idempotent: a title already given to an account is not given again."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lianmeng.accounts.models import User
from lianmeng.governance.models import Motion, MotionStatus, Notice, NoticeStatus, Task
from lianmeng.matchmaking.models import MatchRequest
from lianmeng.membership.models import ApplicationStatus, MembershipApplication

from .models import Kind, Notification


def _url(find: Callable[[], object | None], fallback: str) -> str:
    obj = find()
    get = getattr(obj, "get_absolute_url", None)
    return str(get()) if get else reverse(fallback)


def _plan() -> dict[str, list[tuple[str, str, str, str]]]:
    member = User.objects.filter(username="demo-member").first()
    orgs = list(member.contact_organization_ids) if member else []
    notice = _url(
        lambda: (
            Notice.objects.filter(status=NoticeStatus.PUBLISHED, receipts__organization_id__in=orgs)
            .order_by("-id")
            .first()
        ),
        "governance:notices",
    )
    motion = _url(
        lambda: Motion.objects.filter(status=MotionStatus.OPEN).order_by("-id").first(), "governance:motions"
    )
    task = _url(
        lambda: Task.objects.filter(owner_organization_id__in=orgs).order_by("-id").first(),
        "governance:tasks",
    )
    request = _url(
        lambda: (
            MatchRequest.objects.filter(
                Q(requester_organization_id__in=orgs) | Q(resource__organization_id__in=orgs)
            )
            .order_by("-id")
            .first()
        ),
        "matchmaking:requests",
    )
    application = (
        MembershipApplication.objects.filter(status=ApplicationStatus.SUBMITTED).order_by("-id").first()
    )
    application_url = (
        reverse("membership:application-review", args=[application.pk])
        if application
        else reverse("membership:applications")
    )
    # username -> [(kind, title, body, url)], newest first; the first two stay unread
    return {
        "demo-member": [
            (
                Kind.MATCH_REQUEST_ANSWERED,
                _("对接请求有新答复"),
                _("对方已接受贵单位的对接请求，请尽快约定洽谈。"),
                request,
            ),
            (
                Kind.NOTICE_PUBLISHED,
                _("【通知】请阅读秘书处最新通知"),
                _("秘书处发布了通知，请登录联盟平台阅读并确认。"),
                notice,
            ),
            (
                Kind.EVENT_REMINDER,
                _("活动提醒：您报名的活动明天开始"),
                _("请携带电子票按时签到。"),
                reverse("activities:calendar"),
            ),
        ],
        "demo-secretariat": [
            (Kind.APPLICATION_RECEIVED, _("收到入盟申请"), _("有新的入盟申请等待审核。"), application_url),
            (
                Kind.PUBLICITY_OBJECTION,
                _("公示收到异议"),
                _("评选结果公示期内收到一条异议，请处理。"),
                reverse("research:index"),
            ),
            (Kind.TASK_OVERDUE, _("【逾期提醒】督办任务已逾期"), _("有督办任务超过完成期限，请跟进。"), task),
        ],
        "demo-council": [
            (Kind.MOTION_OPENED, _("议案开始表决"), _("有议案已开始表决，请登录平台投票。"), motion),
            (
                Kind.NOTICE_PUBLISHED,
                _("【通知】请阅读秘书处最新通知"),
                _("秘书处发布了通知，请登录联盟平台阅读并确认。"),
                notice,
            ),
        ],
        "demo-expert": [
            (
                Kind.REVIEW_INVITATION,
                _("评审邀请"),
                _("秘书处邀请您评审参评项目，请在“我的评审”中接受或婉拒。"),
                reverse("research:my-reviews"),
            ),
            (
                Kind.CONSULTATION_ASSIGNED,
                _("请答复专家咨询"),
                _("秘书处请您答复一条成员单位的咨询。"),
                reverse("library:consultations"),
            ),
        ],
        "demo-coordinator": [
            (
                Kind.EVENT_REMINDER,
                _("活动提醒：本市峰会或论坛尚未安排"),
                _("本年度 1+7+N 要求的峰会或论坛尚未举办，请尽快安排。"),
                reverse("activities:compliance"),
            ),
            (
                Kind.NOTICE_PUBLISHED,
                _("【通知】请阅读秘书处最新通知"),
                _("秘书处发布了通知，请登录联盟平台阅读并确认。"),
                reverse("governance:notices"),
            ),
        ],
    }


def load(*, accounts: bool = True) -> str:
    if not accounts:
        return "no demo accounts"
    now = timezone.now()
    made = 0
    for username, items in _plan().items():
        user = User.objects.filter(username=username).first()
        if user is None:
            continue
        for i, (kind, title, body, url) in enumerate(items):
            if Notification.objects.filter(recipient=user, title=title).exists():
                continue
            when = now - datetime.timedelta(hours=3 * i + 1)
            Notification.objects.create(
                recipient=user,
                kind=kind,
                title=title,
                body=body,
                url=url,
                created_at=when,
                read_at=None if i < 2 else when + datetime.timedelta(minutes=30),
            )
            made += 1
    return f"{made} for the demo accounts"

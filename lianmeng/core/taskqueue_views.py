"""/tasks/: the administrators' page of background work that failed or is stuck, with a retry button."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lianmeng.notifications.models import MailState, Notification
from lianmeng.notifications.tasks import notification_mail_send

from . import taskqueue
from .types import AuthedRequest

FAILED_MAILS_SHOWN = 100


def _administrator(request: AuthedRequest) -> None:
    if not request.user.is_administrator:
        raise PermissionDenied


@login_required
def task_list(request: AuthedRequest) -> HttpResponse:
    _administrator(request)
    failed_mails = Notification.objects.filter(mail_state=MailState.FAILED).select_related("recipient")
    return render(
        request,
        "core/task_queue.html",
        {
            "rows": taskqueue.problem_tasks(),
            "counts": taskqueue.queue_counts(),
            "failed_mails": failed_mails.order_by("-created_at", "-id")[:FAILED_MAILS_SHOWN],
            "failed_mail_count": failed_mails.count(),
            "lease_seconds": int(taskqueue.lease_seconds()),
        },
    )


@login_required
@require_POST
def task_retry(request: AuthedRequest, task_id: uuid.UUID) -> HttpResponse:
    _administrator(request)
    if taskqueue.retry(str(task_id)):
        messages.success(request, _("任务已重新排队"))
    else:
        messages.info(request, _("该任务已不在失败或卡住的列表中"))
    return HttpResponseRedirect(reverse("core:tasks"))


@login_required
@require_POST
def mail_retry(request: AuthedRequest, pk: int) -> HttpResponse:
    _administrator(request)

    n = get_object_or_404(Notification, pk=pk)
    if n.mail_state != MailState.FAILED:
        messages.info(request, _("这封邮件已不是发送失败状态"))
        return HttpResponseRedirect(reverse("core:tasks"))
    with transaction.atomic():
        Notification.objects.filter(pk=n.pk, mail_state=MailState.FAILED).update(
            mail_state=MailState.QUEUED, mail_attempts=0
        )
        transaction.on_commit(lambda: notification_mail_send.enqueue(n.pk))
    messages.success(request, _("邮件已重新排队发送"))
    return HttpResponseRedirect(reverse("core:tasks"))

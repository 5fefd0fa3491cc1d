"""Mails of the matchmaking mechanism (sent after the transaction commits, or by background tasks)."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.utils.translation import gettext as _

from lianmeng.accounts.models import Role, RoleAssignment
from lianmeng.core.models import AllianceSettings

from .models import MatchRequest, RequestStatus


def contact_emails(organization_ids: Iterable[int]) -> list[str]:
    """E-mail addresses of the member contacts of the given organizations."""
    rows = RoleAssignment.objects.filter(
        role=Role.MEMBER_CONTACT, organization_id__in=list(organization_ids), user__is_active=True
    ).values_list("user__email", flat=True)
    return sorted({e for e in rows if e})


def _link(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _subject(text: str) -> str:
    return f"【{AllianceSettings.current().short_name}】{text}"


def request_received(request_id: int) -> None:
    request = MatchRequest.objects.select_related("resource", "requester_organization").get(pk=request_id)
    to = contact_emails([request.resource.organization_id])
    if not to:
        return
    send_mail(
        _subject(_("收到新的对接请求")),
        _("“%(org)s”希望就贵单位发布的“%(title)s”开展对接：\n\n%(message)s\n\n请登录平台答复：%(link)s")
        % {
            "org": request.requester_organization.name,
            "title": request.resource.title,
            "message": request.message,
            "link": _link(request.get_absolute_url()),
        },
        None,
        to,
    )


def request_answered(request_id: int) -> None:
    request = MatchRequest.objects.select_related("resource", "resource__organization").get(pk=request_id)
    if request.status == RequestStatus.WITHDRAWN:
        to = contact_emails([request.resource.organization_id])
        text = _("对方已撤回就“%(title)s”发起的对接请求。")
    else:
        to = contact_emails([request.requester_organization_id])
        text = (
            _("“%(org)s”已接受贵单位就“%(title)s”发起的对接请求，请尽快约定洽谈。")
            if request.status == RequestStatus.ACCEPTED
            else _("“%(org)s”婉拒了贵单位就“%(title)s”发起的对接请求。")
        )
    if not to:
        return
    body = text % {"org": request.resource.organization.name, "title": request.resource.title}
    if request.response_message:
        body += "\n\n" + request.response_message
    send_mail(_subject(_("对接请求有新答复")), body + "\n\n" + _link(request.get_absolute_url()), None, to)


def request_stalled(request_id: int) -> None:
    request = MatchRequest.objects.select_related("resource").get(pk=request_id)
    if request.status == RequestStatus.PENDING:
        to = contact_emails([request.resource.organization_id])
        text = _("就“%(title)s”收到的对接请求已多日未答复，请登录平台接受或婉拒。")
    else:
        to = contact_emails([request.resource.organization_id, request.requester_organization_id])
        text = _("就“%(title)s”的对接已多日没有进展，请记录洽谈情况或对接结果。")
    if to:
        send_mail(
            _subject(_("对接请求待处理提醒")),
            text % {"title": request.resource.title} + "\n\n" + _link(request.get_absolute_url()),
            None,
            to,
        )


def digest(organization_id: int, lines: list[str]) -> bool:
    to = contact_emails([organization_id])
    if not to or not lines:
        return False
    send_mail(
        _subject(_("本周资源对接新推荐")),
        _("以下是与贵单位在对接中的资源新匹配的供需信息：") + "\n\n" + "\n".join(lines),
        None,
        to,
    )
    return True

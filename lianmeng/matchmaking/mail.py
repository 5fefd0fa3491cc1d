"""What the matchmaking mechanism tells people: notifications (lianmeng.notifications.notify, mailed by the
worker per each person's preference) and the weekly digest mail."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.utils.translation import gettext as _

from lianmeng.accounts.models import Role, RoleAssignment, User
from lianmeng.core.models import AllianceSettings
from lianmeng.notifications.models import Kind
from lianmeng.notifications.services import notify

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


def contact_users(organization_ids: Iterable[int]) -> list[int]:
    """Accounts of the member contacts of the given organizations (told in-app, mailed per preference)."""
    rows = RoleAssignment.objects.filter(
        role=Role.MEMBER_CONTACT, organization_id__in=list(organization_ids), user__is_active=True
    ).values_list("user_id", flat=True)
    return sorted(set(rows))


def request_received(request_id: int, actor: User | None = None) -> None:
    """Called inside the transaction that created the request: the post's contacts are notified."""
    request = MatchRequest.objects.select_related("resource", "requester_organization").get(pk=request_id)
    notify(
        recipients=contact_users([request.resource.organization_id]),
        kind=Kind.MATCH_REQUEST_RECEIVED,
        title=_("收到新的对接请求"),
        body=_("“%(org)s”希望就贵单位发布的“%(title)s”开展对接：\n\n%(message)s\n\n请登录平台答复。")
        % {
            "org": request.requester_organization.name,
            "title": request.resource.title,
            "message": request.message,
        },
        url=request.get_absolute_url(),
        actor=actor,
    )


def request_answered(request_id: int, actor: User | None = None) -> None:
    """Called inside the transaction of the answer (or withdrawal): the other side is notified."""
    request = MatchRequest.objects.select_related("resource", "resource__organization").get(pk=request_id)
    if request.status == RequestStatus.WITHDRAWN:
        to = contact_users([request.resource.organization_id])
        text = _("对方已撤回就“%(title)s”发起的对接请求。")
    else:
        to = contact_users([request.requester_organization_id])
        text = (
            _("“%(org)s”已接受贵单位就“%(title)s”发起的对接请求，请尽快约定洽谈。")
            if request.status == RequestStatus.ACCEPTED
            else _("“%(org)s”婉拒了贵单位就“%(title)s”发起的对接请求。")
        )
    body = text % {"org": request.resource.organization.name, "title": request.resource.title}
    if request.response_message:
        body += "\n\n" + request.response_message
    notify(
        recipients=to,
        kind=Kind.MATCH_REQUEST_ANSWERED,
        title=_("对接请求有新答复"),
        body=body,
        url=request.get_absolute_url(),
        actor=actor,
    )


def request_stalled(request_id: int) -> None:
    request = MatchRequest.objects.select_related("resource").get(pk=request_id)
    if request.status == RequestStatus.PENDING:
        to = contact_users([request.resource.organization_id])
        text = _("就“%(title)s”收到的对接请求已多日未答复，请登录平台接受或婉拒。")
    else:
        to = contact_users([request.resource.organization_id, request.requester_organization_id])
        text = _("就“%(title)s”的对接已多日没有进展，请记录洽谈情况或对接结果。")
    notify(
        recipients=to,
        kind=Kind.MATCH_REQUEST_STALLED,
        title=_("对接请求待处理提醒"),
        body=text % {"title": request.resource.title},
        url=request.get_absolute_url(),
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

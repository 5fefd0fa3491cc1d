"""What the libraries tell people: notifications (lianmeng.notifications.notify) to accounts, and mails by
the queue (``mail_later``) to experts who have no account."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from lianmeng.accounts.models import Role, User
from lianmeng.core.models import AllianceSettings
from lianmeng.notifications.models import Kind
from lianmeng.notifications.services import mail_later, notify

from .models import Consultation, Expert


def _link(consultation: Consultation) -> str:
    return settings.SITE_URL.rstrip("/") + consultation.get_absolute_url()


def _expert_addresses(experts: list[Expert]) -> list[str]:
    """Addresses of the experts who have no account (those with one are notified in-app)."""
    return [e.email for e in experts if e.email and not e.user_id]


def _expert_users(experts: list[Expert]) -> list[int]:
    return [e.user_id for e in experts if e.user_id]


def consultation_assigned(consultation_id: int, expert_ids: list[int], actor: Any = None) -> None:
    """Called inside the assigning transaction."""
    consultation = Consultation.objects.select_related("organization").get(pk=consultation_id)
    experts = list(Expert.objects.filter(pk__in=expert_ids).select_related("user"))
    title = _("请答复专家咨询：%(title)s") % {"title": consultation.title}
    text = _("您好：\n\n秘书处请您答复%(org)s的咨询“%(title)s”，期望在%(due)s前答复。") % {
        "org": consultation.organization.name,
        "title": consultation.title,
        "due": consultation.due_date.isoformat(),
    }
    notify(
        recipients=_expert_users(experts),
        kind=Kind.CONSULTATION_ASSIGNED,
        title=title,
        body=text,
        url=consultation.get_absolute_url(),
        actor=actor,
    )
    recipients = _expert_addresses(experts)
    if recipients:
        alliance = AllianceSettings.current()
        mail_later(f"【{alliance.short_name}】{title}", text + "\n" + _link(consultation), recipients)


def consultation_answered(consultation_id: int, actor: Any = None) -> None:
    """Called inside the answering transaction: the person who asked (and the organization's contacts)."""
    consultation = Consultation.objects.select_related("organization").get(pk=consultation_id)
    contacts = User.objects.filter(
        roles__role=Role.MEMBER_CONTACT, roles__organization_id=consultation.organization_id
    ).values_list("pk", flat=True)
    notify(
        recipients=[consultation.asked_by_id, *contacts],
        kind=Kind.CONSULTATION_ANSWERED,
        title=_("专家已答复咨询：%(title)s") % {"title": consultation.title},
        body=_("专家%(expert)s已答复“%(title)s”，请查看并评价。")
        % {"expert": actor or "", "title": consultation.title},
        url=consultation.get_absolute_url(),
        actor=actor,
    )


def consultation_overdue(consultation_id: int) -> None:
    consultation = Consultation.objects.get(pk=consultation_id)
    experts = list(consultation.experts.select_related("user"))
    users = _expert_users(experts)
    addresses = _expert_addresses(experts)
    if not users and not addresses:
        users = list(
            User.objects.filter(roles__role=Role.SECRETARIAT).values_list("pk", flat=True).distinct()
        )
    title = _("专家咨询已逾期：%(title)s") % {"title": consultation.title}
    text = _("咨询“%(title)s”的期望答复日期为%(due)s，目前尚未答复，请尽快处理。") % {
        "title": consultation.title,
        "due": consultation.due_date.isoformat(),
    }
    notify(
        recipients=users,
        kind=Kind.CONSULTATION_OVERDUE,
        title=title,
        body=text,
        url=consultation.get_absolute_url(),
    )
    if addresses:
        alliance = AllianceSettings.current()
        mail_later(f"【{alliance.short_name}】{title}", text + "\n" + _link(consultation), addresses)

"""Mails of the libraries (sent after the transaction commits)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.utils.translation import gettext as _

from lianmeng.accounts.models import Role, User
from lianmeng.core.models import AllianceSettings

from .models import Consultation, Expert


def _link(consultation: Consultation) -> str:
    return settings.SITE_URL.rstrip("/") + consultation.get_absolute_url()


def _expert_addresses(experts: list[Expert]) -> list[str]:
    return [
        e.email or (e.user.email if e.user else "") for e in experts if e.email or (e.user and e.user.email)
    ]


def consultation_assigned(consultation_id: int, expert_ids: list[int]) -> None:
    consultation = Consultation.objects.select_related("organization").get(pk=consultation_id)
    experts = list(Expert.objects.filter(pk__in=expert_ids).select_related("user"))
    recipients = _expert_addresses(experts)
    if not recipients:
        return
    alliance = AllianceSettings.current()
    send_mail(
        _("【%(alliance)s】请答复专家咨询：%(title)s")
        % {"alliance": alliance.short_name, "title": consultation.title},
        _("您好：\n\n秘书处请您答复%(org)s的咨询“%(title)s”，期望在%(due)s前答复。\n%(link)s")
        % {
            "org": consultation.organization.name,
            "title": consultation.title,
            "due": consultation.due_date.isoformat(),
            "link": _link(consultation),
        },
        None,
        recipients,
    )


def consultation_overdue(consultation_id: int) -> None:
    consultation = Consultation.objects.get(pk=consultation_id)
    experts = list(consultation.experts.select_related("user"))
    recipients = _expert_addresses(experts)
    if not recipients:
        recipients = list(
            User.objects.filter(roles__role=Role.SECRETARIAT)
            .exclude(email="")
            .values_list("email", flat=True)
            .distinct()
        )
    if not recipients:
        return
    alliance = AllianceSettings.current()
    send_mail(
        _("【%(alliance)s】专家咨询已逾期：%(title)s")
        % {"alliance": alliance.short_name, "title": consultation.title},
        _("咨询“%(title)s”的期望答复日期为%(due)s，目前尚未答复，请尽快处理。\n%(link)s")
        % {
            "title": consultation.title,
            "due": consultation.due_date.isoformat(),
            "link": _link(consultation),
        },
        None,
        recipients,
    )

"""What membership tells people: mails to applicants (who have no account yet; by the queue, with retries,
after the transaction commits) and notifications to accounts (the secretariat, an admitted contact)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from lianmeng.accounts.models import Role, User
from lianmeng.core.models import AllianceSettings
from lianmeng.notifications.models import Kind
from lianmeng.notifications.services import mail_later, notify

from .models import MembershipApplication, Organization


def _tracking_link(application: MembershipApplication) -> str:
    return settings.SITE_URL.rstrip("/") + application.get_tracking_url()


def application_received(application_id: int) -> None:
    application = MembershipApplication.objects.get(pk=application_id)
    alliance = AllianceSettings.current()
    mail_later(
        _("【%(alliance)s】已收到贵单位的入盟申请") % {"alliance": alliance.short_name},
        _(
            "%(contact)s：\n\n已收到“%(name)s”的入盟申请。可通过以下专属链接随时查看办理进度：\n%(link)s\n\n"
            "请妥善保管该链接，不要转发给他人。"
        )
        % {
            "contact": application.contact_name,
            "name": application.name,
            "link": _tracking_link(application),
        },
        [application.contact_email],
    )


def application_status_changed(application_id: int) -> None:
    application = MembershipApplication.objects.get(pk=application_id)
    alliance = AllianceSettings.current()
    last = application.reviews.order_by("-created_at", "-id").first()
    message = last.message if last else ""
    mail_later(
        _("【%(alliance)s】入盟申请状态：%(status)s")
        % {"alliance": alliance.short_name, "status": application.get_status_display()},
        _("%(contact)s：\n\n“%(name)s”的入盟申请状态已更新为：%(status)s。\n%(message)s\n查看详情：%(link)s")
        % {
            "contact": application.contact_name,
            "name": application.name,
            "status": application.get_status_display(),
            "message": (_("意见：") + message + "\n") if message else "",
            "link": _tracking_link(application),
        },
        [application.contact_email],
    )


def application_received_notify(application: MembershipApplication, actor: Any = None) -> None:
    """The secretariat is told of a new (or corrected) application, in the submitting transaction."""
    notify(
        recipients=User.objects.filter(roles__role=Role.SECRETARIAT).values_list("pk", flat=True).distinct(),
        kind=Kind.APPLICATION_RECEIVED,
        title=_("收到入盟申请：%(name)s") % {"name": application.name},
        body=_("“%(name)s”提交了入盟申请，请审核。") % {"name": application.name},
        url=reverse("membership:application-review", args=[application.pk]),
        actor=actor,
    )


def member_admitted(user: Any, organization: Organization, actor: Any = None) -> None:
    """The contact of an admitted organization is welcomed in-app (seen at their first sign-in)."""
    notify(
        recipients=[user],
        kind=Kind.MEMBER_ADMITTED,
        title=_("欢迎加入联盟：%(name)s") % {"name": organization.name},
        body=_("“%(name)s”的入盟申请已获通过，您是本单位的联系人，可以在工作台办理联盟事务。")
        % {"name": organization.name},
        url=organization.get_absolute_url(),
        actor=actor,
    )

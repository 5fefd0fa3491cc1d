"""Mails to applicants (sent after the transaction commits)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.utils.translation import gettext as _

from lianmeng.core.models import AllianceSettings

from .models import MembershipApplication


def _tracking_link(application: MembershipApplication) -> str:
    return settings.SITE_URL.rstrip("/") + application.get_tracking_url()


def application_received(application_id: int) -> None:
    application = MembershipApplication.objects.get(pk=application_id)
    alliance = AllianceSettings.current()
    send_mail(
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
        None,
        [application.contact_email],
    )


def application_status_changed(application_id: int) -> None:
    application = MembershipApplication.objects.get(pk=application_id)
    alliance = AllianceSettings.current()
    last = application.reviews.order_by("-created_at", "-id").first()
    message = last.message if last else ""
    send_mail(
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
        None,
        [application.contact_email],
    )

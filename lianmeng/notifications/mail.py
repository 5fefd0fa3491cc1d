"""The text of notification mails (one per notification, or one daily digest per person)."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from lianmeng.core.models import AllianceSettings

from .models import Notification


def link(url: str) -> str:
    if url.startswith("/"):
        return settings.SITE_URL.rstrip("/") + url
    return url


def subject(text: str) -> str:
    return f"【{AllianceSettings.current().short_name}】{text}"


def single(notification: Notification) -> tuple[str, str]:
    """(subject, body) of the mail for one notification."""
    parts = [notification.body.strip()] if notification.body.strip() else [notification.title]
    if notification.url:
        parts.append(link(notification.url))
    parts.append(
        _("不想再收到这类邮件？可在“消息设置”中改为仅站内消息：%(link)s")
        % {"link": link("/notifications/preferences/")}
    )
    return subject(notification.title), "\n\n".join(parts)


def digest(notifications: list[Notification]) -> tuple[str, str]:
    """(subject, body) of one person's daily digest."""
    lines = []
    for n in notifications:
        line = f"· {n.title}"
        if n.url:
            line += f"\n  {link(n.url)}"
        lines.append(line)
    body = (
        _("以下是您过去一天收到的 %(n)s 条站内消息：") % {"n": len(notifications)}
        + "\n\n"
        + "\n".join(lines)
        + "\n\n"
        + _("全部消息：%(link)s") % {"link": link("/notifications/")}
    )
    return subject(_("每日消息汇总")), body

"""Background work of the activities app (django-tasks, run by ``lianmeng worker``).

- ``registration_promoted_notify``: a waitlisted person got a seat.
- ``event_cancelled_notify``: a published event was cancelled.
- ``event_reminders_send``: the day before, people with a seat are reminded (once per event).
- ``compliance_reminders_send``: from the configured date (default 1 October) until the year ends,
  city coordinators and park contacts whose 1+7+N requirement is neither met nor scheduled get a
  reminder, and the secretariat a summary. The scheduler of ``lianmeng worker``
  (``lianmeng.core.schedule``) enqueues the last two.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from lianmeng.accounts.models import Role, User
from lianmeng.core.models import AllianceSettings
from lianmeng.notifications.models import Kind
from lianmeng.notifications.services import notify

from .compliance import ComplianceStatus, compliance_for_year
from .models import SEATED, ActivitySettings, Event, EventStatus, Registration
from .selectors import registration_mail_recipients  # the pages promise mail by the same rule

DATETIME = "%Y-%m-%d %H:%M"


def _site(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _recipients(registration: Registration) -> list[str]:
    return registration_mail_recipients(registration)


def _direct_addresses(registration: Registration) -> list[str]:
    """Of ``_recipients``, the addresses mailed directly: all but the address of the account that
    registered the attendee (that account is told by ``_tell_account``, in-app and by mail per its
    preference)."""
    account = registration.registered_by if registration.registered_by_id else None
    return [e for e in _recipients(registration) if account is None or e != account.email]


def _tell_account(registration: Registration, *, kind: str, title: str, body: str) -> int:
    """Notify the account that registered the attendee (a member contact, or the attendee themself)."""
    if not registration.registered_by_id:
        return 0
    return len(
        notify(
            recipients=[registration.registered_by_id],
            kind=kind,
            title=title,
            body=body,
            url=registration.get_absolute_url(),
        )
    )


def _local(value: datetime.datetime) -> str:
    return f"{timezone.localtime(value):{DATETIME}}"


@task()
def registration_promoted_notify(registration_id: int) -> int:
    """Tell a person promoted from the waitlist that they have a seat. Returns mails sent."""
    registration = (
        Registration.objects.select_related("event", "registered_by").filter(pk=registration_id).first()
    )
    if registration is None:
        return 0
    alliance = AllianceSettings.current()
    event = registration.event
    title = _("候补成功：%(title)s") % {"title": event.title}
    body = _(
        "%(name)s：\n\n有人取消了报名，您已从候补名单转为正式报名。\n活动：%(title)s\n时间：%(when)s\n"
        "签到码：%(code)s\n电子票（含二维码）：%(link)s\n"
    ) % {
        "name": registration.name,
        "title": event.title,
        "when": _local(event.starts_at),
        "code": registration.code_display,
        "link": _site(registration.get_absolute_url()),
    }
    told = _tell_account(registration, kind=Kind.EVENT_PROMOTED, title=title, body=body)
    to = _direct_addresses(registration)
    if to:
        send_mail(f"【{alliance.short_name}】{title}", body, None, to)
    return 1 if told or to else 0


@task()
def event_cancelled_notify(event_id: int) -> int:
    """Tell everyone holding a place (or waiting) that the event is cancelled, with the reason."""
    event = Event.objects.filter(pk=event_id).first()
    if event is None or event.status != EventStatus.CANCELLED:
        return 0
    alliance = AllianceSettings.current()
    sent = 0
    registrations = event.registrations.exclude(status="cancelled").select_related("registered_by")
    for registration in registrations:
        title = _("活动取消：%(title)s") % {"title": event.title}
        body = _("%(name)s：\n\n您报名的活动“%(title)s”（%(when)s）已取消。\n原因：%(reason)s\n") % {
            "name": registration.name,
            "title": event.title,
            "when": _local(event.starts_at),
            "reason": event.cancel_reason,
        }
        told = _tell_account(registration, kind=Kind.EVENT_CANCELLED, title=title, body=body)
        to = _direct_addresses(registration)
        if to:
            send_mail(f"【{alliance.short_name}】{title}", body, None, to)
        if told or to:
            sent += 1
    return sent


@task()
def event_reminders_send(now_iso: str | None = None) -> int:
    """Remind people with a seat at events starting within the next 24 hours (once per event)."""
    now = datetime.datetime.fromisoformat(now_iso) if now_iso else timezone.now()
    alliance = AllianceSettings.current()
    sent = 0
    due = Event.objects.filter(
        status=EventStatus.PUBLISHED,
        starts_at__gt=now,
        starts_at__lte=now + datetime.timedelta(hours=24),
        reminder_sent_at__isnull=True,
    )
    for event_id in due.values_list("pk", flat=True):
        with transaction.atomic():
            event = Event.objects.select_for_update().get(pk=event_id)
            if event.reminder_sent_at is not None:
                continue
            for registration in event.registrations.filter(status__in=SEATED).select_related("registered_by"):
                title = _("活动提醒：%(title)s") % {"title": event.title}
                body = _(
                    "%(name)s：\n\n您报名的活动将于 %(when)s 开始。\n地点：%(venue)s\n签到码：%(code)s\n电子票：%(link)s\n"
                ) % {
                    "name": registration.name,
                    "when": _local(event.starts_at),
                    "venue": " ".join(p for p in (event.venue, event.address, event.online_url) if p),
                    "code": registration.code_display,
                    "link": _site(registration.get_absolute_url()),
                }
                told = _tell_account(registration, kind=Kind.EVENT_REMINDER, title=title, body=body)
                to = _direct_addresses(registration)
                if to:
                    send_mail(f"【{alliance.short_name}】{title}", body, None, to)
                if told or to:
                    sent += 1
            event.reminder_sent_at = now
            event.save(update_fields=["reminder_sent_at"])
    return sent


def _emails(users: Iterable[User]) -> list[str]:
    return sorted({u.email for u in users if u.email and u.is_active})


@task()
def compliance_reminders_send(year: int | None = None, today_iso: str | None = None) -> dict[str, Any]:
    """From the reminder date until the year ends: remind those whose 1+7+N requirement is at risk
    or missing, and send the secretariat a summary. Returns what was sent (for the worker log)."""
    today = datetime.date.fromisoformat(today_iso) if today_iso else timezone.localdate()
    year = year or today.year
    settings_row = ActivitySettings.for_year(year)
    if today < settings_row.reminders_from or today.year != year:
        return {"sent": 0, "reason": "outside reminder period"}
    tz = timezone.get_default_timezone()
    now = datetime.datetime.combine(today, datetime.time(12, 0), tzinfo=tz)
    secretariat_users = list(
        User.objects.filter(roles__role__in=[Role.SECRETARIAT, Role.ADMINISTRATOR]).distinct()
    )
    report = compliance_for_year(year=year, viewer=_SecretariatViewer(), now=now)
    alliance = AllianceSettings.current()
    link = _site(f"/events/compliance/{year}/")
    sent = {"cities": 0, "parks": 0, "secretariat": 0}
    gap_statuses = (ComplianceStatus.AT_RISK, ComplianceStatus.MISSING)
    city_gaps = [c for c in report.cities if c.status in gap_statuses]
    park_gaps = [p for p in report.parks if p.status in gap_statuses]
    for req in city_gaps:
        to = _emails(User.objects.filter(roles__role=Role.CITY_COORDINATOR, roles__city_id=req.key))
        if to:
            send_mail(
                _("【%(alliance)s】1+7+N 提醒：%(city)s本年度峰会或论坛尚未完成")
                % {"alliance": alliance.short_name, "city": req.label},
                _(
                    "%(city)s在 %(year)d 年尚无已举办的峰会或论坛（当前：%(status)s）。请尽快安排并在举办后提交活动总结。\n查看：%(link)s\n"
                )
                % {"city": req.label, "year": year, "status": req.status_label, "link": link},
                None,
                to,
            )
            sent["cities"] += 1
    for req in park_gaps:
        to = _emails(
            User.objects.filter(roles__role=Role.MEMBER_CONTACT, roles__organization_id=int(req.key))
        )
        if to:
            send_mail(
                _("【%(alliance)s】1+7+N 提醒：%(park)s主题活动未达标")
                % {"alliance": alliance.short_name, "park": req.label},
                _(
                    "%(park)s在 %(year)d 年已举办主题活动 %(held)d 场、已安排 %(scheduled)d 场，要求 %(required)d 场。\n查看：%(link)s\n"
                )
                % {
                    "park": req.label,
                    "year": year,
                    "held": req.held,
                    "scheduled": req.scheduled,
                    "required": req.required,
                    "link": link,
                },
                None,
                to,
            )
            sent["parks"] += 1
    to = _emails(secretariat_users)
    if to:
        lines = [f"{_('理事会全会')}：{report.plenary.status_label}"]
        lines += [f"{c.label}：{c.status_label}" for c in report.cities]
        lines.append(
            _("产业园：%(met)d 个已完成，%(gaps)d 个未完成或未安排")
            % {"met": report.park_totals.get("met", 0), "gaps": len(park_gaps)}
        )
        send_mail(
            _("【%(alliance)s】%(year)d 年 1+7+N 完成情况汇总")
            % {"alliance": alliance.short_name, "year": year},
            "\n".join(lines) + "\n\n" + link + "\n",
            None,
            to,
        )
        sent["secretariat"] = 1
    return {"sent": sum(sent.values()), **sent}


class _SecretariatViewer:
    """The reminder task reads the whole alliance, as the secretariat would."""

    is_authenticated = True
    is_secretariat = True
    coordinated_city_codes: set[str] = set()
    contact_organization_ids: set[int] = set()
    role_assignments = ("secretariat",)

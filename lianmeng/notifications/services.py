"""The one notify service every mechanism calls, and a person's own writes (read, preferences).

``notify`` creates the in-app rows in the caller's transaction; the mail each recipient asked for is
enqueued with ``transaction.on_commit`` as a django-tasks task (``tasks.notification_mail_send``),
retried with backoff, so a failing mail server never turns a saved action into an error page.
People who chose the daily digest get one mail a day (``tasks.send_daily_digests``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lianmeng.accounts.models import User

from .models import DEFAULT_CHANNEL, Channel, Kind, MailState, Notification, NotificationPreference

log = logging.getLogger(__name__)

TITLE_MAX = 200
URL_MAX = 500


def _user_ids(recipients: Iterable[Any]) -> list[int]:
    ids: list[int] = []
    for r in recipients:
        pk = r if isinstance(r, int) else getattr(r, "pk", None)
        if pk is not None and pk not in ids:
            ids.append(pk)
    return ids


def channels_for(user_ids: Iterable[int], kind: str) -> dict[int, str]:
    """Each user's channel for ``kind`` (DEFAULT_CHANNEL when they have not chosen)."""
    ids = list(user_ids)
    chosen = dict(
        NotificationPreference.objects.filter(user_id__in=ids, kind=kind).values_list("user_id", "channel")
    )
    return {pk: chosen.get(pk, DEFAULT_CHANNEL) for pk in ids}


def notify(
    *,
    recipients: Iterable[Any],
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    actor: Any = None,
) -> list[Notification]:
    """Tell ``recipients`` (users or user ids) about an event of ``kind``; returns the rows created.

    The acting user is not told about their own action; inactive accounts are skipped. Mail goes out
    after the caller's transaction commits, by the worker, per each recipient's preference.
    """
    if kind not in Kind.values:
        raise ValueError(f"unknown notification kind {kind!r}")
    ids = _user_ids(recipients)
    actor_pk = getattr(actor, "pk", None)
    if actor_pk is not None:
        ids = [pk for pk in ids if pk != actor_pk]
    if not ids:
        return []
    users = dict(User.objects.filter(pk__in=ids, is_active=True).values_list("pk", "email"))
    channels = channels_for(users, kind)
    now = timezone.now()
    rows = []
    for pk in ids:
        if pk not in users:
            continue
        channel = channels[pk]
        if channel == Channel.MAIL and users[pk]:
            state = MailState.QUEUED
        elif channel == Channel.DIGEST and users[pk]:
            state = MailState.DIGEST
        else:
            state = MailState.NONE
        rows.append(
            Notification(
                recipient_id=pk,
                kind=kind,
                title=str(title)[:TITLE_MAX],
                body=str(body),
                url=str(url)[:URL_MAX],
                actor_id=actor_pk,
                created_at=now,
                mail_state=state,
            )
        )
    created = Notification.objects.bulk_create(rows)
    queued = [n.pk for n in created if n.mail_state == MailState.QUEUED]
    if queued:
        transaction.on_commit(lambda: enqueue_mails(queued))
    return created


def enqueue_mails(notification_ids: list[int]) -> None:
    """Hand the mails to the queue. Never raises: the action that caused them is already saved."""
    from . import tasks

    for pk in notification_ids:
        try:
            tasks.notification_mail_send.enqueue(pk)
        except Exception:  # a queue failure must not reach the person who acted
            log.exception("could not enqueue the mail of notification %s", pk)
            Notification.objects.filter(pk=pk).update(mail_state=MailState.FAILED)


def mail_later(subject: str, body: str, to: Iterable[str]) -> None:
    """Mail addresses that have no account (applicants, guests) by the queue after commit, with retries."""
    addresses = sorted({a for a in to if a})
    if not addresses:
        return
    subject, body = str(subject), str(body)

    def _enqueue() -> None:
        from . import tasks

        try:
            tasks.mail_send.enqueue(subject, body, addresses)
        except Exception:  # the action that caused the mail is already saved
            log.exception("could not enqueue the mail %r", subject)

    transaction.on_commit(_enqueue)


def mark_read(*, notification: Notification, actor: Any) -> Notification:
    if notification.recipient_id != getattr(actor, "pk", None):
        raise PermissionDenied
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
    return notification


def mark_all_read(*, actor: Any) -> int:
    """Mark every unread notification of ``actor`` read; returns how many."""
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).update(read_at=timezone.now())


def preferences_of(user: Any) -> dict[str, str]:
    """Every kind with the user's channel for it."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "channel"))
    return {kind: chosen.get(kind, DEFAULT_CHANNEL) for kind in Kind.values}


@transaction.atomic
def preferences_set(*, user: Any, choices: dict[str, str], actor: Any) -> dict[str, str]:
    """Save the channel per kind (only the person themself). Unknown kinds or channels: field errors."""
    if getattr(actor, "pk", None) != getattr(user, "pk", None):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    for kind, channel in choices.items():
        if kind not in Kind.values:
            errors.setdefault(kind or "kind", []).append(_("没有这种消息类型"))
        elif channel not in Channel.values:
            errors.setdefault(kind, []).append(
                _("“%(kind)s”的接收方式须为仅站内消息、并发邮件或每日汇总") % {"kind": Kind(kind).label}
            )
    if errors:
        raise ValidationError(errors)
    existing = {p.kind: p for p in NotificationPreference.objects.select_for_update().filter(user=user)}
    for kind, channel in choices.items():
        pref = existing.get(kind)
        if pref is None:
            NotificationPreference.objects.create(user=user, kind=kind, channel=channel)
        elif pref.channel != channel:
            pref.channel = channel
            pref.save(update_fields=["channel"])
    return preferences_of(user)

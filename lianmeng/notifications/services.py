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

from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lianmeng.accounts.models import Role, User
from lianmeng.core.actors import Actor
from lianmeng.core.mail_switch import mail_allowed

from . import tasks
from .models import (
    DEFAULT_CHANNEL,
    RECEIVERS,
    Audience,
    Channel,
    Kind,
    MailState,
    Notification,
    NotificationPreference,
)

log = logging.getLogger(__name__)

TITLE_MAX = 200
URL_MAX = 500


# Recipients are read and written in chunks: SQLite allows 32,766 parameters in one statement and an
# ``IN`` list or a multi-row INSERT of a whole alliance would exceed it (PostgreSQL has 65,535).
CHUNK = 2000


def _chunks(items: list[int], size: int = CHUNK) -> Iterable[list[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _user_ids(recipients: Iterable[Any]) -> list[int]:
    """The users' ids in the order given, each once."""
    ids: dict[int, None] = {}
    for r in recipients:
        pk = r if isinstance(r, int) else getattr(r, "pk", None)
        if pk is not None:
            ids.setdefault(pk, None)
    return list(ids)


def channels_for(user_ids: Iterable[int], kind: str) -> dict[int, str]:
    """Each user's channel for ``kind`` (DEFAULT_CHANNEL when they have not chosen)."""
    ids = list(user_ids)
    chosen: dict[int, str] = {}
    for chunk in _chunks(ids):
        chosen.update(
            NotificationPreference.objects.filter(user_id__in=chunk, kind=kind).values_list(
                "user_id", "channel"
            )
        )
    return {pk: chosen.get(pk, DEFAULT_CHANNEL) for pk in ids}


def audiences_of(user: Any) -> set[str]:
    """The audiences of ``RECEIVERS`` that ``user`` belongs to, by their roles."""
    if not getattr(user, "is_authenticated", False):
        return set()
    found = {str(Audience.EVERYONE)}
    if user.is_secretariat:
        found.add(Audience.SECRETARIAT)
    if user.contact_organization_ids:
        found.add(Audience.CONTACT)
    if user.has_role(Role.COUNCIL_REPRESENTATIVE):
        found.add(Audience.COUNCIL)
    if user.coordinated_city_codes:
        found.add(Audience.COORDINATOR)
    if user.has_role(Role.EXPERT) or apps.get_model("library", "Expert").objects.filter(user=user).exists():
        found.add(Audience.EXPERT)
    return found


def receivable_kinds(user: Any) -> list[str]:
    """The kinds ``user`` can receive by their roles, plus any kind they already received or set (a
    former expert keeps the setting of their invitations), in the registry's order."""
    mine = audiences_of(user)
    if not mine:
        return []
    had = set(Notification.objects.filter(recipient=user).values_list("kind", flat=True).distinct())
    had |= set(NotificationPreference.objects.filter(user=user).values_list("kind", flat=True))
    return [kind for kind in Kind.values if RECEIVERS[kind] & mine or kind in had]


def notify(
    *,
    recipients: Iterable[Any],
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    actor: Actor | AnonymousUser | None = None,
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
    users: dict[int, str] = {}
    for chunk in _chunks(ids):
        users.update(User.objects.filter(pk__in=chunk, is_active=True).values_list("pk", "email"))
    channels = channels_for(users, kind)
    now = timezone.now()
    rows = []
    for pk in ids:
        if pk not in users:
            continue
        channel = channels[pk]
        if not mail_allowed():
            state = MailState.NONE
        elif channel == Channel.MAIL and users[pk]:
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
    created = Notification.objects.bulk_create(rows, batch_size=CHUNK)
    queued = [n.pk for n in created if n.mail_state == MailState.QUEUED]
    if queued:
        transaction.on_commit(lambda: enqueue_mails(queued))
    return created


def enqueue_mails(notification_ids: list[int]) -> None:
    """Hand the mails to the queue. Never raises: the action that caused them is already saved."""
    for start in range(0, len(notification_ids), tasks.MAIL_BATCH):
        batch = notification_ids[start : start + tasks.MAIL_BATCH]
        try:
            tasks.notification_mails_send.enqueue(batch)
        except Exception:  # a queue failure must not reach the person who acted
            log.exception("could not enqueue the mails of notifications %s…", batch[0])
            Notification.objects.filter(pk__in=batch).update(mail_state=MailState.FAILED)


def mail_later(subject: str, body: str, to: Iterable[str]) -> None:
    """Mail addresses that have no account (applicants, guests) by the queue after commit, with retries."""
    addresses = sorted({a for a in to if a})
    if not addresses or not mail_allowed():
        return
    subject, body = str(subject), str(body)

    def _enqueue() -> None:
        try:
            tasks.mail_send.enqueue(subject, body, addresses)
        except Exception:  # the action that caused the mail is already saved
            log.exception("could not enqueue the mail %r", subject)

    transaction.on_commit(_enqueue)


def mark_read(*, notification: Notification, actor: User) -> Notification:
    if notification.recipient_id != getattr(actor, "pk", None):
        raise PermissionDenied
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
    return notification


def mark_all_read(*, actor: User) -> int:
    """Mark every unread notification of ``actor`` read; returns how many."""
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).update(read_at=timezone.now())


def preferences_of(user: Any, *, receivable_only: bool = False) -> dict[str, str]:
    """Every kind with the user's channel for it (only the kinds they can receive: ``receivable_only``)."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "channel"))
    kinds = receivable_kinds(user) if receivable_only else Kind.values
    return {kind: chosen.get(kind, DEFAULT_CHANNEL) for kind in kinds}


@transaction.atomic
def preferences_set(*, user: User, choices: dict[str, str], actor: User) -> dict[str, str]:
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

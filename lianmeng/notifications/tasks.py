"""Background work of notifications (django-tasks, run by ``lianmeng worker``).

- ``notification_mail_send``: the mail of one notification; a failure is retried with backoff
  (NOTIFICATIONS_RETRY_SECONDS x 4^(attempt-1)) up to NOTIFICATIONS_MAIL_ATTEMPTS attempts, then the
  notification's mail is marked failed (the in-app notification is there anyway).
- ``notification_mails_send``: the mails of up to ``MAIL_BATCH`` notifications in one queue job (a notice to
  a whole alliance is a few hundred jobs, not one per person); each failure is retried on its own.
- ``mail_send``: a mail to addresses without an account (an applicant, a guest, an expert without an
  account), with the same retries; ``services.mail_later`` enqueues it after commit. The last failed
  attempt ends the task in ``MailFailed``: administrators see it on ``/tasks/`` and can retry it.
- ``send_daily_digests``: one mail per person who chose the daily digest, listing what came since the
  last one (enqueued daily by ``lianmeng.core.schedule``).
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone
from django_tasks import task

from . import mail
from .models import MailState, Notification

log = logging.getLogger(__name__)


class MailFailed(Exception):
    """The last attempt of a mail to an address without an account failed (listed on /tasks/)."""


def retry_delay(attempt: int) -> datetime.timedelta:
    """Wait before the attempt after ``attempt`` (1-based): base, 4x base, 16x base, …"""
    return datetime.timedelta(seconds=settings.NOTIFICATIONS_RETRY_SECONDS * 4 ** (attempt - 1))


def _retry(notification_id: int, attempt: int) -> None:
    if notification_mail_send.get_backend().supports_defer:
        run_after = timezone.now() + retry_delay(attempt)
        notification_mail_send.using(run_after=run_after).enqueue(notification_id, attempt + 1)
    else:  # a backend that cannot wait (the immediate one of the tests) retries at once
        notification_mail_send.enqueue(notification_id, attempt + 1)


@task()
def notification_mail_send(notification_id: int, attempt: int = 1) -> str:
    """Mail one notification to its recipient. Returns the mail state reached."""
    n = Notification.objects.select_related("recipient").filter(pk=notification_id).first()
    if n is None or n.mail_state != MailState.QUEUED or not n.recipient.email or not n.recipient.is_active:
        return "skipped"
    subject, body = mail.single(n)
    try:
        send_mail(subject, body, None, [n.recipient.email])
    except Exception as exc:  # any mail server failure is retried
        last = attempt >= settings.NOTIFICATIONS_MAIL_ATTEMPTS
        state = MailState.FAILED if last else MailState.QUEUED
        Notification.objects.filter(pk=n.pk).update(mail_attempts=attempt, mail_state=state)
        log.warning("mail of notification %s failed (attempt %s): %s", n.pk, attempt, exc)
        if not last:
            _retry(n.pk, attempt)
        return str(state)
    Notification.objects.filter(pk=n.pk).update(mail_attempts=attempt, mail_state=MailState.SENT)
    return str(MailState.SENT)


MAIL_BATCH = 100


@task()
def notification_mails_send(notification_ids: list[int]) -> int:
    """Mail a batch of notifications (``services.enqueue_mails``); returns how many were sent."""
    return sum(notification_mail_send.call(pk) == MailState.SENT for pk in notification_ids)


@task()
def mail_send(subject: str, body: str, to: list[str], attempt: int = 1) -> bool:
    """Send one mail to addresses without an account; retried like notification mails."""
    try:
        send_mail(subject, body, None, to)
    except Exception as exc:  # any mail server failure is retried
        log.warning("mail %r to %s failed (attempt %s): %s", subject, to, attempt, exc)
        if attempt >= settings.NOTIFICATIONS_MAIL_ATTEMPTS:
            # Nothing else records this mail: the task ends failed and waits on /tasks/ for a retry.
            raise MailFailed(
                f"mail {subject!r} to {', '.join(to)}: {attempt} attempts, the last: {exc}"
            ) from exc
        if mail_send.get_backend().supports_defer:
            run_after = timezone.now() + retry_delay(attempt)
            mail_send.using(run_after=run_after).enqueue(subject, body, to, attempt + 1)
        else:
            mail_send.enqueue(subject, body, to, attempt + 1)
        return False
    return True


@task()
def send_daily_digests() -> int:
    """One mail per person with notifications waiting for the digest; returns the mails sent."""
    waiting = (
        Notification.objects.filter(mail_state=MailState.DIGEST, recipient__is_active=True)
        .exclude(recipient__email="")
        .select_related("recipient")
        .order_by("recipient_id", "created_at", "id")
    )
    by_user: dict[int, list[Notification]] = {}
    for n in waiting:
        by_user.setdefault(n.recipient_id, []).append(n)
    sent = 0
    for rows in by_user.values():
        subject, body = mail.digest(rows)
        try:
            send_mail(subject, body, None, [rows[0].recipient.email])
        except Exception as exc:  # left waiting for tomorrow's digest
            log.warning("digest for user %s failed: %s", rows[0].recipient_id, exc)
            continue
        Notification.objects.filter(pk__in=[n.pk for n in rows]).update(mail_state=MailState.DIGESTED)
        sent += 1
    return sent

"""Background work of the accounts app (django-tasks, run by ``lianmeng worker``): account mails.

A mail server failure is retried with backoff (``lianmeng.core.taskqueue.retry_later``: 60 s, 4 min,
16 min, ... up to NOTIFICATIONS_MAIL_ATTEMPTS); the last failure ends the task failed, listed on /tasks/.
"""

from __future__ import annotations

import logging

from django_tasks import task

from lianmeng.core.taskqueue import retry_later

from . import mail

log = logging.getLogger(__name__)


@task()
def user_invite_mail_send(user_id: int, attempt: int = 1) -> int:
    """A new account (e.g. the contact of an admitted member) is told how to set its password."""
    try:
        return mail.user_invite(user_id)
    except Exception as exc:  # any mail server failure is retried
        log.warning("invitation mail to user %s failed (attempt %s): %s", user_id, attempt, exc)
        if retry_later(user_invite_mail_send, user_id, attempt=attempt):
            return 0
        raise


@task()
def password_reset_mail_send(user_id: int, attempt: int = 1) -> int:
    """The password reset link, asked for on the reset form."""
    try:
        return mail.password_reset(user_id)
    except Exception as exc:  # any mail server failure is retried
        log.warning("password reset mail to user %s failed (attempt %s): %s", user_id, attempt, exc)
        if retry_later(password_reset_mail_send, user_id, attempt=attempt):
            return 0
        raise

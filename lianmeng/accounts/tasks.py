"""Background work of the accounts app (django-tasks, run by ``lianmeng worker``): account mails."""

from __future__ import annotations

from django_tasks import task

from . import mail


@task()
def user_invite_mail_send(user_id: int) -> int:
    """A new account (e.g. the contact of an admitted member) is told how to set its password."""
    return mail.user_invite(user_id)


@task()
def password_reset_mail_send(user_id: int) -> int:
    """The password reset link, asked for on the reset form."""
    return mail.password_reset(user_id)

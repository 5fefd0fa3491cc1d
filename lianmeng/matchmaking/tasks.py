"""Background work of the matchmaking mechanism (django-tasks; run by `lianmeng worker`).

The scheduler of `lianmeng worker` (`lianmeng.core.schedule`) enqueues the daily tasks and the
weekly digest.
"""

from __future__ import annotations

from django_tasks import task

from . import services


@task()
def expire_resources() -> int:
    """Expire open posts whose validity has ended."""
    return services.resources_expire_due()


@task()
def remind_stalled_requests() -> int:
    """Remind requests that have waited too long for an answer or a follow-up."""
    return services.requests_remind_stalled()


@task()
def send_weekly_digest() -> int:
    """Mail each member organization the new suggestions for its open posts."""
    return services.digest_send()

"""Background work of governance (django-tasks), enqueued by the one scheduler (``lianmeng.core.schedule``).

- ``close_due_motions``: decides every open motion whose window has ended (every few minutes).
- ``notice_reminders`` and ``task_reminders``: the daily reminders; each is idempotent per day.
"""

from __future__ import annotations

import datetime
import logging

from django.core.exceptions import ValidationError
from django.utils import timezone
from django_tasks import task

from lianmeng.core.actors import SYSTEM

from . import services
from .models import Motion, MotionStatus

logger = logging.getLogger(__name__)


def _day(today: str | None) -> datetime.date:
    return datetime.date.fromisoformat(today) if today else timezone.localdate()


@task()
def close_due_motions() -> int:
    """Close every open motion past ``closes_at`` by the same rules as a manual close."""
    now = timezone.now()
    closed = 0
    for pk in Motion.objects.filter(status=MotionStatus.OPEN, closes_at__lte=now).values_list(
        "pk", flat=True
    ):
        try:
            services.motion_close(motion=Motion(pk=pk), actor=SYSTEM, now=now)
        except ValidationError:
            logger.info("motion %s was closed by someone else meanwhile", pk)
            continue
        closed += 1
    return closed


@task()
def notice_reminders(today: str | None = None) -> int:
    """Remind recipients who have not read a notice by its reading date (``today``: ISO date)."""
    return services.notice_send_reminders(today=_day(today))


@task()
def task_reminders(today: str | None = None) -> int:
    """Flag and remind the owners of overdue tasks (``today``: ISO date)."""
    return services.task_send_overdue_reminders(today=_day(today))

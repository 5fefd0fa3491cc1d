"""Background work of the libraries (django-tasks; run by `lianmeng worker`)."""

from __future__ import annotations

from django_tasks import task

from .services.consultations import consultation_remind_overdue


@task()
def remind_overdue_consultations() -> int:
    """Daily: remind experts (or the secretariat) of consultations past their due date."""
    return consultation_remind_overdue()

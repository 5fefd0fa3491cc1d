"""Background work of research (django-tasks; run by `lianmeng worker`)."""

from __future__ import annotations

from django_tasks import task

from .services.assignment import run_assignment_job


@task()
def compute_assignment(job_id: int) -> str:
    """An assignment computation started from the round page or the API (``AssignmentJob``)."""
    return run_assignment_job(job_id)

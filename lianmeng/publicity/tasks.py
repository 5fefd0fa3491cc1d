"""Background work of publicity (django-tasks; run by `lianmeng worker`).

`lianmeng publicity_schedule` enqueues the scheduled-publishing task; run it from cron every few
minutes (``*/5 * * * * lianmeng publicity_schedule``).
"""

from __future__ import annotations

from django_tasks import task

from . import services


@task()
def publish_scheduled_articles() -> int:
    """Publish the scheduled articles whose time has come."""
    return services.articles_publish_due()

"""Background work of publicity (django-tasks; run by `lianmeng worker`).

The scheduler of `lianmeng worker` (`lianmeng.core.schedule`) enqueues the scheduled-publishing
task every 5 minutes.
"""

from __future__ import annotations

from django_tasks import task

from . import services


@task()
def publish_scheduled_articles() -> int:
    """Publish the scheduled articles whose time has come."""
    return services.articles_publish_due()

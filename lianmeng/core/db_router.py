"""Reports read from a replica: ``REPORTS_DATABASE_URL`` adds the database alias ``reports``.

When it is set, ``ReportsRouter`` sends the reads of a report to that alias: the pages and API operations
named in ``REPORTS_VIEWS`` (the reports dashboard, the city reports, the annual report files and
``/api/v1/reports/...``), for GET and HEAD, and any code run inside ``reports_reads()`` (a worker task
building a report). Everything else, and every write, goes to ``default``. Tables that a report request
reads for itself — sessions, accounts and roles, two-factor devices, the task table — always come from
``default``, so a person who just signed in is not signed out by replication lag. The replica is never
migrated through Django: it follows the primary by PostgreSQL streaming replication (docs/deploy.md).

Without ``REPORTS_DATABASE_URL`` the router does nothing and every read goes to ``default``.
"""

from __future__ import annotations

import contextlib
import contextvars
import fnmatch
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve

REPORTS_ALIAS = "reports"
# Apps whose tables a report never reads from the replica.
PRIMARY_ONLY_APPS = frozenset(
    {"sessions", "auth", "accounts", "contenttypes", "admin", "otp_totp", "otp_static", "django_tasks_db"}
)

_reporting: contextvars.ContextVar[bool] = contextvars.ContextVar("reporting_reads", default=False)


@contextlib.contextmanager
def reports_reads() -> Iterator[None]:
    """Reads inside this block go to the reports replica (when there is one)."""
    token = _reporting.set(True)
    try:
        yield
    finally:
        _reporting.reset(token)


def replica_configured() -> bool:
    return REPORTS_ALIAS in settings.DATABASES


def reading_replica() -> bool:
    """True inside ``reports_reads()`` when a replica is configured: reads may lag the primary."""
    return _reporting.get() and replica_configured()


class ReportsRouter:
    def db_for_read(self, model: type[models.Model], **hints: Any) -> str | None:
        if _reporting.get() and replica_configured() and model._meta.app_label not in PRIMARY_ONLY_APPS:
            return REPORTS_ALIAS
        return None

    def db_for_write(self, model: type[models.Model], **hints: Any) -> str | None:
        return "default"

    def allow_relation(self, obj1: models.Model, obj2: models.Model, **hints: Any) -> bool | None:
        return True  # the replica holds the same rows as the primary

    def allow_migrate(
        self, db: str, app_label: str, model_name: str | None = None, **hints: Any
    ) -> bool | None:
        return db != REPORTS_ALIAS


def is_report_view(view_name: str) -> bool:
    return any(fnmatch.fnmatchcase(view_name, pattern) for pattern in settings.REPORTS_VIEWS)


class ReportsDatabaseMiddleware:
    """Runs the views named in ``REPORTS_VIEWS`` (GET and HEAD) inside ``reports_reads()``: the view and
    everything after this middleware (it is the last one), template rendering included."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not replica_configured() or request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        try:
            match = resolve(request.path_info, getattr(request, "urlconf", None))
        except Resolver404:
            return self.get_response(request)
        if not is_report_view(match.view_name):
            return self.get_response(request)
        with reports_reads():
            response = self.get_response(request)
            render = getattr(response, "render", None)
            if callable(render) and not getattr(response, "is_rendered", True):
                response = render()
            return response

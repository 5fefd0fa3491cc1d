"""Request ids, structured logs, slow requests and queries, and the Prometheus metrics of every request.

- Every request gets an id: the ``X-Request-ID`` a trusted proxy sent (``TRUSTED_PROXIES``; nginx sets it
  to its ``$request_id``), otherwise a new random one. It is echoed in the response's ``X-Request-ID``
  header and added to every log record written while the request runs (``request_id``).
- ``LOG_FORMAT=json`` writes one JSON object per line (``JsonFormatter``); the default is a text line.
- The logger ``lianmeng.request`` writes one line per request (method, path without the query and with
  secret URL arguments blanked, status,
  duration, view, client address, number and time of database queries); at WARNING when the request took
  longer than ``SLOW_REQUEST_MS``. Every query slower than ``SLOW_QUERY_MS`` is logged by
  ``lianmeng.db.slow`` with its SQL (never its parameters, which may hold personal data), in the web
  processes and in ``lianmeng worker`` alike.
- Metrics (``lianmeng.core.metrics``): request counts and latency histograms per view name.
"""

from __future__ import annotations

import contextvars
import datetime
import json
import logging
import re
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db.backends.signals import connection_created
from django.http import HttpRequest, HttpResponse

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
# Queries and their time in the current request: [count, seconds]; None outside a request.
_query_stats: contextvars.ContextVar[list[float] | None] = contextvars.ContextVar("query_stats", default=None)

# An id we accept from a proxy: letters, digits and a few separators, at most 128 characters (a log line
# must not be forged into several, nor grow without bound).
_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._:@-]{1,128}$")

request_log = logging.getLogger("lianmeng.request")
slow_query_log = logging.getLogger("lianmeng.db.slow")

# Attributes every LogRecord has; anything else was passed in ``extra`` and goes into the JSON object.
_STANDARD_ATTRS = frozenset(
    logging.LogRecord("", 0, "", 0, "", None, None).__dict__.keys()
    | {"message", "asctime", "request_id", "taskName"}
)


class RequestIdFilter(logging.Filter):
    """Puts the current request's id on every record (``-`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, request_id, pid, the
    fields given in ``extra`` and the exception's traceback when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "time": datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", request_id_var.get()),
            "pid": record.process,
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD_ATTRS and not key.startswith("_"):
                data[key] = value
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False, default=str)


def incoming_request_id(request: HttpRequest) -> str:
    """The proxy's ``X-Request-ID`` when the direct peer is a trusted proxy and the value is sane, else a
    new id (32 hex digits, like nginx's ``$request_id``)."""
    offered = request.META.get("HTTP_X_REQUEST_ID", "")
    if offered and _REQUEST_ID_RE.match(offered) and _from_trusted_proxy(request):
        return str(offered)
    return uuid.uuid4().hex


def _from_trusted_proxy(request: HttpRequest) -> bool:
    # late: LOGGING loads this module before the app registry is ready; accounts.throttle needs core.models
    from lianmeng.accounts.throttle import _is_trusted, _networks, _parse_ip

    networks = _networks(tuple(settings.TRUSTED_PROXIES))
    peer = _parse_ip(request.META.get("REMOTE_ADDR"))
    return bool(networks) and peer is not None and _is_trusted(peer, networks)


def view_label(request: HttpRequest, response: HttpResponse) -> str:
    """The view's name for logs and metrics: the URL name (``core:home``, ``api:city_list``), the probe's
    name, or one of a few fixed labels, so that made-up paths never create new metric series."""
    label = getattr(request, "metrics_view", None)
    if label:
        return str(label)
    match = getattr(request, "resolver_match", None)
    if match is not None:
        return str(match.view_name or match._func_path)
    if request.path.startswith(settings.STATIC_URL):
        return "static"
    if response.status_code == 404:
        return "unmatched"
    return "middleware"  # answered before URL resolution (a sign-in redirect of the two-factor check)


_SECRET_PARTS = ("token", "uid", "key", "secret", "code")


def loggable_path(request: HttpRequest) -> str:
    """The path with secrets in it blanked: a URL argument whose name says token, uid, key, secret or
    code (password links, tracking links, calendar feeds, tickets) is logged as ``[redacted]``."""
    path = request.path
    match = getattr(request, "resolver_match", None)
    for name, value in (getattr(match, "kwargs", None) or {}).items():
        if any(part in name.lower() for part in _SECRET_PARTS) and str(value):
            path = path.replace(str(value), "[redacted]")
    return path


def _user_id(request: HttpRequest) -> int | None:
    """The signed-in user's id when the request already loaded it: logging never reads the session."""
    user = getattr(request, "user", None)
    wrapped = getattr(user, "_wrapped", None)
    if user is None or wrapped is None or wrapped.__class__.__name__ == "object":
        return None
    return getattr(wrapped, "pk", None)


class RequestObservabilityMiddleware:
    """First in MIDDLEWARE: gives the request its id, times it, logs it and counts it in the metrics."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = incoming_request_id(request)
        request.request_id = request_id  # type: ignore[attr-defined]
        id_token = request_id_var.set(request_id)
        stats: list[float] = [0, 0.0]
        stats_token = _query_stats.set(stats)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            duration = time.perf_counter() - started
            response["X-Request-ID"] = request_id
            self._record(request, response, duration, stats)
            return response
        finally:
            _query_stats.reset(stats_token)
            request_id_var.reset(id_token)

    @staticmethod
    def _record(request: HttpRequest, response: HttpResponse, duration: float, stats: list[float]) -> None:
        # late: accounts.throttle needs the app registry (see _from_trusted_proxy)
        from lianmeng.accounts.throttle import client_ip

        # late: PROMETHEUS_MULTIPROC_DIR is read when lianmeng.core.metrics is first imported
        from lianmeng.core import metrics

        view = view_label(request, response)
        metrics.observe_request(
            view=view, method=request.method or "", status=response.status_code, seconds=duration
        )
        duration_ms = round(duration * 1000, 1)
        slow = duration_ms >= settings.SLOW_REQUEST_MS
        level = logging.WARNING if slow else logging.INFO
        if not request_log.isEnabledFor(level):
            return
        path = loggable_path(request)
        request_log.log(
            level,
            "%s %s %s %.1f ms%s",
            request.method,
            path,
            response.status_code,
            duration_ms,
            " (slow request)" if slow else "",
            extra={
                "event": "slow_request" if slow else "request",
                "method": request.method,
                "path": path,
                "status": response.status_code,
                "duration_ms": duration_ms,
                "view": view,
                "client": client_ip(request),
                "user_id": _user_id(request),
                "db_queries": int(stats[0]),
                "db_ms": round(stats[1] * 1000, 1),
            },
        )


def _timed_query(
    execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]
) -> Any:
    started = time.perf_counter()
    try:
        return execute(sql, params, many, context)
    finally:
        seconds = time.perf_counter() - started
        stats = _query_stats.get()
        if stats is not None:
            stats[0] += 1
            stats[1] += seconds
        duration_ms = seconds * 1000
        if duration_ms >= settings.SLOW_QUERY_MS:
            connection = context.get("connection")
            slow_query_log.warning(
                "slow query %.1f ms: %s",
                duration_ms,
                sql[:1000],
                extra={
                    "event": "slow_query",
                    "duration_ms": round(duration_ms, 1),
                    "sql": sql[:1000],
                    "database": getattr(connection, "alias", ""),
                },
            )


def _install_query_timer(sender: Any, connection: Any, **kwargs: Any) -> None:
    """On every new database connection (web and worker): time each query (``_timed_query``)."""
    if _timed_query not in connection.execute_wrappers:
        connection.execute_wrappers.append(_timed_query)


connection_created.connect(_install_query_timer, dispatch_uid="lianmeng-query-timer")

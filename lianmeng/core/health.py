"""Probes for load balancers and monitoring: ``/healthz``, ``/readyz`` and ``/metrics``.

They are answered by ``ProbeMiddleware``, placed before the session middleware: no login, no session
read or written, no cookie set, whoever asks (a load balancer polling every second must not create a
session row per poll, nor be sent to the two-factor page). The URL patterns in ``lianmeng/urls.py``
point at the same views, so ``reverse("healthz")`` works and the authorization matrix lists them.

- ``/healthz``: the process answers (200 ``{"status": "ok"}``); touches nothing else.
- ``/readyz``: the database answers, the cache stores and returns a value, every migration is applied
  (and the reports replica answers, when ``REPORTS_DATABASE_URL`` is set). 200 with each check, or 503
  naming the failed check; the error itself goes to the log with the request id, not to the caller.
- ``/metrics``: Prometheus text exposition (``lianmeng.core.metrics``). Off (404) unless
  ``METRICS_TOKEN`` or ``METRICS_ALLOWED_IPS`` is set; then a request needs ``Authorization: Bearer
  <METRICS_TOKEN>`` or a client address (``client_ip``, so behind a trusted proxy the real one) inside
  ``METRICS_ALLOWED_IPS``, else 403.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import logging
import uuid
from collections.abc import Callable
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.loader import MigrationLoader
from django.http import HttpRequest, HttpResponse

from lianmeng.accounts.throttle import _parse_ip, client_ip

log = logging.getLogger(__name__)

_migrations_applied = False  # once true in a process it stays true (a later deploy restarts the process)


def _json(data: dict[str, object], status: int = 200) -> HttpResponse:
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False), content_type="application/json", status=status
    )
    response["Cache-Control"] = "no-store"
    return response


def healthz(request: HttpRequest) -> HttpResponse:
    """The process is up and answers."""
    if request.method not in ("GET", "HEAD"):
        return _not_allowed()
    return _json({"status": "ok"})


def _check_database(alias: str) -> None:
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _check_cache() -> None:
    key = f"readyz:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=10)
    try:
        if cache.get(key) != "1":
            raise RuntimeError("the cache did not return the value just stored")
    finally:
        cache.delete(key)


def _check_migrations() -> None:
    global _migrations_applied
    if _migrations_applied:
        return
    loader = MigrationLoader(connections[DEFAULT_DB_ALIAS])
    applied = loader.applied_migrations or {}
    missing = sorted(key for key in loader.graph.nodes if key not in applied)
    if missing:
        names = ", ".join(f"{app}.{name}" for app, name in missing[:5])
        raise RuntimeError(f"{len(missing)} migration(s) not applied: {names}")
    _migrations_applied = True


def readiness() -> tuple[bool, dict[str, str]]:
    """(ready, {check: "ok" | reason}); reasons are short and name no host, user or password."""
    checks: dict[str, Callable[[], None]] = {"database": lambda: _check_database(DEFAULT_DB_ALIAS)}
    if "reports" in settings.DATABASES:
        checks["reports_database"] = lambda: _check_database("reports")
    checks["cache"] = _check_cache
    checks["migrations"] = _check_migrations
    results: dict[str, str] = {}
    for name, check in checks.items():
        if name == "migrations" and results.get("database") != "ok":
            results[name] = "not checked: the database is unavailable"
            continue
        try:
            check()
        except Exception as exc:
            log.warning("readyz: %s check failed", name, exc_info=True, extra={"event": "readyz_failed"})
            if name == "migrations" and isinstance(exc, RuntimeError):
                results[name] = str(exc)
            else:
                results[name] = f"unavailable ({type(exc).__name__})"
        else:
            results[name] = "ok"
    return all(v == "ok" for v in results.values()), results


def readyz(request: HttpRequest) -> HttpResponse:
    """Ready to serve: 200 with each check, or 503 naming what failed."""
    if request.method not in ("GET", "HEAD"):
        return _not_allowed()
    ready, checks = readiness()
    response = _json({"status": "ok" if ready else "unavailable", "checks": checks}, 200 if ready else 503)
    if not ready:
        response["Retry-After"] = "5"
    return response


@lru_cache(maxsize=8)
def _allowed_networks(entries: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(e, strict=False) for e in entries)


def metrics_access(request: HttpRequest) -> int:
    """200 when the request may read the metrics, 404 while they are off, 403 otherwise."""
    token = settings.METRICS_TOKEN
    allowed = settings.METRICS_ALLOWED_IPS
    if not token and not allowed:
        return 404
    if token:
        scheme, _, given = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode()):
            return 200
    if allowed:
        address = _parse_ip(client_ip(request))
        if address is not None and any(address in net for net in _allowed_networks(tuple(allowed))):
            return 200
    return 403


def metrics(request: HttpRequest) -> HttpResponse:
    if request.method not in ("GET", "HEAD"):
        return _not_allowed()
    status = metrics_access(request)
    if status != 200:
        text = "Not Found" if status == 404 else "Forbidden"
        return HttpResponse(text, content_type="text/plain; charset=utf-8", status=status)
    # late: PROMETHEUS_MULTIPROC_DIR is read when lianmeng.core.metrics is first imported
    from lianmeng.core.metrics import CONTENT_TYPE, exposition

    response = HttpResponse(exposition(), content_type=CONTENT_TYPE)
    response["Cache-Control"] = "no-store"
    return response


def _not_allowed() -> HttpResponse:
    response = HttpResponse("Method Not Allowed", content_type="text/plain; charset=utf-8", status=405)
    response["Allow"] = "GET, HEAD"
    return response


PROBES: dict[str, Callable[[HttpRequest], HttpResponse]] = {
    "/healthz": healthz,
    "/readyz": readyz,
    "/metrics": metrics,
}


class ProbeMiddleware:
    """Answers the probes before sessions, authentication and the two-factor check ever see them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        view = PROBES.get(request.path_info)
        if view is None:
            return self.get_response(request)
        request.metrics_view = request.path_info.lstrip("/")  # type: ignore[attr-defined]
        return view(request)

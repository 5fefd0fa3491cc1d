"""Login lock-out after repeated failures, per user name and per client address.

Counters live in the cache (Redis when REDIS_URL is set), so several app processes share them.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache


def _key(kind: str, value: str) -> str:
    return "login-fail:" + kind + ":" + hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]


def _keys(username: str | None, ip: str | None) -> list[str]:
    keys = []
    if username:
        keys.append(_key("user", username))
    if ip:
        keys.append(_key("ip", ip))
    return keys


def is_locked(username: str | None, ip: str | None) -> bool:
    limit = settings.LOGIN_MAX_FAILURES
    return any((cache.get(k) or 0) >= limit for k in _keys(username, ip))


def record_failure(username: str | None, ip: str | None) -> None:
    # The per-address limit is wider: several people may share an office's address.
    for k in _keys(username, ip):
        if cache.add(k, 1, timeout=settings.LOGIN_LOCK_SECONDS):
            continue
        try:
            cache.incr(k)
        except ValueError:
            cache.set(k, 1, timeout=settings.LOGIN_LOCK_SECONDS)


def record_success(username: str | None) -> None:
    if username:
        cache.delete(_key("user", username))


def client_ip(request: object) -> str | None:
    meta = getattr(request, "META", None) or {}
    return meta.get("REMOTE_ADDR") or None

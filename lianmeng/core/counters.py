"""Counters shared by every app process: sign-in lock-out and API rate limits.

Two stores, chosen by ``settings.RATE_LIMIT_STORE``:

- ``"database"`` (the default): the ``core_ratecounter`` table. Every operation is ONE SQL statement
  (``INSERT ... ON CONFLICT ... DO UPDATE ... RETURNING``, SQLite >= 3.35 and PostgreSQL), so
  concurrent requests in several processes never lose an increment.
- ``"redis"`` (the default when ``REDIS_URL`` is set): the same operations as MULTI/EXEC
  transactions on Redis (``INCRBY``, ``SET NX PX``).

Django's cache framework is not used for this: its ``incr`` is a read followed by a write on every
backend except Redis, which loses updates between processes (and local memory is not shared at all).

A counter has a count and an expiry; once expired it counts as absent and the next ``hit`` starts
it again.
"""

from __future__ import annotations

import random
import time
from functools import cache
from typing import Any

from django.conf import settings
from django.db import connection

from .models import RateCounter

# One hit in this many also deletes the database store's expired rows (no scheduler needed).
PURGE_ONE_IN = 500


def _now() -> float:
    """The clock of the database store (tests move it)."""
    return time.time()


def _table() -> str:
    return connection.ops.quote_name(RateCounter._meta.db_table)


def _redis_store() -> bool:
    return settings.RATE_LIMIT_STORE == "redis"


@cache
def _redis_client(url: str) -> Any:
    import redis

    return redis.Redis.from_url(url)


def _redis() -> Any:
    return _redis_client(settings.REDIS_URL)


def _redis_key(key: str) -> str:
    return f"{settings.CACHE_KEY_PREFIX}:counter:{key}"


def hit(key: str, *, window: float, amount: int = 1, sliding: bool = False) -> tuple[int, float]:
    """Add ``amount`` and return ``(count, seconds until the counter expires)``.

    A fixed window (the default) expires ``window`` seconds after the hit that started it; a sliding
    one ``window`` seconds after the latest hit.
    """
    if _redis_store():
        name = _redis_key(key)
        ms = max(1, int(window * 1000))
        pipe = _redis().pipeline(transaction=True)
        if not sliding:
            pipe.set(name, 0, px=ms, nx=True)
        pipe.incrby(name, amount)
        if sliding:
            pipe.pexpire(name, ms)
        pipe.pttl(name)
        result = pipe.execute()
        count, pttl = int(result[-2] if not sliding else result[-3]), int(result[-1])
        return count, max(pttl, 0) / 1000
    now = _now()
    table = _table()
    expires_update = (
        "excluded.expires"
        if sliding
        else f"CASE WHEN {table}.expires <= %s THEN excluded.expires ELSE {table}.expires END"
    )
    params: list[Any] = [key, amount, now + window, now]
    if not sliding:
        params.append(now)
    sql = (
        f'INSERT INTO {table} ("key", "count", "expires") VALUES (%s, %s, %s) '
        f'ON CONFLICT ("key") DO UPDATE SET '
        f'"count" = CASE WHEN {table}.expires <= %s THEN excluded.count ELSE {table}.count + excluded.count END, '
        f'"expires" = {expires_update} '
        f'RETURNING "count", "expires"'
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        count, expires = cursor.fetchone()
    if random.randrange(PURGE_ONE_IN) == 0:
        purge_expired()
    return int(count), max(float(expires) - now, 0.0)


def peek(key: str) -> tuple[int, float]:
    """``(count, seconds left)`` of a live counter, ``(0, 0.0)`` when absent or expired."""
    if _redis_store():
        name = _redis_key(key)
        pipe = _redis().pipeline(transaction=True)
        pipe.get(name)
        pipe.pttl(name)
        value, pttl = pipe.execute()
        if value is None or pttl == -2:
            return 0, 0.0
        return int(value), max(int(pttl), 0) / 1000
    now = _now()
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT "count", "expires" FROM {_table()} WHERE "key" = %s AND "expires" > %s', [key, now]
        )
        row = cursor.fetchone()
    if row is None:
        return 0, 0.0
    return int(row[0]), max(float(row[1]) - now, 0.0)


def claim(key: str, *, seconds: float, value: int = 1) -> bool:
    """Create the counter for ``seconds`` unless a live one exists; True if this call created it.

    Of several processes claiming the same key at once, exactly one gets True.
    """
    if _redis_store():
        return bool(_redis().set(_redis_key(key), value, px=max(1, int(seconds * 1000)), nx=True))
    now = _now()
    table = _table()
    sql = (
        f'INSERT INTO {table} ("key", "count", "expires") VALUES (%s, %s, %s) '
        f'ON CONFLICT ("key") DO UPDATE SET "count" = excluded.count, "expires" = excluded.expires '
        f"WHERE {table}.expires <= %s "
        f'RETURNING "count"'
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [key, value, now + seconds, now])
        return cursor.fetchone() is not None


_REDIS_GIVE_BACK = """
local v = redis.call('GET', KEYS[1])
if v and tonumber(v) > 0 then return redis.call('DECRBY', KEYS[1], ARGV[1]) end
return 0
"""


def give_back(key: str, amount: int = 1) -> None:
    """Undo ``amount`` of an earlier hit on a live counter (never below zero, never revives it)."""
    if _redis_store():
        _redis().eval(_REDIS_GIVE_BACK, 1, _redis_key(key), amount)
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f'UPDATE {_table()} SET "count" = CASE WHEN "count" > %s THEN "count" - %s ELSE 0 END '
            f'WHERE "key" = %s AND "expires" > %s',
            [amount, amount, key, _now()],
        )


def clear(*keys: str) -> None:
    if not keys:
        return
    if _redis_store():
        _redis().delete(*(_redis_key(k) for k in keys))
        return
    RateCounter.objects.filter(key__in=keys).delete()


def purge_expired() -> int:
    """Delete the database store's expired rows; returns how many."""
    if _redis_store():
        return 0  # Redis expires keys by itself
    deleted, _ = RateCounter.objects.filter(expires__lte=_now()).delete()
    return deleted

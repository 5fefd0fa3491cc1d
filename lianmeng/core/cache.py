"""Caching where it pays: the portal home, the public directory, the compliance and dashboard figures.

A cached value is stored under a key that holds the **versions of the apps whose tables it reads**
(``cached("directory", apps=("membership", "core"), parts=(...), build=...)``). A version is a row of
``reporting_dataversion`` named ``cache:<app>``; after every committed transaction that wrote to a table
of that app (INSERT, UPDATE or DELETE, seen by the execute wrapper of ``core.writes``, so
``QuerySet.update()``, ``bulk_create`` and raw SQL count too) the row gets a new random value. An edit
therefore changes the key of everything that read the edited app, at once, on every process: the
versions live in the database, whatever the cache backend. The values live in Django's default cache:
Redis when ``REDIS_URL`` is set (shared by all processes), local memory otherwise (one copy per process,
each built once per version).

Rules that keep one viewer's page from reaching another:
- ``cached`` is for values that do not depend on the viewer, or whose ``parts`` name the viewer's whole
  reach: e.g. ``("secretariat",)``, the cities a coordinator sees, whether the viewer is signed in, or
  ``viewer_parts(viewer)`` (the person and every role they hold). The page's language is always part of
  the key; the caller passes the rest (query string, page number, date).
- Cached HTML never holds a CSRF token or a message: cache the page's content, not the page. Forms inside
  cached HTML carry a placeholder that the view replaces with the request's own token when it serves
  them (``matchmaking.views._suggestions_html``).

A transaction that has written to a tracked app and not committed yet bypasses the cache (it must see its
own writes, and must not store what may be rolled back). A version row is created with a random value the
first time it is read, so a database that was emptied (a test's flush, a restore) never meets the keys of
its previous life. Random values, not counters: a number may never come back with other data behind it.
If the cache is unreachable, the value is built and the failure logged: caching never breaks a page.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import DatabaseError
from django.utils.translation import get_language

from . import db_router, writes

log = logging.getLogger(__name__)

T = TypeVar("T")

VERSION_PREFIX = "cache:"
KEY_PREFIX = "lm-cache"
DEFAULT_TIMEOUT = 600  # seconds; an edit invalidates at once, the timeout only bounds memory and clocks
TRACKED_APPS = frozenset(
    {"membership", "governance", "activities", "library", "research", "matchmaking", "publicity", "core"}
)
# core's tables that public pages read (the rest of core is queues, counters, audit, schedules).
CORE_TABLES = frozenset({"core_city", "core_alliancesettings"})
# Writes that change nothing a cached page shows: read receipts, calendar feed tokens.
IGNORED_TABLES = frozenset({"activities_calendarfeedtoken"})
# Busy tables with a version of their own instead of their app's: registrations and check-ins are the
# most frequent writes (hundreds an hour before a large event) and no cached value reads them (the
# compliance view counts events, the portal lists events, the search counts events), so they do not
# renew those. A cached value that reads one of them names its version in ``apps``.
# Notice read receipts (every member opening a notice) likewise: only the workbench's "not read by
# everyone" / "unread notices" panels read them.
OWN_VERSIONS = {
    "activities_registration": "activities-registrations",
    "governance_noticereceipt": "governance-receipts",
}


def app_of_table(table: str) -> str | None:
    """The version a write to ``table`` renews: its app's (``OWN_VERSIONS`` aside), else None."""
    if table in IGNORED_TABLES:
        return None
    if table in OWN_VERSIONS:
        return OWN_VERSIONS[table]
    app = table.split("_", 1)[0]
    if app == "core":
        return "core" if table in CORE_TABLES else None
    return app if app in TRACKED_APPS else None


def _version_model() -> Any:
    # cycle: reporting.models builds on core's models; core.cache is installed by core's AppConfig.ready
    from lianmeng.reporting.models import DataVersion

    return DataVersion


def bump(apps: Iterable[str], using: str = "default") -> None:
    """Give each app's version a new random value (one UPDATE each, in name order).

    Only an UPDATE: it may run while the write's own statement is still open (autocommit, ``INSERT …
    RETURNING``). A missing row is created by the first read (``versions``); before that no key of
    the app exists that could be stale.
    """
    model = _version_model()
    for app in sorted(set(apps)):
        model.objects.using(using).filter(name=VERSION_PREFIX + app).update(version=secrets.randbits(62))


def versions(apps: Iterable[str], using: str = "default") -> tuple[int, ...]:
    """The current version of each app (one query; a missing row is created with a random value)."""
    names = [VERSION_PREFIX + app for app in apps]
    model = _version_model()
    found = dict(model.objects.using(using).filter(name__in=names).values_list("name", "version"))
    for name in names:
        if name not in found:
            row, _created = model.objects.using(using).get_or_create(
                name=name, defaults={"version": secrets.randbits(62)}
            )
            found[name] = row.version
    return tuple(int(found[name]) for name in names)


def uncommitted_writes(using: str = "default") -> bool:
    """True inside a transaction that wrote to a tracked app and has not committed."""
    return writes.pending("cache", using) is not None


def install() -> None:
    """Called from CoreConfig.ready(): the versions follow every committed write (``core.writes``)."""
    writes.listen("cache", app_of_table, bump)


def _key(name: str, vers: tuple[int, ...], parts: Iterable[Any]) -> str:
    raw = repr((name, vers, get_language() or "", tuple(parts)))
    return f"{KEY_PREFIX}:{name}:{hashlib.sha256(raw.encode()).hexdigest()[:40]}"


def cached(
    name: str,
    *,
    apps: Iterable[str],
    build: Callable[[], T],
    parts: Iterable[Any] = (),
    timeout: int = DEFAULT_TIMEOUT,
    using: str = "default",
) -> T:
    """``build()``'s value, from the cache when nothing in ``apps`` changed since it was stored.

    The value must not depend on the viewer beyond what ``parts`` names (see the module docstring).
    """
    return cached_each([(name, apps, parts, build)], timeout=timeout, using=using)[0]


def cached_each(
    entries: Sequence[tuple[str, Iterable[str], Iterable[Any], Callable[[], T]]],
    *,
    timeout: int = DEFAULT_TIMEOUT,
    using: str = "default",
) -> list[T]:
    """``cached`` for several values at once — (name, apps, parts, build) each — with one query for all
    their versions and one cache round trip (``get_many``, then ``set_many`` for the values built)."""
    entries = [(name, tuple(apps), tuple(parts), build) for name, apps, parts, build in entries]
    if not entries:
        return []
    # A value read from the reports replica may lag the versions read from the primary: never stored.
    if uncommitted_writes(using) or db_router.reading_replica():
        return [build() for _n, _a, _p, build in entries]
    names = sorted({app for _n, apps, _p, _b in entries for app in apps})
    try:
        # the first read of an app's version creates its row (in a savepoint): a database that takes
        # no writes (a read-only SQLite file, a replica) serves the page uncached
        current = dict(zip(names, versions(names, using), strict=True))
    except DatabaseError:
        log.warning("cache versions unavailable", exc_info=True, extra={"event": "cache_unavailable"})
        return [build() for _n, _a, _p, build in entries]
    keys = [_key(name, tuple(current[a] for a in apps), parts) for name, apps, parts, _b in entries]
    try:
        found = cache.get_many(keys)
    except Exception:
        log.warning("cache unavailable", exc_info=True, extra={"event": "cache_unavailable"})
        found = {}
    out: list[T] = []
    built: dict[str, Any] = {}
    for key, (_n, _a, _p, build) in zip(keys, entries, strict=True):
        if key in found:
            out.append(found[key])
        else:
            value = build()
            built[key] = value
            out.append(value)
    if built:
        try:
            cache.set_many(built, timeout)
        except Exception:
            log.warning("cache unavailable", exc_info=True, extra={"event": "cache_unavailable"})
    return out


def viewer_parts(viewer: Any) -> tuple[Any, ...]:
    """A viewer's whole reach for a per-viewer key: the public, or the person with every role they hold
    (role, organization, city) and whether they are a superuser, so a role granted or withdrawn gives
    a new key at once (roles live in ``accounts``, whose writes renew no version)."""
    if not getattr(viewer, "is_authenticated", False):
        return ("public",)
    roles = sorted(
        (a.role, a.organization_id or 0, a.city_id or "") for a in getattr(viewer, "role_assignments", ())
    )
    return ("user", viewer.pk, bool(getattr(viewer, "is_superuser", False)), tuple(roles))

"""One write tracker: every committed INSERT, UPDATE or DELETE, by table, told to whoever listens.

Every database connection gets one execute wrapper (installed when the connection is created) that
looks at the first words of each statement. Because it reads the SQL, it also sees ``QuerySet.update()``,
``bulk_create`` and raw SQL, which model signals would miss. A listener (``listen``) maps a written
table to a key, or to None when the table is not its concern; it is told the keys once the write is
committed: at once under autocommit, once after the commit inside a transaction (the keys of the whole
transaction together), never after a rollback. A failure to tell it under autocommit is logged: the
write itself stands. ``migrate`` pauses the tracking (the listeners' tables may not exist yet).

Listeners: ``core.cache`` (the cached pages' app versions) and ``reporting.freshness`` (the annual
report's data version).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import DatabaseError, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate, pre_migrate

log = logging.getLogger(__name__)

_WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+[`"\[]?(\w+)', re.IGNORECASE)


@dataclass(frozen=True)
class Listener:
    name: str
    key: Callable[[str], str | None]  # table -> key, None: not this listener's concern
    notify: Callable[[set[str], str], None]  # (keys written, database alias), after the commit


_listeners: dict[str, Listener] = {}
_paused = False  # while ``migrate`` runs


def written_table(sql: str) -> str | None:
    """The table an INSERT/UPDATE/DELETE writes to, else None."""
    head = sql[:200]
    if head.lstrip()[:6].upper() not in ("INSERT", "UPDATE", "DELETE"):
        return None
    m = _WRITE.match(head)
    return m.group(1).lower() if m else None


def listen(name: str, key: Callable[[str], str | None], notify: Callable[[set[str], str], None]) -> None:
    """Tell ``notify`` the keys of the tables each committed write touched (see the module docstring)."""
    _listeners[name] = Listener(name, key, notify)
    install()


def pending(name: str, using: str = "default") -> set[str] | None:
    """The keys the listener ``name`` is to be told when the open transaction commits (None: none)."""
    conn = connections[using]
    if not conn.in_atomic_block:
        return None
    for entry in conn.run_on_commit:
        if getattr(entry[1], "_lm_writes", None) == name:
            keys: set[str] = getattr(entry[1], "_lm_keys")  # noqa: B009  # set by _note
            return keys
    return None


def _note(listener: Listener, key: str, alias: str) -> None:
    if connections[alias].in_atomic_block:
        keys = pending(listener.name, alias)
        if keys is None:
            keys = set()

            def after_commit() -> None:
                listener.notify(keys, alias)

            after_commit._lm_writes = listener.name  # type: ignore[attr-defined]
            after_commit._lm_keys = keys  # type: ignore[attr-defined]
            transaction.on_commit(after_commit, using=alias, robust=True)
        keys.add(key)
    else:
        try:
            listener.notify({key}, alias)
        except DatabaseError:  # e.g. new code before `migrate`: the write itself stands
            log.exception("%s: a write to %s not noted", listener.name, key)


def _wrapper(alias: str) -> Callable[..., Any]:
    def wrapper(
        execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]
    ) -> Any:
        result = execute(sql, params, many, context)
        if _paused or not isinstance(sql, str):
            return result
        table = written_table(sql)
        if table is None:
            return result
        for listener in list(_listeners.values()):
            key = listener.key(table)
            if key is not None:
                _note(listener, key, alias)
        return result

    return wrapper


def _install(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    if not any(getattr(w, "_lm_writes", False) for w in connection.execute_wrappers):
        w = _wrapper(connection.alias)
        w._lm_writes = True  # type: ignore[attr-defined]
        connection.execute_wrappers.append(w)


def _pause(**kwargs: Any) -> None:
    global _paused
    _paused = True


def _resume(**kwargs: Any) -> None:
    global _paused
    _paused = False


def install() -> None:
    """Every database connection tracks its writes (again: a no-op)."""
    connection_created.connect(_install, dispatch_uid="lianmeng-core-writes")
    pre_migrate.connect(_pause, dispatch_uid="lianmeng-core-writes-pause")
    post_migrate.connect(_resume, dispatch_uid="lianmeng-core-writes-resume")
    for conn in connections.all(initialized_only=True):
        _install(None, conn)

"""Backup and restore of the whole site: database rows as portable JSON Lines plus the uploaded files.

`lianmeng backup --output FILE`, `lianmeng backup --check FILE` and `lianmeng restore FILE`
(docs/backup.md). An app may add a ``backup_checks.py`` with ``after_restore() -> list[str]``: warnings
about data the restored site cannot use as is (e.g. keyed with another SECRET_KEY).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

from .archive import MIGRATION_SEEDED_TABLES, BackupError, Check, Manifest, backed_up_models, verify
from .dump import write_backup
from .load import RestoreResult, restore, rows_in_use


@contextlib.contextmanager
def quiet_slow_queries() -> Iterator[None]:
    """Reading or writing whole tables is slow by nature: no "slow query" log line per batch in the middle
    of the progress bar (lianmeng.core.observability's logger), until the block ends."""
    logger = logging.getLogger("lianmeng.db.slow")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


__all__ = [
    "MIGRATION_SEEDED_TABLES",
    "BackupError",
    "Check",
    "Manifest",
    "RestoreResult",
    "backed_up_models",
    "quiet_slow_queries",
    "restore",
    "rows_in_use",
    "verify",
    "write_backup",
]

"""What a restored site holds, read through the ORM (not through the backup's own encoding).

Used by tests/core/test_backup.py in the test process (the source) and, in a subprocess pointed at the
restored database and media directory, as ``python -m tests.core.backup_probe fingerprint|revote ...``.
"""

from __future__ import annotations

import datetime
import decimal
import hashlib
import json
import os
import sys
import uuid
from pathlib import Path
from typing import Any


def _normal(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat()
    if isinstance(value, datetime.date | datetime.time | datetime.timedelta):
        return str(value)
    if isinstance(value, decimal.Decimal):
        return str(value.normalize())
    if isinstance(value, uuid.UUID):
        return value.hex
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    return value


def table_rows() -> dict[str, list[list[Any]]]:
    """Every row of every table of the code (concrete models and many-to-many tables), sorted."""
    from django.apps import apps

    out: dict[str, list[list[Any]]] = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        names = [f.attname for f in model._meta.local_concrete_fields]
        rows = [[_normal(v) for v in row] for row in model._base_manager.values_list(*names)]
        out[model._meta.db_table] = sorted(rows, key=lambda row: json.dumps(row, default=str))
    return out


def media_checksums(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def secret_tallies() -> dict[str, dict[str, int]]:
    """Per secret motion: the count of each choice among its ballots (what the tally reads)."""
    from django.db.models import Count

    from lianmeng.governance.models import Motion, SecretBallot

    out: dict[str, dict[str, int]] = {}
    for motion in Motion.objects.filter(ballot="secret").order_by("title"):
        counts = SecretBallot.objects.filter(motion=motion).values("choice").annotate(n=Count("pk"))
        out[motion.title] = {row["choice"]: row["n"] for row in counts}
    return out


def fingerprint() -> dict[str, Any]:
    from django.conf import settings

    return {
        "tables": table_rows(),
        "files": media_checksums(Path(settings.MEDIA_ROOT)),
        "tallies": secret_tallies(),
    }


def revote(motion_title: str, choice: str) -> dict[str, int]:
    """The first seat that voted on the motion votes again with ``choice``; the motion's tally after."""
    from lianmeng.governance import services
    from lianmeng.governance.commands import VoteCast
    from lianmeng.governance.models import Motion, Vote

    motion = Motion.objects.get(title=motion_title)
    vote = Vote.objects.filter(motion=motion).select_related("seat__representative").order_by("pk").first()
    assert vote is not None
    services.vote_cast(
        motion=motion,
        cmd=VoteCast.build(choice=choice, seat=vote.seat.pk),
        actor=vote.seat.representative,
    )
    return secret_tallies()[motion_title]


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lianmeng.settings")
    import django

    django.setup()
    if argv[0] == "fingerprint":
        result: Any = fingerprint()
    else:
        result = revote(argv[1], argv[2])
    sys.stdout.write(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1:])

"""The audit log: every write through a service records actor, action, target, old and new values."""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Iterable, Mapping
from typing import Any

from django.db.models import Model
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from .models import AuditEntry, model_label


def _plain(value: Any) -> Any:
    if isinstance(value, Model):
        return value.pk
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value).isoformat()  # one instant, one spelling: no false "changes"
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name or None
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def snapshot(obj: Model, fields: Iterable[str]) -> dict[str, Any]:
    """The values of ``fields`` on ``obj`` as JSON-able data (for old/new in the audit log)."""
    out: dict[str, Any] = {}
    for name in fields:
        field = obj._meta.get_field(name)
        attname = getattr(field, "attname", name)
        out[name] = _plain(getattr(obj, attname))
    return out


def _version(target: Model) -> int | None:
    """The version of a versioned record (lianmeng.core.concurrency) after this write."""
    version = getattr(target, "version", None)
    return version if isinstance(version, int) and not isinstance(version, bool) else None


def record(
    *,
    actor: Any,
    action: str,
    target: Model,
    old: Mapping[str, Any] | None = None,
    new: Mapping[str, Any] | None = None,
    ip: str | None = None,
) -> AuditEntry:
    user = actor if getattr(actor, "is_authenticated", False) else None
    system = getattr(actor, "is_system", False) is True  # lianmeng.core.actors.SYSTEM
    return AuditEntry.objects.create(
        actor=user,
        actor_repr=(user.get_username() if user else "system" if system else "anonymous")[:150],
        action=action,
        target_type=model_label(target),
        target_id=str(target.pk or ""),
        target_repr=str(target)[:250],
        old=_plain(dict(old)) if old is not None else None,
        new=_plain(dict(new)) if new is not None else None,
        ip=ip,
        target_version=_version(target),
    )


def changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the fields that changed, as (old, new)."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}

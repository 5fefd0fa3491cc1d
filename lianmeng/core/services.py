"""Core writes: settings rows edited in the Django admin (the alliance's settings, cities, an app's
parameters), audited like every other change."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Model

from . import audit
from .actors import Actor, is_system


def can_edit_settings(actor: Any) -> bool:
    """Settings rows are edited by administrators (the admin site), or by the system (demo data)."""
    return is_system(actor) or bool(getattr(actor, "is_administrator", False))


def _editable_fields(obj: Model) -> list[str]:
    return [
        f.name for f in obj._meta.concrete_fields if (f.editable and not f.primary_key) or f.name == "code"
    ]


@transaction.atomic
def settings_save(*, obj: Model, actor: Actor) -> Model:
    """Save a settings row as edited (the admin's form already checked its fields) and audit what changed:
    ``<app>.<model>.create`` or ``.update`` with the old and new values."""
    if not can_edit_settings(actor):
        raise PermissionDenied
    fields = _editable_fields(obj)
    manager = type(obj)._default_manager
    before = manager.select_for_update().filter(pk=obj.pk).first() if obj.pk is not None else None
    obj.save()
    label = obj._meta.label_lower
    if before is None:
        audit.record(actor=actor, action=f"{label}.create", target=obj, new=audit.snapshot(obj, fields))
    else:
        old, new = audit.changes(audit.snapshot(before, fields), audit.snapshot(obj, fields))
        if new:
            audit.record(actor=actor, action=f"{label}.update", target=obj, old=old, new=new)
    return obj


@transaction.atomic
def settings_delete(*, obj: Model, actor: Actor) -> None:
    """Delete a settings row (the admin's delete), audited with its values."""
    if not can_edit_settings(actor):
        raise PermissionDenied
    old = audit.snapshot(obj, _editable_fields(obj))
    audit.record(actor=actor, action=f"{obj._meta.label_lower}.delete", target=obj, old=old)
    obj.delete()

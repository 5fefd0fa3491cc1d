"""Erasure of a person on request (PIPL): one service, all or nothing.

Personal fields listed in ``registry.PERSONAL`` are replaced (names by a pseudonym, contacts blanked,
files deleted), the account is deactivated and its tokens revoked, the audit log keeps its rows with the
person's values redacted. Counts, statuses, scores and votes are not touched, so statistics stay.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.db.models import F
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from lianmeng.accounts.models import User
from lianmeng.accounts.services import user_tokens_revoke_all
from lianmeng.core import audit
from lianmeng.core.models import AuditEntry, model_label
from lianmeng.library.models import split_keywords

from . import policies
from .models import Erasure
from .registry import (
    BLANK,
    FILE,
    NAME_IN_LIST,
    NULL,
    PLACEHOLDER,
    PSEUDONYM,
    REDACTED,
    USERNAME,
    PersonalModel,
)
from .selectors import Match, Subject, audit_rows_for, collect, subject_for_user

REASON_MAX = 500


def pseudonym_for(subject: Subject, erasure: Erasure) -> str:
    if subject.user is not None:
        return f"已删除用户 #{subject.user.pk}"
    return f"已删除人员 #E{erasure.pk}"


# ---------------------------------------------------------------- the audit log


def _redact_text(text: str, exact: set[str], partial: Iterable[str]) -> str:
    if text in exact:
        return REDACTED
    tokens = split_keywords(text)
    if len(tokens) > 1 and any(t in exact for t in tokens):
        text = "、".join(REDACTED if t in exact else t for t in tokens)
    for value in partial:
        text = text.replace(value, REDACTED)
    return text


def _redact_json(value: Any, exact: set[str], partial: list[str]) -> Any:
    if isinstance(value, str):
        return _redact_text(value, exact, partial)
    if isinstance(value, list):
        return [_redact_json(v, exact, partial) for v in value]
    if isinstance(value, dict):
        return {k: _redact_json(v, exact, partial) for k, v in value.items()}
    return value


def _redact_audit(subject: Subject, matches: list[Match], pseudonym: str) -> int:
    values = subject.values()
    # Numbers and addresses are distinctive: replaced wherever they occur. Names only where they are the
    # whole value or one item of a list, except in the description of a row that is the person's.
    distinctive = sorted(
        (v for v in values if v in subject.mobiles or v in subject.emails), key=len, reverse=True
    )
    names = sorted(values - set(distinctive), key=len, reverse=True)
    own_targets = {
        (model_label(r), str(r.pk)) for m in matches if m.entry.model != "core.AuditEntry" for r in m.rows
    }
    changed = 0
    entries = audit_rows_for(subject, matches)
    locked = {e.pk: e for e in AuditEntry.objects.select_for_update().filter(pk__in=[e.pk for e in entries])}
    for entry in locked.values():
        update: dict[str, Any] = {}
        if subject.user is not None and entry.actor_id == subject.user.pk:
            update["actor_repr"] = pseudonym[:150]
            update["ip"] = None
        elif any(v in entry.actor_repr for v in values):
            update["actor_repr"] = _redact_text(entry.actor_repr, values, [*distinctive, *names])[:150]
        partial = (
            [*distinctive, *names] if (entry.target_type, entry.target_id) in own_targets else distinctive
        )
        repr_ = _redact_text(entry.target_repr, values, partial)
        if repr_ != entry.target_repr:
            update["target_repr"] = repr_[:250]
        for name in ("old", "new"):
            value = getattr(entry, name)
            if value is not None:
                redacted = _redact_json(value, values, distinctive)
                if redacted != value:
                    update[name] = redacted
        if update:
            AuditEntry.objects.filter(pk=entry.pk).update(**update)
            changed += 1
    return changed


# ---------------------------------------------------------------- the registered models


def _new_value(how: str, row: models.Model, name: str, current: Any, subject: Subject, pseudonym: str) -> Any:
    field = row._meta.get_field(name)
    max_length = getattr(field, "max_length", None) or 10_000
    if how == PSEUDONYM:
        return pseudonym[:max_length] if current else current
    if how == BLANK:
        return ""
    if how == NULL:
        return None
    if how == PLACEHOLDER:
        return f"D{row.pk}"[:max_length]
    if how == USERNAME:
        return f"erased-{row.pk}"[:max_length]
    if how == NAME_IN_LIST:
        tokens = split_keywords(current or "")
        if not any(t in subject.names for t in tokens):
            return current
        return "、".join(pseudonym if t in subject.names else t for t in tokens)[:max_length]
    if how == FILE:
        return ""
    raise ValueError(how)


def _erase_rows(match: Match, subject: Subject, pseudonym: str, files: list[str]) -> int:
    entry: PersonalModel = match.entry
    model = apps.get_model(entry.model)
    pks = [r.pk for r in match.rows]
    locked = list(model._default_manager.select_for_update().filter(pk__in=pks).order_by("pk"))
    if entry.delete_rows:
        model._default_manager.filter(pk__in=pks).delete()
        return len(locked)
    has_version = any(f.name == "version" for f in model._meta.concrete_fields)
    changed = 0
    for row in locked:
        own = row.pk in match.own
        update: dict[str, Any] = {}
        for name, how in entry.fields.items():
            if not own and how != NAME_IN_LIST:
                continue
            current = getattr(row, name)
            if how == FILE:
                if current and current.name:
                    files.append(current.name)
                    update[name] = ""
                continue
            value = _new_value(how, row, name, current, subject, pseudonym)
            if value != current:
                update[name] = value
        if own:
            for name, value in entry.on_erase.items():
                if getattr(row, name) != value:
                    update[name] = value
        if not update:
            continue
        if entry.reindex:
            for name, value in update.items():
                setattr(row, name, value)
            import_string(entry.reindex)(row)
            update.update({name: getattr(row, name) for name in entry.derived})
        if has_version:
            update["version"] = F("version") + 1
        model._default_manager.filter(pk=row.pk).update(**update)
        changed += 1
    return changed


_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def _clean_reason(reason: Any) -> str:
    text = _CONTROL_RE.sub("", str(reason or "")).replace("\r\n", "\n").strip()
    if len(text) < 4:
        raise ValidationError({"reason": _("请写明删除依据（例如：本人于某日书面申请删除），至少 4 个字")})
    if len(text) > REASON_MAX:
        raise ValidationError({"reason": _("删除依据最多 %(n)d 个字") % {"n": REASON_MAX}})
    return text


def erasure_validate(*, reason: Any) -> None:
    """erase_person's checks of what was typed, without erasing anything (the form reports them with
    its own errors in one submit; a dry run of an erasure would be needlessly heavy)."""
    _clean_reason(reason)


def erase_person(*, subject: Subject, reason: str, actor: User) -> Erasure:
    """Erase a person's personal data on request (secretariat only). All or nothing."""
    if not policies.can_erase_person(actor, subject.user):
        raise PermissionDenied(_("只有秘书处可以删除个人信息；不能删除自己或管理员的信息"))
    text = _clean_reason(reason)
    files: list[str] = []
    with transaction.atomic():
        if subject.user is not None:
            user = User.objects.select_for_update().get(pk=subject.user.pk)
            subject = subject_for_user(user)  # read again under the lock
        erasure = Erasure.objects.create(user=subject.user, reason=text, actor=actor)
        pseudonym = pseudonym_for(subject, erasure)
        matches = collect(subject)
        counts: dict[str, int] = {}
        # The audit log first: it is found by the values that the other steps remove.
        audited = _redact_audit(subject, matches, pseudonym)
        for match in matches:
            if not match.rows or match.entry.model in ("core.AuditEntry", "accounts.ApiToken"):
                continue
            if not (match.entry.fields or match.entry.delete_rows or match.entry.on_erase):
                continue
            changed = _erase_rows(match, subject, pseudonym, files)
            if changed:
                counts[match.entry.model] = changed
        if subject.user is not None:
            User.objects.filter(pk=subject.user.pk).update(password=make_password(None))
            user = User.objects.get(pk=subject.user.pk)
            revoked = user_tokens_revoke_all(user=user, actor=actor, reason="erased")
            if revoked:
                counts["accounts.ApiToken"] = revoked
        if audited:
            counts["core.AuditEntry"] = audited
        erasure.pseudonym = pseudonym
        erasure.counts = counts
        erasure.save(update_fields=["pseudonym", "counts"])
        audit.record(
            actor=actor,
            action="privacy.erase",
            target=erasure,
            new={"pseudonym": pseudonym, "reason": text, "counts": counts, "files": len(files)},
        )
        transaction.on_commit(lambda: _delete_files(files))
    return erasure


def _delete_files(names: list[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            continue

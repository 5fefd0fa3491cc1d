"""Reads of personal data: who a person is (a subject), the rows that are theirs, their download.

A subject is an account (``user:12``) or, for people without an account (a public registrant, an
applicant's contact), a mobile number or an e-mail address (``mobile:13800000000``, ``email:a@b.cn``).
"""

from __future__ import annotations

import datetime
import decimal
import io
import json
import re
import uuid
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lianmeng.accounts.models import User
from lianmeng.core.models import AuditEntry, model_label
from lianmeng.library.models import Expert, split_keywords

from . import policies
from .registry import FILE, NAME_IN_LIST, PSEUDONYM, PersonalModel, installed

SUBJECT_RE = re.compile(r"^(user|mobile|email):(.{1,254})$")

# Columns never exported: secrets and derived search columns.
NOT_EXPORTED = {
    "password",
    "key_hash",
    "ballot_key",
    "search_text",
    "name_pinyin",
    "name_initials",
    "name_sort",
}


@dataclass
class Subject:
    key: str
    user: User | None = None
    mobiles: frozenset[str] = frozenset()
    emails: frozenset[str] = frozenset()
    names: frozenset[str] = frozenset()

    @property
    def label(self) -> str:
        if self.user is not None:
            return f"{self.user} ({self.user.get_username()})"
        return sorted(self.names)[0] if self.names else self.key.split(":", 1)[1]

    def values(self) -> set[str]:
        """Every identifying value of the person (what must not remain anywhere after erasure)."""
        out = {*self.mobiles, *self.emails, *self.names}
        if self.user is not None:
            out.update(v for v in (self.user.get_username(), self.user.display_name) if v)
        return {v for v in out if len(v) >= 2}


@dataclass
class Match:
    """The rows of one registered model that belong to (or mention) a subject."""

    entry: PersonalModel
    rows: list[models.Model] = field(default_factory=list)
    own: set[Any] = field(default_factory=set)  # pks whose personal fields are the subject's

    @property
    def model(self) -> type[models.Model]:
        return apps.get_model(self.entry.model)

    @property
    def label(self) -> str:
        return str(THIRD_PARTY_LABELS.get(self.entry.model) or self.model._meta.verbose_name)


# Models of other packages name themselves in English only ("static device"): our own labels.
THIRD_PARTY_LABELS = {
    "otp_totp.TOTPDevice": gettext_lazy("身份验证器"),
    "otp_static.StaticDevice": gettext_lazy("恢复码"),
}


def _norm_email(value: str) -> str:
    return (value or "").strip().lower()


def subject_for_user(user: User) -> Subject:
    mobiles = {user.mobile}
    emails = {_norm_email(user.email)}
    names = {user.display_name}
    expert = Expert.objects.filter(user=user).first()
    if expert is not None:
        mobiles.add(expert.mobile)
        emails.add(_norm_email(expert.email))
        names.add(expert.name)
    return Subject(
        key=f"user:{user.pk}",
        user=user,
        mobiles=frozenset(m for m in mobiles if m),
        emails=frozenset(e for e in emails if e),
        names=frozenset(n for n in names if n),
    )


def subject_from_key(key: str) -> Subject:
    """The subject behind ``user:12`` / ``mobile:…`` / ``email:…``; a number or address that belongs to an
    account is that account. Unknown keys: ValidationError naming ``subject``; unknown accounts: 404."""
    found = SUBJECT_RE.match((key or "").strip())
    if not found:
        raise ValidationError({"subject": _("请选择要处理的人员（user:编号、mobile:手机号或 email:邮箱）")})
    kind, value = found.group(1), found.group(2).strip()
    if kind == "user":
        if not value.isdigit() or len(value) > 18:
            raise ValidationError({"subject": _("账号编号应为数字")})
        user = User.objects.filter(pk=int(value)).first()
        if user is None:
            raise Http404
        return subject_for_user(user)
    if kind == "mobile":
        account = User.objects.filter(mobile=value).first()
        if account is not None:
            return subject_for_user(account)
        subject = Subject(key=f"mobile:{value}", mobiles=frozenset({value}))
    else:
        value = _norm_email(value)
        account = User.objects.filter(email__iexact=value).first()
        if account is not None:
            return subject_for_user(account)
        subject = Subject(key=f"email:{value}", emails=frozenset({value}))
    # Without an account, the person's names are those on the rows their number or address identifies.
    names: set[str] = set()
    for match in collect(subject, with_names=False):
        for row in match.rows:
            if row.pk not in match.own:
                continue
            for name, how in match.entry.fields.items():
                value = getattr(row, name, None)
                if how == PSEUDONYM and value:
                    names.add(str(value))
    subject.names = frozenset(names)
    if not any(m.rows for m in collect(subject)):
        raise Http404
    return subject


def _link_q(entry: PersonalModel, subject: Subject, *, with_names: bool) -> Q | None:
    """Rows linked by account, mobile, e-mail or (name-only fields) the exact name."""
    q = Q()
    used = False
    if subject.user is not None:
        for path in entry.users:
            q |= Q(pk=subject.user.pk) if path == "pk" else Q(**{f"{path}_id": subject.user.pk})
            used = True
    if subject.mobiles:
        for name in entry.mobiles:
            q |= Q(**{f"{name}__in": sorted(subject.mobiles)})
            used = True
    for name in entry.emails:
        for email in sorted(subject.emails):
            q |= Q(**{f"{name}__iexact": email})
            used = True
    if with_names and subject.names:
        for name in entry.names:
            q |= Q(**{f"{name}__in": sorted(subject.names)})
            used = True
    return q if used else None


def _in_list(text: str, names: Iterable[str]) -> bool:
    tokens = set(split_keywords(text))
    return any(n in tokens for n in names)


def _is_own(entry: PersonalModel, row: models.Model, subject: Subject) -> bool:
    if subject.user is not None:
        for path in entry.owner_links:
            value = row.pk if path == "pk" else getattr(row, f"{path}_id", None)
            if value == subject.user.pk:
                return True
    if any(getattr(row, f, "") in subject.mobiles for f in entry.mobiles):
        return True
    if any(_norm_email(getattr(row, f, "") or "") in subject.emails for f in entry.emails):
        return True
    names = {*entry.names, *(n for n, how in entry.fields.items() if how == PSEUDONYM)}
    return bool(subject.names) and any(getattr(row, f, "") in subject.names for f in names)


def collect(subject: Subject, *, with_names: bool = True) -> list[Match]:
    """Every registered row linked to the subject, model by model (the audit log's extra rows aside)."""
    out: list[Match] = []
    for entry in installed():
        model = apps.get_model(entry.model)
        manager = model._default_manager
        match = Match(entry=entry)
        rows: dict[Any, models.Model] = {}
        q = _link_q(entry, subject, with_names=with_names)
        if q is not None:
            rows.update((row.pk, row) for row in manager.filter(q).distinct())
        if with_names and subject.names and entry.name_lists:
            # LIKE also finds 王伟东 for 王伟: keep only the lists that hold the exact name.
            like = Q()
            for name in entry.name_lists:
                for person in sorted(subject.names):
                    like |= Q(**{f"{name}__contains": person})
            for row in manager.filter(like):
                if row.pk not in rows and any(
                    _in_list(getattr(row, n, ""), subject.names) for n in entry.name_lists
                ):
                    rows[row.pk] = row
        match.rows = sorted(rows.values(), key=lambda r: r.pk)
        match.own = {r.pk for r in match.rows if _is_own(entry, r, subject)}
        out.append(match)
    return out


# ---------------------------------------------------------------- finding a person (secretariat)


@dataclass
class Candidate:
    key: str
    label: str
    detail: str
    has_account: bool


def _mask_mobile(value: str) -> str:
    return f"{value[:3]}****{value[-4:]}" if len(value) == 11 else value


def find_people(*, viewer: Any, q: str, limit: int = 20) -> list[Candidate]:
    """Accounts and people without an account whose name, mobile, e-mail or user name matches ``q``."""
    if not policies.can_erase_people(viewer):
        raise PermissionDenied
    q = (q or "").strip()
    if len(q) < 2:
        return []
    out: list[Candidate] = []
    seen: set[str] = set()
    users = User.objects.filter(
        Q(username__icontains=q) | Q(display_name__icontains=q) | Q(email__iexact=q) | Q(mobile=q)
    ).order_by("pk")[:limit]
    for user in users:
        key = f"user:{user.pk}"
        seen.add(key)
        detail = " · ".join(v for v in (user.get_username(), _mask_mobile(user.mobile), user.email) if v)
        out.append(Candidate(key, str(user), detail, True))
    account_mobiles = set(User.objects.exclude(mobile="").values_list("mobile", flat=True))
    for entry in installed():
        if entry.model == "accounts.User" or not (entry.mobiles or entry.emails):
            continue
        model = apps.get_model(entry.model)
        name_fields = [n for n, how in entry.fields.items() if how == PSEUDONYM]
        cond = Q()
        for name in name_fields:
            cond |= Q(**{f"{name}__icontains": q})
        for name in entry.mobiles:
            cond |= Q(**{name: q})
        for name in entry.emails:
            cond |= Q(**{f"{name}__iexact": q})
        for row in model._default_manager.filter(cond).order_by("-pk")[: limit * 2]:
            mobile = next((getattr(row, f) for f in entry.mobiles if getattr(row, f, "")), "")
            email = next((getattr(row, f) for f in entry.emails if "@" in (getattr(row, f, "") or "")), "")
            if mobile and mobile in account_mobiles:
                account = User.objects.filter(mobile=mobile).first()
                key = f"user:{account.pk}" if account else f"mobile:{mobile}"
            elif mobile and re.fullmatch(r"1\d{10}", mobile):
                key = f"mobile:{mobile}"
            elif email:
                key = f"email:{_norm_email(email)}"
            else:
                continue
            if key in seen:
                continue
            seen.add(key)
            name = next((getattr(row, f) for f in name_fields if getattr(row, f, "")), "")
            detail = " · ".join(v for v in (_mask_mobile(mobile), email, str(model._meta.verbose_name)) if v)
            out.append(Candidate(key, name or key, detail, key.startswith("user:")))
            if len(out) >= limit:
                return out
    return out[:limit]


# ---------------------------------------------------------------- preview and download


@dataclass
class PreviewLine:
    model: str
    label: str
    rows: int
    fields: list[str]
    files: int
    deleted: bool


def _escaped(value: str) -> str:
    """How ``value`` appears inside JSON stored as text with ASCII escapes (SQLite)."""
    return json.dumps(value)[1:-1]


def audit_rows_for(subject: Subject, matches: list[Match]) -> list[AuditEntry]:
    """Audit rows that carry the person's values: theirs (as actor), about their rows, or mentioning them."""
    q = Q()
    if subject.user is not None:
        q |= Q(actor_id=subject.user.pk)
    for match in matches:
        if match.entry.model == "core.AuditEntry" or not match.rows:
            continue
        ids = [str(r.pk) for r in match.rows]
        q |= Q(target_type=model_label(match.rows[0]), target_id__in=ids)
    text = Q()
    for value in sorted(subject.values()):
        for form in {value, _escaped(value)}:
            text |= Q(old_text__contains=form) | Q(new_text__contains=form)
        text |= Q(target_repr__contains=value) | Q(actor_repr__contains=value)
    rows = AuditEntry.objects.annotate(old_text=Cast("old", TextField()), new_text=Cast("new", TextField()))
    found = rows.filter(q | text) if (q or text) else rows.none()
    return list(found.order_by("pk"))


def preview(subject: Subject, matches: list[Match] | None = None) -> list[PreviewLine]:
    """What erasure will change, per model: rows, the personal fields that are cleared, files deleted."""
    matches = matches if matches is not None else collect(subject)
    lines: list[PreviewLine] = []
    for match in matches:
        if match.entry.model == "core.AuditEntry":
            continue
        if not match.rows or not (match.entry.fields or match.entry.delete_rows):
            continue
        model = match.model
        touched = [r for r in match.rows if r.pk in match.own or _touches_list(match.entry, r, subject)]
        if not touched and not match.entry.delete_rows:
            continue
        files = sum(
            1 for r in touched for name, how in match.entry.fields.items() if how == FILE and getattr(r, name)
        )
        lines.append(
            PreviewLine(
                model=match.entry.model,
                label=str(model._meta.verbose_name),
                rows=len(match.rows) if match.entry.delete_rows else len(touched),
                fields=[
                    str(getattr(model._meta.get_field(n), "verbose_name", n)) for n in match.entry.fields
                ],
                files=files,
                deleted=match.entry.delete_rows,
            )
        )
    audit_count = len(audit_rows_for(subject, matches))
    if audit_count:
        lines.append(
            PreviewLine(
                model="core.AuditEntry",
                label=str(AuditEntry._meta.verbose_name),
                rows=audit_count,
                fields=[_("操作人"), _("地址"), _("原值"), _("新值"), _("对象")],
                files=0,
                deleted=False,
            )
        )
    return lines


def _touches_list(entry: PersonalModel, row: models.Model, subject: Subject) -> bool:
    return any(
        how == NAME_IN_LIST and _in_list(getattr(row, name, ""), subject.names)
        for name, how in entry.fields.items()
    )


def _plain(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    return value


def _row_data(match: Match, row: models.Model, subject: Subject) -> dict[str, Any]:
    own = row.pk in match.own
    data: dict[str, Any] = {"id": _plain(row.pk)}
    hidden = False
    for f in row._meta.concrete_fields:
        if f.name in NOT_EXPORTED or f.name in match.entry.not_exported or f.primary_key:
            continue
        if isinstance(f, models.ForeignKey):
            data[f.name] = _plain(getattr(row, f.attname))
            continue
        value = getattr(row, f.attname)
        how = match.entry.fields.get(f.name)
        if how is not None and not own:
            if how == NAME_IN_LIST:
                value = ", ".join(n for n in split_keywords(value) if n in subject.names)
            else:
                hidden = True
                continue
        if isinstance(f, models.FileField):
            value = value.name or ""
        data[f.name] = _plain(value)
    if hidden:
        data["_others_fields_omitted"] = True
    return data


def my_data(subject: Subject, matches: list[Match] | None = None) -> dict[str, Any]:
    """The person's data as one JSON-able document: per model, the rows that are theirs."""
    matches = matches if matches is not None else collect(subject)
    records: dict[str, Any] = {}
    for match in matches:
        if not match.rows:
            continue
        records[match.entry.model] = {
            "label": match.label,
            "rows": [_row_data(match, row, subject) for row in match.rows],
        }
    return {
        "generated_at": timezone.now().isoformat(),
        "subject": subject.key,
        "notes": _(
            "本文件包含平台保存的与您有关的个人信息（JSON）。代他人报名等记录中他人的个人信息已隐去。"
            "files/ 目录中是您上传的文件。"
        ),
        "records": records,
    }


def my_data_zip(user: User) -> tuple[bytes, int]:
    """The signed-in person's download: ``data.json`` plus the files they uploaded. Returns (zip, files)."""
    subject = subject_for_user(user)
    matches = collect(subject)
    document = my_data(subject, matches)
    buffer = io.BytesIO()
    count = 0
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(document, ensure_ascii=False, indent=2))
        for match in matches:
            for row in match.rows:
                if row.pk not in match.own and not any(
                    getattr(row, f"{p}_id", None) == user.pk for p in match.entry.users if p != "pk"
                ):
                    continue
                for name in match.entry.files:
                    stored = getattr(row, name)
                    if not stored or not stored.name:
                        continue
                    try:
                        with stored.open("rb") as handle:
                            content = handle.read()
                    except OSError:
                        continue
                    arcname = f"files/{match.entry.model}/{row.pk}-{stored.name.rsplit('/', 1)[-1]}"
                    archive.writestr(arcname, content)
                    count += 1
    return buffer.getvalue(), count

"""Uploads kept across a failed submit.

A form with a file input that fails on another field would make the user choose the file again (the
browser clears a file input on every page load). Instead, a file that passed
``lianmeng.core.validators.clean_upload`` is saved under ``var/media/pending/<id>`` and the page
carries a signed token in a hidden field (``<field>__pending``) with "已上传：xxx.pdf（可更换）"
beside the input; the next submit uses the kept file unless another one is chosen.

- The token is signed (``django.core.signing``, salted per field) and names a random 128-bit id, so a
  client cannot point at another file or at another field's file; it expires after ``MAX_AGE``.
- The kept bytes are checked again by the service that finally stores them (``clean_upload``).
- ``purge_expired`` (a scheduled job, ``lianmeng.core.schedule.JOBS``) deletes kept files older than
  ``MAX_AGE``.

Forms use ``UploadField`` (one file) or ``MultiUploadField`` (several files in one input, the page says
"已上传：a.pdf、b.pdf（可更换）" and carries one token per file) in place of ``forms.FileField``; nothing
else is needed in views or templates (``includes/field.html`` renders the widget, hint and hidden
tokens). A view reads the files from ``form.cleaned_data[name]`` (a list for ``MultiUploadField``), never
from ``request.FILES``.
"""

from __future__ import annotations

import datetime
import json
import secrets
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext, gettext_lazy
from django_tasks import task

from .files import display_name
from .validators import PDF_OR_IMAGE, clean_upload

MAX_AGE = datetime.timedelta(days=1)
SUFFIX = "__pending"
_SALT = "lianmeng.pending-upload:"
_ID_CHARS = frozenset("0123456789abcdef")


def pending_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "pending"


class PendingFile(UploadedFile):
    """A kept upload, read back from ``var/media/pending``; ``pending_token`` is its token."""

    pending_token: str


def keep(upload: UploadedFile, *, field: str) -> str:
    """Save ``upload`` (already checked by clean_upload) and return its signed token."""
    directory = pending_dir()
    directory.mkdir(parents=True, exist_ok=True)
    ident = secrets.token_hex(16)
    upload.seek(0)
    with open(directory / ident, "wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    upload.seek(0)
    meta = {"name": display_name(upload.name), "content_type": upload.content_type or ""}
    (directory / f"{ident}.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    token = signing.dumps({"id": ident}, salt=_SALT + field)
    upload.pending_token = token  # type: ignore[attr-defined]
    return token


def load(token: str, *, field: str) -> PendingFile | None:
    """The kept file a token names, or None when the token is forged, expired or its file gone."""
    if not token or len(token) > 500:
        return None
    try:
        payload = signing.loads(token, salt=_SALT + field, max_age=MAX_AGE)
    except signing.BadSignature:  # includes SignatureExpired
        return None
    ident = str(payload.get("id", "")) if isinstance(payload, dict) else ""
    if len(ident) != 32 or not set(ident) <= _ID_CHARS:
        return None
    path = pending_dir() / ident
    try:
        meta = json.loads((pending_dir() / f"{ident}.json").read_text(encoding="utf-8"))
        handle = open(path, "rb")  # noqa: SIM115 - closed with the upload
    except (OSError, ValueError):
        return None
    kept = PendingFile(
        file=handle,
        name=str(meta.get("name") or "file"),
        content_type=str(meta.get("content_type") or ""),
        size=path.stat().st_size,
    )
    kept.pending_token = token
    return kept


def discard(token: str, *, field: str) -> None:
    """Delete a kept file once it has been stored for good."""
    kept = load(token, field=field)
    if kept is None:
        return
    kept.close()
    ident = signing.loads(token, salt=_SALT + field)["id"]
    for name in (ident, f"{ident}.json"):
        (pending_dir() / name).unlink(missing_ok=True)


def purge(now: float | None = None) -> int:
    """Delete kept files older than MAX_AGE; returns how many files were deleted."""
    directory = pending_dir()
    if not directory.is_dir():
        return 0
    cutoff = (now if now is not None else time.time()) - MAX_AGE.total_seconds()
    removed = 0
    for path in directory.iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except OSError:
            continue
    return removed


@task()
def purge_expired() -> int:
    """Scheduled daily: delete uploads kept for failed submits more than a day ago."""
    return purge()


class PendingFileInput(forms.ClearableFileInput):
    """A file input that also carries the token of a kept upload and says which file is kept."""

    template_name = "core/widgets/pending_file_input.html"

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        upload = files.get(name) if files else None
        if upload:
            return upload
        token = data.get(name + SUFFIX, "") if data else ""
        return load(str(token), field=name) if token else None

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return name not in files and not data.get(name + SUFFIX)

    def get_context(self, name: str, value: Any, attrs: Any) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        token = getattr(value, "pending_token", "")
        if token:  # the kept file answers "required": the browser must not ask for another
            context["widget"]["attrs"].pop("required", None)
        context["widget"].update(
            {
                "pending_token": token,
                "pending_name": display_name(getattr(value, "name", "")) if token else "",
                "pending_field": name + SUFFIX,
                "is_initial": False if token else context["widget"].get("is_initial"),
            }
        )
        return context


class UploadField(forms.FileField):
    """One uploaded file, checked by clean_upload (the same check the service makes) and kept across a
    failed submit of the form (see the module's documentation)."""

    widget = PendingFileInput

    def __init__(
        self,
        *args: Any,
        allowed: Iterable[str] = PDF_OR_IMAGE,
        max_bytes: int = 10 * 1024 * 1024,
        **kwargs: Any,
    ) -> None:
        self.allowed = tuple(allowed)
        self.max_bytes = max_bytes
        kwargs.setdefault("error_messages", {"required": gettext_lazy("请选择要上传的文件")})
        super().__init__(*args, **kwargs)
        self.widget.attrs.setdefault("accept", accept_attr(self.allowed))

    def bound_data(self, data: Any, initial: Any) -> Any:
        """A kept upload is shown again (Django's FileField never shows what was sent)."""
        return data if getattr(data, "pending_token", "") else initial

    def clean(self, data: Any, initial: Any = None) -> Any:
        upload: Any = super().clean(data, initial)
        if not upload or hasattr(upload, "pending_token"):
            return upload
        if isinstance(upload, UploadedFile):
            try:
                clean_upload(upload, field="file", allowed=self.allowed, max_bytes=self.max_bytes)
            except ValidationError as exc:
                raise ValidationError([m for msgs in exc.message_dict.values() for m in msgs]) from exc
        return upload


_ACCEPT = {
    "application/pdf": ".pdf",
    "image/jpeg": ".jpg,.jpeg",
    "image/png": ".png",
    "image/webp": ".webp",
    "image/gif": ".gif",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/msword": ".doc",
    "application/vnd.ms-excel": ".xls",
    "application/vnd.ms-powerpoint": ".ppt",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
}


def accept_attr(allowed: Iterable[str]) -> str:
    """The ``accept`` attribute for these MIME types (extensions the browser offers first)."""
    return ",".join(dict.fromkeys(ext for m in allowed for ext in _ACCEPT.get(m, "").split(",") if ext))


class MultiPendingFileInput(forms.ClearableFileInput):
    """A file input for several files that also carries the tokens of kept uploads and names them."""

    template_name = "core/widgets/pending_file_input.html"
    allow_multiple_selected = True

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        uploads = [f for f in files.getlist(name) if f] if files else []
        if uploads:
            return uploads
        tokens = data.getlist(name + SUFFIX)[:MAX_KEPT] if data and hasattr(data, "getlist") else []
        kept = [load(str(token), field=name) for token in dict.fromkeys(tokens) if token]
        return [f for f in kept if f is not None] or None

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return name not in files and not data.get(name + SUFFIX)

    def get_context(self, name: str, value: Any, attrs: Any) -> dict[str, Any]:
        context = super().get_context(name, None, attrs)
        kept = [f for f in value or [] if getattr(f, "pending_token", "")] if isinstance(value, list) else []
        if kept:
            context["widget"]["attrs"].pop("required", None)
        context["widget"].update(
            {
                "pending_tokens": [f.pending_token for f in kept],
                "pending_name": gettext("、").join(display_name(getattr(f, "name", "")) for f in kept),
                "pending_field": name + SUFFIX,
                "is_initial": False,
            }
        )
        return context


MAX_KEPT = 20


class MultiUploadField(forms.FileField):
    """Several uploaded files in one input (``<input type=file multiple>``), each checked by clean_upload
    and all kept across a failed submit (see the module's documentation). ``cleaned_data[name]`` is a
    list (empty when nothing was chosen)."""

    widget = MultiPendingFileInput

    def __init__(
        self,
        *args: Any,
        allowed: Iterable[str] = PDF_OR_IMAGE,
        max_bytes: int = 10 * 1024 * 1024,
        max_files: int = 10,
        **kwargs: Any,
    ) -> None:
        self.allowed = tuple(allowed)
        self.max_bytes = max_bytes
        self.max_files = min(max_files, MAX_KEPT)
        kwargs.setdefault("error_messages", {"required": gettext_lazy("请选择要上传的文件")})
        super().__init__(*args, **kwargs)
        self.widget.attrs.setdefault("accept", accept_attr(self.allowed))

    def bound_data(self, data: Any, initial: Any) -> Any:
        """Kept uploads are shown again (Django's FileField never shows what was sent)."""
        if isinstance(data, list) and any(getattr(f, "pending_token", "") for f in data):
            return data
        return initial

    def clean(self, data: Any, initial: Any = None) -> Any:
        files = [f for f in data if f] if isinstance(data, list) else ([data] if data else [])
        if not files:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        if len(files) > self.max_files:
            raise ValidationError(
                gettext("最多上传 %(n)d 个文件，本次选择了 %(count)d 个")
                % {"n": self.max_files, "count": len(files)}
            )
        errors: list[str] = []
        for upload in files:
            if getattr(upload, "pending_token", "") or not isinstance(upload, UploadedFile):
                continue
            try:
                clean_upload(upload, field="file", allowed=self.allowed, max_bytes=self.max_bytes)
            except ValidationError as exc:
                name = display_name(upload.name or "")
                errors.extend(
                    gettext("%(name)s：%(message)s") % {"name": name, "message": m}
                    for msgs in exc.message_dict.values()
                    for m in msgs
                )
        if errors:
            raise ValidationError(errors)
        return files


class PendingUploadsMixin:
    """Keeps every UploadField's valid upload after validation, so the page shows it kept.

    Put it before ``forms.Form`` in a form's bases (``BootstrapFormMixin`` order does not matter)."""

    fields: dict[str, forms.Field]
    files: Any
    cleaned_data: dict[str, Any]

    def _post_clean(self) -> None:
        super()._post_clean()  # type: ignore[misc]
        for name, field in self.fields.items():
            if not isinstance(field, UploadField | MultiUploadField):
                continue
            value = self.cleaned_data.get(name)
            for upload in value if isinstance(value, list) else [value]:
                if isinstance(upload, UploadedFile) and not getattr(upload, "pending_token", ""):
                    keep(upload, field=name)


def discard_pending(form: Any, name: str) -> None:
    """After a successful submit: delete the kept file(s) the form's field ``name`` used, if any."""
    value = form.cleaned_data.get(name)
    for upload in value if isinstance(value, list) else [value]:
        token = getattr(upload, "pending_token", "")
        if token:
            getattr(upload, "close", lambda: None)()
            discard(token, field=name)

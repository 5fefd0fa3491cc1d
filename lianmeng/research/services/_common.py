"""Helpers shared by the research services: the attachments' checks and saving."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.utils.translation import gettext as _

from lianmeng.accounts.models import User
from lianmeng.core.files import display_name, stored_name
from lianmeng.core.validators import clean_upload
from lianmeng.membership.models import Organization

from .. import policies

MAX_FILES = 5
MAX_FILE_BYTES = 20 * 1024 * 1024


def clean_files(
    files: list[UploadedFile[bytes]] | None, field: str = "attachments"
) -> list[tuple[UploadedFile[bytes], str]]:
    """Check every upload (size and real type) before anything is saved."""
    files = list(files or [])
    if len(files) > MAX_FILES:
        raise ValidationError({field: _("最多上传 %(n)d 个附件") % {"n": MAX_FILES}})
    return [(f, clean_upload(f, field=field, max_bytes=MAX_FILE_BYTES)) for f in files]


def check_start(
    actor: User, organization: Organization, files: list[UploadedFile[bytes]] | None
) -> dict[str, list[str]]:
    """Where a validate-only submit check starts: PermissionDenied for an actor who may not submit for
    ``organization``, then the attachments' problems (the caller adds its own)."""
    if not policies.can_submit_for(actor, organization):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    try:
        clean_files(files)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    return errors


def save_files(
    model: type[models.Model], owner: dict[str, models.Model], checked: list[tuple[UploadedFile[bytes], str]]
) -> None:
    """Store the checked uploads as ``model`` rows of ``owner`` (``{"entry": entry}``), named by content."""
    for upload, mime in checked:
        item = model(**owner, original_name=display_name(upload.name), content_type=mime)
        item.file.save(stored_name(mime), upload, save=False)  # type: ignore[attr-defined]
        item.save()

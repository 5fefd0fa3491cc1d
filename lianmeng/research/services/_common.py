"""Helpers shared by the research services: the attachments' checks."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from lianmeng.core.validators import clean_upload

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

"""Helpers shared by the research services: transition checks and file storage."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from lianmeng.core.validators import clean_upload

MAX_FILES = 5
MAX_FILE_BYTES = 20 * 1024 * 1024


def check_transition(table: dict[str, dict[str, str]], obj: Any, action: str, field: str = "action") -> str:
    """The new status for ``action`` from ``obj.status`` per the model's transition table, or a clear error."""
    allowed = table.get(obj.status, {})
    if action not in allowed:
        raise ValidationError(
            {field: _("当前状态“%(status)s”下不能执行该操作") % {"status": obj.get_status_display()}}
        )
    return allowed[action]


def clean_files(
    files: list[UploadedFile] | None, field: str = "attachments"
) -> list[tuple[UploadedFile, str]]:
    """Check every upload (size and real type) before anything is saved."""
    files = list(files or [])
    if len(files) > MAX_FILES:
        raise ValidationError({field: _("最多上传 %(n)d 个附件") % {"n": MAX_FILES}})
    return [(f, clean_upload(f, field=field, max_bytes=MAX_FILE_BYTES)) for f in files]

"""Validation of the identifiers and uploads Chinese public-sector users deal with."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

import filetype
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from stdnum.cn import uscc as stdnum_uscc
from stdnum.exceptions import ValidationError as StdnumError

MOBILE_RE = re.compile(r"^1[3-9][0-9]{9}$")  # ASCII digits only: \d would take ٣ or ３ too


def clean_uscc(value: str, field: str = "uscc") -> str:
    """Return the compact USCC or raise a field-keyed ValidationError saying what is wrong."""
    compact = stdnum_uscc.compact(value or "")
    if not compact:
        raise ValidationError({field: _("请填写统一社会信用代码")})
    if len(compact) != 18:
        raise ValidationError({field: _("统一社会信用代码应为 18 位，当前为 %(n)d 位") % {"n": len(compact)}})
    try:
        return str(stdnum_uscc.validate(compact))
    except StdnumError as exc:
        raise ValidationError({field: _("统一社会信用代码校验位不正确，请核对后重新填写")}) from exc


def clean_mobile(value: str, field: str = "mobile") -> str:
    # NFKC: fullwidth digits and plus typed with a Chinese input method become ASCII (１３８ -> 138).
    compact = re.sub(r"[\s-]", "", unicodedata.normalize("NFKC", value or ""))
    if compact.startswith("+86"):
        compact = compact[3:]
    if not MOBILE_RE.match(compact):
        raise ValidationError({field: _("手机号码应为以 1 开头的 11 位数字")})
    return compact


PDF_OR_IMAGE = ("application/pdf", "image/jpeg", "image/png")
HEAD_BYTES = 8192  # what the type is detected from


def detect_type(file: Any) -> str:
    """The MIME type of ``file`` (an open file or upload) by its content, or "" when unknown.
    The position is left at the start."""
    file.seek(0)
    head = file.read(HEAD_BYTES)
    file.seek(0)
    kind = filetype.guess(bytes(head))
    return str(kind.mime) if kind else ""


def type_extension(mime: str) -> str:
    """The file name extension of a detected type ("pdf", "jpg", "docx"), "bin" when unknown."""
    if not mime or mime == "application/octet-stream":  # filetype calls some fonts that too
        return "bin"
    kind = filetype.get_type(mime=mime)
    return str(kind.extension) if kind else "bin"


def clean_upload(
    upload: UploadedFile,
    *,
    field: str,
    allowed: Iterable[str] = PDF_OR_IMAGE,
    max_bytes: int = 10 * 1024 * 1024,
) -> str:
    """Check an upload's size and real type (by content, not by name). Returns the MIME type.

    Store the file under ``lianmeng.core.files.stored_name(mime)`` (the detected type's extension,
    never the client's) and serve it with ``lianmeng.core.files.file_response``."""
    allowed = tuple(allowed)
    if upload.size is not None and upload.size > max_bytes:
        raise ValidationError(
            {
                field: _("文件不能超过 %(max)s，当前为 %(size)s")
                % {"max": filesizeformat(max_bytes), "size": filesizeformat(upload.size)}
            }
        )
    mime = detect_type(upload)
    if mime not in allowed:
        names = {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG"}
        raise ValidationError(
            {
                field: _("文件类型不符合要求：只接受 %(kinds)s")
                % {"kinds": "、".join(names.get(a, a) for a in allowed)}
            }
        )
    return mime

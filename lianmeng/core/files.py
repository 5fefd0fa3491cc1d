"""Storing and serving uploaded files, in one place.

An upload is checked by ``lianmeng.core.validators.clean_upload`` (size and type by content) and stored
under ``stored_name(mime)``: the extension of the type detected from the content, never the one the
client sent (``..\\..\\evil.html`` is stored as ``<random>.png`` when it is a PNG).

Every uploaded file is served by ``file_response``, which looks at the stored bytes again (so files
stored before this rule, under a wrong extension, are still served safely):

- ``Content-Type`` is the detected type (``application/octet-stream`` when unknown or not a type
  uploads may have), never a stored or client-supplied one;
- ``Content-Disposition: attachment`` with a safe name: no path, no control or markup characters,
  the detected type's extension, RFC 5987 ``filename*`` for Chinese names; only images that pages
  show (``inline_image=True``) are served inline, and only when the bytes really are an image;
- ``X-Content-Type-Options: nosniff`` and ``Cache-Control: private``.

Behind nginx (``X_ACCEL_REDIRECT_PREFIX``, e.g. ``/_protected/``; docs/deploy.md) the answer carries the
same headers but no body: ``X-Accel-Redirect: /_protected/<stored name>`` tells nginx to send the file
itself from an ``internal`` location, so a gunicorn worker is not held while a large file goes out.
"""

from __future__ import annotations

import io
import re
import unicodedata
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.http import FileResponse, Http404

from lianmeng.core.cleaning import clean_text
from lianmeng.core.validators import detect_type, type_extension

INLINE_IMAGES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})
# The types uploads may have (see the services' ``clean_upload`` calls); anything else detected in a
# stored file is served as an opaque download.
SERVED_TYPES = INLINE_IMAGES | {
    "application/pdf",
    "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
OCTET_STREAM = "application/octet-stream"
NAME_MAX = 120
# Characters no download name needs: path and shell separators, markup, quotes, wildcards.
_UNSAFE = re.compile(r"""[\\/:*?"'<>|;&%`$={}\[\]]""")
_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,8}$")


def stored_name(mime: str, stem: str = "file") -> str:
    """The name to hand to ``FieldFile.save``: the ``upload_to`` functions keep only its extension."""
    return f"{stem}.{type_extension(mime)}"


def display_name(name: str | None, default: str = "file") -> str:
    """A client's file name as shown to people: the last path part, without control characters."""
    base = re.split(r"[\\/]", name or "")[-1]
    return clean_text(base)[-200:] or default


def download_name(name: str | None, mime: str) -> str:
    """A safe download name: ``name`` without path separators, markup or control characters, its own
    extension replaced by the detected type's (``<img src=x onerror=…>.html`` holding a PDF gives
    ``img src x onerror … .pdf``; a title "总结/附件" gives "总结 附件.pdf")."""
    base = unicodedata.normalize("NFC", clean_text(name))
    stem = _EXTENSION.sub("", base)
    stem = _UNSAFE.sub(" ", stem)
    stem = re.sub(r"\s+", " ", stem).strip(" .-")[:NAME_MAX].strip(" .-")
    return f"{stem or 'file'}.{type_extension(mime)}"


def file_response(file: Any, *, name: str | None = None, inline_image: bool = False) -> FileResponse:
    """Serve the stored file ``file`` (a ``FieldFile``) as described in the module's documentation;
    ``name`` is the download name to start from (the original file name or a title)."""
    if not file:
        raise Http404
    try:
        handle = file.open("rb")
    except OSError as exc:  # the row is there but the file is not: same answer as a missing row
        raise Http404 from exc
    mime = detect_type(handle)
    if mime not in SERVED_TYPES:
        mime = OCTET_STREAM
    inline = inline_image and mime in INLINE_IMAGES
    filename = download_name(name or file.name, mime)
    if settings.X_ACCEL_REDIRECT_PREFIX:
        # nginx sends the bytes; the headers (type, disposition, caching) are still ours.
        handle.close()
        response = FileResponse(
            io.BytesIO(b""), content_type=mime, as_attachment=not inline, filename=filename
        )
        response["X-Accel-Redirect"] = settings.X_ACCEL_REDIRECT_PREFIX + quote(
            file.name.lstrip("/"), safe="/"
        )
    else:
        response = FileResponse(handle, content_type=mime, as_attachment=not inline, filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600" if inline else "private, no-store"
    return response

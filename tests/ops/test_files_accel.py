"""Uploaded files in X-Accel-Redirect mode (X_ACCEL_REDIRECT_PREFIX): the application still checks the
permission and chooses the headers; the body is left to nginx (tests/ops/test_nginx.py sends it for real)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.db.models.fields.files import FieldFile

from lianmeng.core.files import file_response

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


class _Field:
    storage: FileSystemStorage

    def __init__(self, storage: FileSystemStorage) -> None:
        self.storage = storage


@pytest.fixture
def stored(tmp_path: Any) -> FieldFile:
    storage = FileSystemStorage(location=tmp_path)
    name = storage.save("library/files/abc123.pdf", ContentFile(PDF))
    return FieldFile(None, _Field(storage), name)  # type: ignore[arg-type]


def test_without_the_setting_the_application_sends_the_bytes(stored: FieldFile, settings: Any) -> None:
    settings.X_ACCEL_REDIRECT_PREFIX = ""
    response = file_response(stored, name="年度报告.pdf")
    assert b"".join(response.streaming_content) == PDF  # type: ignore[arg-type]
    assert "X-Accel-Redirect" not in response


def test_with_the_setting_nginx_sends_the_bytes_with_our_headers(stored: FieldFile, settings: Any) -> None:
    settings.X_ACCEL_REDIRECT_PREFIX = "/_protected/"
    response = file_response(stored, name="年度报告<script>.html")
    assert response["X-Accel-Redirect"] == "/_protected/library/files/abc123.pdf"
    assert b"".join(response.streaming_content) == b""  # type: ignore[arg-type]
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''" in response["Content-Disposition"]
    assert ".pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"

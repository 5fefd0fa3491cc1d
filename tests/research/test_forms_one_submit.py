"""Research forms with attachments report the form's, the fields' and the files' errors in one submit,
and store nothing (validate-only: no dry run that would store files)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from lianmeng.research.models import Entry, EntryFile


def field_errors(html: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for name, message in re.findall(r'data-field-error="([^"]+)">([^<]*)<', html):
        found.setdefault(name, []).append(message)
    return found


def stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file() and "pending" not in p.parts]


def test_entry_missing_summary_and_a_fake_attachment(
    open_round: Callable[..., Any], make_org: Callable[..., Any], contact_for: Callable[..., Any]
) -> None:
    selection = open_round()
    org = make_org("青岛海纳人力资源有限公司")
    client = Client()
    client.force_login(contact_for(org))
    response = client.post(
        reverse("research:entry-new", args=[selection.pk]),
        {
            "title": "“就业驿站”服务模式",
            "authors": "赵海",
            "summary": "",  # the form's error
            "attachments": [SimpleUploadedFile("案例.pdf", b"<html>not a pdf</html>")],  # the file check
        },
    )
    errors = field_errors(response.content.decode())
    assert "summary" in errors
    assert "attachments" in errors and "文件类型" in errors["attachments"][0]
    assert not Entry.objects.exists() and not EntryFile.objects.exists()
    assert stored_files() == []

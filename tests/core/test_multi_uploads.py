"""MultiUploadField: several files in one input are checked one by one, kept across a failed submit (one
signed token per file, named together on the page), replaced when other files are chosen, and never
taken from a forged token or another field's token."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django import forms
from django.conf import settings
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.datastructures import MultiValueDict

from lianmeng.core.pending_uploads import MultiUploadField, PendingUploadsMixin, discard_pending

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


class PaperForm(PendingUploadsMixin, forms.Form):
    title = forms.CharField()
    papers = MultiUploadField(required=False, max_files=3)


def pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def submit(data: dict[str, Any], files: list[Any] | None = None) -> PaperForm:
    form = PaperForm(
        MultiValueDict({k: v if isinstance(v, list) else [v] for k, v in data.items()}),
        MultiValueDict({"papers": files or []}),
    )
    form.is_valid()
    return form


def tokens(html: str) -> list[str]:
    return re.findall(r'name="papers__pending" value="([^"]+)"', html)


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path)


def test_files_kept_and_named_together_then_used(db: None) -> None:
    first = submit({"title": ""}, [pdf("a.pdf"), pdf("b.pdf")])
    assert set(first.errors) == {"title"}
    html = str(first["papers"])
    assert "已上传：a.pdf、b.pdf（可更换）" in html and "multiple" in html
    kept = tokens(html)
    assert len(kept) == 2
    second = submit({"title": "论文", "papers__pending": kept})
    assert second.is_valid()
    assert [f.name for f in second.cleaned_data["papers"]] == ["a.pdf", "b.pdf"]
    assert [f.read() for f in second.cleaned_data["papers"]] == [PDF, PDF]
    discard_pending(second, "papers")
    assert list((Path(settings.MEDIA_ROOT) / "pending").iterdir()) == []


def test_new_files_replace_the_kept_ones(db: None) -> None:
    kept = tokens(str(submit({"title": ""}, [pdf("old.pdf")])["papers"]))
    form = submit({"title": "论文", "papers__pending": kept}, [pdf("new.pdf")])
    assert [f.name for f in form.cleaned_data["papers"]] == ["new.pdf"]


def test_each_bad_file_is_named_and_too_many_refused(db: None) -> None:
    fake = SimpleUploadedFile("假的.pdf", b"<html></html>", content_type="application/pdf")
    form = submit({"title": "论文"}, [pdf("a.pdf"), fake])
    assert len(form.errors["papers"]) == 1 and form.errors["papers"][0].startswith("假的.pdf：")
    form = submit({"title": "论文"}, [pdf(f"{i}.pdf") for i in range(4)])
    assert "最多上传 3 个文件" in form.errors["papers"][0]


def test_forged_or_other_fields_tokens_are_ignored(db: None) -> None:
    other = signing.dumps({"id": "0" * 32}, salt="lianmeng.pending-upload:letter")
    forged = signing.dumps({"id": "../../settings"}, salt="lianmeng.pending-upload:papers")
    form = submit({"title": "论文", "papers__pending": [other, forged, "garbage"]})
    assert form.is_valid() and form.cleaned_data["papers"] == []

"""The annual PDF is tagged for accessibility (WeasyPrint's PDF/UA-1 variant): a structure tree, the
document language and title, and PDF/UA identification, as pdfinfo reads them."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(not shutil.which("pdfinfo"), reason="poppler-utils not installed")
def test_annual_pdf_is_tagged(demo_alliance: dict[str, Any], tmp_path: Path) -> None:
    client = Client()
    client.force_login(demo_alliance["demo-secretariat"])
    response = client.get(f"/reports/{timezone.localdate().year}/annual.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    path = tmp_path / "annual.pdf"
    path.write_bytes(response.content)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert "Tagged:          yes" in info, info
    assert "胶东暨蓝区" in info  # the title, from <title>
    meta = subprocess.run(["pdfinfo", "-meta", str(path)], capture_output=True, text=True, check=True).stdout
    assert "pdfuaid" in meta, meta[:500]  # declared PDF/UA

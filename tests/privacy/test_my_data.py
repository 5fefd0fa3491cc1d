"""A person downloads their data: their own records and files, nothing of anyone else."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest
from django.test import Client

from lianmeng.core.models import AuditEntry

from .conftest import CHEN_ID_NUMBER, CHEN_MOBILE, COLLEAGUE_MOBILE, PASSER_MOBILE, PDF, ZHOU_MOBILE, World

pytestmark = pytest.mark.django_db


def _open(content: bytes) -> tuple[dict[str, Any], str, dict[str, bytes]]:
    archive = zipfile.ZipFile(io.BytesIO(content))
    files = {name: archive.read(name) for name in archive.namelist() if name.startswith("files/")}
    text = archive.read("data.json").decode()
    return json.loads(text), text, files


def test_member_downloads_own_data_and_nothing_of_others(world: World) -> None:
    browser = Client()
    browser.force_login(world.member)
    page = browser.get("/privacy/")
    assert page.status_code == 200 and "下载我的数据" in page.content.decode()
    response = browser.get("/privacy/my-data.zip")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    data, text, files = _open(response.content)

    records = data["records"]
    registrations = {r["id"]: r for r in records["activities.Registration"]["rows"]}
    assert registrations[world.own_registration.pk]["name"] == "陈园区"
    assert registrations[world.own_registration.pk]["mobile"] == CHEN_MOBILE
    # The colleague 陈园区 registered is their record, but the colleague's data is not theirs to download.
    colleague = registrations[world.colleague_registration.pk]
    assert "name" not in colleague and colleague["_others_fields_omitted"]
    assert records["membership.MembershipApplication"]["rows"][0]["contact_email"] == world.member.email
    assert records["library.Expert"]["rows"][0]["id_number"] == CHEN_ID_NUMBER
    assert records["library.Achievement"]["rows"][0]["authors"] == "陈园区"
    assert records["matchmaking.Resource"]["rows"][0]["contact_phone"] == CHEN_MOBILE
    assert records["governance.Vote"]["rows"][0]["choice"] == "for"
    assert records["accounts.User"]["rows"][0]["username"] == CHEN_MOBILE
    assert "password" not in records["accounts.User"]["rows"][0]
    # Their uploaded file (the commitment letter) is in the archive.
    assert list(files.values()) == [PDF]
    for other in (
        "赵同事",
        COLLEAGUE_MOBILE,
        "周同仁",
        ZHOU_MOBILE,
        "孙路人",
        PASSER_MOBILE,
        world.other.email,
    ):
        assert other not in text, other
    assert AuditEntry.objects.filter(action="privacy.download", actor=world.member).count() == 1


def test_another_person_gets_only_their_own(world: World, api: Any) -> None:
    response = api(world.other).get("/api/v1/privacy/my-data")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    data, text, files = _open(response.content)
    rows = data["records"]["activities.Registration"]["rows"]
    assert [r["id"] for r in rows] == [world.other_registration.pk]
    assert data["records"]["library.Achievement"]["rows"][0]["authors"] == "周同仁"
    assert files == {}
    for value in ("陈园区", CHEN_MOBILE, CHEN_ID_NUMBER, world.member.email, "赵同事", "孙路人"):
        assert value not in text, value


def test_download_needs_sign_in(world: World, api: Any) -> None:
    assert api(None).get("/api/v1/privacy/my-data").status_code == 401
    response = Client().get("/privacy/my-data.zip")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]

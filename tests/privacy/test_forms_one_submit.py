"""The erasure form reports the missing confirmation and a too-short reason in one submit, erasing nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.test import Client
from django.urls import reverse

from lianmeng.privacy import selectors
from lianmeng.privacy.models import Erasure
from tests.form_helpers import field_errors


def test_unconfirmed_erasure_with_a_short_reason(secretariat: Any, make_user: Callable[..., Any]) -> None:
    person = make_user(display_name="陈路人")
    key = selectors.subject_for_user(person).key
    client = Client()
    client.force_login(secretariat)
    page = client.get(reverse("privacy:erasures"), {"subject": key}).content.decode()
    assert "删除陈路人" in page and "不能恢复" in page  # the button asks first, naming the person
    response = client.post(reverse("privacy:erasures"), {"subject": key, "reason": "申请"})
    errors = field_errors(response.content.decode())
    assert errors["confirm"] == ["请勾选确认后再删除"]
    assert "至少 4 个字" in errors["reason"][0]
    assert not Erasure.objects.exists()
    person.refresh_from_db()
    assert person.display_name == "陈路人"

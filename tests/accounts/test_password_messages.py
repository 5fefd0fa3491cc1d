"""Password rules speak Chinese (and complete English), each message on the field it concerns."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client
from django.urls import reverse
from django.utils import translation

from lianmeng.accounts.forms import LianmengPasswordChangeForm, LianmengSetPasswordForm


def test_short_numeric_password_is_refused_in_chinese_on_the_new_password(make_user: Any) -> None:
    user = make_user(username="zhaohai")
    with translation.override("zh-hans"):
        form = LianmengSetPasswordForm(user, {"new_password1": "12345", "new_password2": "12345"})
        assert not form.is_valid()
        messages = form.errors["new_password1"]
        assert "密码太短，至少需要 10 个字符" in messages
        assert "密码不能全是数字" in messages
        assert "new_password2" not in form.errors
        assert not any(re.search(r"[A-Za-z]{4,}", m) for m in messages)


def test_mismatch_stays_on_the_confirmation(make_user: Any) -> None:
    user = make_user()
    with translation.override("zh-hans"):
        form = LianmengSetPasswordForm(
            user, {"new_password1": "柳树-海风-2026-长句", "new_password2": "别的密码-2026-长句"}
        )
        assert not form.is_valid()
        assert list(form.errors) == ["new_password2"]


def test_english_messages_are_complete(make_user: Any) -> None:
    user = make_user(username="zhaohai")
    with translation.override("en"):
        form = LianmengSetPasswordForm(user, {"new_password1": "zhaohai", "new_password2": "zhaohai"})
        assert not form.is_valid()
        text = " ".join(form.errors["new_password1"])
        assert "at least 10 characters" in text and "similar" in text
        assert not re.search(r"[\u4e00-\u9fff]", text)


def test_password_change_page_shows_the_rules_in_chinese(make_user: Any) -> None:
    user = make_user()
    client = Client()
    client.force_login(user)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "correct-horse-battery", "new_password1": "password", "new_password2": "password"},
    )
    html = response.content.decode()
    assert re.search(r'data-field-error="new_password1">[^<]*太常见', html)
    assert "至少 10 个字符" in html  # the help text
    assert "This password" not in html and "Your password" not in html
    assert isinstance(response.context["form"], LianmengPasswordChangeForm)

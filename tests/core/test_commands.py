"""The one typed input of every write (lianmeng.core.commands), seen from a form, the API and a service."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from lianmeng.core.commands import Command, command_errors
from lianmeng.governance.commands import MotionCreate


def errors_of(data: dict[str, object]) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        MotionCreate.build(data)
    return caught.value.message_dict


def test_every_bad_field_at_once_in_chinese_naming_the_field() -> None:
    errors = errors_of({"title": "标" * 201, "text": "  ", "kind": "bogus", "opens_at": "明天"})
    assert errors == {
        "title": ["议案标题不能超过 200 个字"],
        "text": ["请填写议案正文"],
        "kind": ["议案类型的取值“bogus”无效"],
        "opens_at": ["表决开始格式不正确，例如 2026-12-20 18:00"],
    }


def test_missing_keys_read_like_empty_fields_and_english_is_complete() -> None:
    assert errors_of({}) == {"title": ["请填写议案标题"], "text": ["请填写议案正文"]}
    with translation.override("en"):
        errors = errors_of({"text": "x", "kind": "bogus"})
    assert errors["title"] == ["Please fill in: Motion title"]
    assert errors["kind"] == ['"bogus" is not a valid Motion kind']


def test_texts_are_cleaned_and_rules_across_fields_land_on_their_field() -> None:
    cmd = MotionCreate.build({"title": " 关于\x00设立 \n 专委会 ", "text": "第一条\r\n第二条"})
    assert cmd.title == "关于设立 专委会"
    assert cmd.text == "第一条\n第二条"
    errors = errors_of(
        {"title": "t", "text": "x", "opens_at": "2026-12-02 10:00", "closes_at": "2026-12-01 10:00"}
    )
    assert errors == {"closes_at": ["表决截止时间须晚于开始时间"]}
    assert errors_of({"title": "t", "text": "x", "kind": "admission"}) == {
        "application": ["入盟表决须关联一份初审通过的入盟申请"]
    }
    # a motion on an application is an admission motion whatever kind was sent
    assert MotionCreate.build({"title": "t", "text": "x", "application": 7}).kind == "admission"


def test_commands_are_immutable_values() -> None:
    cmd = MotionCreate.build({"title": "t", "text": "x"})
    with pytest.raises(Exception):  # noqa: B017 - pydantic's frozen-instance error
        cmd.title = "changed"  # type: ignore[misc]
    assert issubclass(MotionCreate, Command)
    assert command_errors  # the adapter used by the API and imports


def test_the_api_takes_the_command_and_says_the_same(client: Any, secretariat: Any) -> None:
    client.force_login(secretariat)
    response = client.post(
        "/api/v1/council/motions",
        {"title": "", "text": "正文", "closes_at": "not a date"},
        content_type="application/json",
    )
    assert response.status_code == 422
    body = response.json()
    assert body["errors"]["title"] == ["请填写议案标题"]
    assert body["errors"]["closes_at"] == ["表决截止格式不正确，例如 2026-12-20 18:00"]
    schema = client.get("/api/v1/openapi.json").json()["components"]["schemas"]["MotionIn"]
    assert schema["properties"]["title"]["maxLength"] == 200
    assert schema["properties"]["ballot"]["enum"] == ["open", "secret"]

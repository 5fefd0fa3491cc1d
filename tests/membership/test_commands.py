"""The membership commands: what a bad application or profile says, in Chinese and in English."""

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from lianmeng.membership.commands import ApplicationSubmit, OrganizationUpdate


def errors_of(cls: Any, data: dict[str, Any]) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        cls.build(data)
    return caught.value.message_dict


def test_an_application_names_every_bad_field_in_both_languages() -> None:
    data = {
        "name": "",
        "uscc": "123",
        "kind": "bank",
        "city": "",
        "contact_name": "赵海",
        "contact_mobile": "12345",
        "contact_email": "zhao-at-example",
        "website": "not a site",
    }
    errors = errors_of(ApplicationSubmit, data)
    assert errors == {
        "name": ["请填写单位名称"],
        "uscc": ["统一社会信用代码应为 18 位，当前为 3 位"],
        "kind": ["单位类型的取值“bank”无效"],
        "city": ["请选择联盟成员城市"],
        "website": ["网址格式不正确，例如 https://www.example.cn"],
        "contact_mobile": ["手机号码应为以 1 开头的 11 位数字"],
        "contact_email": ["电子邮箱格式不正确"],
    }
    with translation.override("en"):
        english = errors_of(ApplicationSubmit, data)
    assert not any("\u4e00" <= c <= "\u9fff" for m in english.values() for text in m for c in text), english


def test_a_profile_update_changes_only_the_fields_given() -> None:
    cmd = OrganizationUpdate.build({"description": " 新的简介 ", "email": "HR@Example.CN", "version": 3})
    assert cmd.changes() == {"description": "新的简介", "email": "hr@example.cn"}
    assert cmd.version == 3
    assert errors_of(OrganizationUpdate, {"name": ""}) == {"name": ["请填写单位名称"]}

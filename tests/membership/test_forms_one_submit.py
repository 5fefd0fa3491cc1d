"""Membership forms report the form's own errors and the service's rules in one submit, and save nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.test import Client
from django.urls import reverse

from lianmeng.core.models import AuditEntry
from tests.form_helpers import field_errors


def test_organization_edit_missing_name_bad_email_and_a_taken_uscc(
    secretariat: Any, make_org: Callable[..., Any]
) -> None:
    other = make_org("烟台人才集团", city="烟台")
    org = make_org("青岛海纳人力资源有限公司")
    client = Client()
    client.force_login(secretariat)
    response = client.post(
        reverse("membership:organization-edit", args=[org.pk]),
        {
            "name": "",  # the form's error
            "email": "hr-at-example",  # the service's rules, in the same submit
            "website": "ftp://example.cn",
            "uscc": other.uscc,
            "kind": org.kind,
            "city": org.city_id,
            "tier": org.tier,
            "version": org.version,
        },
    )
    errors = field_errors(response.content.decode())
    assert "name" in errors
    assert "email" in errors and "website" in errors
    assert errors["uscc"] == ["该统一社会信用代码已被其他单位使用"]
    org.refresh_from_db()
    assert org.name == "青岛海纳人力资源有限公司" and org.email == ""
    assert not AuditEntry.objects.filter(action="organization.update").exists()


def test_organization_edit_success_names_the_organization(
    secretariat: Any, make_org: Callable[..., Any]
) -> None:
    org = make_org("青岛海纳人力资源有限公司")
    client = Client()
    client.force_login(secretariat)
    done = client.post(
        reverse("membership:organization-edit", args=[org.pk]),
        {
            "name": org.name,
            "email": "hr@haina.example.cn",
            "uscc": org.uscc,
            "kind": org.kind,
            "city": org.city_id,
            "tier": org.tier,
            "version": org.version,
        },
        follow=True,
    ).content.decode()
    assert "单位信息已保存：青岛海纳人力资源有限公司" in done

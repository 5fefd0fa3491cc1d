"""Irreversible review actions ask first, saying what will happen, and then say what happened to whom."""

from __future__ import annotations

import html as html_lib
from typing import Any

from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from lianmeng.membership import services
from lianmeng.membership.commands import ApplicationDecision, ApplicationSubmit
from lianmeng.membership.models import ApplicationStatus

from .test_services import application_data, letter


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_admit_asks_with_names_and_reports_who_was_told(cities: Any, secretariat: Any) -> None:
    application = services.application_submit(
        cmd=ApplicationSubmit.build(application_data()), letter=letter()
    )
    services.application_review(
        application=application, cmd=ApplicationDecision.build(action="forward"), actor=secretariat
    )
    application.refresh_from_db()
    client = _client(secretariat)
    url = reverse("membership:application-review", args=[application.pk])
    page = html_lib.unescape(client.get(url).content.decode())
    assert "批准后将创建成员单位“青岛海纳人力资源有限公司”，赵海（zhao@example.cn）成为其联络员" in page
    assert "确定不予通过吗" in page
    response = client.post(url, {"action": "admit", "message": ""})
    told = [str(m) for m in get_messages(response.wsgi_request)]
    application.refresh_from_db()
    assert application.status == ApplicationStatus.ADMITTED
    assert told == [
        "已批准“青岛海纳人力资源有限公司”入盟：成员单位已创建，赵海（zhao@example.cn）为联络员，通知邮件已排队发送"
    ]


def test_reject_reports_who_was_told(cities: Any, secretariat: Any) -> None:
    application = services.application_submit(
        cmd=ApplicationSubmit.build(application_data()), letter=letter()
    )
    client = _client(secretariat)
    url = reverse("membership:application-review", args=[application.pk])
    page = html_lib.unescape(client.get(url).content.decode())
    assert "不予通过后“青岛海纳人力资源有限公司”的申请即告结束，赵海 会收到附审核意见的邮件" in page
    response = client.post(url, {"action": "reject", "message": "不符合入盟条件"})
    told = [str(m) for m in get_messages(response.wsgi_request)]
    assert told == ["已不予通过“青岛海纳人力资源有限公司”的申请，已通知 赵海（zhao@example.cn）"]

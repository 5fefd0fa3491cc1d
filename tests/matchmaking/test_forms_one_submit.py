"""Matchmaking forms report every error in one submit: a field the form rejects (missing) and a rule the
service checks (a phone number, a meeting time, an amount) appear together on their fields; nothing is
saved. Irreversible buttons ask first and say to whom it happens."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from lianmeng.matchmaking import services
from lianmeng.matchmaking.commands import MatchRequestAnswer, MatchRequestCreate
from lianmeng.matchmaking.models import MatchRequest, Meeting, RequestStatus, Resource
from tests.form_helpers import client_for, field_errors

pytestmark = pytest.mark.django_db


@pytest.fixture
def accepted(park_contact: Any, fund_contact: Any, make_post: Callable[..., Any]) -> MatchRequest:
    supply = make_post(fund_contact, direction="supply", title="股权投资服务")
    req = services.match_request_create(
        cmd=MatchRequestCreate.build(resource=supply, message="希望约谈"), actor=park_contact
    )
    return services.match_request_answer(
        cmd=MatchRequestAnswer.build(action="accept", message="欢迎"), request=req, actor=fund_contact
    )


def test_new_post_missing_title_and_bad_phone_at_once(
    park_contact: Any, post_data: Callable[..., dict[str, Any]]
) -> None:
    data = post_data(title="", contact_phone="12")
    response = client_for(park_contact).post("/resources/new/", {**data, "tags": "投融资"})
    errors = field_errors(response.content.decode())
    assert "title" in errors and "contact_phone" in errors
    assert not Resource.objects.exists()


def test_post_edit_missing_contact_and_bad_phone_at_once(
    park_contact: Any, post_data: Callable[..., dict[str, Any]], make_post: Callable[..., Any]
) -> None:
    post = make_post(park_contact)
    data = post_data(contact_name="", contact_phone="12", version=post.version)
    response = client_for(park_contact).post(f"/resources/{post.pk}/edit/", {**data, "tags": "投融资"})
    errors = field_errors(response.content.decode())
    assert "contact_name" in errors and "contact_phone" in errors
    post.refresh_from_db()
    assert post.contact_name == "陈园区" and post.contact_phone == "13806420000"


def test_meeting_missing_mode_and_time_at_once(accepted: MatchRequest, fund_contact: Any) -> None:
    response = client_for(fund_contact).post(
        f"/resources/requests/{accepted.pk}/meeting/", {"mode": "", "held_at": "明天下午"}
    )
    errors = field_errors(response.content.decode())
    assert "mode" in errors and "洽谈时间格式不正确" in errors["held_at"][0]
    assert not Meeting.objects.exists()


def test_outcome_missing_and_bad_amount_at_once(accepted: MatchRequest, park_contact: Any) -> None:
    page = client_for(park_contact).get(f"/resources/requests/{accepted.pk}/").content.decode()
    assert 'type="number" name="count"' in page  # a count is a number input
    assert 'id="save-outcome" data-confirm="办结后' in page
    response = client_for(park_contact).post(
        f"/resources/requests/{accepted.pk}/outcome/", {"outcome": "", "amount": "一千二"}
    )
    errors = field_errors(response.content.decode())
    assert "outcome" in errors and "数字" in errors["amount"][0]
    accepted.refresh_from_db()
    assert accepted.status == RequestStatus.ACCEPTED and not accepted.outcome


def test_decline_and_withdraw_ask_first_and_name_the_other_side(
    park_contact: Any, fund_contact: Any, make_post: Callable[..., Any]
) -> None:
    supply = make_post(fund_contact, direction="supply", title="股权投资服务")
    req = services.match_request_create(
        cmd=MatchRequestCreate.build(resource=supply, message="希望约谈"), actor=park_contact
    )
    owner_page = client_for(fund_contact).get(f"/resources/requests/{req.pk}/").content.decode()
    assert "婉拒后这条请求即结束，中国青岛人力资源服务产业园会收到通知" in owner_page
    requester_page = client_for(park_contact).get(f"/resources/requests/{req.pk}/").content.decode()
    assert "撤回后这条请求即结束，青岛蓝海人才创投基金管理有限公司不能再接受它" in requester_page
    done = (
        client_for(park_contact).post(f"/resources/requests/{req.pk}/withdraw/", follow=True).content.decode()
    )
    assert "已撤回发给 青岛蓝海人才创投基金管理有限公司 的对接请求" in done


def test_request_message_error_on_the_field_and_the_text_kept(
    park_contact: Any, fund_contact: Any, make_post: Callable[..., Any]
) -> None:
    supply = make_post(fund_contact, direction="supply", title="股权投资服务")
    long = "希望约谈。" * 201  # 1005 characters
    response = client_for(park_contact).post(f"/resources/{supply.pk}/request/", {"message": long})
    assert response.status_code == 200
    html = response.content.decode()
    assert "1000 个字" in field_errors(html)["message"][0]
    assert long in html  # what was typed is still in the box
    assert not MatchRequest.objects.exists()

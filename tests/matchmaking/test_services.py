"""Posts, requests, meetings and outcomes through the services: rules a member would notice."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from lianmeng.core.models import AuditEntry
from lianmeng.matchmaking import services
from lianmeng.matchmaking.commands import (
    MatchRequestAnswer,
    MatchRequestCreate,
    MeetingRecord,
    OutcomeRecord,
    ResourceCreate,
    ResourceUpdate,
)
from lianmeng.matchmaking.models import MatchRequest, Resource, ResourceStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def demand(park_contact: Any, make_post: Callable[..., Any]) -> Any:
    return make_post(park_contact)


@pytest.fixture
def supply(fund_contact: Any, make_post: Callable[..., Any]) -> Any:
    return make_post(
        fund_contact,
        direction="supply",
        title="人力资源服务业股权投资基金",
        description="面向园区数字化招聘与人力资源信息化企业，提供天使轮和 A 轮股权投资。",
        contact_name="林投资",
    )


def test_create_indexes_the_post_and_audits(demand: Any) -> None:
    assert demand.status == ResourceStatus.OPEN
    assert "融资" in demand.search_text
    assert [c.pk for c in demand.cities.all()] == ["370200"]
    assert AuditEntry.objects.filter(action="resource.create", target_id=str(demand.pk)).exists()


def test_bad_post_names_every_bad_field_and_saves_nothing(
    park_contact: Any, post_data: Callable[..., Any]
) -> None:
    bad = post_data(
        direction="both",
        category="money",
        title="",
        cities=["110000"],
        tags=["一个非常非常非常非常非常非常长的标签名称啊"],
        strategy_tags=["登月计划"],
        valid_until="2020-01-01",
        contact_phone="12345",
    )
    with pytest.raises(ValidationError) as exc:
        ResourceCreate.build(bad)  # the command's own checks, every field at once
    assert set(exc.value.message_dict) == {"direction", "category", "title", "tags", "contact_phone"}
    known = {k: bad[k] for k in ("cities", "strategy_tags", "valid_until")}
    with pytest.raises(ValidationError) as exc:  # and the service's rules on the database, at once
        services.resource_create(actor=park_contact, cmd=ResourceCreate.build(post_data(**known)))
    assert set(exc.value.message_dict) == {"cities", "strategy_tags", "valid_until"}
    assert "联盟成员城市" in exc.value.message_dict["cities"][0]
    assert Resource.objects.count() == 0


def test_someone_without_an_organization_cannot_post(
    make_user: Callable[..., Any], post_data: Callable[..., Any]
) -> None:
    with pytest.raises(PermissionDenied):
        services.resource_create(actor=make_user("expert"), cmd=ResourceCreate.build(post_data()))


def test_request_accept_meeting_and_agreement_marks_both_posts_matched(
    demand: Any, supply: Any, park_contact: Any, fund_contact: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        req = services.match_request_create(
            cmd=MatchRequestCreate.build(resource=supply, from_resource=demand, message="希望洽谈投资"),
            actor=park_contact,
        )
    assert mail.outbox[-1].to == [fund_contact.email]
    assert "收到新的对接请求" in mail.outbox[-1].subject
    with pytest.raises(PermissionDenied):
        services.match_request_answer(
            cmd=MatchRequestAnswer.build(action="accept"), request=req, actor=park_contact
        )
    req = services.match_request_answer(
        cmd=MatchRequestAnswer.build(action="accept", message="欢迎来访"), request=req, actor=fund_contact
    )
    assert req.status == "accepted"
    services.meeting_record(
        request=req,
        actor=fund_contact,
        cmd=MeetingRecord.build(
            {"mode": "onsite", "held_at": "2026-11-20 10:00", "place": "青岛人服园 3 楼会议室"}
        ),
    )
    req = services.match_request_conclude(
        request=req,
        actor=park_contact,
        cmd=OutcomeRecord.build({"outcome": "agreement", "amount": "1,200.5", "note": "签订投资意向书"}),
    )
    assert req.status == "concluded"
    assert str(req.outcome_amount) == "1200.50"
    assert set(Resource.objects.values_list("status", flat=True)) == {ResourceStatus.MATCHED}
    with pytest.raises(ValidationError):
        services.meeting_record(
            request=req,
            actor=park_contact,
            cmd=MeetingRecord.build({"mode": "online", "held_at": "2026-11-21 10:00"}),
        )


def test_the_same_request_twice_is_refused_with_a_message(
    demand: Any, supply: Any, park_contact: Any
) -> None:
    services.match_request_create(
        cmd=MatchRequestCreate.build(resource=supply, message="第一次"), actor=park_contact
    )
    with pytest.raises(ValidationError) as exc:
        services.match_request_create(
            cmd=MatchRequestCreate.build(resource=supply, message="第二次"), actor=park_contact
        )
    assert "请勿重复发送" in exc.value.message_dict["resource"][0]
    assert MatchRequest.objects.count() == 1


def test_own_post_cannot_be_requested(
    demand: Any, park_contact: Any, make_user: Callable[..., Any], park: Any, fund: Any
) -> None:
    both = make_user("member_contact", organization=park)
    from lianmeng.accounts.models import RoleAssignment

    RoleAssignment.objects.create(user=both, role="member_contact", organization=fund)
    both = type(both).objects.get(pk=both.pk)
    with pytest.raises(ValidationError) as exc:
        services.match_request_create(
            cmd=MatchRequestCreate.build(resource=demand, message="你好", organization=park.pk), actor=both
        )
    assert "本单位" in exc.value.message_dict["resource"][0]
    with pytest.raises(PermissionDenied):
        services.match_request_create(
            cmd=MatchRequestCreate.build(resource=demand, message="你好"), actor=park_contact
        )


def test_expired_and_closed_posts_cannot_be_requested(
    supply: Any, park_contact: Any, fund_contact: Any
) -> None:
    Resource.objects.filter(pk=supply.pk).update(
        valid_until=timezone.localdate() - datetime.timedelta(days=1)
    )
    assert services.resources_expire_due() == 1
    supply.refresh_from_db()
    assert supply.status == ResourceStatus.EXPIRED
    with pytest.raises(ValidationError) as exc:
        services.match_request_create(
            cmd=MatchRequestCreate.build(resource=supply, message="你好"), actor=park_contact
        )
    assert "已过期" in exc.value.message_dict["resource"][0]
    services.resource_change_status(resource=supply, action="close", actor=fund_contact)
    with pytest.raises(ValidationError) as exc:
        services.match_request_create(
            cmd=MatchRequestCreate.build(resource=supply, message="你好"), actor=park_contact
        )
    assert "已关闭" in exc.value.message_dict["resource"][0]


def test_moving_valid_until_forward_renews_an_expired_post(supply: Any, fund_contact: Any) -> None:
    Resource.objects.filter(pk=supply.pk).update(status=ResourceStatus.EXPIRED)
    later = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    renewed = services.resource_update(
        resource=supply, actor=fund_contact, cmd=ResourceUpdate.build({"valid_until": later})
    )
    assert renewed.status == ResourceStatus.OPEN


def _accepted_request(supply: Any, requester: Any, owner: Any, message: str) -> Any:
    """The requester's request for ``supply``, accepted by its owner."""
    req = services.match_request_create(
        cmd=MatchRequestCreate.build(resource=supply, message=message), actor=requester
    )
    return services.match_request_answer(
        cmd=MatchRequestAnswer.build(action="accept"), request=req, actor=owner
    )


# (status before, action, allowed) for a resource post, then for a match request.
RESOURCE_MOVES = "open match 1, open close 1, open reopen 0, matched reopen 1, matched match 0, expired close 1, expired match 0, closed reopen 0, closed close 0"
REQUEST_MOVES = "pending accept 1, pending decline 1, accepted accept 0, declined accept 0, concluded decline 0, withdrawn accept 0"


def _moves(table: str) -> list[tuple[str, str, bool]]:
    return [(status, action, flag == "1") for status, action, flag in (m.split() for m in table.split(", "))]


def _allowed_or_refused(allowed: bool, move: Callable[[], Any]) -> None:
    if allowed:
        move()
    else:
        with pytest.raises(ValidationError):
            move()


@pytest.mark.parametrize(("status", "action", "allowed"), _moves(RESOURCE_MOVES))
def test_resource_transition_table(
    supply: Any, fund_contact: Any, status: str, action: str, allowed: bool
) -> None:
    Resource.objects.filter(pk=supply.pk).update(status=status)
    _allowed_or_refused(
        allowed, lambda: services.resource_change_status(resource=supply, action=action, actor=fund_contact)
    )
    supply.refresh_from_db()
    assert (supply.status != status) == allowed


@pytest.mark.parametrize(("status", "action", "allowed"), _moves(REQUEST_MOVES))
def test_request_transition_table(
    supply: Any, park_contact: Any, fund_contact: Any, status: str, action: str, allowed: bool
) -> None:
    req = services.match_request_create(
        cmd=MatchRequestCreate.build(resource=supply, message="你好"), actor=park_contact
    )
    MatchRequest.objects.filter(pk=req.pk).update(status=status)
    cmd = MatchRequestAnswer.build(action=action, message="原因")
    _allowed_or_refused(
        allowed, lambda: services.match_request_answer(cmd=cmd, request=req, actor=fund_contact)
    )
    req.refresh_from_db()
    assert (req.status != status) == allowed


def test_decline_needs_a_reason(supply: Any, park_contact: Any, fund_contact: Any) -> None:
    req = services.match_request_create(
        cmd=MatchRequestCreate.build(resource=supply, message="你好"), actor=park_contact
    )
    with pytest.raises(ValidationError) as exc:
        services.match_request_answer(
            cmd=MatchRequestAnswer.build(action="decline"), request=req, actor=fund_contact
        )
    assert "message" in exc.value.message_dict


def test_bad_outcome_names_fields_and_keeps_the_request_open(
    supply: Any, park_contact: Any, fund_contact: Any
) -> None:
    req = _accepted_request(supply, park_contact, fund_contact, "你好")
    with pytest.raises(ValidationError) as exc:
        services.match_request_conclude(
            request=req,
            actor=park_contact,
            cmd=OutcomeRecord.build({"outcome": "talent_placed", "amount": "很多"}),
        )
    assert set(exc.value.message_dict) == {"amount", "count"}
    req.refresh_from_db()
    assert req.status == "accepted"


def test_stalled_requests_are_reminded_once_per_period(
    supply: Any, park_contact: Any, django_capture_on_commit_callbacks: Any
) -> None:
    req = services.match_request_create(
        cmd=MatchRequestCreate.build(resource=supply, message="你好"), actor=park_contact
    )
    MatchRequest.objects.filter(pk=req.pk).update(
        last_activity_at=timezone.now() - datetime.timedelta(days=9)
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.requests_remind_stalled() == 1
    assert "待处理提醒" in mail.outbox[0].subject
    assert services.requests_remind_stalled() == 0


def test_weekly_digest_mails_new_suggestions(demand: Any, supply: Any) -> None:
    mail.outbox.clear()
    from lianmeng.matchmaking.tasks import send_weekly_digest

    result = send_weekly_digest.enqueue()
    assert result.return_value == 2
    bodies = "\n".join(m.body for m in mail.outbox)
    assert supply.title in bodies and demand.title in bodies


def test_project_created_outcome_creates_the_project_in_the_library(
    demand: Any, supply: Any, park: Any, fund: Any, park_contact: Any, fund_contact: Any
) -> None:
    from lianmeng.library.models import Project

    req = services.match_request_create(
        cmd=MatchRequestCreate.build(resource=supply, from_resource=demand, message="合作"),
        actor=park_contact,
    )
    services.match_request_answer(
        cmd=MatchRequestAnswer.build(action="accept"), request=req, actor=fund_contact
    )
    req = services.match_request_conclude(
        request=req,
        actor=park_contact,
        cmd=OutcomeRecord.build(
            {"outcome": "project_created", "project_name": "人服园数字化招聘平台共建项目"}
        ),
    )
    project = Project.objects.get(pk=req.project_id)
    assert project.name == "人服园数字化招聘平台共建项目"
    assert project.lead_organization == park
    assert list(project.partner_organizations.all()) == [fund]
    assert [c.pk for c in project.cities.all()] == ["370200"]
    assert list(project.match_requests.all()) == [req]


def test_a_project_the_library_refuses_leaves_the_request_open(
    supply: Any, park_contact: Any, fund_contact: Any
) -> None:
    from lianmeng.library.models import Project

    req = _accepted_request(supply, park_contact, fund_contact, "合作")
    with pytest.raises(ValidationError) as exc:
        services.match_request_conclude(
            request=req,
            actor=park_contact,
            cmd=OutcomeRecord.build({"outcome": "project_created", "project_name": "名" * 200}),
        )
    assert "project_name" in exc.value.message_dict
    req.refresh_from_db()
    assert req.status == "accepted" and req.project_id is None
    assert Project.objects.count() == 0

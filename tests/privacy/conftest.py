"""A small world around one member contact, 陈园区: registrations (own, for a colleague), an application
with its letter, an expert profile, an achievement, a resource, a council vote; and two other people."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from lianmeng.activities.commands import RegistrationCreate
from lianmeng.core.demo_support import make_uscc
from lianmeng.membership.commands import ApplicationSubmit
from tests.factories import make_event

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"

CHEN_MOBILE = "13900000001"
COLLEAGUE_MOBILE = "13900000002"
PASSER_MOBILE = "13900000003"
ZHOU_MOBILE = "13900000009"
CHEN_ID_NUMBER = "370202198001011234"


@dataclass
class World:
    member: Any
    other: Any
    park: Any
    event: Any
    own_registration: Any
    colleague_registration: Any
    other_registration: Any
    passer_registration: Any
    application: Any
    expert: Any
    achievement: Any
    resource: Any
    motion: Any
    vote: Any


@pytest.fixture
def world(make_org: Callable[..., Any], make_user: Callable[..., Any], cities: dict[str, Any]) -> World:
    from lianmeng.activities import services as activity_services
    from lianmeng.activities.models import EventStatus
    from lianmeng.governance.models import CouncilSeat, Motion, MotionStatus, Vote
    from lianmeng.library.models import Achievement, Expert
    from lianmeng.library.services import expert_index_fields
    from lianmeng.matchmaking.models import Resource
    from lianmeng.membership import services as membership_services

    park = make_org("青岛测试人力资源服务产业园", city="青岛", kind="park")
    member = make_user(
        "member_contact", organization=park, username=CHEN_MOBILE, display_name="陈园区", mobile=CHEN_MOBILE
    )
    other = make_user(
        "member_contact", organization=park, username="zhou", display_name="周同仁", mobile=ZHOU_MOBILE
    )
    starts = timezone.now().replace(microsecond=0) + datetime.timedelta(days=10)
    event = make_event(park, "青岛人力资源服务论坛", starts=starts, capacity=50, status=EventStatus.PUBLISHED)
    own = activity_services.registration_create(
        event=event,
        cmd=RegistrationCreate.build(
            {"name": "陈园区", "mobile": CHEN_MOBILE, "email": member.email, "role": "主任"}
        ),
        actor=member,
    )
    colleague = activity_services.registration_create(
        event=event,
        cmd=RegistrationCreate.build({"name": "赵同事", "mobile": COLLEAGUE_MOBILE}),
        actor=member,
    )
    zhou = activity_services.registration_create(
        event=event, cmd=RegistrationCreate.build({"name": "周同仁", "mobile": ZHOU_MOBILE}), actor=other
    )
    passer = activity_services.registration_create(
        event=event,
        cmd=RegistrationCreate.build(
            {
                "name": "孙路人",
                "mobile": PASSER_MOBILE,
                "email": "sun@example.cn",
                "organization_name": "某公司",
            }
        ),
        actor=None,
    )
    application = membership_services.application_submit(
        cmd=ApplicationSubmit.build(
            {
                "name": "青岛海纳人力资源有限公司",
                "uscc": make_uscc("青岛海纳人力资源有限公司", division="370200", kind="enterprise"),
                "kind": "enterprise",
                "city": "370200",
                "contact_name": "陈园区",
                "contact_mobile": CHEN_MOBILE,
                "contact_email": member.email,
            }
        ),
        letter=SimpleUploadedFile("letter.pdf", PDF),
    )
    expert = Expert(
        user=member,
        name="陈园区",
        city=cities["青岛"],
        title="senior",
        mobile=CHEN_MOBILE,
        email=member.email,
        id_number=CHEN_ID_NUMBER,
        biography="陈园区，长期从事人力资源服务产业园运营。",
        keywords="产业园运营",
    )
    expert_index_fields(expert, [])
    expert.save()
    achievement = Achievement.objects.create(
        kind="research_report",
        title="产业园运营研究",
        authors="陈园区、周同仁",
        year=2026,
        submitted_by=other,
    )
    resource = Resource.objects.create(
        direction="supply",
        category="services",
        title="园区入驻服务",
        description="提供园区入驻服务",
        organization=park,
        valid_from=datetime.date(2026, 1, 1),
        valid_until=datetime.date(2026, 12, 31),
        contact_name="陈园区",
        contact_phone=CHEN_MOBILE,
        contact_email=member.email,
        created_by=member,
    )
    seat = CouncilSeat.objects.create(
        organization=park, representative=member, starts_on=datetime.date(2026, 1, 1)
    )
    motion = Motion.objects.create(
        title="关于年度计划的议案",
        text="审议年度计划。",
        opens_at=timezone.now() - datetime.timedelta(days=2),
        closes_at=timezone.now() - datetime.timedelta(days=1),
        status=MotionStatus.PASSED,
        seats_count=1,
        votes_for=1,
    )
    vote = Vote.objects.create(motion=motion, seat=seat, choice="for", cast_by=member, cast_at=timezone.now())
    return World(
        member=member,
        other=other,
        park=park,
        event=event,
        own_registration=own,
        colleague_registration=colleague,
        other_registration=zhou,
        passer_registration=passer,
        application=application,
        expert=expert,
        achievement=achievement,
        resource=resource,
        motion=motion,
        vote=vote,
    )

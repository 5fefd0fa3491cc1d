"""The data of the scale-out test (tests/ops/test_scale_out.py), committed to pytest's test database
before the app processes start: bearer tokens, ids and check-in codes the HTTP clients need."""

from __future__ import annotations

import datetime
from typing import Any

from lianmeng.activities.commands import RegistrationCreate
from lianmeng.core.actors import SYSTEM
from lianmeng.governance.commands import SeatCreate
from lianmeng.membership.commands import OrganizationCreate
from tests.factories import motion_opened


def _token(user: Any) -> str:
    from lianmeng.accounts.models import ApiToken

    key = ApiToken.new_key()
    ApiToken.objects.create(user=user, key_hash=ApiToken.hash_key(key), key_prefix=key[:10])
    return key


def build() -> dict[str, Any]:
    from django.utils import timezone

    from lianmeng.accounts.models import Role, RoleAssignment, User
    from lianmeng.activities import services as activities
    from lianmeng.activities.models import Event, EventStatus
    from lianmeng.core import demo
    from lianmeng.core.demo_support import make_uscc
    from lianmeng.core.models import City
    from lianmeng.governance import services as governance
    from lianmeng.membership.services import organization_create

    demo.load(accounts=False)
    city = City.objects.get(name="青岛")
    orgs: list[Any] = []

    def org(name: str, tier: str = "ordinary") -> Any:
        o = organization_create(
            cmd=OrganizationCreate.build(
                {
                    "name": name,
                    "uscc": make_uscc(name, division=city.code, kind="park"),
                    "kind": "park",
                    "city": city.code,
                    "tier": tier,
                }
            ),
            actor=SYSTEM,
        )
        orgs.append(o)
        return o

    secretariat = User.objects.create_user(username="scale-office", password="scale-office-pass-1")
    RoleAssignment.objects.create(user=secretariat, role=Role.SECRETARIAT)
    start = timezone.localdate() - datetime.timedelta(days=365)
    reps = []
    for i in range(10):
        rep = User.objects.create_user(username=f"scale-rep{i}", password="scale-rep-pass-1")
        governance.seat_create(
            cmd=SeatCreate.build(
                organization=org(f"扩展测试理事单位{i:02d}", tier="council").pk,
                representative=rep.pk,
                starts_on=start,
            ),
            actor=SYSTEM,
        )
        reps.append(rep)
    now = timezone.now()
    motion = motion_opened(
        secretariat,
        title="跨进程表决测试议案",
        text="正文",
        opens_at=now - datetime.timedelta(minutes=5),
        closes_at=now + datetime.timedelta(days=1),
    )
    host = org("扩展测试承办园区")
    common = {
        "kind": "forum",
        "organizer": host,
        "city_id": host.city_id,
        "status": EventStatus.PUBLISHED,
        "audience": "public",
    }
    seats = Event.objects.create(
        title="二十个座位的论坛",
        starts_at=now + datetime.timedelta(days=10),
        ends_at=now + datetime.timedelta(days=10, hours=3),
        capacity=20,
        **common,
    )
    today = Event.objects.create(
        title="今天的签到活动",
        starts_at=now + datetime.timedelta(hours=1),
        ends_at=now + datetime.timedelta(hours=4),
        capacity=50,
        **common,
    )
    codes = [
        activities.registration_create(
            event=today,
            cmd=RegistrationCreate.build(
                {"name": f"签到人{i}", "mobile": f"1380000{i:04d}", "organization_name": "测试单位"}
            ),
            actor=None,
        ).code
        for i in range(5)
    ]
    member = User.objects.create_user(username="scale-member", password="scale-member-pass-1")
    return {
        "office_token": _token(secretariat),
        "rep_tokens": [_token(r) for r in reps],
        "motion": motion.pk,
        "seats_event": seats.pk,
        "today_event": today.pk,
        "codes": codes,
        "member": {"username": member.username, "password": "scale-member-pass-1"},
        "edit_org": host.pk,
    }

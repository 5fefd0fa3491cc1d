"""Event and registration services: permissions, validation, transitions, waitlist, check-in."""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from lianmeng.activities import machines, services
from lianmeng.activities.commands import (
    ActivitySettingsUpdate,
    EventCancel,
    EventCreate,
    EventPhotoAdd,
    EventSummary,
    EventUpdate,
    RegistrationCheckIn,
    RegistrationCreate,
)
from lianmeng.activities.models import Event, EventStatus, Registration, RegistrationStatus
from lianmeng.core.models import AuditEntry

from .conftest import person

pytestmark = pytest.mark.django_db


def _event_data(organizer: Any, **extra: Any) -> dict[str, Any]:
    starts = timezone.localtime() + datetime.timedelta(days=20)
    return {
        "title": "2026 青岛人力资源服务峰会",
        "kind": "summit",
        "organizer": organizer.pk,
        "starts_at": starts.strftime("%Y-%m-%d 09:00"),
        "ends_at": starts.strftime("%Y-%m-%d 17:00"),
        "venue": "青岛国际会议中心",
        "capacity": 100,
        **extra,
    }


def test_coordinator_creates_event_of_their_city_in_shanghai_time(coordinator: Any, park: Any) -> None:
    event = services.event_create(cmd=EventCreate.build(_event_data(park)), actor=coordinator)
    assert event.status == EventStatus.DRAFT
    assert event.city_id == "370200"
    local = timezone.localtime(event.starts_at)
    assert (local.hour, str(local.tzinfo)) == (9, "Asia/Shanghai")
    assert AuditEntry.objects.filter(action="event.create", target_id=str(event.pk)).exists()


def test_coordinator_cannot_organize_for_another_city(coordinator: Any, other_park: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        services.event_create(cmd=EventCreate.build(_event_data(other_park)), actor=coordinator)
    assert "organizer" in exc.value.message_dict
    assert Event.objects.count() == 0


def test_plenary_is_for_the_secretariat(coordinator: Any, secretariat: Any, park: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        services.event_create(cmd=EventCreate.build(_event_data(park, kind="plenary")), actor=coordinator)
    assert exc.value.message_dict["kind"] == ["理事会全会由秘书处组织"]
    assert (
        services.event_create(
            cmd=EventCreate.build(_event_data(park, kind="plenary")), actor=secretariat
        ).kind
        == "plenary"
    )


def test_bad_event_input_names_every_field_and_saves_nothing(contact: Any, park: Any) -> None:
    data = _event_data(park, venue="", online_url="", capacity=0)
    data["ends_at"] = (timezone.localtime() + datetime.timedelta(days=19)).strftime("%Y-%m-%d 08:00")
    data["registration_opens_at"] = "明天"
    with pytest.raises(ValidationError) as exc:
        services.event_create(cmd=EventCreate.build(data), actor=contact)
    errors = exc.value.message_dict
    assert errors["ends_at"] == ["结束时间不能早于开始时间"]
    assert errors["venue"] == ["请填写活动地点或线上链接"]
    assert errors["capacity"] == ["名额至少为 1；不限名额请留空"]
    assert "格式不正确" in errors["registration_opens_at"][0]
    assert Event.objects.count() == 0


def test_member_without_role_cannot_create(make_user: Callable[..., Any], park: Any) -> None:
    with pytest.raises(PermissionDenied):
        services.event_create(cmd=EventCreate.build(_event_data(park)), actor=make_user())


ACTIONS = ("publish", "cancel", "hold")


@pytest.mark.parametrize("status", [s.value for s in EventStatus])
@pytest.mark.parametrize("action", ACTIONS)
def test_event_transition_table(
    status: str, action: str, make_event: Callable[..., Event], secretariat: Any
) -> None:
    event = make_event(status=status, starts_in=datetime.timedelta(hours=-2))
    call = {
        "publish": lambda: services.event_publish(event=event, actor=secretariat),
        "cancel": lambda: services.event_cancel(
            event=event, cmd=EventCancel.build(reason="场地调整"), actor=secretariat
        ),
        "hold": lambda: services.event_hold(
            event=event, cmd=EventSummary.build({"summary": "圆满举办"}), actor=secretariat
        ),
    }[action]
    expected = machines.EVENT.target(status, action) if action in machines.EVENT.actions(status) else None
    if expected is None:
        with pytest.raises(ValidationError):
            call()
        event.refresh_from_db()
        assert event.status == status
    else:
        assert call().status == expected


def test_cancel_needs_a_reason_and_tells_registrants(
    make_event: Callable[..., Event], contact: Any, django_capture_on_commit_callbacks: Any
) -> None:
    event = make_event()
    services.registration_create(
        event=event, cmd=RegistrationCreate.build(person(1, email="p1@example.cn")), actor=None
    )
    with pytest.raises(ValidationError) as exc:
        services.event_cancel(event=event, cmd=EventCancel.build(reason=" "), actor=contact)
    assert "reason" in exc.value.message_dict
    with django_capture_on_commit_callbacks(execute=True):
        services.event_cancel(event=event, cmd=EventCancel.build(reason="台风预警，活动取消"), actor=contact)
    with pytest.raises(ValidationError) as exc:
        services.registration_create(event=event, cmd=RegistrationCreate.build(person(2)), actor=None)
    assert exc.value.message_dict["event"] == ["活动已取消，不能报名"]
    assert [m.to for m in mail.outbox] == [["p1@example.cn"]]
    assert "台风预警" in mail.outbox[0].body


def test_hold_requires_started_event_and_summary(make_event: Callable[..., Event], contact: Any) -> None:
    future = make_event()
    with pytest.raises(ValidationError) as exc:
        services.event_hold(event=future, cmd=EventSummary.build({"summary": "好"}), actor=contact)
    assert "尚未开始" in exc.value.message_dict["status"][0]
    past = make_event(starts_in=datetime.timedelta(days=-1))
    with pytest.raises(ValidationError) as exc:
        services.event_hold(
            event=past, cmd=EventSummary.build({"summary": "", "attendance": -3}), actor=contact
        )
    assert set(exc.value.message_dict) == {"summary", "attendance"}
    Registration.objects.create(event=past, name="甲", mobile="13900000001", status="attended")
    Registration.objects.create(event=past, name="乙", mobile="13900000002", status="registered")
    held = services.event_hold(
        event=past, cmd=EventSummary.build({"summary": "签约 3 项", "agreements_signed": 3}), actor=contact
    )
    # Without a reported attendance, the people checked in are counted.
    assert (held.status, held.attendance, held.agreements_signed) == ("held", 1, 3)


def test_registration_fills_capacity_then_waitlist_then_promotes_in_order(
    make_event: Callable[..., Event], contact: Any, django_capture_on_commit_callbacks: Any
) -> None:
    event = make_event(capacity=2)
    regs = [
        services.registration_create(
            event=event, cmd=RegistrationCreate.build(person(i, email=f"p{i}@example.cn")), actor=None
        )
        for i in range(4)
    ]
    assert [r.status for r in regs] == ["registered", "registered", "waitlisted", "waitlisted"]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_cancel(registration=regs[0], actor=None, token=regs[0].token)
    statuses = dict(Registration.objects.values_list("name", "status"))
    assert statuses == {
        "参会人0": "cancelled",
        "参会人1": "registered",
        "参会人2": "registered",
        "参会人3": "waitlisted",
    }
    assert [m.to for m in mail.outbox] == [["p2@example.cn"]]
    assert "候补成功" in mail.outbox[0].subject


def test_raising_capacity_promotes_waitlisted_in_order(
    make_event: Callable[..., Event], contact: Any
) -> None:
    event = make_event(capacity=1)
    for i in range(4):
        services.registration_create(event=event, cmd=RegistrationCreate.build(person(i)), actor=None)
    with pytest.raises(ValidationError) as exc:
        services.event_update(event=event, cmd=EventUpdate.build({"capacity": "abc"}), actor=contact)
    assert exc.value.message_dict["capacity"] == ["名额应为整数"]
    services.event_update(event=event, cmd=EventUpdate.build({"capacity": 3}), actor=contact)
    statuses = list(Registration.objects.order_by("id").values_list("status", flat=True))
    assert statuses == ["registered", "registered", "registered", "waitlisted"]


def test_capacity_below_registrations_is_refused(make_event: Callable[..., Event], contact: Any) -> None:
    event = make_event(capacity=5)
    for i in range(3):
        services.registration_create(event=event, cmd=RegistrationCreate.build(person(i)), actor=None)
    with pytest.raises(ValidationError) as exc:
        services.event_update(event=event, cmd=EventUpdate.build({"capacity": 2}), actor=contact)
    assert exc.value.message_dict["capacity"] == ["名额不能少于已报名人数（3 人）"]
    event.refresh_from_db()
    assert event.capacity == 5


def test_registration_window_and_bad_input(make_event: Callable[..., Event]) -> None:
    now = timezone.now()
    later = make_event(registration_opens_at=now + datetime.timedelta(days=1))
    with pytest.raises(ValidationError) as exc:
        services.registration_create(event=later, cmd=RegistrationCreate.build(person(1)), actor=None)
    assert exc.value.message_dict["event"][0].startswith("报名尚未开始")
    closed = make_event(registration_closes_at=now - datetime.timedelta(hours=1))
    with pytest.raises(ValidationError) as exc:
        services.registration_create(event=closed, cmd=RegistrationCreate.build(person(1)), actor=None)
    assert exc.value.message_dict["event"] == ["报名已截止"]
    open_event = make_event()
    with pytest.raises(ValidationError) as exc:
        services.registration_create(
            event=open_event, cmd=RegistrationCreate.build({"name": "", "mobile": "12345"}), actor=None
        )
    assert exc.value.message_dict == {"name": ["请填写姓名"], "mobile": ["手机号码应为以 1 开头的 11 位数字"]}
    services.registration_create(event=open_event, cmd=RegistrationCreate.build(person(1)), actor=None)
    with pytest.raises(ValidationError) as exc:
        services.registration_create(
            event=open_event, cmd=RegistrationCreate.build(person(1, name="另一个人")), actor=None
        )
    assert exc.value.message_dict["mobile"] == ["该手机号已报名本活动"]
    assert Registration.objects.count() == 1


def test_members_event_needs_a_member_contact(
    make_event: Callable[..., Event], contact: Any, park: Any, other_park: Any
) -> None:
    event = make_event(organizer=other_park, audience="members")
    with pytest.raises(PermissionDenied):
        services.registration_create(event=event, cmd=RegistrationCreate.build(person(1)), actor=None)
    with pytest.raises(ValidationError) as exc:
        services.registration_create(event=event, cmd=RegistrationCreate.build(person(2)), actor=contact)
    assert exc.value.message_dict["organization"] == ["请选择您所联络的成员单位"]
    reg = services.registration_create(
        event=event, cmd=RegistrationCreate.build(person(3, organization_name="")), actor=contact
    )
    assert (reg.organization_id, reg.registered_by_id) == (park.pk, contact.pk)


def test_check_in_once_and_refuse_other_event(make_event: Callable[..., Event], contact: Any) -> None:
    event = make_event(capacity=1)
    other = make_event(title="另一场活动")
    first = services.registration_create(event=event, cmd=RegistrationCreate.build(person(1)), actor=None)
    waiting = services.registration_create(event=event, cmd=RegistrationCreate.build(person(2)), actor=None)
    foreign = services.registration_create(event=other, cmd=RegistrationCreate.build(person(3)), actor=None)
    typed = f" {first.code[:4].lower()}-{first.code[4:]} "
    result = services.registration_check_in(
        event=event, cmd=RegistrationCheckIn.build(code=typed), actor=contact
    )
    assert (result.already, result.registration.status) == (False, "attended")
    again = services.registration_check_in(
        event=event, cmd=RegistrationCheckIn.build(code=first.code), actor=contact
    )
    assert again.already is True
    for code, message in (
        (foreign.code, "该签到码不属于本活动，请核对活动"),
        (waiting.code, "参会人2 仍在候补名单中，尚未获得名额"),
        ("ZZZZZZZZ", "签到码“ZZZZZZZZ”无效，请核对后重新输入"),
    ):
        with pytest.raises(ValidationError) as exc:
            services.registration_check_in(
                event=event, cmd=RegistrationCheckIn.build(code=code), actor=contact
            )
        assert exc.value.message_dict["code"] == [message]
    assert Registration.objects.get(pk=foreign.pk).status == RegistrationStatus.REGISTERED
    with pytest.raises(PermissionDenied):
        services.registration_check_in(
            event=event, cmd=RegistrationCheckIn.build(code=first.code), actor=None
        )


def _png() -> bytes:
    import segno

    buffer = io.BytesIO()
    segno.make("photo").save(buffer, kind="png")
    return buffer.getvalue()


def test_photos_only_images_and_only_after_held(make_event: Callable[..., Event], contact: Any) -> None:
    event = make_event(status="held", starts_in=datetime.timedelta(days=-2))
    with pytest.raises(ValidationError) as exc:
        services.event_photo_add(
            event=event,
            image=SimpleUploadedFile("a.png", b"not an image"),
            cmd=EventPhotoAdd.build(caption=""),
            actor=contact,
        )
    assert "image" in exc.value.message_dict
    photo = services.event_photo_add(
        event=event,
        image=SimpleUploadedFile("合影.png", _png()),
        cmd=EventPhotoAdd.build(caption="合影"),
        actor=contact,
    )
    assert photo.content_type == "image/png"


def test_settings_update_validates_kinds(secretariat: Any, contact: Any) -> None:
    with pytest.raises(PermissionDenied):
        services.activity_settings_update(
            year=2026, cmd=ActivitySettingsUpdate.build({"themed_quota": 3}), actor=contact
        )
    with pytest.raises(ValidationError) as exc:
        services.activity_settings_update(
            year=2026, cmd=ActivitySettingsUpdate.build({"city_kinds": ["party"]}), actor=secretariat
        )
    assert "city_kinds" in exc.value.message_dict
    row = services.activity_settings_update(
        year=2026,
        cmd=ActivitySettingsUpdate.build(
            {"themed_quota": 3, "city_kinds": ["summit", "forum", "matchmaking"]}
        ),
        actor=secretariat,
    )
    assert (row.themed_quota, row.city_kinds) == (3, ["summit", "forum", "matchmaking"])


@pytest.mark.parametrize("status", [s.value for s in RegistrationStatus])
@pytest.mark.parametrize("action", ["cancel", "check_in"])
def test_registration_transition_table(
    status: str, action: str, make_event: Callable[..., Event], contact: Any
) -> None:
    event = make_event(capacity=10)
    reg = Registration.objects.create(event=event, name="甲", mobile="13900000001", status=status)
    actions = machines.REGISTRATION.actions(status)
    expected = machines.REGISTRATION.target(status, action) if action in actions else None

    def call() -> Any:
        if action == "cancel":
            return services.registration_cancel(registration=reg, actor=contact)
        return services.registration_check_in(
            event=event, cmd=RegistrationCheckIn.build(code=reg.code), actor=contact
        )

    if expected is None and not (action == "check_in" and status == "attended"):
        with pytest.raises(ValidationError):
            call()
    else:
        call()
    reg.refresh_from_db()
    assert reg.status == (expected or status)

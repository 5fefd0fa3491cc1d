"""Council services: seats, motions, votes, close and resolutions, as the council would notice them."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from lianmeng.core.actors import SYSTEM
from lianmeng.core.models import AuditEntry
from lianmeng.governance import services
from lianmeng.governance.commands import (
    AttendanceRecord,
    MeetingCreate,
    MinutesApprove,
    MinutesSave,
    MotionCreate,
    SeatCreate,
    SeatRepresentativeChange,
    SettingsUpdate,
    VoteCast,
)
from lianmeng.governance.models import (
    Ballot,
    GovernanceSettings,
    MeetingStatus,
    Motion,
    MotionStatus,
    Resolution,
    ResolutionStatus,
    SecretBallot,
    Vote,
)
from lianmeng.membership.commands import ApplicationDecision, ApplicationSubmit

pytestmark = pytest.mark.django_db


def rep(seat: Any) -> Any:
    return seat.representative


def test_each_seat_votes_once_and_may_change_its_vote(
    council: Callable[..., list[Any]], open_motion: Any
) -> None:
    seats = council(3)
    motion = open_motion()
    services.vote_cast(motion=motion, cmd=VoteCast.build(choice="against"), actor=rep(seats[0]))
    services.vote_cast(motion=motion, cmd=VoteCast.build(choice="for"), actor=rep(seats[0]))
    assert Vote.objects.filter(motion=motion).count() == 1
    assert Vote.objects.get(motion=motion).choice == "for"


def test_vote_outside_the_window_is_refused(council: Callable[..., list[Any]], open_motion: Any) -> None:
    seats = council(1)
    now = timezone.now()
    later = open_motion(opens_at=now + datetime.timedelta(days=1), closes_at=now + datetime.timedelta(days=2))
    with pytest.raises(ValidationError) as exc:
        services.vote_cast(motion=later, cmd=VoteCast.build(choice="for"), actor=rep(seats[0]))
    assert "表决尚未开始" in str(exc.value)
    motion = open_motion()
    with pytest.raises(ValidationError) as exc:
        services.vote_cast(
            motion=motion, cmd=VoteCast.build(choice="for"), actor=rep(seats[0]), now=motion.closes_at
        )
    assert "表决已结束" in str(exc.value)
    assert not Vote.objects.exists()


def test_a_seat_not_valid_that_day_cannot_vote(lapsed_seats: list[Any], open_motion: Any) -> None:
    seats = lapsed_seats
    with pytest.raises(PermissionDenied) as exc:
        services.vote_cast(motion=open_motion(), cmd=VoteCast.build(choice="for"), actor=rep(seats[0]))
    assert "不是有效理事会席位" in str(exc.value)
    assert not Vote.objects.exists()


def test_someone_who_is_not_a_representative_cannot_vote(
    council: Callable[..., list[Any]], open_motion: Any, make_user: Callable[..., Any]
) -> None:
    council(1)
    with pytest.raises(PermissionDenied):
        services.vote_cast(motion=open_motion(), cmd=VoteCast.build(choice="for"), actor=make_user())


def test_bad_choice_names_the_field(council: Callable[..., list[Any]], open_motion: Any) -> None:
    seats = council(1)
    with pytest.raises(ValidationError) as exc:
        services.vote_cast(motion=open_motion(), cmd=VoteCast.build(choice="maybe"), actor=rep(seats[0]))
    assert exc.value.message_dict["choice"] == ["表决意见的取值“maybe”无效"]


def test_close_passes_with_quorum_and_majority_and_numbers_the_resolution(
    council: Callable[..., list[Any]], open_motion: Any, secretariat: Any
) -> None:
    seats = council(6)
    motion = open_motion()
    for seat, choice in zip(seats[:4], ["for", "for", "for", "against"], strict=True):
        services.vote_cast(motion=motion, cmd=VoteCast.build(choice=choice), actor=rep(seat))
    motion = services.motion_close(motion=motion, actor=secretariat)
    assert motion.status == MotionStatus.PASSED
    assert (motion.seats_count, motion.votes_for, motion.votes_against) == (6, 3, 1)
    resolution = Resolution.objects.get(motion=motion)
    year = timezone.localdate().year
    assert resolution.number == f"胶东人服联决〔{year}〕1号"
    assert resolution.status == ResolutionStatus.IN_FORCE


def test_no_quorum_below_two_thirds_of_seats(
    council: Callable[..., list[Any]], open_motion: Any, secretariat: Any
) -> None:
    seats = council(6)
    motion = open_motion()
    for seat in seats[:3]:
        services.vote_cast(motion=motion, cmd=VoteCast.build(choice="for"), actor=rep(seat))
    assert services.motion_close(motion=motion, actor=secretariat).status == MotionStatus.NO_QUORUM
    assert not Resolution.objects.exists()


def test_half_is_not_more_than_half(
    council: Callable[..., list[Any]], open_motion: Any, secretariat: Any
) -> None:
    seats = council(4)
    motion = open_motion()
    for seat, choice in zip(seats, ["for", "for", "against", "abstain"], strict=True):
        services.vote_cast(motion=motion, cmd=VoteCast.build(choice=choice), actor=rep(seat))
    assert services.motion_close(motion=motion, actor=secretariat).status == MotionStatus.REJECTED


def test_charter_change_needs_two_thirds(
    council: Callable[..., list[Any]], open_motion: Any, secretariat: Any
) -> None:
    seats = council(3)
    short = open_motion(kind="charter")
    enough = open_motion(kind="charter")
    for seat, choice in zip(seats, ["for", "for", "against"], strict=True):
        services.vote_cast(motion=enough, cmd=VoteCast.build(choice=choice), actor=rep(seat))
    for seat, choice in zip(seats, ["for", "against", "against"], strict=True):
        services.vote_cast(motion=short, cmd=VoteCast.build(choice=choice), actor=rep(seat))
    assert services.motion_close(motion=enough, actor=secretariat).status == MotionStatus.PASSED
    assert services.motion_close(motion=short, actor=secretariat).status == MotionStatus.REJECTED


def test_thresholds_are_configuration(admin_user: Any) -> None:
    config = services.governance_settings_update(
        cmd=SettingsUpdate.build({"quorum_numerator": 1, "quorum_denominator": 2}), actor=admin_user
    )
    assert (
        services.decide(
            seats=10, votes_for=5, votes_against=0, votes_abstain=0, kind="ordinary", config=config
        )
        == "passed"
    )
    default = GovernanceSettings()
    assert (
        services.decide(
            seats=10, votes_for=5, votes_against=0, votes_abstain=0, kind="ordinary", config=default
        )
        == "no_quorum"
    )
    with pytest.raises(ValidationError) as exc:
        services.governance_settings_update(
            cmd=SettingsUpdate.build({"quorum_numerator": 4, "quorum_denominator": 3}), actor=admin_user
        )
    assert "quorum_numerator" in exc.value.message_dict
    assert GovernanceSettings.current().quorum_denominator == 2


def test_closing_twice_is_refused(
    council: Callable[..., list[Any]], open_motion: Any, secretariat: Any
) -> None:
    council(1)
    motion = services.motion_close(motion=open_motion(), actor=secretariat)
    with pytest.raises(ValidationError) as exc:
        services.motion_close(motion=motion, actor=secretariat)
    assert "已经结束表决" in str(exc.value)


def test_system_closes_only_after_the_window(council: Callable[..., list[Any]], open_motion: Any) -> None:
    council(1)
    motion = open_motion()
    with pytest.raises(ValidationError):
        services.motion_close(motion=motion, actor=SYSTEM)
    closed = services.motion_close(
        motion=motion, actor=SYSTEM, now=motion.closes_at + datetime.timedelta(minutes=1)
    )
    assert closed.status == MotionStatus.NO_QUORUM
    assert closed.decided_at == motion.closes_at


def test_only_the_secretariat_closes_early(council: Callable[..., list[Any]], open_motion: Any) -> None:
    seats = council(1)
    with pytest.raises(PermissionDenied):
        services.motion_close(motion=open_motion(), actor=rep(seats[0]))


def test_secret_ballot_never_records_who_voted_how(
    council: Callable[..., list[Any]], open_motion: Any, secretariat: Any
) -> None:
    seats = council(3)
    motion = open_motion(ballot=Ballot.SECRET)
    for seat, choice in zip(seats, ["for", "against", "for"], strict=True):
        services.vote_cast(motion=motion, cmd=VoteCast.build(choice=choice), actor=rep(seat))
    services.vote_cast(motion=motion, cmd=VoteCast.build(choice="abstain"), actor=rep(seats[2]))
    assert set(Vote.objects.filter(motion=motion).values_list("choice", flat=True)) == {""}
    assert SecretBallot.objects.filter(motion=motion).count() == 3
    entries = AuditEntry.objects.filter(action__startswith="council.vote")
    assert entries.count() == 4
    for entry in entries:
        assert "choice" not in (entry.new or {})
        assert not any(c in str(entry.new) for c in ("'for'", "'against'", "'abstain'"))
    motion = services.motion_close(motion=motion, actor=secretariat)
    assert (motion.votes_for, motion.votes_against, motion.votes_abstain) == (1, 1, 1)


def test_motion_transition_table_covers_every_status_and_refuses_the_rest(
    council: Callable[..., list[Any]], secretariat: Any
) -> None:
    from lianmeng.governance import machines

    for machine, states in (
        (machines.MOTION, MotionStatus),
        (machines.MEETING, MeetingStatus),
        (machines.RESOLUTION, ResolutionStatus),
    ):
        assert machine.states is states and machine.problems() == []
    council(1)
    now = timezone.now()
    draft = services.motion_create(
        cmd=MotionCreate.build(
            {
                "title": "草案",
                "text": "正文",
                "kind": "ordinary",
                "ballot": "open",
                "closes_at": now + datetime.timedelta(days=1),
            }
        ),
        actor=secretariat,
    )
    assert draft.status == MotionStatus.DRAFT
    with pytest.raises(ValidationError):
        services.motion_close(motion=draft, actor=secretariat)
    opened = services.motion_open(motion=draft, actor=secretariat)
    with pytest.raises(ValidationError):
        services.motion_open(motion=opened, actor=secretariat)


def test_motion_bad_input_names_fields_and_saves_nothing(secretariat: Any) -> None:
    now = timezone.now()
    with pytest.raises(ValidationError) as exc:
        services.motion_create(
            cmd=MotionCreate.build(
                {
                    "title": "",
                    "text": "x",
                    "kind": "weird",
                    "ballot": "open",
                    "opens_at": now,
                    "closes_at": now - datetime.timedelta(hours=1),
                }
            ),
            actor=secretariat,
        )
    errors = exc.value.message_dict
    assert errors["title"] == ["请填写议案标题"]
    assert errors["kind"] == ["议案类型的取值“weird”无效"]
    assert errors["closes_at"] == ["表决截止时间须晚于开始时间"]
    assert not Motion.objects.exists()


def test_president_sign_off_when_configured(
    council: Callable[..., list[Any]], open_motion: Any, secretariat: Any, admin_user: Any, rotation: Any
) -> None:
    services.governance_settings_update(
        cmd=SettingsUpdate.build({"president_signs_off": True}), actor=admin_user
    )
    seats = council(1)
    motion = open_motion()
    services.vote_cast(motion=motion, cmd=VoteCast.build(choice="for"), actor=rep(seats[0]))
    services.motion_close(motion=motion, actor=secretariat)
    resolution = Resolution.objects.get(motion=motion)
    assert resolution.status == ResolutionStatus.AWAITING_SIGNOFF
    with pytest.raises(PermissionDenied):
        services.resolution_sign_off(resolution=resolution, actor=secretariat)
    president_contact = rotation["contacts"][0]
    signed = services.resolution_sign_off(resolution=resolution, actor=president_contact)
    assert signed.status == ResolutionStatus.IN_FORCE
    assert signed.signed_off_by == president_contact


def test_seat_changes_representative_and_keeps_history(
    council: Callable[..., list[Any]], secretariat: Any, make_user: Callable[..., Any]
) -> None:
    seat = council(1)[0]
    old = rep(seat)
    new = make_user(display_name="新理事")
    today = timezone.localdate()
    services.seat_change_representative(
        seat=seat, cmd=SeatRepresentativeChange.build(representative=new.pk, on=today), actor=secretariat
    )
    seat.refresh_from_db()
    assert seat.representative == new
    history = list(seat.representatives.order_by("starts_on").values_list("user_id", "ends_on"))
    assert history == [(old.pk, today - datetime.timedelta(days=1)), (new.pk, None)]
    old.refresh_from_db()
    assert not old.has_role("council_representative")


def test_one_valid_seat_per_organization(council: Callable[..., list[Any]], secretariat: Any) -> None:
    seat = council(1)[0]
    with pytest.raises(ValidationError) as exc:
        services.seat_create(
            cmd=SeatCreate.build(
                organization=seat.organization.pk, representative=None, starts_on=timezone.localdate()
            ),
            actor=secretariat,
        )
    assert "已有理事会席位" in exc.value.message_dict["organization"][0]


def test_meeting_held_with_attendance_and_minutes_approved_later(
    council: Callable[..., list[Any]], secretariat: Any
) -> None:
    seats = council(2)
    earlier = timezone.now() - datetime.timedelta(days=30)
    plenary = services.meeting_create(
        cmd=MeetingCreate.build(
            {"kind": "plenary", "title": "2026年理事会全会", "starts_at": earlier, "place": "青岛"},
            agenda=["审议年度工作报告", "审议入盟申请"],
        ),
        actor=secretariat,
    )
    with pytest.raises(ValidationError) as exc:
        services.meeting_change_status(meeting=plenary, action="hold", actor=secretariat)
    assert "attendance" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.meeting_record_attendance(
            meeting=plenary,
            cmd=AttendanceRecord.build(attendance=[{"seat": seats[0].pk, "status": "proxy"}]),
            actor=secretariat,
        )
    services.meeting_record_attendance(
        meeting=plenary,
        cmd=AttendanceRecord.build(
            attendance=[
                {"seat": seats[0].pk, "status": "present"},
                {"seat": seats[1].pk, "status": "proxy", "proxy_name": "张三"},
            ]
        ),
        actor=secretariat,
    )
    services.meeting_change_status(meeting=plenary, action="hold", actor=secretariat)
    services.meeting_save_minutes(
        meeting=plenary, cmd=MinutesSave.build(minutes="会议审议通过了年度工作报告。"), actor=secretariat
    )
    ordinary = services.meeting_create(
        cmd=MeetingCreate.build(
            {
                "kind": "ordinary",
                "title": "例会",
                "starts_at": earlier + datetime.timedelta(days=10),
                "online_link": "https://meet.example.cn/1",
            },
            agenda=["批准上次会议纪要"],
        ),
        actor=secretariat,
    )
    with pytest.raises(ValidationError):
        services.meeting_approve_minutes(
            meeting=plenary, cmd=MinutesApprove.build(at_meeting=ordinary.pk), actor=secretariat
        )
    services.meeting_record_attendance(
        meeting=ordinary,
        cmd=AttendanceRecord.build(attendance=[{"seat": seats[0].pk, "status": "present"}]),
        actor=secretariat,
    )
    services.meeting_change_status(meeting=ordinary, action="hold", actor=secretariat)
    approved = services.meeting_approve_minutes(
        meeting=plenary, cmd=MinutesApprove.build(at_meeting=ordinary.pk), actor=secretariat
    )
    assert approved.minutes_approved_at == ordinary
    with pytest.raises(ValidationError):
        services.meeting_save_minutes(
            meeting=plenary, cmd=MinutesSave.build(minutes="改动"), actor=secretariat
        )


def test_a_motion_on_a_membership_application_admits_through_membership(
    council: Callable[..., list[Any]], open_motion: Any, secretariat: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from lianmeng.core.demo_support import make_uscc
    from lianmeng.membership import services as membership_services

    pdf = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    application = membership_services.application_submit(
        cmd=ApplicationSubmit.build(
            {
                "name": "烟台新申请单位",
                "uscc": make_uscc("烟台新申请单位", division="370600", kind="enterprise"),
                "kind": "enterprise",
                "city": "370600",
                "contact_name": "孙",
                "contact_mobile": "13905351111",
                "contact_email": "a@example.cn",
            }
        ),
        letter=SimpleUploadedFile("letter.pdf", pdf, content_type="application/pdf"),
    )
    membership_services.application_review(
        application=application, cmd=ApplicationDecision.build(action="forward"), actor=secretariat
    )
    seats = council(1)
    motion = open_motion(application=application.pk, title="关于接纳烟台新申请单位入盟的议案")
    services.vote_cast(motion=motion, cmd=VoteCast.build(choice="for"), actor=rep(seats[0]))
    services.motion_close(motion=motion, actor=secretariat)
    admitted = services.resolution_admit_application(resolution=motion.resolution, actor=secretariat)
    assert admitted.status == "admitted"
    assert admitted.organization is not None

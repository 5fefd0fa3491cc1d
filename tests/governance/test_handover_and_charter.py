"""A presidency handover and a charter revision are decided by the council: each records the resolution,
and the motion and resolution pages show what they decided (docs/governance.md)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from lianmeng.governance import services
from lianmeng.governance.commands import CharterFound, CharterRevise, HandoverRecord, MotionCreate, VoteCast
from lianmeng.governance.models import CharterVersion, Motion, MotionKind, MotionStatus, PresidencyHandover

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def _pass(motion: Motion, seat: Any, secretariat: Any, choice: str = "for") -> Motion:
    services.vote_cast(
        motion=motion,
        cmd=VoteCast.build(choice=choice, seat=seat.pk),
        actor=seat.representative,
    )
    return services.motion_close(motion=motion, actor=secretariat)


# ---- handover ----


def test_a_handover_needs_the_councils_resolution_and_records_it(
    rotation: dict[str, Any], council: Callable[[int], list[Any]], secretariat: Any
) -> None:
    seat = council(1)[0]
    outgoing = rotation["contacts"][0]
    today = timezone.localdate()
    with pytest.raises(ValidationError) as exc:
        services.handover_record(cmd=HandoverRecord.build({"date": today}), actor=outgoing)
    assert "须经理事会决议确认" in exc.value.message_dict["resolution"][0]

    # the outgoing president drafts the motion; the secretariat's request opens that same draft
    draft = services.handover_motion_open(actor=outgoing)
    assert draft.status == MotionStatus.DRAFT and draft.kind == MotionKind.HANDOVER
    assert draft.handover_term == 1 and "烟台市人力资源和社会保障局" in draft.title
    with pytest.raises(PermissionDenied):
        services.handover_motion_open(actor=rotation["contacts"][3])
    motion = services.handover_motion_open(actor=secretariat)
    assert motion.pk == draft.pk and motion.status == MotionStatus.OPEN
    assert services.handover_motion_open(actor=secretariat).pk == motion.pk  # no second motion
    with pytest.raises(ValidationError) as exc:  # still voting: refused, naming the motion and its state
        services.handover_record(cmd=HandoverRecord.build({"date": today}), actor=outgoing)
    assert motion.title in exc.value.message_dict["resolution"][0]
    assert "表决中" in exc.value.message_dict["resolution"][0]

    motion = _pass(motion, seat, secretariat)
    handover = services.handover_record(
        cmd=HandoverRecord.build({"date": today, "documents": "联盟印章"}), actor=outgoing
    )
    assert handover.resolution == motion.resolution
    assert handover.to_organization == rotation["bureaus"][1]


def test_a_rejected_handover_motion_can_be_put_again(
    rotation: dict[str, Any], council: Callable[[int], list[Any]], secretariat: Any
) -> None:
    seat = council(1)[0]
    rejected = _pass(services.handover_motion_open(actor=secretariat), seat, secretariat, choice="against")
    assert rejected.status == MotionStatus.REJECTED
    with pytest.raises(ValidationError) as exc:
        services.handover_record(
            cmd=HandoverRecord.build({"date": timezone.localdate()}), actor=rotation["contacts"][0]
        )
    assert "请先提请理事会表决" in exc.value.message_dict["resolution"][0]
    again = services.handover_motion_open(actor=secretariat)
    assert again.pk != rejected.pk and again.status == MotionStatus.OPEN


def test_a_resolution_waiting_for_sign_off_does_not_yet_allow_the_handover(
    rotation: dict[str, Any], council: Callable[[int], list[Any]], secretariat: Any
) -> None:
    from lianmeng.governance.models import GovernanceSettings

    config = GovernanceSettings.current()
    config.president_signs_off = True
    config.save()
    motion = _pass(services.handover_motion_open(actor=secretariat), council(1)[0], secretariat)
    with pytest.raises(ValidationError) as exc:
        services.handover_record(
            cmd=HandoverRecord.build({"date": timezone.localdate()}), actor=rotation["contacts"][0]
        )
    assert motion.resolution.number in exc.value.message_dict["resolution"][0]
    assert "待轮值主席签发" in exc.value.message_dict["resolution"][0]


def test_a_handover_motion_is_not_made_on_the_plain_motion_form(
    rotation: dict[str, Any], secretariat: Any
) -> None:
    with pytest.raises(ValidationError) as exc:
        services.motion_create(
            cmd=MotionCreate.build({"title": "交接", "text": "交接", "kind": "handover", "ballot": "open"}),
            actor=secretariat,
        )
    assert "轮值主席" in exc.value.message_dict["kind"][0]


def test_handover_and_resolution_pages_link_both_ways(
    rotation: dict[str, Any], council: Callable[[int], list[Any]], secretariat: Any
) -> None:
    seat = council(1)[0]
    outgoing = _client(rotation["contacts"][0])
    page = outgoing.get("/governance/presidency/").content.decode()
    assert 'id="handover-refusal"' in page and 'id="handover-propose"' in page
    assert "办理轮值交接" not in page  # no form before the council decided
    office = _client(secretariat)
    response = office.post("/governance/presidency/handover/motion/", follow=True)
    assert "已提请理事会表决" in response.content.decode()
    motion = Motion.objects.get(kind=MotionKind.HANDOVER)
    motion = _pass(motion, seat, secretariat)
    resolution = motion.resolution
    # the resolution says what it decided, linked to the term on the presidency page
    page = _client(seat.representative).get(resolution.get_absolute_url()).content.decode()
    assert 'id="decided-handover-link"' in page and 'href="/governance/presidency/#term-2"' in page
    assert "尚未办理交接" in page
    done = outgoing.post(
        "/governance/presidency/handover/", {"date": timezone.localdate().isoformat()}, follow=True
    ).content.decode()
    assert "轮值交接已记录" in done
    # the handover shows its resolution: linked for the signed-in, the number alone for the public
    assert f'href="{resolution.get_absolute_url()}"' in done and 'id="term-2"' in done
    public = _client(None).get("/governance/presidency/").content.decode()
    assert resolution.number in public and f'href="{resolution.get_absolute_url()}"' not in public
    page = _client(seat.representative).get(motion.get_absolute_url()).content.decode()
    assert "已于" in page and "完成交接" in page and 'href="/governance/presidency/#term-2"' in page
    assert PresidencyHandover.objects.get().resolution == resolution


# ---- charter ----


def _charter_motion(secretariat: Any, **fields: Any) -> Motion:
    now = timezone.now()
    data = {
        "title": "关于修改《联盟章程》的议案",
        "text": "增设专家咨询委员会。",
        "kind": "charter",
        "ballot": "open",
        "opens_at": now - datetime.timedelta(hours=1),
        "closes_at": now + datetime.timedelta(days=3),
        **fields,
    }
    return services.motion_create(cmd=MotionCreate.build(data), actor=secretariat, open_now=True)


def test_a_charter_revision_needs_a_charter_resolution(
    council: Callable[[int], list[Any]], secretariat: Any, open_motion: Any
) -> None:
    seat = council(1)[0]
    founding = services.charter_found(
        cmd=CharterFound.build({"text": "第一条 联盟名称。", "effective_on": timezone.localdate()}),
        actor=secretariat,
    )
    assert founding.number == 1 and founding.resolution is None
    data = {"text": "第一条 联盟名称。\n第二条 专家咨询委员会。", "effective_on": timezone.localdate()}
    with pytest.raises(ValidationError) as exc:
        services.charter_revise(cmd=CharterRevise.build(data, resolution=None), actor=secretariat)
    assert "章程修改决议" in exc.value.message_dict["resolution"][0]
    ordinary = _pass(open_motion(), seat, secretariat)
    with pytest.raises(ValidationError) as exc:  # an ordinary resolution does not change the charter
        services.charter_revise(
            cmd=CharterRevise.build(data, resolution=ordinary.resolution.pk), actor=secretariat
        )
    assert "不是章程修改决议" in exc.value.message_dict["resolution"][0]
    charter = _pass(_charter_motion(secretariat), seat, secretariat)
    with pytest.raises(PermissionDenied):
        services.charter_revise(
            cmd=CharterRevise.build(data, resolution=charter.resolution.pk), actor=seat.representative
        )
    with pytest.raises(ValidationError) as exc:  # every problem at once, nothing saved
        services.charter_revise(
            cmd=CharterRevise.build({"text": "", "effective_on": "明天"}, resolution=charter.resolution.pk),
            actor=secretariat,
        )
    assert set(exc.value.message_dict) == {"text", "effective_on"}
    version = services.charter_revise(
        cmd=CharterRevise.build(data, resolution=charter.resolution.pk), actor=secretariat
    )
    assert version.number == 2 and version.resolution == charter.resolution
    with pytest.raises(ValidationError) as exc:  # one resolution, one revision
        services.charter_revise(
            cmd=CharterRevise.build({**data, "text": data["text"] + "。"}, resolution=charter.resolution.pk),
            actor=secretariat,
        )
    assert "已用于一次章程修订" in exc.value.message_dict["resolution"][0]
    with pytest.raises(ValidationError):
        services.charter_found(cmd=CharterFound.build(data), actor=secretariat)
    assert CharterVersion.objects.count() == 2


def test_charter_page_and_resolution_link_both_ways(
    council: Callable[[int], list[Any]], secretariat: Any
) -> None:
    seat = council(1)[0]
    office = _client(secretariat)
    page = office.get("/governance/charter/").content.decode()
    assert 'id="charter-no-resolution"' in page and "/governance/motions/new/?kind=charter" in page
    refused = office.post(
        "/governance/charter/",
        {"text": "第一条 联盟名称。", "effective_on": timezone.localdate().isoformat()},
    )
    assert refused.status_code == 400 and "章程修改决议" in refused.content.decode()
    assert not CharterVersion.objects.exists()
    charter = _pass(_charter_motion(secretariat), seat, secretariat)
    resolution = charter.resolution
    page = _client(seat.representative).get(resolution.get_absolute_url()).content.decode()
    assert "尚未据此修订" in page
    done = office.post(
        "/governance/charter/",
        {
            "resolution": resolution.pk,
            "text": "第一条 联盟名称。",
            "effective_on": timezone.localdate().isoformat(),
            "summary": "成立后首次登记",
        },
        follow=True,
    ).content.decode()
    assert "章程已修订为第 1 版" in done and f'href="{resolution.get_absolute_url()}"' in done
    for url in (resolution.get_absolute_url(), charter.get_absolute_url()):
        page = _client(seat.representative).get(url).content.decode()
        assert 'href="/governance/charter/#charter-v1"' in page
    public = _client(None).get("/governance/charter/")
    assert public.status_code == 200
    text = public.content.decode()
    assert "第一条 联盟名称。" in text and resolution.number in text
    assert f'href="{resolution.get_absolute_url()}"' not in text  # the public cannot open resolutions


# ---- API ----


def test_api_puts_the_handover_to_the_council_and_revises_the_charter(
    rotation: dict[str, Any], council: Callable[[int], list[Any]], secretariat: Any, api: Any
) -> None:
    seat = council(1)[0]
    office = api(secretariat)
    response = office.post("/api/v1/presidency/handover/motion", content_type="application/json")
    assert response.status_code == 201
    assert response.json()["status"] == "open" and response.json()["term"] == 2
    again = office.post("/api/v1/presidency/handover/motion", content_type="application/json")
    assert again.json()["id"] == response.json()["id"]  # the same motion, not a second one
    assert api(rotation["contacts"][3]).post("/api/v1/presidency/handover/motion").status_code == 403

    body = {"text": "第一条 联盟名称。", "effective_on": timezone.localdate().isoformat()}
    refused = office.post("/api/v1/charter/versions", body, content_type="application/json")
    assert refused.status_code == 422 and "章程修改决议" in refused.json()["errors"]["resolution"][0]
    member = api(seat.representative)
    assert member.post("/api/v1/charter/versions", body, content_type="application/json").status_code == 403
    charter = _pass(_charter_motion(secretariat), seat, secretariat)
    done = office.post(
        "/api/v1/charter/versions",
        {**body, "resolution": charter.resolution.pk},
        content_type="application/json",
    )
    assert done.status_code == 201 and done.json()["resolution_number"] == charter.resolution.number
    public = api(None).get("/api/v1/charter").json()
    assert [v["number"] for v in public] == [1] and public[0]["text"] == "第一条 联盟名称。"

"""Admission decided where the alliance decides it: the council's motion, then the secretariat's admission."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from lianmeng.core.actors import SYSTEM
from lianmeng.core.demo_support import make_uscc
from lianmeng.core.models import AllianceSettings
from lianmeng.governance import services as governance
from lianmeng.governance.commands import MotionCreate, SeatCreate, VoteCast
from lianmeng.governance.models import GovernanceSettings, Motion
from lianmeng.membership import services
from lianmeng.membership.commands import ApplicationDecision, ApplicationSubmit
from lianmeng.membership.models import MembershipApplication, Organization

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def apply(
    name: str = "青岛海岸人才集团有限公司", tier: str = "council", **extra: Any
) -> MembershipApplication:
    return services.application_submit(
        cmd=ApplicationSubmit.build(
            {
                "name": name,
                "uscc": make_uscc(name, division="370200", kind="enterprise"),
                "kind": "enterprise",
                "requested_tier": tier,
                "city": "370200",
                "contact_name": "赵海",
                "contact_mobile": "13806429999",
                "contact_email": "zhao@example.cn",
                **extra,
            }
        ),
        letter=SimpleUploadedFile("letter.pdf", PDF),
    )


def set_scope(scope: str) -> None:
    alliance = AllianceSettings.current()
    alliance.admission_council_scope = scope
    alliance.save()


@pytest.fixture
def seats(make_org: Callable[..., Any], make_user: Callable[..., Any]) -> list[Any]:
    """Three council seats valid since last year, each with its representative."""
    start = timezone.localdate() - datetime.timedelta(days=365)
    result = []
    for i in range(3):
        org = make_org(f"理事单位{i + 1}", tier="council")
        rep = make_user(display_name=f"理事{i + 1}")
        result.append(
            governance.seat_create(
                cmd=SeatCreate.build(organization=org.pk, representative=rep.pk, starts_on=start),
                actor=SYSTEM,
            )
        )
    return result


def vote_all(motion: Motion, seats: list[Any], choice: str) -> None:
    for seat in seats:
        governance.vote_cast(
            motion=motion,
            cmd=VoteCast.build(choice=choice, seat=seat.pk),
            actor=seat.representative,
        )


def forwarded(secretariat: Any, **kwargs: Any) -> MembershipApplication:
    application = apply(**kwargs)
    return services.application_review(
        application=application, cmd=ApplicationDecision.build(action="forward"), actor=secretariat
    )


def test_default_setting_puts_council_tier_applicants_to_the_council(cities: Any) -> None:
    alliance = AllianceSettings.current()
    assert alliance.admission_council_scope == "council_tier"
    assert alliance.admission_needs_council("council") is True
    assert alliance.admission_needs_council("ordinary") is False


def test_forward_creates_and_opens_an_admission_motion_linked_to_the_application(
    cities: Any, secretariat: Any, seats: list[Any]
) -> None:
    application = forwarded(secretariat)
    motion = Motion.objects.get(application=application)
    assert application.status == "forwarded"
    assert motion.kind == "admission"
    assert motion.status == "open"
    assert application.name in motion.title and "理事单位" in motion.title
    assert motion.is_open_for_voting()
    last = application.reviews.last()
    assert last is not None and last.action == "forward" and motion.title in last.message
    assert services.application_actions(application) == []


def test_admit_reject_and_return_are_refused_while_the_motion_is_open(
    cities: Any, secretariat: Any, seats: list[Any]
) -> None:
    application = forwarded(secretariat)
    motion = Motion.objects.get(application=application)
    for action in ("admit", "reject", "return"):
        with pytest.raises(ValidationError) as caught:
            services.application_review(
                application=application,
                cmd=ApplicationDecision.build(action=action, message="意见"),
                actor=secretariat,
            )
        message = caught.value.message_dict["motion"][0]
        assert motion.title in message and "表决中" in message
    application.refresh_from_db()
    assert application.status == "forwarded"
    assert not Organization.objects.filter(uscc=application.uscc).exists()


def test_passed_motion_lets_the_secretariat_admit_with_the_resolution_number(
    cities: Any, secretariat: Any, seats: list[Any]
) -> None:
    application = forwarded(secretariat)
    motion = Motion.objects.get(application=application)
    vote_all(motion, seats, "for")
    motion = governance.motion_close(motion=motion, actor=secretariat)
    assert motion.status == "passed"
    number = motion.resolution.number
    assert services.application_actions(application) == ["admit"]
    admitted = services.application_review(
        application=application, cmd=ApplicationDecision.build(action="admit"), actor=secretariat
    )
    assert admitted.status == "admitted"
    assert admitted.resolution_number == number
    assert admitted.organization is not None and admitted.organization.tier == "council"
    last = admitted.reviews.last()
    assert last is not None and number in last.message


def test_resolution_awaiting_the_presidents_sign_off_does_not_admit_yet(
    cities: Any, secretariat: Any, seats: list[Any]
) -> None:
    config = GovernanceSettings.current()
    config.president_signs_off = True
    config.save()
    application = forwarded(secretariat)
    motion = Motion.objects.get(application=application)
    vote_all(motion, seats, "for")
    motion = governance.motion_close(motion=motion, actor=secretariat)
    with pytest.raises(ValidationError) as caught:
        services.application_review(
            application=application, cmd=ApplicationDecision.build(action="admit"), actor=secretariat
        )
    assert motion.resolution.number in caught.value.message_dict["motion"][0]
    assert "签发" in caught.value.message_dict["motion"][0]


def test_failed_motion_rejects_the_application_with_the_vote_as_reason(
    cities: Any, secretariat: Any, seats: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    application = forwarded(secretariat)
    motion = Motion.objects.get(application=application)
    vote_all(motion, seats[:2], "against")
    governance.vote_cast(
        motion=motion,
        cmd=VoteCast.build(choice="for", seat=seats[2].pk),
        actor=seats[2].representative,
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        motion = governance.motion_close(motion=motion, actor=secretariat)
    assert motion.status == "rejected"
    application.refresh_from_db()
    assert application.status == "rejected"
    reason = application.reviews.last()
    assert reason is not None and reason.action == "reject"
    assert motion.title in reason.message and "反对 2" in reason.message
    # the applicant is mailed the rejection; the council's representatives get the result notification
    applicant_mails = [m for m in mail.outbox if m.to == ["zhao@example.cn"]]
    assert len(applicant_mails) == 1
    results = [m for m in mail.outbox if m.to != ["zhao@example.cn"]]
    assert sorted(m.to[0] for m in results) == sorted(s.representative.email for s in seats)
    assert all("议案表决结果" in m.subject for m in results)


def test_no_quorum_keeps_it_forwarded_and_it_may_be_put_to_the_council_again(
    cities: Any, secretariat: Any, seats: list[Any]
) -> None:
    application = forwarded(secretariat)
    first = Motion.objects.get(application=application)
    governance.motion_close(motion=first, actor=secretariat)
    first.refresh_from_db()
    assert first.status == "no_quorum"
    with pytest.raises(ValidationError) as caught:
        services.application_review(
            application=application, cmd=ApplicationDecision.build(action="admit"), actor=secretariat
        )
    assert "未达法定人数" in caught.value.message_dict["motion"][0]
    assert set(services.application_actions(application)) == {"forward", "reject", "return"}
    services.application_review(
        application=application, cmd=ApplicationDecision.build(action="forward"), actor=secretariat
    )
    second = Motion.objects.filter(application=application).latest("id")
    assert second.pk != first.pk and second.status == "open"


def test_forward_links_an_existing_draft_motion_instead_of_a_second_one(
    cities: Any, secretariat: Any, seats: list[Any]
) -> None:
    set_scope("none")
    application = forwarded(secretariat)
    draft = governance.motion_create(
        cmd=MotionCreate.build(
            {
                "title": "关于接纳海岸人才入盟的议案",
                "text": "提请表决。",
                "kind": "ordinary",
                "ballot": "open",
                "application": application.pk,
            }
        ),
        actor=secretariat,
    )
    assert draft.kind == "admission" and draft.status == "draft"
    set_scope("council_tier")
    services.application_review(
        application=application, cmd=ApplicationDecision.build(action="forward"), actor=secretariat
    )
    assert list(Motion.objects.filter(application=application)) == [draft]
    draft.refresh_from_db()
    assert draft.status == "open"


def test_setting_off_keeps_the_secretariats_own_decision(cities: Any, secretariat: Any) -> None:
    set_scope("none")
    application = forwarded(secretariat)
    assert not Motion.objects.filter(application=application).exists()
    admitted = services.application_review(
        application=application, cmd=ApplicationDecision.build(action="admit"), actor=secretariat
    )
    assert admitted.status == "admitted" and admitted.resolution_number == ""


def test_ordinary_applicants_follow_the_old_flow_unless_all_need_the_council(
    cities: Any, secretariat: Any, seats: list[Any]
) -> None:
    ordinary = forwarded(secretariat, tier="ordinary")
    assert not Motion.objects.filter(application=ordinary).exists()
    assert services.application_review(
        application=ordinary, cmd=ApplicationDecision.build(action="admit"), actor=secretariat
    ).status == ("admitted")
    set_scope("all")
    other = forwarded(
        secretariat, name="烟台海港人力资源有限公司", tier="ordinary", contact_mobile="13906351111"
    )
    assert Motion.objects.get(application=other).status == "open"


def test_admission_motion_needs_an_application(secretariat: Any, seats: list[Any]) -> None:
    with pytest.raises(ValidationError) as caught:
        governance.motion_create(
            cmd=MotionCreate.build(
                {"title": "入盟", "text": "无申请", "kind": "admission", "ballot": "open"}
            ),
            actor=secretariat,
        )
    assert "application" in caught.value.message_dict


# ---------------------------------------------------------------- API


def post_json(client: Client, url: str, data: Any) -> Any:
    return client.post(url, data=json.dumps(data), content_type="application/json")


def test_api_forward_shows_the_motion_and_admit_is_a_422_until_it_passed(
    api: Callable[[Any], Client], cities: Any, secretariat: Any, seats: list[Any]
) -> None:
    created = post_json(
        api(None),
        "/api/v1/applications",
        {
            "name": "威海蓝海人才有限公司",
            "uscc": make_uscc("威海蓝海人才有限公司", division="371000", kind="enterprise"),
            "kind": "enterprise",
            "requested_tier": "council",
            "city": "371000",
            "contact_name": "孙",
            "contact_mobile": "13906311234",
            "contact_email": "sun@example.cn",
        },
    ).json()
    application = MembershipApplication.objects.get(pk=created["id"])
    application.letter.save("l.pdf", SimpleUploadedFile("l.pdf", PDF))
    staff = api(secretariat)
    url = f"/api/v1/applications/{created['id']}/review"
    body = post_json(staff, url, {"action": "forward"}).json()
    assert body["status"] == "forwarded" and body["requested_tier"] == "council"
    motion = Motion.objects.get(application_id=created["id"])
    assert body["motion"]["id"] == motion.pk
    assert body["motion"]["status"] == "open" and body["motion"]["resolution_number"] is None

    refused = post_json(staff, url, {"action": "admit"})
    assert refused.status_code == 422
    assert refused["Content-Type"].startswith("application/problem+json")
    assert motion.title in refused.json()["errors"]["motion"][0]
    assert MembershipApplication.objects.get(pk=created["id"]).status == "forwarded"

    vote_all(motion, seats, "for")
    governance.motion_close(motion=motion, actor=secretariat)
    admitted = post_json(staff, url, {"action": "admit"}).json()
    number = Motion.objects.get(pk=motion.pk).resolution.number
    assert admitted["status"] == "admitted"
    assert admitted["resolution_number"] == number
    assert admitted["motion"] == {**admitted["motion"], "status": "passed", "resolution_number": number}
    detail = staff.get(f"/api/v1/applications/{created['id']}").json()
    assert detail["motion"]["votes_for"] == 3
    assert staff.get(f"/api/v1/council/motions/{motion.pk}").json()["application"] == created["id"]


# ---------------------------------------------------------------- pages link both ways


def test_review_page_and_motion_page_link_to_each_other(
    client: Client, cities: Any, secretariat: Any, seats: list[Any], make_user: Callable[..., Any]
) -> None:
    application = forwarded(secretariat)
    motion = Motion.objects.get(application=application)
    client.force_login(secretariat)
    review = client.get(application.get_absolute_url()).content.decode()
    assert f'href="{motion.get_absolute_url()}"' in review and "表决中" in review
    assert "已有 0 个席位投票" in review
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.get(application.get_absolute_url()).content.decode()
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert "Council vote" in english and "Seats voted so far: 0" in english and "Open for voting" in english
    page = client.get(motion.get_absolute_url()).content.decode()
    assert f'href="{application.get_absolute_url()}"' in page

    # A council representative sees what the motion decides, but no link to a page they cannot open.
    rep = Client()
    rep.force_login(seats[0].representative)
    page = rep.get(motion.get_absolute_url()).content.decode()
    assert application.name in page and application.get_absolute_url() not in page
    assert rep.get(application.get_absolute_url()).status_code == 404

    vote_all(motion, seats, "for")
    governance.motion_close(motion=motion, actor=secretariat)
    services.application_review(
        application=application, cmd=ApplicationDecision.build(action="admit"), actor=secretariat
    )
    application.refresh_from_db()
    number = application.resolution_number
    review = client.get(application.get_absolute_url()).content.decode()
    assert number in review and "赞成 3 票" in review
    page = rep.get(motion.get_absolute_url()).content.decode()
    assert application.organization is not None
    assert f'href="{application.organization.get_absolute_url()}"' in page and number in page


# ---------------------------------------------------------------- demo


def test_demo_has_an_open_admission_motion_and_an_admission_by_resolution(cities: Any) -> None:
    from lianmeng.governance import demo as governance_demo
    from lianmeng.membership import demo as membership_demo

    for _ in range(2):  # idempotent
        membership_demo.load(accounts=True)
        governance_demo.load(accounts=True)
    waiting = MembershipApplication.objects.get(name="潍坊市职业技能培训协会")
    assert waiting.status == "forwarded"
    motion = Motion.objects.get(application=waiting)
    assert motion.status == "open" and motion.votes.count() == 2
    admitted = MembershipApplication.objects.get(name="日照港湾人力资源服务有限公司")
    assert admitted.status == "admitted" and admitted.organization is not None
    assert admitted.resolution_number == Motion.objects.get(application=admitted).resolution.number
    assert admitted.organization.tier == "council"

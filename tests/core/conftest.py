"""The authorization matrix's world: the demo alliance plus one account per role, built once per module.

Roles (tests/core/authz_expectations.py names them): anonymous; the member contact of organization A
(中国青岛人力资源服务产业园, city X = 青岛) and of organization B (in city Y = 烟台); the coordinators of X and
of Y; a council representative (of A's seat); three experts for one research entry under review (assigned,
unassigned, and assigned but now conflicted by a declared conflict with the entry's organization); the
secretariat; an administrator. Every URL's path arguments are filled from ``World.objects``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client
from django.test.utils import override_settings
from django.utils import timezone

from tests.demo_snapshot import DEMO

# Every demo role: the page a test names it by → the account in the World (the demo alliance).
DEMO_ROLES = {
    "anonymous": "anonymous",
    "demo-member": "member_a",
    "demo-council": "council",
    "demo-coordinator": "coordinator_x",
    "demo-expert": "expert_assigned",
    "demo-secretariat": "secretariat",
    "demo-admin": "administrator",
}

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@dataclasses.dataclass
class World:
    users: dict[str, Any]
    tokens: dict[str, str]
    sessions: dict[str, str]
    objects: dict[str, Any]
    media_root: Any

    def page_client(self, role: str) -> Client:
        from django.conf import settings

        client = Client()
        if role != "anonymous":
            client.cookies[settings.SESSION_COOKIE_NAME] = self.sessions[role]
        return client

    def api_client(self, role: str) -> Client:
        if role == "anonymous":
            return Client()
        return Client(HTTP_AUTHORIZATION=f"Bearer {self.tokens[role]}")


def _no_handover_due() -> None:
    """The matrix expects no presidency handover to be due (422 for everyone). A handover is due once
    its outgoing term has begun: the demo records the one into term 2, and from 2 December 2026 (term
    2's first day) the one into term 3 is due too. Record every due one, so the world is the same on
    any date."""
    from lianmeng.governance.models import PresidencyHandover, RotationPlan
    from lianmeng.governance.services.presidency import pending_handover

    today = timezone.localdate()
    for plan in RotationPlan.objects.all():
        while (due := pending_handover(plan, today)) is not None:
            outgoing, incoming = due
            PresidencyHandover.objects.create(
                plan=plan,
                sequence=incoming.sequence,
                from_organization_id=outgoing.organization,
                to_organization_id=incoming.organization,
                date=today,
            )


def _account(username: str, role: str | None, **scope: Any) -> Any:
    from lianmeng.accounts.models import RoleAssignment, User

    user = User.objects.create_user(username=username, email=f"{username}@example.cn", display_name=username)
    if role:
        RoleAssignment.objects.create(user=user, role=role, **scope)
    return user


def _build(media_root: Any) -> World:
    from django.contrib.auth import get_user_model
    from django.db.models import Count
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from lianmeng.accounts import two_factor
    from lianmeng.accounts.models import ApiToken, Role
    from lianmeng.activities.models import CalendarFeedToken, Event, EventPhoto, Registration
    from lianmeng.governance.models import (
        CouncilSeat,
        Meeting,
        MeetingPaper,
        Motion,
        Notice,
        NoticeAttachment,
        Task,
    )
    from lianmeng.library.models import (
        Achievement,
        AchievementFile,
        Consultation,
        ConsultationAttachment,
        Expert,
        Project,
    )
    from lianmeng.matchmaking.models import MatchRequest, Resource, SessionSlot
    from lianmeng.membership.models import MembershipApplication, Organization
    from lianmeng.notifications.models import Kind, Notification
    from lianmeng.publicity.models import Article
    from lianmeng.research import services as research_services
    from lianmeng.research.models import (
        Assignment,
        AssignmentJob,
        EntryFile,
        JobStatus,
        Proposal,
        ProposalFile,
        RoundStatus,
        SelectionRound,
    )

    DEMO.restore(media_root)
    _no_handover_due()
    user_model = get_user_model()
    org_a = Organization.objects.get(name="中国青岛人力资源服务产业园")
    city_x, city_y = "370200", "370600"
    org_b = (
        Organization.objects.filter(city_id=city_y, status="active")
        .annotate(n=Count("resources"))
        .order_by("-n", "pk")
        .first()
    )
    assert org_a.city_id == city_x and org_b is not None

    users: dict[str, Any] = {"anonymous": None}
    users["member_a"] = user_model.objects.get(username="demo-member")
    users["member_b"] = _account("authz-member-b", Role.MEMBER_CONTACT, organization=org_b)
    users["coordinator_x"] = user_model.objects.get(username="demo-coordinator")
    users["coordinator_y"] = _account("authz-coordinator-y", Role.CITY_COORDINATOR, city_id=city_y)
    users["council"] = user_model.objects.get(username="demo-council")
    users["secretariat"] = user_model.objects.get(username="demo-secretariat")
    users["administrator"] = user_model.objects.get(username="demo-admin")

    # Research: an entry under review, its assigned expert (刘教授 / demo-expert), another assigned expert
    # who now declares a conflict with the entry's organization, and an expert with no assignment.
    review_round = SelectionRound.objects.get(status=RoundStatus.REVIEW)
    liu = Expert.objects.get(user__username="demo-expert")
    assignment = (
        Assignment.objects.filter(round=review_round, expert=liu)
        .select_related("entry")
        .order_by("pk")
        .first()
    )
    assert assignment is not None, "demo-expert has no invitation in the round under review"
    research_services.assignment_respond(assignment=assignment, accept=True, reason="", actor=liu.user)
    entry = assignment.entry
    other = (
        Assignment.objects.filter(entry=entry, review__isnull=False, expert__user__isnull=False)
        .exclude(expert=liu)
        .select_related("expert")
        .order_by("pk")
        .first()
    )
    assert other is not None
    conflicted = other.expert
    conflicted.declared_conflicts.add(entry.organization)
    users["expert_assigned"] = liu.user
    users["expert_conflicted"] = conflicted.user
    unassigned = Expert.objects.filter(
        user__isnull=True, status="active", review_assignments__isnull=True
    ).first()
    users["expert_unassigned"] = _account("authz-expert-free", Role.EXPERT)
    Expert.objects.filter(pk=unassigned.pk).update(user=users["expert_unassigned"])

    # Private files of each kind, owned where the roles above make the answer interesting.
    meeting = Meeting.objects.order_by("pk").first()
    paper = MeetingPaper.objects.create(meeting=meeting, title="会议材料", content_type="application/pdf")
    paper.file.save("paper.pdf", ContentFile(PDF))
    notice = Notice.objects.get(audience="city", audience_city_id=city_x)
    attachment = NoticeAttachment.objects.create(notice=notice, title="附件", content_type="application/pdf")
    attachment.file.save("a.pdf", ContentFile(PDF))
    event = (
        Event.objects.filter(organizer=org_a, audience="public", status__in=["published", "held"])
        .order_by("-starts_at")
        .first()
    )
    photo = EventPhoto.objects.create(event=event, content_type="image/png", caption="合影")
    photo.image.save("p.png", ContentFile(PNG))
    achievement_private = Achievement.objects.filter(visibility="private").order_by("pk").first()
    achievement_public = Achievement.objects.filter(visibility="public", owner_organization=org_a).first()
    achievement_file = AchievementFile.objects.create(
        achievement=achievement_public,
        original_name="报告.pdf",
        content_type="application/pdf",
        size=len(PDF),
    )
    achievement_file.file.save("r.pdf", ContentFile(PDF))
    consultation = Consultation.objects.get(organization=org_a)
    consultation_file = ConsultationAttachment.objects.create(
        consultation=consultation, original_name="问题.pdf", content_type="application/pdf"
    )
    consultation_file.file.save("q.pdf", ContentFile(PDF))
    proposal = Proposal.objects.order_by("pk").first()
    proposal_file = ProposalFile.objects.create(
        proposal=proposal, original_name="plan.pdf", content_type="application/pdf"
    )
    proposal_file.file.save("plan.pdf", ContentFile(PDF))
    entry_file = EntryFile.objects.create(
        entry=entry, original_name="entry.pdf", content_type="application/pdf"
    )
    entry_file.file.save("entry.pdf", ContentFile(PDF))

    registration = (
        Registration.objects.filter(organization=org_a, event__organizer=org_a).order_by("pk").first()
    )
    slot = SessionSlot.objects.order_by("pk").first()
    resource_b = Resource.objects.filter(organization=org_b).order_by("pk").first()
    match_request = MatchRequest.objects.order_by("pk").first()
    application = MembershipApplication.objects.order_by("pk").first()
    objects = {
        "org_a": org_a,
        "org_b": org_b,
        "city_x": city_x,
        "city_y": city_y,
        "application": application,
        "application_token": application.tracking_token,
        "seat": CouncilSeat.objects.get(organization=org_a),
        "meeting": meeting,
        "paper": paper,
        "motion": Motion.objects.filter(status="open").order_by("pk").first(),
        "resolution": Motion.objects.filter(status="passed").order_by("pk").first().resolution,
        "notice": notice,
        "notice_attachment": attachment,
        "task": Task.objects.filter(owner_organization=org_a).order_by("pk").first(),
        "event": event,
        "photo": photo,
        "registration": registration,
        "ticket_token": registration.token,
        "feed_token": CalendarFeedToken.objects.create(user=users["member_a"]).token,
        "session_event": Event.objects.filter(kind="matchmaking", status__in=["published", "held"]).first(),
        "expert": liu,
        "project": Project.objects.filter(lead_organization=org_a).order_by("pk").first(),
        "achievement": achievement_public,
        "achievement_private": achievement_private,
        "achievement_file": achievement_file,
        "consultation": consultation,
        "consultation_file": consultation_file,
        "call": proposal.topic.call,
        "proposal": proposal,
        "proposal_file": proposal_file,
        "round": review_round,
        "assignment_job": AssignmentJob.objects.create(
            round=review_round, mode="fair", status=JobStatus.DONE, created_by=users["secretariat"]
        ),
        "final_round": SelectionRound.objects.get(status=RoundStatus.FINAL),
        "entry": entry,
        "entry_file": entry_file,
        "assignment": assignment,
        "review": research_services.review_open(assignment=assignment, actor=liu.user),
        "resource": resource_b,
        "match_request": match_request,
        "slot": slot,
        "slot_request": slot.request if slot else None,
        "article": Article.objects.filter(status="published").order_by("pk").first(),
        "year": 2026,
    }
    missing = [name for name, value in objects.items() if value is None]
    assert not missing, f"the demo data lacks: {missing}"

    tokens: dict[str, str] = {}
    sessions: dict[str, str] = {}
    for role, user in users.items():
        if user is None:
            continue
        key = ApiToken.new_key()
        token = ApiToken.objects.create(user=user, key_hash=ApiToken.hash_key(key), key_prefix=key[:10])
        tokens[role] = key
        objects[f"user_{role}"] = user
        if role == "member_a":
            objects["token_a"] = token
            objects["notification_a"] = Notification.objects.create(
                recipient=user, kind=Kind.TASK_ASSIGNED, title="member_a's notification", url="/desk/"
            )
        client = Client()
        client.force_login(user)
        session = client.session
        if two_factor.needs_verification(user):
            # Signed in with the second factor too (the TwoFactorMiddleware sends others to the code page).
            device = two_factor.totp_device(user) or TOTPDevice.objects.create(
                user=user, name=two_factor.TOTP_NAME, confirmed=True
            )
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
        sessions[role] = session.session_key
    return World(users=users, tokens=tokens, sessions=sessions, objects=objects, media_root=media_root)


@pytest.fixture(scope="module")
def authz_world(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any) -> Iterator[World]:
    """Built once per test module inside a transaction that is rolled back at the end of the module;
    each test runs in its own savepoint (pytest-django's ``db``)."""
    media_root = tmp_path_factory.mktemp("authz-media")
    with (
        django_db_blocker.unblock(),
        override_settings(
            MEDIA_ROOT=media_root, EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"
        ),
        transaction.atomic(),
    ):
        world = _build(media_root)
        yield world
        transaction.set_rollback(True)

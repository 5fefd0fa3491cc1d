"""Erasure on request: every registered personal value of the person is gone, counts and audit facts stay."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.db import models

from lianmeng.accounts.models import ApiToken, RoleAssignment, User
from lianmeng.activities.models import Registration
from lianmeng.core.models import AuditEntry
from lianmeng.governance.models import Vote
from lianmeng.privacy import selectors, services
from lianmeng.privacy.models import Erasure
from lianmeng.privacy.registry import REDACTED, installed

from .conftest import CHEN_ID_NUMBER, CHEN_MOBILE, COLLEAGUE_MOBILE, PASSER_MOBILE, ZHOU_MOBILE, World

pytestmark = pytest.mark.django_db


def _registered_text_fields() -> list[tuple[type[models.Model], str]]:
    out = []
    for entry in installed():
        model = apps.get_model(entry.model)
        names = {
            *entry.fields,
            *entry.mobiles,
            *entry.emails,
            *entry.names,
            *entry.name_lists,
            *entry.derived,
        }
        for name in sorted(names):
            field = model._meta.get_field(name)
            if isinstance(field, models.CharField | models.TextField | models.EmailField):
                out.append((model, name))
    return out


def _found_anywhere(value: str) -> list[str]:
    """Where ``value`` is still stored: any registered personal field, or any audit row's text."""
    hits = []
    for model, name in _registered_text_fields():
        for pk in model._default_manager.filter(**{f"{name}__contains": value}).values_list("pk", flat=True):
            hits.append(f"{model._meta.label}#{pk}.{name}")
    for entry in AuditEntry.objects.all():
        text = json.dumps([entry.old, entry.new, entry.target_repr, entry.actor_repr], ensure_ascii=False)
        if value in text:
            hits.append(f"core.AuditEntry#{entry.pk}")
    return hits


def test_erasure_removes_every_registered_personal_value(
    world: World, secretariat: Any, api: Any, django_capture_on_commit_callbacks: Any
) -> None:
    member = world.member
    api(member)  # a live API token
    two_factor = apps.is_installed("django_otp.plugins.otp_totp")
    if two_factor:
        from django_otp.plugins.otp_totp.models import TOTPDevice

        TOTPDevice.objects.create(user=member, name="authenticator", confirmed=True)
    old_values = ["陈园区", CHEN_MOBILE, member.email, CHEN_ID_NUMBER]
    for value in old_values:
        assert _found_anywhere(value), value  # the world really holds them
    letter = world.application.letter.name
    assert default_storage.exists(letter)

    with django_capture_on_commit_callbacks(execute=True):
        erasure = services.erase_person(
            subject=selectors.subject_for_user(member),
            reason="本人于 11 月 3 日书面申请删除",
            actor=secretariat,
        )

    for value in old_values:
        assert _found_anywhere(value) == [], value
    assert not default_storage.exists(letter)
    member.refresh_from_db()
    assert member.display_name == f"已删除用户 #{member.pk}" == erasure.pseudonym
    assert member.username == f"erased-{member.pk}" and member.mobile == "" and member.email == ""
    assert not member.is_active and not member.has_usable_password()
    assert not RoleAssignment.objects.filter(user=member).exists()
    assert not ApiToken.objects.filter(user=member, revoked_at__isnull=True).exists()
    if two_factor:
        assert not TOTPDevice.objects.filter(user=member).exists()
    own = Registration.objects.get(pk=world.own_registration.pk)
    assert (own.name, own.email, own.role) == (erasure.pseudonym, "", "")
    expert = type(world.expert).objects.get(pk=world.expert.pk)
    assert (expert.name, expert.id_number, expert.biography, expert.status) == (
        erasure.pseudonym,
        "",
        "",
        "inactive",
    )
    assert "陈园区" not in expert.search_text
    achievement = type(world.achievement).objects.get(pk=world.achievement.pk)
    assert achievement.authors == f"{erasure.pseudonym}、周同仁"
    # Other people's data is untouched, including the colleague 陈园区 registered.
    colleague = Registration.objects.get(pk=world.colleague_registration.pk)
    assert (colleague.name, colleague.mobile) == ("赵同事", COLLEAGUE_MOBILE)
    zhou = Registration.objects.get(pk=world.other_registration.pk)
    assert (zhou.name, zhou.mobile) == ("周同仁", ZHOU_MOBILE)
    world.other.refresh_from_db()
    assert world.other.display_name == "周同仁" and world.other.is_active
    # The erasure itself is recorded without the person's data.
    entry = AuditEntry.objects.get(action="privacy.erase")
    assert entry.actor == secretariat and entry.new["reason"] == "本人于 11 月 3 日书面申请删除"
    assert erasure.counts["activities.Registration"] == 1


def test_erasure_keeps_counts_and_audit_facts(world: World, secretariat: Any) -> None:
    event, motion = world.event, world.motion
    statuses = sorted(event.registrations.values_list("status", flat=True))
    audit_before = AuditEntry.objects.count()
    submitted = AuditEntry.objects.get(action="application.submit")
    registered = AuditEntry.objects.filter(
        action="registration.create", target_id=str(world.own_registration.pk)
    )
    assert registered.get().new["name"] == "陈园区"

    services.erase_person(
        subject=selectors.subject_for_user(world.member), reason="本人申请删除", actor=secretariat
    )

    assert sorted(event.registrations.values_list("status", flat=True)) == statuses
    assert event.registrations.count() == 4
    motion.refresh_from_db()
    assert (motion.votes_for, motion.votes_against, motion.votes_cast) == (1, 0, 1)
    assert Vote.objects.filter(motion=motion, choice="for").count() == 1
    # Audit rows stay (one more: the erasure); the person's values inside them are redacted.
    assert AuditEntry.objects.count() >= audit_before + 1
    submitted.refresh_from_db()
    assert submitted.action == "application.submit" and submitted.created_at
    assert submitted.new["contact_name"] == REDACTED
    assert submitted.new["contact_mobile"] == REDACTED
    assert submitted.new["name"] == "青岛海纳人力资源有限公司"  # the organization is not personal
    row = registered.get()
    assert row.new["name"] == REDACTED and row.actor_id == world.member.pk
    assert row.actor_repr == f"已删除用户 #{world.member.pk}"
    # The colleague's registration, made by 陈园区, keeps the colleague's name in the log.
    colleague = AuditEntry.objects.get(
        action="registration.create", target_id=str(world.colleague_registration.pk)
    )
    assert colleague.new["name"] == "赵同事"


def test_preview_lists_counts_per_model_and_changes_nothing(world: World) -> None:
    subject = selectors.subject_for_user(world.member)
    lines = {line.model: line for line in selectors.preview(subject)}
    assert lines["activities.Registration"].rows == 1  # not the colleague's
    assert lines["membership.MembershipApplication"].files == 1
    assert lines["library.Expert"].rows == 1
    assert lines["library.Achievement"].rows == 1
    assert lines["matchmaking.Resource"].rows == 1
    assert lines["accounts.User"].rows == 1
    assert lines["core.AuditEntry"].rows >= 3
    assert User.objects.get(pk=world.member.pk).display_name == "陈园区"


def test_person_without_account_is_found_by_name_and_erased(world: World, secretariat: Any) -> None:
    found = selectors.find_people(viewer=secretariat, q="孙路人")
    assert [c.key for c in found] == [f"mobile:{PASSER_MOBILE}"]
    subject = selectors.subject_from_key(found[0].key)
    assert subject.user is None and subject.names == {"孙路人"}
    erasure = services.erase_person(subject=subject, reason="本人电话申请删除", actor=secretariat)
    passer = Registration.objects.get(pk=world.passer_registration.pk)
    assert (
        passer.name == f"已删除人员 #E{erasure.pk}"
        and passer.email == ""
        and passer.mobile == f"D{passer.pk}"
    )
    assert passer.status == "registered"
    assert _found_anywhere(PASSER_MOBILE) == [] and _found_anywhere("孙路人") == []
    # Found by mobile or by the account's e-mail, an account is the account.
    assert selectors.subject_from_key(f"mobile:{CHEN_MOBILE}").user == world.member
    assert selectors.subject_from_key(f"email:{world.member.email.upper()}").user == world.member


def test_erasure_is_all_or_nothing(world: World, secretariat: Any, monkeypatch: Any) -> None:
    def broken(**kwargs: Any) -> int:
        raise RuntimeError("token store unavailable")

    monkeypatch.setattr(services, "user_tokens_revoke_all", broken)
    with pytest.raises(RuntimeError):
        services.erase_person(
            subject=selectors.subject_for_user(world.member), reason="本人申请删除", actor=secretariat
        )
    assert Registration.objects.get(pk=world.own_registration.pk).name == "陈园区"
    assert User.objects.get(pk=world.member.pk).is_active
    assert AuditEntry.objects.get(action="application.submit").new["contact_name"] == "陈园区"
    assert default_storage.exists(world.application.letter.name)
    assert not Erasure.objects.exists()


def test_only_the_secretariat_erases(
    world: World, secretariat: Any, make_user: Callable[..., Any], api: Any
) -> None:
    subject = selectors.subject_for_user(world.member)
    with pytest.raises(PermissionDenied):
        services.erase_person(subject=subject, reason="本人申请删除", actor=world.other)
    with pytest.raises(PermissionDenied):  # not oneself
        services.erase_person(
            subject=selectors.subject_for_user(secretariat), reason="本人申请删除", actor=secretariat
        )
    admin = make_user("administrator", username="root-admin")
    with pytest.raises(PermissionDenied):  # an administrator only by an administrator
        services.erase_person(
            subject=selectors.subject_for_user(admin), reason="本人申请删除", actor=secretariat
        )

    member_api = api(world.other)
    body = {"subject": f"user:{world.member.pk}", "reason": "本人申请删除"}
    for response in (
        member_api.post("/api/v1/privacy/erasures", body, content_type="application/json"),
        member_api.get("/api/v1/privacy/erasures/preview", {"subject": f"user:{world.member.pk}"}),
        member_api.get("/api/v1/privacy/people", {"q": "陈园区"}),
        member_api.get("/api/v1/privacy/erasures"),
    ):
        assert response.status_code == 403
        assert response["Content-Type"].startswith("application/problem+json")
    anonymous = api(None).post("/api/v1/privacy/erasures", body, content_type="application/json")
    assert anonymous.status_code == 401
    assert User.objects.get(pk=world.member.pk).display_name == "陈园区"

    from django.test import Client

    browser = Client()
    browser.force_login(world.other)
    assert browser.get("/privacy/erasures/").status_code == 403


def test_api_preview_and_erase(world: World, secretariat: Any, api: Any) -> None:
    client = api(secretariat)
    found = client.get("/api/v1/privacy/people", {"q": CHEN_MOBILE}).json()
    assert found[0]["subject"] == f"user:{world.member.pk}" and found[0]["has_account"]
    preview = client.get("/api/v1/privacy/erasures/preview", {"subject": found[0]["subject"]})
    assert preview.status_code == 200
    lines = {line["model"]: line for line in preview.json()["lines"]}
    assert lines["activities.Registration"]["rows"] == 1 and preview.json()["can_erase"]

    bad = client.post(
        "/api/v1/privacy/erasures",
        {"subject": found[0]["subject"], "reason": " "},
        content_type="application/json",
    )
    assert bad.status_code == 422 and "reason" in bad.json()["errors"]
    bad = client.post(
        "/api/v1/privacy/erasures",
        {"subject": "someone", "reason": "本人申请删除"},
        content_type="application/json",
    )
    assert bad.status_code == 422 and "subject" in bad.json()["errors"]
    missing = client.get("/api/v1/privacy/erasures/preview", {"subject": "user:999999"})
    assert missing.status_code == 404
    assert User.objects.get(pk=world.member.pk).display_name == "陈园区"

    done = client.post(
        "/api/v1/privacy/erasures",
        {"subject": found[0]["subject"], "reason": "本人于 11 月 3 日书面申请删除"},
        content_type="application/json",
    )
    assert done.status_code == 201
    assert done.json()["pseudonym"] == f"已删除用户 #{world.member.pk}"
    assert done.json()["counts"]["activities.Registration"] == 1
    listed = client.get("/api/v1/privacy/erasures").json()
    assert listed[0]["id"] == done.json()["id"]
    # The erased person can no longer use the API.
    assert client.get("/api/v1/privacy/people", {"q": "陈园区"}).json() == []


def test_desk_shows_the_secretariat_where_to_erase(world: World, secretariat: Any) -> None:
    from django.test import Client

    desk = Client()
    desk.force_login(secretariat)
    page = desk.get("/desk/").content.decode()
    assert "个人信息保护" in page and "/privacy/erasures/" in page
    member = Client()
    member.force_login(world.member)
    assert "/privacy/erasures/" not in member.get("/desk/").content.decode()

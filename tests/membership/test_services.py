"""Membership applications and organizations: the flow, the rules and nothing half-saved."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from lianmeng.accounts.models import Role, User
from lianmeng.core.demo_support import make_uscc
from lianmeng.core.models import AuditEntry
from lianmeng.membership import services
from lianmeng.membership.commands import (
    ApplicationDecision,
    ApplicationSubmit,
    OrganizationUpdate,
    StatusChange,
)
from lianmeng.membership.models import (
    ApplicationStatus,
    MembershipApplication,
    MembershipEvent,
    Organization,
    OrganizationStatus,
)
from tests.form_helpers import PNG

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def letter(content: bytes = PDF, name: str = "letter.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def application_data(name: str = "青岛海纳人力资源有限公司", **overrides: Any) -> dict[str, Any]:
    data = {
        "name": name,
        "uscc": make_uscc(name, division="370200", kind="enterprise"),
        "kind": "enterprise",
        "city": "370200",
        "contact_name": "赵海",
        "contact_mobile": "138 0642 1234",
        "contact_email": "zhao@example.cn",
        "website": "www.haina.example.cn",
    }
    data.update(overrides)
    return data


@pytest.fixture
def submitted(cities: Any) -> MembershipApplication:
    return services.application_submit(cmd=ApplicationSubmit.build(application_data()), letter=letter())


def test_submit_normalises_and_mails_a_private_link(
    cities: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        application = services.application_submit(
            cmd=ApplicationSubmit.build(application_data()), letter=letter()
        )
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.contact_mobile == "13806421234"
    assert application.website == "https://www.haina.example.cn"
    assert application.letter_content_type == "application/pdf"
    assert len(mail.outbox) == 1
    assert application.tracking_token in mail.outbox[0].body


def test_every_bad_field_is_named_at_once_and_nothing_is_saved(
    cities: Any, make_org: Callable[..., Any]
) -> None:
    bad = application_data(uscc="91370200MA3C5L4X0", contact_mobile="12345", kind="bank", name="")
    with pytest.raises(ValidationError) as info:
        ApplicationSubmit.build(bad)
    errors = info.value.message_dict
    assert set(errors) == {"uscc", "contact_mobile", "kind", "name"}
    assert "18 位" in errors["uscc"][0]
    assert errors["kind"] == ["单位类型的取值“bank”无效"]
    # The database's rules, together: a city outside the alliance and a USCC already a member's.
    member = make_org("已入盟单位")
    taken = application_data(city="110000", uscc=member.uscc)
    with pytest.raises(ValidationError) as info:
        services.application_submit(cmd=ApplicationSubmit.build(taken), letter=letter())
    assert set(info.value.message_dict) == {"city", "uscc"}
    assert MembershipApplication.objects.count() == 0


def test_wrong_check_digit_is_explained(cities: Any) -> None:
    data = application_data()
    data["uscc"] = data["uscc"][:-1] + ("0" if data["uscc"][-1] != "0" else "1")
    with pytest.raises(ValidationError) as info:
        services.application_submit(cmd=ApplicationSubmit.build(data), letter=letter())
    assert "校验位" in info.value.message_dict["uscc"][0]


def test_letter_type_is_checked_by_content_not_name(cities: Any) -> None:
    with pytest.raises(ValidationError) as info:
        services.application_submit(
            cmd=ApplicationSubmit.build(application_data()),
            letter=letter(b"MZ\x90\x00 not a pdf", "letter.pdf"),
        )
    assert "PDF" in info.value.message_dict["letter"][0]
    ok = services.application_submit(
        cmd=ApplicationSubmit.build(application_data()), letter=letter(PNG, "scan.pdf")
    )
    assert ok.letter_content_type == "image/png"


def test_letter_larger_than_ten_megabytes_is_refused(cities: Any) -> None:
    big = letter(PDF + b"0" * (10 * 1024 * 1024))
    with pytest.raises(ValidationError) as info:
        services.application_submit(cmd=ApplicationSubmit.build(application_data()), letter=big)
    assert "10" in info.value.message_dict["letter"][0]
    assert MembershipApplication.objects.count() == 0


def test_duplicate_uscc_refused_for_pending_application_and_member(
    submitted: MembershipApplication, make_org: Any
) -> None:
    with pytest.raises(ValidationError) as info:
        services.application_submit(cmd=ApplicationSubmit.build(application_data()), letter=letter())
    assert "正在办理" in info.value.message_dict["uscc"][0]
    member = make_org("烟台老会员单位", city="烟台")
    with pytest.raises(ValidationError) as info:
        services.application_submit(
            cmd=ApplicationSubmit.build(application_data("另一家", uscc=member.uscc)), letter=letter()
        )
    assert "烟台老会员单位" in info.value.message_dict["uscc"][0]


def test_full_flow_return_resubmit_forward_admit(
    submitted: MembershipApplication, secretariat: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with pytest.raises(ValidationError) as info:
        services.application_review(
            application=submitted,
            cmd=ApplicationDecision.build(action="return", message=""),
            actor=secretariat,
        )
    assert "message" in info.value.message_dict
    services.application_review(
        application=submitted,
        cmd=ApplicationDecision.build(action="return", message="请补充简介"),
        actor=secretariat,
    )
    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.RETURNED
    with pytest.raises(ValidationError):
        services.application_review(
            application=submitted, cmd=ApplicationDecision.build(action="forward"), actor=secretariat
        )
    services.application_resubmit(
        application=submitted, cmd=ApplicationSubmit.build(application_data(description="补充后的简介"))
    )
    services.application_review(
        application=submitted, cmd=ApplicationDecision.build(action="forward"), actor=secretariat
    )
    with django_capture_on_commit_callbacks(execute=True):
        admitted = services.application_review(
            application=submitted, cmd=ApplicationDecision.build(action="admit"), actor=secretariat
        )
    org = admitted.organization
    assert org is not None and org.status == OrganizationStatus.ACTIVE
    assert org.description == "补充后的简介"
    contact = User.objects.get(username="13806421234")
    assert contact.has_role(Role.MEMBER_CONTACT, organization=org)
    assert not contact.has_usable_password()
    assert any("密码" in m.subject and "13806421234" in m.body for m in mail.outbox)
    assert MembershipEvent.objects.filter(organization=org, kind="admitted").exists()
    actions = list(
        AuditEntry.objects.filter(target_type="membership.membershipapplication").values_list(
            "action", flat=True
        )
    )
    assert "application.admit" in actions and "application.return" in actions
    with pytest.raises(ValidationError):
        services.application_review(
            application=admitted, cmd=ApplicationDecision.build(action="admit"), actor=secretariat
        )


def test_forward_requires_the_letter(cities: Any, secretariat: Any) -> None:
    application = services.application_submit(cmd=ApplicationSubmit.build(application_data()))
    with pytest.raises(ValidationError) as info:
        services.application_review(
            application=application, cmd=ApplicationDecision.build(action="forward"), actor=secretariat
        )
    assert "letter" in info.value.message_dict
    services.application_attach_letter(application=application, letter=letter())
    services.application_review(
        application=application, cmd=ApplicationDecision.build(action="forward"), actor=secretariat
    )


def test_only_the_secretariat_reviews(
    submitted: MembershipApplication, make_user: Any, make_org: Any
) -> None:
    member = make_user(Role.MEMBER_CONTACT, organization=make_org())
    with pytest.raises(PermissionDenied):
        services.application_review(
            application=submitted, cmd=ApplicationDecision.build(action="forward"), actor=member
        )


def test_contacts_edit_only_their_own_organization(make_org: Any, make_user: Any) -> None:
    mine, other = make_org("我的园区"), make_org("别人的园区")
    contact = make_user(Role.MEMBER_CONTACT, organization=mine)
    services.organization_update(
        organization=mine, cmd=OrganizationUpdate.build({"description": "新的简介"}), actor=contact
    )
    with pytest.raises(PermissionDenied):
        services.organization_update(
            organization=other, cmd=OrganizationUpdate.build({"description": "x"}), actor=contact
        )
    with pytest.raises(ValidationError) as info:
        services.organization_update(
            organization=mine, cmd=OrganizationUpdate.build({"tier": "council"}), actor=contact
        )
    assert "tier" in info.value.message_dict
    mine.refresh_from_db()
    assert mine.description == "新的简介"
    assert "新的" in mine.search_text or "简介" in mine.search_text


def test_suspend_reinstate_withdraw_keep_history(make_org: Any, make_user: Any, secretariat: Any) -> None:
    org = make_org("待暂停单位")
    contact = make_user(Role.MEMBER_CONTACT, organization=org)
    with pytest.raises(PermissionDenied):
        services.organization_change_status(
            organization=org, cmd=StatusChange.build(change="suspend", reason="x"), actor=contact
        )
    with pytest.raises(ValidationError):
        services.organization_change_status(
            organization=org, cmd=StatusChange.build(change="suspend", reason=""), actor=secretariat
        )
    services.organization_change_status(
        organization=org, cmd=StatusChange.build(change="suspend", reason="未按时参加活动"), actor=secretariat
    )
    services.organization_change_status(
        organization=org, cmd=StatusChange.build(change="reinstate", reason=""), actor=secretariat
    )
    services.organization_change_status(
        organization=org, cmd=StatusChange.build(change="withdraw", reason="自愿退出"), actor=contact
    )
    org.refresh_from_db()
    assert org.status == OrganizationStatus.WITHDRAWN
    kinds = list(org.membership_events.order_by("id").values_list("kind", flat=True))
    assert kinds == ["admitted", "suspended", "reinstated", "withdrawn"]


def test_withdrawn_member_may_apply_again_and_is_reactivated(make_org: Any, secretariat: Any) -> None:
    org = make_org("曾经的成员")
    services.organization_change_status(
        organization=org, cmd=StatusChange.build(change="withdraw", reason=""), actor=secretariat
    )
    application = services.application_submit(
        cmd=ApplicationSubmit.build(application_data("曾经的成员", uscc=org.uscc)), letter=letter()
    )
    services.application_review(
        application=application, cmd=ApplicationDecision.build(action="forward"), actor=secretariat
    )
    services.application_review(
        application=application, cmd=ApplicationDecision.build(action="admit"), actor=secretariat
    )
    org.refresh_from_db()
    assert org.status == OrganizationStatus.ACTIVE
    assert Organization.objects.filter(uscc=org.uscc).count() == 1

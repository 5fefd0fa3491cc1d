"""Every write on organizations and membership applications."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import EmailValidator, URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lianmeng.accounts.models import Role, RoleAssignment, User
from lianmeng.accounts.services import user_invite_mail
from lianmeng.core import audit, concurrency
from lianmeng.core.cleaning import text_value
from lianmeng.core.files import stored_name
from lianmeng.core.models import AllianceSettings, City
from lianmeng.core.search import pinyin_full, pinyin_initials, pinyin_sort_key, search_text
from lianmeng.core.validators import clean_mobile, clean_upload, clean_uscc

from . import mail, policies
from .models import (
    PENDING_STATUSES,
    REQUESTED_TIERS,
    ApplicationReview,
    ApplicationStatus,
    MembershipApplication,
    MembershipEvent,
    Organization,
    OrganizationKind,
    OrganizationStatus,
    Tier,
)

# Allowed review actions per application status (the one transition table).
APPLICATION_TRANSITIONS: dict[str, dict[str, str]] = {
    ApplicationStatus.SUBMITTED: {
        "return": ApplicationStatus.RETURNED,
        "reject": ApplicationStatus.REJECTED,
        "forward": ApplicationStatus.FORWARDED,
    },
    ApplicationStatus.RETURNED: {"resubmit": ApplicationStatus.SUBMITTED},
    ApplicationStatus.FORWARDED: {
        # "forward" again: put the application to the council anew after a vote without quorum.
        "forward": ApplicationStatus.FORWARDED,
        "admit": ApplicationStatus.ADMITTED,
        "reject": ApplicationStatus.REJECTED,
        "return": ApplicationStatus.RETURNED,
    },
    ApplicationStatus.ADMITTED: {},
    ApplicationStatus.REJECTED: {},
}

ORGANIZATION_EDITABLE = (
    "name",
    "short_name",
    "address",
    "website",
    "phone",
    "email",
    "description",
    "services",
)
ORGANIZATION_SECRETARIAT_ONLY = ("uscc", "kind", "city", "tier")
APPLICATION_FIELDS = (
    "name",
    "short_name",
    "uscc",
    "kind",
    "requested_tier",
    "city",
    "address",
    "website",
    "description",
    "contact_name",
    "contact_mobile",
    "contact_email",
)


def organization_index_fields(org: Organization) -> None:
    """Refresh the search columns of ``org`` (name, short name, kind, city, profile)."""
    org.search_text = search_text(
        org.name,
        org.short_name,
        org.city.name if org.city_id else "",
        org.get_kind_display(),
        org.address,
        org.description,
        org.services,
    )
    org.name_pinyin = pinyin_full(org.name)[:400]
    org.name_initials = pinyin_initials(org.name)[:120]
    org.name_sort = pinyin_sort_key(org.name)


def _run(errors: dict[str, list[str]], field: str, fn: Any, *args: Any) -> Any:
    try:
        return fn(*args)
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.setdefault(field if key == "__all__" else key, []).extend(messages)
        return None


def _clean_url(value: str, field: str) -> str:
    if value:
        if "://" not in value:
            value = "https://" + value
        try:
            URLValidator(schemes=["http", "https"])(value)
        except ValidationError as exc:
            raise ValidationError({field: _("网址格式不正确，例如 https://www.example.cn")}) from exc
    return value


def _clean_email(value: str, field: str, required: bool = False) -> str:
    if not value:
        if required:
            raise ValidationError({field: _("请填写电子邮箱")})
        return value
    try:
        EmailValidator()(value)
    except ValidationError as exc:
        raise ValidationError({field: _("电子邮箱格式不正确")}) from exc
    return value.lower()


def _clean_city(value: Any, field: str = "city") -> City:
    code = getattr(value, "pk", value)
    city = City.objects.filter(pk=str(code or "")).first()
    if city is None:
        raise ValidationError({field: _("请选择联盟成员城市")})
    return city


def _clean_kind(value: Any, field: str = "kind") -> str:
    if value not in OrganizationKind.values:
        raise ValidationError({field: _("请选择单位类型")})
    return str(value)


def application_clean(data: dict[str, Any]) -> dict[str, Any]:
    """Validate application data; raise one ValidationError naming every bad field."""
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {
        "name": text_value(data, "name", _("单位名称"), errors, required=True, max_length=120),
        "short_name": text_value(data, "short_name", _("简称"), errors, required=False, max_length=40),
        "address": text_value(data, "address", _("地址"), errors, required=False, max_length=200),
        "description": text_value(
            data, "description", _("单位简介"), errors, required=False, max_length=4000
        ),
        "contact_name": text_value(
            data, "contact_name", _("联系人姓名"), errors, required=True, max_length=60
        ),
    }
    out["uscc"] = _run(errors, "uscc", clean_uscc, str(data.get("uscc") or ""), "uscc")
    out["kind"] = _run(errors, "kind", _clean_kind, data.get("kind"))
    out["requested_tier"] = data.get("requested_tier") or Tier.ORDINARY
    if out["requested_tier"] not in REQUESTED_TIERS:
        errors.setdefault("requested_tier", []).append(_("请选择申请类别：成员单位或理事单位"))
    out["city"] = _run(errors, "city", _clean_city, data.get("city"))
    out["website"] = _run(errors, "website", _clean_url, str(data.get("website") or "").strip(), "website")
    out["contact_mobile"] = _run(
        errors, "contact_mobile", clean_mobile, str(data.get("contact_mobile") or ""), "contact_mobile"
    )
    out["contact_email"] = _run(
        errors,
        "contact_email",
        _clean_email,
        str(data.get("contact_email") or "").strip(),
        "contact_email",
        True,
    )
    if errors:
        raise ValidationError(errors)
    return out


def _check_uscc_free(uscc: str, *, exclude_application: int | None = None) -> None:
    existing = Organization.objects.filter(uscc=uscc).exclude(status=OrganizationStatus.WITHDRAWN).first()
    if existing is not None:
        raise ValidationError(
            {"uscc": _("该统一社会信用代码已属于成员单位“%(name)s”，无需重复申请") % {"name": existing.name}}
        )
    pending = MembershipApplication.objects.filter(uscc=uscc, status__in=PENDING_STATUSES)
    if exclude_application:
        pending = pending.exclude(pk=exclude_application)
    if pending.exists():
        raise ValidationError({"uscc": _("该统一社会信用代码已有一份正在办理的入盟申请，请勿重复提交")})


def _store_letter(application: MembershipApplication, letter: UploadedFile) -> None:
    application.letter_content_type = clean_upload(letter, field="letter")
    if application.letter:
        application.letter.delete(save=False)
    application.letter.save(stored_name(application.letter_content_type), letter, save=False)


def application_validate(
    *, data: dict[str, Any], letter: UploadedFile | None = None, exclude_application: int | None = None
) -> dict[str, Any]:
    """Every check of an application at once (fields, letter, USCC not already a member or pending);
    raise one ValidationError naming every bad field. Writes nothing: forms call it to report all
    errors in one submit even when the form itself has errors."""
    errors: dict[str, list[str]] = {}
    cleaned = _run(errors, "__all__", application_clean, data)
    if letter is not None:
        _run(errors, "letter", lambda: clean_upload(letter, field="letter"))
    uscc = cleaned["uscc"] if cleaned else None
    if uscc is None and "uscc" not in errors:
        uscc = _run(errors, "uscc", clean_uscc, str(data.get("uscc") or ""), "uscc")
    if uscc:
        _run(errors, "uscc", lambda: _check_uscc_free(uscc, exclude_application=exclude_application))
    if errors:
        raise ValidationError(errors)
    assert cleaned is not None
    return cleaned


def uscc_check(value: str) -> str:
    """The inline check of the application form's USCC field: checksum, then already a member or
    pending. Returns the compact code or raises a ValidationError keyed "uscc"."""
    uscc = clean_uscc(value, "uscc")
    _check_uscc_free(uscc)
    return uscc


@transaction.atomic
def application_submit(
    *, data: dict[str, Any], letter: UploadedFile | None = None, actor: Any = None, ip: str | None = None
) -> MembershipApplication:
    """A public (no login) application. The letter may follow later (API), but before forwarding."""
    cleaned = application_validate(data=data, letter=letter)
    application = MembershipApplication(
        **cleaned, status=ApplicationStatus.SUBMITTED, submitted_at=timezone.now()
    )
    application.save()
    if letter is not None:
        _store_letter(application, letter)
        application.save(update_fields=["letter", "letter_content_type"])
    ApplicationReview.objects.create(application=application, action=ApplicationReview.Action.SUBMIT)
    audit.record(
        actor=actor,
        action="application.submit",
        target=application,
        new={**cleaned, "city": cleaned["city"].pk},
        ip=ip,
    )
    transaction.on_commit(lambda: mail.application_received(application.pk))
    mail.application_received_notify(application, actor=actor)
    return application


@transaction.atomic
def application_attach_letter(
    *, application: MembershipApplication, letter: UploadedFile, actor: Any = None
) -> MembershipApplication:
    application = MembershipApplication.objects.select_for_update().get(pk=application.pk)
    if application.status not in (ApplicationStatus.SUBMITTED, ApplicationStatus.RETURNED):
        raise ValidationError({"letter": _("申请已进入审核，不能再更换承诺书")})
    _store_letter(application, letter)
    application.save(update_fields=["letter", "letter_content_type", "updated_at"])
    audit.record(
        actor=actor,
        action="application.letter",
        target=application,
        new={"letter": application.letter.name, "content_type": application.letter_content_type},
    )
    return application


@transaction.atomic
def application_resubmit(
    *,
    application: MembershipApplication,
    data: dict[str, Any],
    letter: UploadedFile | None = None,
    actor: Any = None,
) -> MembershipApplication:
    """The applicant corrects a returned application (through the private tracking link)."""
    application = MembershipApplication.objects.select_for_update().get(pk=application.pk)
    if "resubmit" not in APPLICATION_TRANSITIONS[application.status]:
        raise ValidationError({"status": _("只有被退回的申请可以修改后重新提交")})
    cleaned = application_validate(data=data, letter=letter, exclude_application=application.pk)
    before = audit.snapshot(application, APPLICATION_FIELDS)
    for key, value in cleaned.items():
        setattr(application, key, value)
    if letter is not None:
        _store_letter(application, letter)
    application.status = ApplicationStatus.SUBMITTED
    application.submitted_at = timezone.now()
    application.save()
    ApplicationReview.objects.create(application=application, action=ApplicationReview.Action.RESUBMIT)
    old, new = audit.changes(before, audit.snapshot(application, APPLICATION_FIELDS))
    audit.record(actor=actor, action="application.resubmit", target=application, old=old, new=new)
    return application


@transaction.atomic
def application_review(
    *, application: MembershipApplication, action: str, message: str = "", actor: Any
) -> MembershipApplication:
    """The secretariat's review: return (with a message), reject, forward, or admit a forwarded one.

    Locks the application; admitting creates (or re-activates) the organization and the contact's
    account in the same transaction. Mails go out after commit.
    """
    if not policies.can_review_application(actor, application):
        raise PermissionDenied
    application = MembershipApplication.objects.select_for_update().get(pk=application.pk)
    allowed = APPLICATION_TRANSITIONS[application.status]
    if action not in allowed or action == "resubmit":
        raise ValidationError(
            {
                "action": _("当前状态“%(status)s”下不能执行该操作")
                % {"status": application.get_status_display()}
            }
        )
    message = (message or "").strip()
    if action in ("return", "reject") and not message:
        raise ValidationError({"message": _("退回或不予通过时请填写意见，申请单位会收到这条意见")})
    if action == "forward" and not application.letter:
        raise ValidationError({"letter": _("申请尚未上传入盟承诺书，不能提交决定")})
    needs_council = admission_needs_council(application)
    motion = council_motion(application)
    _check_council(application, action, needs_council, motion)
    old_status = application.status
    application.status = allowed[action]
    if action in ("admit", "reject"):
        application.decided_at = timezone.now()
    if action == "admit":
        if motion is not None and motion.status == "passed" and hasattr(motion, "resolution"):
            application.resolution_number = motion.resolution.number
            message = message or _("依据理事会决议%(number)s批准入盟") % {"number": motion.resolution.number}
        application.organization = _admit(application, actor)
    application.save()
    new: dict[str, Any] = {"status": application.status, "message": message}
    if action == "forward" and needs_council:
        from lianmeng.governance.services import admission_motion_open

        motion = admission_motion_open(application=application, actor=actor)
        new["motion"] = motion.pk
        message = message or _("已提交理事会表决：%(title)s") % {"title": motion.title}
    if application.resolution_number and action == "admit":
        new["resolution"] = application.resolution_number
    ApplicationReview.objects.create(application=application, action=action, message=message, actor=actor)
    audit.record(
        actor=actor,
        action=f"application.{action}",
        target=application,
        old={"status": old_status},
        new=new,
    )
    if old_status != application.status:
        transaction.on_commit(lambda: mail.application_status_changed(application.pk))
    return application


def application_actions(application: MembershipApplication) -> list[str]:
    """The review actions the secretariat may take now (the transition table and the council's say)."""
    needs_council = admission_needs_council(application)
    motion = council_motion(application) if application.status == ApplicationStatus.FORWARDED else None
    actions = []
    for action in APPLICATION_TRANSITIONS[application.status]:
        if action == "resubmit":
            continue
        try:
            _check_council(application, action, needs_council, motion)
        except ValidationError:
            continue
        actions.append(action)
    return actions


def admission_needs_council(application: MembershipApplication) -> bool:
    """Whether the alliance setting puts this application's admission to the council."""
    return AllianceSettings.current().admission_needs_council(application.requested_tier)


def council_motion(application: MembershipApplication) -> Any:
    """The latest council motion on the application (governance.Motion, with its resolution) or None.

    Imported lazily: governance builds on membership, not the other way round."""
    from lianmeng.governance.services import admission_motion_of

    return admission_motion_of(application)


def _motion_state(motion: Any) -> dict[str, str]:
    return {"title": motion.title, "status": str(motion.get_status_display())}


def _check_council(application: MembershipApplication, action: str, needs_council: bool, motion: Any) -> None:
    """The secretariat acts only where the council has not the say, or after the council has spoken."""
    undecided = motion is not None and motion.status in ("draft", "open")
    passed = motion is not None and motion.status == "passed"
    if action == "forward" and application.status == ApplicationStatus.FORWARDED:
        if not needs_council:
            raise ValidationError({"action": _("该申请已初审通过，待决定")})
        if motion is not None and motion.status in ("open", "passed"):  # a draft gets opened
            raise ValidationError(
                {
                    "motion": _("理事会议案“%(title)s”（%(status)s）已在办理，无需重新提交")
                    % _motion_state(motion)
                }
            )
    if action in ("admit", "reject", "return") and undecided:
        raise ValidationError(
            {"motion": _("理事会议案“%(title)s”%(status)s，表决结束前不能作出决定") % _motion_state(motion)}
        )
    if action in ("reject", "return") and passed and needs_council:
        raise ValidationError(
            {"motion": _("理事会已通过议案“%(title)s”，请依据决议批准入盟") % _motion_state(motion)}
        )
    if action == "admit" and needs_council:
        if motion is None:
            raise ValidationError({"motion": _("该申请须经理事会决议，请先“初审通过，提交理事会表决”")})
        if not passed:
            raise ValidationError(
                {"motion": _("理事会议案“%(title)s”%(status)s，不能批准入盟") % _motion_state(motion)}
            )
        resolution = getattr(motion, "resolution", None)
        if resolution is None or resolution.status != "in_force":
            raise ValidationError(
                {
                    "motion": _("决议%(number)s尚待轮值主席签发，生效后才能批准入盟")
                    % {"number": getattr(resolution, "number", "")}
                }
            )


@transaction.atomic
def application_council_rejected(
    *, application: MembershipApplication, reason: str, actor: Any
) -> MembershipApplication:
    """The council voted an admission motion down: the forwarded application is rejected with the vote as
    the reason. Called by governance when it closes the motion (actor may be None: the scheduled close)."""
    application = MembershipApplication.objects.select_for_update().get(pk=application.pk)
    if application.status != ApplicationStatus.FORWARDED:
        return application
    application.status = ApplicationStatus.REJECTED
    application.decided_at = timezone.now()
    application.save(update_fields=["status", "decided_at", "updated_at"])
    ApplicationReview.objects.create(
        application=application, action=ApplicationReview.Action.REJECT, message=reason, actor=actor
    )
    audit.record(
        actor=actor,
        action="application.reject",
        target=application,
        old={"status": ApplicationStatus.FORWARDED},
        new={"status": application.status, "message": reason},
    )
    transaction.on_commit(lambda: mail.application_status_changed(application.pk))
    return application


def _admit(application: MembershipApplication, actor: Any) -> Organization:
    _check_uscc_free_for_admission(application)
    today = timezone.localdate()
    org = Organization.objects.select_for_update().filter(uscc=application.uscc).first()
    rejoining = org is not None
    if org is None:
        org = Organization(uscc=application.uscc, tier=application.requested_tier or Tier.ORDINARY)
    else:
        org.tier = application.requested_tier or org.tier
    for field in ("name", "short_name", "kind", "city", "address", "website", "description"):
        setattr(org, field, getattr(application, field))
    org.status = OrganizationStatus.ACTIVE
    org.joined_on = today
    organization_index_fields(org)
    org.save()
    MembershipEvent.objects.create(
        organization=org,
        kind=MembershipEvent.Kind.ADMITTED,
        date=today,
        actor=actor,
        reason=_("重新入盟") if rejoining else "",
    )
    user = User.objects.filter(username=application.contact_mobile).first()
    created = user is None
    if user is None:
        user = User(
            username=application.contact_mobile,
            display_name=application.contact_name,
            mobile=application.contact_mobile,
            email=application.contact_email,
        )
        user.set_unusable_password()
        user.save()
    RoleAssignment.objects.get_or_create(user=user, role=Role.MEMBER_CONTACT, organization=org)
    mail.member_admitted(user, org, actor=actor)
    audit.record(
        actor=actor,
        action="organization.admit",
        target=org,
        new={"uscc": org.uscc, "name": org.name, "contact": user.username},
    )
    if created:
        user_pk = user.pk
        transaction.on_commit(lambda: user_invite_mail(user_pk))
    return org


def _check_uscc_free_for_admission(application: MembershipApplication) -> None:
    existing = Organization.objects.filter(uscc=application.uscc).exclude(status=OrganizationStatus.WITHDRAWN)
    if existing.exists():
        raise ValidationError({"uscc": _("该统一社会信用代码已属于成员单位，不能重复入盟")})


@transaction.atomic
def organization_update(*, organization: Organization, data: dict[str, Any], actor: Any) -> Organization:
    """Edit an organization's profile. Contacts edit only their own, and not USCC, kind, city or tier."""
    if not policies.can_edit_organization(actor, organization):
        raise PermissionDenied
    org = Organization.objects.select_for_update().get(pk=organization.pk)
    data = concurrency.check(org, data)
    allowed = ORGANIZATION_EDITABLE + (
        ORGANIZATION_SECRETARIAT_ONLY if policies.is_secretariat(actor) else ()
    )
    forbidden = [k for k in data if k in ORGANIZATION_SECRETARIAT_ONLY and k not in allowed]
    if forbidden:
        raise ValidationError({k: _("只有秘书处可以修改此项") for k in forbidden})
    fields = [k for k in data if k in allowed]
    before = audit.snapshot(org, fields)
    errors: dict[str, list[str]] = {}
    labels = {
        "name": (_("单位名称"), 120, True),
        "short_name": (_("简称"), 40, False),
        "address": (_("地址"), 200, False),
        "phone": (_("联系电话"), 40, False),
        "description": (_("单位简介"), 4000, False),
        "services": (_("主要业务"), 4000, False),
    }
    for field in fields:
        value = data[field]
        if field in labels:
            label, max_length, required = labels[field]
            setattr(
                org, field, text_value(data, field, label, errors, required=required, max_length=max_length)
            )
        elif field == "website":
            org.website = _run(errors, field, _clean_url, str(value or "").strip(), field) or ""
        elif field == "email":
            org.email = _run(errors, field, _clean_email, str(value or "").strip(), field, False) or ""
        elif field == "uscc":
            uscc = _run(errors, field, clean_uscc, str(value or ""), field)
            if uscc and Organization.objects.filter(uscc=uscc).exclude(pk=org.pk).exists():
                errors.setdefault(field, []).append(_("该统一社会信用代码已被其他单位使用"))
            if uscc:
                org.uscc = uscc
        elif field == "kind":
            org.kind = _run(errors, field, _clean_kind, value) or org.kind
        elif field == "city":
            org.city = _run(errors, field, _clean_city, value) or org.city
        elif field == "tier":
            if value not in Tier.values:
                errors.setdefault(field, []).append(_("请选择成员类别"))
            else:
                org.tier = value
    if errors:
        raise ValidationError(errors)
    organization_index_fields(org)
    org.save()
    old, new = audit.changes(before, audit.snapshot(org, fields))
    if new:
        concurrency.bump(org)
        audit.record(actor=actor, action="organization.update", target=org, old=old, new=new)
    if "tier" in new:
        MembershipEvent.objects.create(
            organization=org,
            kind=MembershipEvent.Kind.TIER_CHANGED,
            date=timezone.localdate(),
            actor=actor,
            reason=f"{old['tier']} → {new['tier']}",
        )
    return org


_STATUS_CHANGES = {
    "suspend": (OrganizationStatus.ACTIVE, OrganizationStatus.SUSPENDED, MembershipEvent.Kind.SUSPENDED),
    "reinstate": (OrganizationStatus.SUSPENDED, OrganizationStatus.ACTIVE, MembershipEvent.Kind.REINSTATED),
    "withdraw": (None, OrganizationStatus.WITHDRAWN, MembershipEvent.Kind.WITHDRAWN),
}


@transaction.atomic
def organization_change_status(
    *, organization: Organization, change: str, reason: str, actor: Any, date: datetime.date | None = None
) -> Organization:
    """Suspend, reinstate (secretariat) or withdraw (the organization itself or the secretariat)."""
    if change not in _STATUS_CHANGES:
        raise ValidationError({"change": _("未知的状态变更")})
    allowed = (
        policies.can_withdraw_organization if change == "withdraw" else policies.can_change_membership_status
    )(actor, organization)
    if not allowed:
        raise PermissionDenied
    org = Organization.objects.select_for_update().get(pk=organization.pk)
    required_from, to_status, kind = _STATUS_CHANGES[change]
    if (required_from and org.status != required_from) or org.status == OrganizationStatus.WITHDRAWN:
        raise ValidationError(
            {"status": _("单位当前状态为“%(status)s”，不能执行该操作") % {"status": org.get_status_display()}}
        )
    reason = (reason or "").strip()
    if change == "suspend" and not reason:
        raise ValidationError({"reason": _("暂停成员资格时请填写原因")})
    old = org.status
    org.status = to_status
    org.save(update_fields=["status", "updated_at"])
    MembershipEvent.objects.create(
        organization=org, kind=kind, date=date or timezone.localdate(), reason=reason, actor=actor
    )
    audit.record(
        actor=actor,
        action=f"organization.{change}",
        target=org,
        old={"status": old},
        new={"status": to_status, "reason": reason},
    )
    return org


def organization_create(
    *, data: dict[str, Any], actor: Any, tier: str = Tier.ORDINARY, joined_on: datetime.date | None = None
) -> Organization:
    """Create a member directly (secretariat, imports, demo data). Same validation as applications."""
    if actor is not None and not policies.is_secretariat(actor):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    name = text_value(data, "name", _("单位名称"), errors, required=True, max_length=120)
    uscc = _run(errors, "uscc", clean_uscc, str(data.get("uscc") or ""), "uscc")
    kind = _run(errors, "kind", _clean_kind, data.get("kind"))
    city = _run(errors, "city", _clean_city, data.get("city"))
    if uscc and Organization.objects.filter(uscc=uscc).exists():
        errors.setdefault("uscc", []).append(_("该统一社会信用代码已属于成员单位"))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        org = Organization(
            name=name,
            uscc=uscc,
            kind=kind,
            city=city,
            tier=tier,
            short_name=str(data.get("short_name") or ""),
            address=str(data.get("address") or ""),
            website=str(data.get("website") or ""),
            phone=str(data.get("phone") or ""),
            email=str(data.get("email") or ""),
            description=str(data.get("description") or ""),
            services=str(data.get("services") or ""),
            joined_on=joined_on or timezone.localdate(),
        )
        organization_index_fields(org)
        org.save()
        MembershipEvent.objects.create(
            organization=org,
            kind=MembershipEvent.Kind.ADMITTED,
            date=org.joined_on or timezone.localdate(),
            actor=actor,
        )
        audit.record(actor=actor, action="organization.create", target=org, new={"uscc": uscc, "name": name})
    return org

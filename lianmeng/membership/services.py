"""Every write on organizations and membership applications."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lianmeng.accounts.models import Role, RoleAssignment, User
from lianmeng.accounts.services import user_invite_mail
from lianmeng.core import audit, concurrency
from lianmeng.core.actors import Actor, user_of
from lianmeng.core.files import stored_name
from lianmeng.core.models import AllianceSettings, City
from lianmeng.core.search import pinyin_full, pinyin_initials, pinyin_sort_key, search_text
from lianmeng.core.validators import clean_upload, clean_uscc

from . import machines, mail, policies
from .commands import (
    ApplicationDecision,
    ApplicationSubmit,
    OrganizationCreate,
    OrganizationUpdate,
    StatusChange,
)
from .models import (
    PENDING_STATUSES,
    ApplicationReview,
    ApplicationStatus,
    MembershipApplication,
    MembershipEvent,
    Organization,
    OrganizationStatus,
    Tier,
)

# Who sends a public application: nobody signed in (None or an anonymous request user), or a user.
Visitor = User | AnonymousUser | None

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


def _city(code: str | None) -> City | None:
    return City.objects.filter(pk=code or "").first()


def _check_uscc_free(uscc: str, exclude_application: int | None = None) -> None:
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


def _store_letter(application: MembershipApplication, letter: UploadedFile[bytes]) -> None:
    application.letter_content_type = clean_upload(letter, field="letter")
    if application.letter:
        application.letter.delete(save=False)
    application.letter.save(stored_name(application.letter_content_type), letter, save=False)


def _errors(errors: dict[str, list[str]], fn: Any, *args: Any) -> Any:
    """``fn(*args)``, its field-keyed ValidationError added to ``errors`` (every rule reports at once)."""
    try:
        return fn(*args)
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, []).extend(messages)
        return None


def application_validate(
    *,
    cmd: ApplicationSubmit,
    letter: UploadedFile[bytes] | None = None,
    exclude_application: int | None = None,
) -> dict[str, Any]:
    """The database rules of an application (the city exists, the letter is a real PDF or image, the
    USCC is not already a member or pending), all at once; returns the model's field values. Writes
    nothing: the forms call it to report every error in one submit even when the form itself failed."""
    errors: dict[str, list[str]] = {}
    city = _city(cmd.city)
    if city is None:
        errors["city"] = [_("请选择联盟成员城市")]
    if letter is not None:
        _errors(errors, lambda: clean_upload(letter, field="letter"))
    _errors(errors, _check_uscc_free, cmd.uscc, exclude_application)
    if errors:
        raise ValidationError(errors)
    return {**cmd.model_dump(), "city": city}


def uscc_check(value: str) -> str:
    """The inline check of the application form's USCC field: checksum, then already a member or
    pending. Returns the compact code or raises a ValidationError keyed "uscc"."""
    uscc = clean_uscc(value, "uscc")
    _check_uscc_free(uscc)
    return uscc


@transaction.atomic
def application_submit(
    *,
    cmd: ApplicationSubmit,
    letter: UploadedFile[bytes] | None = None,
    actor: Visitor = None,
    ip: str | None = None,
) -> MembershipApplication:
    """A public (no login) application. The letter may follow later (API), but before forwarding."""
    cleaned = application_validate(cmd=cmd, letter=letter)
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
    *, application: MembershipApplication, letter: UploadedFile[bytes], actor: Visitor = None
) -> MembershipApplication:
    """The applicant attaches (or replaces) the commitment letter while the application is not yet
    reviewed (the tracking token is the permission)."""
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
    cmd: ApplicationSubmit,
    letter: UploadedFile[bytes] | None = None,
    actor: Visitor = None,
) -> MembershipApplication:
    """The applicant corrects a returned application (through the private tracking link)."""
    application = MembershipApplication.objects.select_for_update().get(pk=application.pk)
    if not machines.APPLICATION.can(application.status, "resubmit"):
        raise ValidationError({"status": _("只有被退回的申请可以修改后重新提交")})
    cleaned = application_validate(cmd=cmd, letter=letter, exclude_application=application.pk)
    before = audit.snapshot(application, APPLICATION_FIELDS)
    for key, value in cleaned.items():
        setattr(application, key, value)
    if letter is not None:
        _store_letter(application, letter)
    application.status = machines.APPLICATION.target(application.status, "resubmit")
    application.submitted_at = timezone.now()
    application.save()
    ApplicationReview.objects.create(application=application, action=ApplicationReview.Action.RESUBMIT)
    old, new = audit.changes(before, audit.snapshot(application, APPLICATION_FIELDS))
    audit.record(actor=actor, action="application.resubmit", target=application, old=old, new=new)
    return application


@transaction.atomic
def application_review(
    *, application: MembershipApplication, cmd: ApplicationDecision, actor: User
) -> MembershipApplication:
    """The secretariat's review: return (with a message), reject, forward, or admit a forwarded one.

    Locks the application; admitting creates (or re-activates) the organization and the contact's
    account in the same transaction. Mails go out after commit.
    """
    if not policies.can_review_application(actor, application):
        raise PermissionDenied
    application = MembershipApplication.objects.select_for_update().get(pk=application.pk)
    action, message = cmd.action, cmd.message
    new_status = machines.APPLICATION.check(application.status, action, actor=actor, obj=application)
    if action in ("return", "reject") and not message:
        raise ValidationError({"message": _("退回或不予通过时请填写意见，申请单位会收到这条意见")})
    if action == "forward" and not application.letter:
        raise ValidationError({"letter": _("申请尚未上传入盟承诺书，不能提交决定")})
    needs_council = admission_needs_council(application)
    motion = council_motion(application)
    _check_council(application, action, needs_council, motion)
    old_status = application.status
    application.status = new_status
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
        from lianmeng.governance.services import (
            admission_motion_open,  # cycle: governance builds on membership
        )

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
    for action in machines.APPLICATION.actions(application.status):
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
    """The latest council motion on the application (governance.Motion, with its resolution) or None;
    from the prefetched ``admission_motions`` when a list fetched them for the page (the API's list)."""
    prefetched = getattr(application, "_prefetched_objects_cache", {})
    if "admission_motions" in prefetched:
        motions = list(prefetched["admission_motions"])
        return max(motions, key=lambda m: m.pk) if motions else None
    from lianmeng.governance.services import admission_motion_of  # cycle: governance builds on membership

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
    *, application: MembershipApplication, reason: str, actor: Actor
) -> MembershipApplication:
    """The council voted an admission motion down: the forwarded application is rejected with the vote as
    the reason. Called by governance when it closes the motion (actor may be None: the scheduled close)."""
    application = MembershipApplication.objects.select_for_update().get(pk=application.pk)
    if application.status != ApplicationStatus.FORWARDED:
        return application
    application.status = machines.APPLICATION.target(application.status, "reject")
    application.decided_at = timezone.now()
    application.save(update_fields=["status", "decided_at", "updated_at"])
    ApplicationReview.objects.create(
        application=application, action=ApplicationReview.Action.REJECT, message=reason, actor=user_of(actor)
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


def _admit(application: MembershipApplication, actor: User) -> Organization:
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
def organization_update(*, organization: Organization, cmd: OrganizationUpdate, actor: User) -> Organization:
    """Edit an organization's profile (only the fields ``cmd`` gives). Contacts edit only their own, and
    not USCC, kind, city or tier."""
    if not policies.can_edit_organization(actor, organization):
        raise PermissionDenied
    org = Organization.objects.select_for_update().get(pk=organization.pk)
    concurrency.check(org, {"version": cmd.version})
    data = cmd.changes()
    if not policies.is_secretariat(actor):
        forbidden = [k for k in data if k in ORGANIZATION_SECRETARIAT_ONLY]
        if forbidden:
            raise ValidationError({k: _("只有秘书处可以修改此项") for k in forbidden})
    fields = [k for k in data if k in ORGANIZATION_EDITABLE + ORGANIZATION_SECRETARIAT_ONLY]
    before = audit.snapshot(org, fields)
    errors: dict[str, list[str]] = {}
    for field in fields:
        value = data[field]
        if field == "uscc":
            if Organization.objects.filter(uscc=value).exclude(pk=org.pk).exists():
                errors.setdefault(field, []).append(_("该统一社会信用代码已被其他单位使用"))
            org.uscc = value
        elif field == "city":
            city = _city(value)
            if city is None:
                errors["city"] = [_("请选择联盟成员城市")]
            else:
                org.city = city
        else:
            setattr(org, field, value)
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


@transaction.atomic
def organization_change_status(
    *, organization: Organization, cmd: StatusChange, actor: User, date: datetime.date | None = None
) -> Organization:
    """Suspend, reinstate (secretariat) or withdraw (the organization itself or the secretariat)."""
    change = cmd.change
    guard = (
        policies.can_withdraw_organization if change == "withdraw" else policies.can_change_membership_status
    )
    if not guard(actor, organization):
        raise PermissionDenied
    org = Organization.objects.select_for_update().get(pk=organization.pk)
    to_status = machines.ORGANIZATION.check(org.status, change, actor=actor, obj=org)
    reason = cmd.reason
    if change == "suspend" and not reason:
        raise ValidationError({"reason": _("暂停成员资格时请填写原因")})
    old = org.status
    org.status = to_status
    org.save(update_fields=["status", "updated_at"])
    MembershipEvent.objects.create(
        organization=org,
        kind=_STATUS_EVENTS[change],
        date=date or timezone.localdate(),
        reason=reason,
        actor=actor,
    )
    audit.record(
        actor=actor,
        action=f"organization.{change}",
        target=org,
        old={"status": old},
        new={"status": to_status, "reason": reason},
    )
    return org


_STATUS_EVENTS = {
    "suspend": MembershipEvent.Kind.SUSPENDED,
    "reinstate": MembershipEvent.Kind.REINSTATED,
    "withdraw": MembershipEvent.Kind.WITHDRAWN,
}


@transaction.atomic
def organization_create(
    *, cmd: OrganizationCreate, actor: Actor, joined_on: datetime.date | None = None
) -> Organization:
    """Create a member directly (secretariat imports, demo data, tests as the system): the same checks
    as an application's."""
    if not policies.can_create_organization(actor):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    city = _city(cmd.city)
    if city is None:
        errors["city"] = [_("请选择联盟成员城市")]
    if Organization.objects.filter(uscc=cmd.uscc).exists():
        errors["uscc"] = [_("该统一社会信用代码已属于成员单位")]
    if errors:
        raise ValidationError(errors)
    joined = joined_on or timezone.localdate()
    org = Organization(**{**cmd.model_dump(), "city": city}, joined_on=joined)
    organization_index_fields(org)
    org.save()
    MembershipEvent.objects.create(
        organization=org, kind=MembershipEvent.Kind.ADMITTED, date=joined, actor=user_of(actor)
    )
    audit.record(
        actor=actor, action="organization.create", target=org, new={"uscc": org.uscc, "name": org.name}
    )
    return org

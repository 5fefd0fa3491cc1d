"""Every write on events, registrations, check-ins and the yearly 1+7+N settings.

Each service checks its policy, runs in one transaction, locks the event row it changes
(``select_for_update``) and writes an audit entry; mails go out after commit as background tasks.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lianmeng.accounts.models import User
from lianmeng.core import audit, concurrency
from lianmeng.core.actors import user_of
from lianmeng.core.files import stored_name
from lianmeng.core.validators import clean_mobile, clean_upload
from lianmeng.library.models import Project
from lianmeng.library.selectors import projects_visible
from lianmeng.membership.models import Organization, OrganizationStatus

from . import machines, policies, tasks
from .commands import (
    ActivitySettingsUpdate,
    EventCancel,
    EventCreate,
    EventPhotoAdd,
    EventSummary,
    EventUpdate,
    RegistrationCheckIn,
    RegistrationCreate,
    SummaryUpdate,
    closes_error,
    ends_error,
    place_error,
)
from .models import (
    SEATED,
    ActivitySettings,
    Audience,
    CalendarFeedToken,
    Event,
    EventKind,
    EventPhoto,
    EventStatus,
    Registration,
    RegistrationStatus,
    new_ticket_token,
    normalize_code,
)

# Who registers: a signed-in user, or anyone with the event's page (None in scripts and tests).
Visitor = User | AnonymousUser | None

EVENT_FIELDS = (
    "title",
    "kind",
    "organizer",
    "starts_at",
    "ends_at",
    "venue",
    "address",
    "online_url",
    "capacity",
    "audience",
    "registration_opens_at",
    "registration_closes_at",
    "description",
)
SUMMARY_FIELDS = ("summary", "attendance", "outcomes", "agreements_signed", "projects_started")
PHOTO_TYPES = ("image/jpeg", "image/png")


# ---------------------------------------------------------------- database rules


def _organization(pk: int | None, field: str, errors: dict[str, list[str]]) -> Organization | None:
    if pk is None:
        return None
    org = Organization.objects.filter(pk=pk, status=OrganizationStatus.ACTIVE).select_related("city").first()
    if org is None:
        errors.setdefault(field, []).append(_("所选单位不存在或不是正常状态的成员单位"))
    return org


def _organizations(
    ids: list[int] | None, field: str, errors: dict[str, list[str]]
) -> list[Organization] | None:
    if ids is None:
        return None
    found = list(Organization.objects.filter(pk__in=ids, status=OrganizationStatus.ACTIVE))
    if len(found) != len(set(ids)):
        errors.setdefault(field, []).append(_("所选单位中有不存在或不是正常状态的成员单位"))
    return found


def _event_rules(values: dict[str, Any], *, instance: Event | None = None) -> dict[str, Any]:
    """The event's fields given in ``values`` with the organizations they name (active members), and the
    rules between fields checked on the event's values merged with them (an update may change one)."""
    errors: dict[str, list[str]] = {}
    out = dict(values)
    if "organizer" in out:
        out["organizer"] = _organization(out["organizer"], "organizer", errors)
    for name in ("co_organizers", "partners"):
        if name in out:
            out[name] = _organizations(out[name], name, errors)
    merged = {**({f: getattr(instance, f) for f in EVENT_FIELDS} if instance else {}), **out}
    for field, message in (
        ("ends_at", ends_error(merged["starts_at"], merged["ends_at"])),
        (
            "registration_closes_at",
            closes_error(
                merged["registration_opens_at"], merged["registration_closes_at"], merged["ends_at"]
            ),
        ),
        ("venue", place_error(merged["venue"], merged["online_url"])),
    ):
        if message and field not in errors:
            errors.setdefault(field, []).append(message)
    if errors:
        raise ValidationError(errors)
    return out


def _check_organizer(actor: User, organizer: Organization, kind: str) -> None:
    if not policies.can_organize_for(actor, organizer, kind):
        if kind == EventKind.PLENARY and not policies.is_secretariat(actor):
            raise ValidationError({"kind": _("理事会全会由秘书处组织")})
        raise ValidationError({"organizer": _("您不能以该单位的名义组织活动")})


# ---------------------------------------------------------------- events


@transaction.atomic
def event_create(*, cmd: EventCreate, actor: User) -> Event:
    """A new event in draft. The organizer's city becomes the event's city."""
    if not policies.can_create_event(actor):
        raise PermissionDenied
    cleaned = _event_rules(cmd.model_dump())
    _check_organizer(actor, cleaned["organizer"], cleaned["kind"])
    co_organizers = cleaned.pop("co_organizers")
    partners = cleaned.pop("partners")
    event = Event(**cleaned, city_id=cleaned["organizer"].city_id, created_by=actor)
    event.save()
    event.co_organizers.set(co_organizers)
    event.partners.set(partners)
    audit.record(
        actor=actor,
        action="event.create",
        target=event,
        new={
            **audit.snapshot(event, EVENT_FIELDS),
            "co_organizers": [o.pk for o in co_organizers],
            "partners": [o.pk for o in partners],
        },
    )
    return event


def _user(actor: Visitor) -> User | None:
    return user_of(actor)


def _locked(event: Event) -> Event:
    return Event.objects.select_for_update().select_related("organizer", "city").get(pk=event.pk)


@transaction.atomic
def event_update(*, event: Event, cmd: EventUpdate, actor: User) -> Event:
    """Edit a draft or published event. Raising the capacity promotes waitlisted people in order;
    lowering it below the seats already taken is refused."""
    if not policies.can_manage_event(actor, event):
        raise PermissionDenied
    event = _locked(event)
    concurrency.check(event, {"version": cmd.version})
    if event.status not in (EventStatus.DRAFT, EventStatus.PUBLISHED):
        raise ValidationError(
            {"status": _("活动状态为“%(status)s”，不能再修改") % {"status": event.get_status_display()}}
        )
    cleaned = _event_rules(cmd.given(), instance=event)
    organizer = cleaned.get("organizer", event.organizer)
    kind = cleaned.get("kind", event.kind)
    if organizer.pk != event.organizer_id or kind != event.kind:
        _check_organizer(actor, organizer, kind)
    seated = event.registrations.filter(status__in=SEATED).count()
    if cleaned.get("capacity") is not None and cleaned["capacity"] < seated:
        raise ValidationError({"capacity": _("名额不能少于已报名人数（%(n)d 人）") % {"n": seated}})
    co_organizers = cleaned.pop("co_organizers", None)
    partners = cleaned.pop("partners", None)
    before = audit.snapshot(event, EVENT_FIELDS)
    links = {"co_organizers": co_organizers, "partners": partners}
    links_before = {
        k: sorted(getattr(event, k).values_list("pk", flat=True)) for k, v in links.items() if v is not None
    }
    for key, value in cleaned.items():
        setattr(event, key, value)
    event.city_id = event.organizer.city_id
    event.save()
    if co_organizers is not None:
        event.co_organizers.set(co_organizers)
    if partners is not None:
        event.partners.set(partners)
    old, new = audit.changes(before, audit.snapshot(event, EVENT_FIELDS))
    for key, chosen in links.items():  # linked organizations are logged only when they changed
        if chosen is not None and sorted(o.pk for o in chosen) != links_before.get(key, []):
            old[key], new[key] = links_before.get(key, []), sorted(o.pk for o in chosen)
    if new:
        concurrency.bump(event)
        audit.record(actor=actor, action="event.update", target=event, old=old, new=new)
    _promote_waitlisted(event, actor)
    return event


@transaction.atomic
def event_publish(*, event: Event, actor: User) -> Event:
    if not policies.can_manage_event(actor, event):
        raise PermissionDenied
    event = _locked(event)
    new_status = machines.EVENT.check(event.status, "publish", actor=actor, obj=event)
    event.status = new_status
    event.published_at = timezone.now()
    event.save(update_fields=["status", "published_at", "updated_at"])
    audit.record(
        actor=actor,
        action="event.publish",
        target=event,
        old={"status": "draft"},
        new={"status": event.status},
    )
    return event


@transaction.atomic
def event_cancel(*, event: Event, cmd: EventCancel, actor: User) -> Event:
    """Cancel with a reason. Registrations stay as they are; registrants are told after commit."""
    if not policies.can_manage_event(actor, event):
        raise PermissionDenied
    event = _locked(event)
    old = event.status
    new_status = machines.EVENT.check(event.status, "cancel", actor=actor, obj=event)
    reason = cmd.reason  # cleaned, at most 2000 characters (the command)
    if not reason:
        raise ValidationError({"reason": _("请填写取消原因，报名者会收到这条说明")})
    event.status = new_status
    event.cancel_reason = reason
    event.cancelled_at = timezone.now()
    event.save(update_fields=["status", "cancel_reason", "cancelled_at", "updated_at"])
    audit.record(
        actor=actor,
        action="event.cancel",
        target=event,
        old={"status": old},
        new={"status": new_status, "reason": reason},
    )
    if old == EventStatus.PUBLISHED:
        event_id = event.pk
        transaction.on_commit(lambda: tasks.event_cancelled_notify.enqueue(event_id))
    return event


def _projects(ids: list[int] | None, actor: User) -> list[Project] | None:
    """Projects of the library an event's outcomes link: they must be projects the actor may see."""
    if ids is None:
        return None
    projects = list(projects_visible(actor).filter(pk__in=ids))
    if len(projects) != len(set(ids)):
        raise ValidationError({"projects": [_("请选择项目库中的项目")]})
    return projects


def _projects_set(event: Event, projects: list[Project] | None, actor: User) -> tuple[list[int], list[int]]:
    """Replace the event's projects with ``projects``, keeping those linked before that the actor cannot
    see (a coordinator's form never offers them, so it must not drop them); (old ids, new ids)."""
    old = sorted(event.projects.values_list("pk", flat=True))
    if projects is None:
        return old, old
    hidden = list(event.projects.exclude(pk__in=projects_visible(actor).values("pk")))
    event.projects.set([*projects, *hidden])
    return old, sorted({p.pk for p in [*projects, *hidden]})


@transaction.atomic
def event_hold(*, event: Event, cmd: EventSummary, actor: User) -> Event:
    """Mark a published event as held by filing its summary (only then does it count for 1+7+N).
    Without a reported attendance, the number of people checked in is used."""
    if not policies.can_manage_event(actor, event):
        raise PermissionDenied
    event = _locked(event)
    new_status = machines.EVENT.check(event.status, "hold", actor=actor, obj=event)
    if timezone.now() < event.starts_at:
        raise ValidationError({"status": _("活动尚未开始，举办后才能提交活动总结")})
    projects = _projects(cmd.projects, actor)
    cleaned: dict[str, Any] = {
        "summary": cmd.summary,
        "outcomes": cmd.outcomes,
        "attendance": cmd.attendance,
        "agreements_signed": cmd.agreements_signed or 0,
        "projects_started": cmd.projects_started or 0,
    }
    if cleaned["attendance"] is None:
        cleaned["attendance"] = event.registrations.filter(status=RegistrationStatus.ATTENDED).count()
    for key, value in cleaned.items():
        setattr(event, key, value)
    event.status = new_status
    event.held_at = timezone.now()
    event.save()
    _old, project_ids = _projects_set(event, projects, actor)
    audit.record(
        actor=actor,
        action="event.hold",
        target=event,
        old={"status": EventStatus.PUBLISHED},
        new={"status": new_status, **cleaned, "projects": project_ids},
    )
    return event


@transaction.atomic
def event_summary_update(*, event: Event, cmd: SummaryUpdate, actor: User) -> Event:
    """Correct the summary, attendance or outcomes of a held event."""
    if not policies.can_manage_event(actor, event):
        raise PermissionDenied
    event = _locked(event)
    concurrency.check(event, {"version": cmd.version})
    if event.status != EventStatus.HELD:
        raise ValidationError({"status": _("只有已举办的活动可以修改活动总结")})
    given = cmd.given()
    projects = _projects(given.pop("projects", None), actor)
    for name in ("agreements_signed", "projects_started"):
        if name in given and given[name] is None:
            given[name] = 0
    before = audit.snapshot(event, SUMMARY_FIELDS)
    for key, value in given.items():
        setattr(event, key, value)
    event.save()
    old, new = audit.changes(before, audit.snapshot(event, SUMMARY_FIELDS))
    old_projects, new_projects = _projects_set(event, projects, actor)
    if old_projects != new_projects:
        old["projects"], new["projects"] = old_projects, new_projects
    if new:
        concurrency.bump(event)
        audit.record(actor=actor, action="event.summary", target=event, old=old, new=new)
    return event


@transaction.atomic
def event_photo_validate(
    *, event: Event, image: UploadedFile[bytes] | None, cmd: EventPhotoAdd, actor: User
) -> None:
    """event_photo_add's checks without storing anything (a failed form reports them in the same submit;
    a missing image is the form's to report)."""
    if not policies.can_manage_event(actor, event):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    if Event.objects.get(pk=event.pk).status != EventStatus.HELD:
        errors["image"] = [_("活动举办并提交总结后才能上传照片")]
    elif image is not None:
        try:
            clean_upload(image, field="image", allowed=PHOTO_TYPES)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def event_photo_add(
    *, event: Event, image: UploadedFile[bytes], cmd: EventPhotoAdd, actor: User
) -> EventPhoto:
    """Add a photo (JPEG or PNG) to a held event, with its caption (at most 200 characters, the command)."""
    if not policies.can_manage_event(actor, event):
        raise PermissionDenied
    event = _locked(event)
    if event.status != EventStatus.HELD:
        raise ValidationError({"image": _("活动举办并提交总结后才能上传照片")})
    content_type = clean_upload(image, field="image", allowed=PHOTO_TYPES)
    caption = cmd.caption
    photo = EventPhoto(event=event, content_type=content_type, caption=caption, uploaded_by=_user(actor))
    photo.image.save(stored_name(content_type), image, save=False)
    photo.save()
    audit.record(
        actor=actor, action="event.photo", target=event, new={"photo": photo.image.name, "caption": caption}
    )
    return photo


# ---------------------------------------------------------------- registrations


def _registration_window_error(event: Event) -> ValidationError | None:
    if event.status == EventStatus.CANCELLED:
        return ValidationError({"event": _("活动已取消，不能报名")})
    if event.status == EventStatus.HELD:
        return ValidationError({"event": _("活动已结束，不能报名")})
    if event.status != EventStatus.PUBLISHED:
        return ValidationError({"event": _("活动尚未发布，不能报名")})
    state = event.registration_window_state()
    if state == "not_yet":
        local = timezone.localtime(event.registration_opens_at)
        return ValidationError(
            {"event": _("报名尚未开始，开始时间：%(when)s") % {"when": f"{local:%Y-%m-%d %H:%M}"}}
        )
    if state == "closed":
        return ValidationError({"event": _("报名已截止")})
    return None


def mobile_taken(event: Event, mobile: str) -> bool:
    """Whether ``mobile`` (as typed) already holds a place at ``event`` (a failed form says so with its
    other errors)."""
    try:
        mobile = clean_mobile(mobile, "mobile")
    except ValidationError:
        return False
    return event.registrations.filter(mobile=mobile).exclude(status=RegistrationStatus.CANCELLED).exists()


@transaction.atomic
def registration_create(*, event: Event, cmd: RegistrationCreate, actor: Visitor) -> Registration:
    """Register one person. Locks the event row so that the seats counted and the seat given are
    the same under concurrent requests: the seat after the last goes to the waitlist."""
    if not policies.can_register(actor, event):
        raise PermissionDenied
    event = _locked(event)
    error = _registration_window_error(event)
    if error is not None:
        raise error
    errors: dict[str, list[str]] = {}
    organization = _organization(cmd.organization, "organization", errors)
    if errors:
        raise ValidationError(errors)
    manager = policies.can_manage_event(actor, event)
    contact_ids = actor.contact_organization_ids if isinstance(actor, User) else set()
    if organization is None and not cmd.organization_name and len(contact_ids) == 1:
        # A contact registers their own people unless they name another organization.
        organization = Organization.objects.get(pk=next(iter(contact_ids)))
    members_only = not manager and contact_ids and event.audience == Audience.MEMBERS
    if members_only and (organization is None or organization.pk not in contact_ids):
        raise ValidationError({"organization": _("请选择您所联络的成员单位")})
    if organization is None and not cmd.organization_name and event.audience != Audience.PUBLIC:
        raise ValidationError({"organization": _("请选择所在单位")})
    if event.registrations.filter(mobile=cmd.mobile).exclude(status=RegistrationStatus.CANCELLED).exists():
        raise ValidationError({"mobile": _("该手机号已报名本活动")})
    seated = event.registrations.filter(status__in=SEATED).count()
    full = event.capacity is not None and seated >= event.capacity
    registration = Registration(
        event=event,
        name=cmd.name,
        mobile=cmd.mobile,
        email=cmd.email,
        role=cmd.role,
        organization=organization,
        organization_name="" if organization else cmd.organization_name,
        status=RegistrationStatus.WAITLISTED if full else RegistrationStatus.REGISTERED,
        registered_by=_user(actor),
    )
    try:
        with transaction.atomic():
            registration.save()
    except IntegrityError as exc:
        raise ValidationError({"mobile": _("该手机号已报名本活动")}) from exc
    audit.record(
        actor=actor,
        action="registration.create",
        target=registration,
        new={"event": event.pk, "name": registration.name, "status": registration.status},
    )
    return registration


def _promote_waitlisted(event: Event, actor: Visitor) -> list[Registration]:
    """Give free seats to the waitlist in order. Called while holding the event's row lock."""
    if event.status != EventStatus.PUBLISHED:
        return []
    waiting = event.registrations.filter(status=RegistrationStatus.WAITLISTED).order_by("id")
    if event.capacity is None:
        free = None
    else:
        free = event.capacity - event.registrations.filter(status__in=SEATED).count()
        if free <= 0:
            return []
    promoted = list(waiting[:free] if free is not None else waiting)
    now = timezone.now()
    for registration in promoted:
        registration.status = machines.REGISTRATION.target(registration.status, "promote")
        registration.promoted_at = now
        registration.save(update_fields=["status", "promoted_at"])
        audit.record(
            actor=actor,
            action="registration.promote",
            target=registration,
            old={"status": RegistrationStatus.WAITLISTED},
            new={"status": registration.status},
        )
        pk = registration.pk
        transaction.on_commit(lambda pk=pk: tasks.registration_promoted_notify.enqueue(pk))  # type: ignore[misc]
    return promoted


@transaction.atomic
def registration_cancel(
    *, registration: Registration, actor: Visitor, token: str | None = None
) -> Registration:
    """Cancel a place (by a manager, the person who registered, the organization's contact, or the
    holder of the ticket link). A freed seat goes to the first waitlisted person, who is notified."""
    allowed = policies.can_cancel_registration(actor, registration) or (
        token is not None and token == registration.token
    )
    if not allowed:
        raise PermissionDenied
    event = _locked(registration.event)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    new_status = machines.REGISTRATION.target(registration.status, "cancel")
    if event.status in (EventStatus.HELD, EventStatus.CANCELLED):
        raise ValidationError({"event": _("活动已结束或已取消，报名不能再变更")})
    old = registration.status
    registration.status = new_status
    registration.cancelled_at = timezone.now()
    registration.save(update_fields=["status", "cancelled_at"])
    audit.record(
        actor=actor,
        action="registration.cancel",
        target=registration,
        old={"status": old},
        new={"status": "cancelled"},
    )
    _promote_waitlisted(event, actor)
    return registration


class CheckInResult:
    """What the check-in desk shows: the registration and whether it was already checked in."""

    def __init__(self, registration: Registration, already: bool) -> None:
        self.registration = registration
        self.already = already


@transaction.atomic
def registration_check_in(*, event: Event, cmd: RegistrationCheckIn, actor: User) -> CheckInResult:
    """Check in the holder of ``cmd.code`` at ``event``. A second check-in of the same code is reported
    (not an error); a code of another event, a waitlisted or cancelled place is refused."""
    if not policies.can_check_in(actor, event):
        raise PermissionDenied
    event = _locked(event)
    if event.status != EventStatus.PUBLISHED:
        raise ValidationError(
            {"code": _("活动状态为“%(status)s”，不能签到") % {"status": event.get_status_display()}}
        )
    normalized = normalize_code(cmd.code)
    if not normalized:
        raise ValidationError({"code": _("请输入或扫描签到码")})
    registration = Registration.objects.select_for_update().filter(code=normalized).first()
    if registration is None:
        raise ValidationError({"code": _("签到码“%(code)s”无效，请核对后重新输入") % {"code": normalized}})
    if registration.event_id != event.pk:
        raise ValidationError({"code": _("该签到码不属于本活动，请核对活动")})
    if registration.status == RegistrationStatus.ATTENDED:
        return CheckInResult(registration, already=True)
    if registration.status == RegistrationStatus.WAITLISTED:
        raise ValidationError(
            {"code": _("%(name)s 仍在候补名单中，尚未获得名额") % {"name": registration.name}}
        )
    if registration.status == RegistrationStatus.CANCELLED:
        raise ValidationError({"code": _("%(name)s 的报名已取消") % {"name": registration.name}})
    registration.status = machines.REGISTRATION.target(registration.status, "check_in")
    registration.checked_in_at = timezone.now()
    registration.checked_in_by = _user(actor)
    registration.save(update_fields=["status", "checked_in_at", "checked_in_by"])
    audit.record(
        actor=actor,
        action="registration.check_in",
        target=registration,
        old={"status": RegistrationStatus.REGISTERED},
        new={"status": registration.status},
    )
    return CheckInResult(registration, already=False)


# ---------------------------------------------------------------- personal feed and yearly settings


@transaction.atomic
def calendar_feed_token(*, actor: User, reset: bool = False) -> CalendarFeedToken:
    """The user's personal iCal feed secret (created on first use; ``reset`` issues a new URL)."""
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied
    feed, created = CalendarFeedToken.objects.select_for_update().get_or_create(user=actor)
    if reset and not created:
        feed.token = new_ticket_token()
        feed.save(update_fields=["token"])
        audit.record(actor=actor, action="calendar_feed.reset", target=feed)
    return feed


@transaction.atomic
def activity_settings_update(*, year: int, cmd: ActivitySettingsUpdate, actor: User) -> ActivitySettings:
    """The secretariat sets N and the kinds that count for a year."""
    if not policies.is_secretariat(actor):
        raise PermissionDenied
    row, _created = ActivitySettings.objects.select_for_update().get_or_create(year=year)
    concurrency.check(row, {"version": cmd.version})
    fields = ("themed_quota", "city_kinds", "park_kinds", "reminder_month", "reminder_day")
    before = audit.snapshot(row, fields)
    given = cmd.given()
    if "themed_quota" in given:
        row.themed_quota = given["themed_quota"] or 0
    for name in ("city_kinds", "park_kinds"):
        if given.get(name) is not None:
            setattr(row, name, given[name])
    if "reminder_month" in given or "reminder_day" in given:
        month = given.get("reminder_month") or row.reminder_month
        day = given.get("reminder_day") or row.reminder_day
        try:
            datetime.date(year, month, day)
        except ValueError:
            raise ValidationError({"reminder_month": _("提醒开始日期不是有效日期")}) from None
        row.reminder_month, row.reminder_day = month, day
    row.save()
    old, new = audit.changes(before, audit.snapshot(row, fields))
    if new:
        concurrency.bump(row)
        audit.record(actor=actor, action="activity_settings.update", target=row, old=old, new=new)
    return row

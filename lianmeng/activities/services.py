"""Every write on events, registrations, check-ins and the yearly 1+7+N settings.

Each service checks its policy, runs in one transaction, locks the event row it changes
(``select_for_update``) and writes an audit entry; mails go out after commit as background tasks.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import EmailValidator, URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from lianmeng.core import audit, concurrency
from lianmeng.core.cleaning import add_error, text_value
from lianmeng.core.files import stored_name
from lianmeng.core.validators import clean_mobile, clean_upload
from lianmeng.membership.models import Organization, OrganizationStatus

from . import policies
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

# The one transition table per model: action -> new status, by current status.
EVENT_TRANSITIONS: dict[str, dict[str, str]] = {
    EventStatus.DRAFT: {"publish": EventStatus.PUBLISHED, "cancel": EventStatus.CANCELLED},
    EventStatus.PUBLISHED: {"hold": EventStatus.HELD, "cancel": EventStatus.CANCELLED},
    EventStatus.HELD: {},
    EventStatus.CANCELLED: {},
}
REGISTRATION_TRANSITIONS: dict[str, dict[str, str]] = {
    RegistrationStatus.REGISTERED: {
        "cancel": RegistrationStatus.CANCELLED,
        "check_in": RegistrationStatus.ATTENDED,
    },
    RegistrationStatus.WAITLISTED: {
        "cancel": RegistrationStatus.CANCELLED,
        "promote": RegistrationStatus.REGISTERED,
    },
    RegistrationStatus.ATTENDED: {},
    RegistrationStatus.CANCELLED: {},
}

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


# ---------------------------------------------------------------- validation helpers


def _datetime(value: Any, field: str, label: str, errors: dict[str, list[str]], *, required: bool) -> Any:
    """An aware datetime; naive values are read as Asia/Shanghai (the project's TIME_ZONE)."""
    if value in (None, ""):
        if required:
            add_error(errors, field, _("请填写%(label)s") % {"label": label})
        return None
    if isinstance(value, datetime.datetime):
        parsed: datetime.datetime | None = value
    else:
        try:
            parsed = parse_datetime(str(value).strip().replace(" ", "T", 1))
        except ValueError:
            parsed = None
    if parsed is None:
        add_error(errors, field, _("%(label)s格式不正确，例如 2026-11-27 09:30") % {"label": label})
        return None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def _non_negative_int(
    value: Any, field: str, label: str, errors: dict[str, list[str]], *, allow_none: bool
) -> int | None:
    if value in (None, ""):
        return None if allow_none else 0
    try:
        number = int(value)
    except (TypeError, ValueError):
        add_error(errors, field, _("%(label)s应为整数") % {"label": label})
        return None
    if number < 0:
        add_error(errors, field, _("%(label)s不能为负数") % {"label": label})
        return None
    return number


def _organization(value: Any, field: str, errors: dict[str, list[str]]) -> Organization | None:
    pk = getattr(value, "pk", value)
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        add_error(errors, field, _("请选择单位"))
        return None
    org = Organization.objects.filter(pk=pk, status=OrganizationStatus.ACTIVE).select_related("city").first()
    if org is None:
        add_error(errors, field, _("所选单位不存在或不是正常状态的成员单位"))
    return org


def _organizations(
    values: Iterable[Any] | None, field: str, errors: dict[str, list[str]]
) -> list[Organization]:
    ids: list[int] = []
    for value in values or []:
        try:
            ids.append(int(getattr(value, "pk", value)))
        except (TypeError, ValueError):
            add_error(errors, field, _("单位编号不正确"))
            return []
    found = list(Organization.objects.filter(pk__in=ids, status=OrganizationStatus.ACTIVE))
    if len(found) != len(set(ids)):
        add_error(errors, field, _("所选单位中有不存在或不是正常状态的成员单位"))
    return found


def event_clean(data: dict[str, Any], *, instance: Event | None = None) -> dict[str, Any]:
    """Validate event data (all fields for a new event, the given ones for an update).

    Raises one ValidationError naming every bad field. Returns model values plus the lists
    ``co_organizers`` and ``partners`` when given.
    """
    errors: dict[str, list[str]] = {}
    merged: dict[str, Any] = {}
    if instance is not None:
        merged = {f: getattr(instance, f) for f in EVENT_FIELDS}
    merged.update({k: v for k, v in data.items() if k in EVENT_FIELDS})
    out: dict[str, Any] = {}
    out["title"] = text_value(merged, "title", _("活动名称"), errors, required=True, max_length=200)
    kind = merged.get("kind")
    if kind not in EventKind.values:
        add_error(errors, "kind", _("请选择活动类型"))
    out["kind"] = kind
    audience = merged.get("audience") or Audience.PUBLIC
    if audience not in Audience.values:
        add_error(errors, "audience", _("请选择面向对象"))
    out["audience"] = audience
    out["organizer"] = _organization(merged.get("organizer"), "organizer", errors)
    out["venue"] = text_value(merged, "venue", _("地点"), errors, required=False, max_length=200)
    out["address"] = text_value(merged, "address", _("详细地址"), errors, required=False, max_length=200)
    out["description"] = text_value(
        merged, "description", _("活动简介"), errors, required=False, max_length=10000
    )
    url = str(merged.get("online_url") or "").strip()
    if url:
        if "://" not in url:
            url = "https://" + url
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            add_error(errors, "online_url", _("线上链接格式不正确，例如 https://meeting.example.cn/123"))
    out["online_url"] = url
    if not out["venue"] and not url and "venue" not in errors:
        add_error(errors, "venue", _("请填写活动地点或线上链接"))
    out["starts_at"] = _datetime(merged.get("starts_at"), "starts_at", _("开始时间"), errors, required=True)
    out["ends_at"] = _datetime(merged.get("ends_at"), "ends_at", _("结束时间"), errors, required=True)
    if out["starts_at"] and out["ends_at"] and out["ends_at"] < out["starts_at"]:
        add_error(errors, "ends_at", _("结束时间不能早于开始时间"))
    opens = _datetime(
        merged.get("registration_opens_at"), "registration_opens_at", _("报名开始"), errors, required=False
    )
    closes = _datetime(
        merged.get("registration_closes_at"), "registration_closes_at", _("报名截止"), errors, required=False
    )
    if opens and closes and closes <= opens:
        add_error(errors, "registration_closes_at", _("报名截止时间应晚于报名开始时间"))
    if closes and out["ends_at"] and closes > out["ends_at"]:
        add_error(errors, "registration_closes_at", _("报名截止时间不能晚于活动结束时间"))
    out["registration_opens_at"] = opens
    out["registration_closes_at"] = closes
    capacity = _non_negative_int(merged.get("capacity"), "capacity", _("名额"), errors, allow_none=True)
    if capacity == 0:
        add_error(errors, "capacity", _("名额至少为 1；不限名额请留空"))
    out["capacity"] = capacity
    if "co_organizers" in data:
        out["co_organizers"] = _organizations(data.get("co_organizers"), "co_organizers", errors)
    if "partners" in data:
        out["partners"] = _organizations(data.get("partners"), "partners", errors)
    if errors:
        raise ValidationError(errors)
    return out


def _check_organizer(actor: Any, organizer: Organization, kind: str) -> None:
    if not policies.can_organize_for(actor, organizer, kind):
        if kind == EventKind.PLENARY and not policies.is_secretariat(actor):
            raise ValidationError({"kind": _("理事会全会由秘书处组织")})
        raise ValidationError({"organizer": _("您不能以该单位的名义组织活动")})


# ---------------------------------------------------------------- events


@transaction.atomic
def event_create(*, data: dict[str, Any], actor: Any) -> Event:
    """A new event in draft. The organizer's city becomes the event's city."""
    if not policies.can_create_event(actor):
        raise PermissionDenied
    cleaned = event_clean(data)
    _check_organizer(actor, cleaned["organizer"], cleaned["kind"])
    co_organizers = cleaned.pop("co_organizers", [])
    partners = cleaned.pop("partners", [])
    event = Event(**cleaned, city_id=cleaned["organizer"].city_id, created_by=_user(actor))
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


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _locked(event: Event) -> Event:
    return Event.objects.select_for_update().select_related("organizer", "city").get(pk=event.pk)


@transaction.atomic
def event_update(*, event: Event, data: dict[str, Any], actor: Any) -> Event:
    """Edit a draft or published event. Raising the capacity promotes waitlisted people in order;
    lowering it below the seats already taken is refused."""
    if not policies.can_manage_event(actor, event):
        raise PermissionDenied
    event = _locked(event)
    data = concurrency.check(event, data)
    if event.status not in (EventStatus.DRAFT, EventStatus.PUBLISHED):
        raise ValidationError(
            {"status": _("活动状态为“%(status)s”，不能再修改") % {"status": event.get_status_display()}}
        )
    cleaned = event_clean(data, instance=event)
    if cleaned["organizer"].pk != event.organizer_id or cleaned["kind"] != event.kind:
        _check_organizer(actor, cleaned["organizer"], cleaned["kind"])
    seated = event.registrations.filter(status__in=SEATED).count()
    if cleaned["capacity"] is not None and cleaned["capacity"] < seated:
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


def _transition(event: Event, action: str) -> str:
    allowed = EVENT_TRANSITIONS[event.status]
    if action not in allowed:
        raise ValidationError(
            {"status": _("活动状态为“%(status)s”，不能执行该操作") % {"status": event.get_status_display()}}
        )
    return allowed[action]


@transaction.atomic
def event_publish(*, event: Event, actor: Any) -> Event:
    if not policies.can_manage_event(actor, event):
        raise PermissionDenied
    event = _locked(event)
    new_status = _transition(event, "publish")
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
def event_cancel(*, event: Event, reason: str, actor: Any) -> Event:
    """Cancel with a reason. Registrations stay as they are; registrants are told after commit."""
    if not policies.can_manage_event(actor, event):
        raise PermissionDenied
    event = _locked(event)
    old = event.status
    new_status = _transition(event, "cancel")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写取消原因，报名者会收到这条说明")})
    if len(reason) > 2000:
        raise ValidationError({"reason": _("取消原因不能超过 2000 个字")})
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
        from . import tasks

        event_id = event.pk
        transaction.on_commit(lambda: tasks.event_cancelled_notify.enqueue(event_id))
    return event


def _summary_clean(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    out = {
        "summary": text_value(data, "summary", _("活动总结"), errors, required=True, max_length=20000),
        "outcomes": text_value(data, "outcomes", _("活动成果"), errors, required=False, max_length=20000),
        "attendance": _non_negative_int(
            data.get("attendance"), "attendance", _("实到人数"), errors, allow_none=True
        ),
        "agreements_signed": _non_negative_int(
            data.get("agreements_signed"), "agreements_signed", _("签约协议数"), errors, allow_none=False
        ),
        "projects_started": _non_negative_int(
            data.get("projects_started"), "projects_started", _("启动项目数"), errors, allow_none=False
        ),
    }
    if errors:
        raise ValidationError(errors)
    return out


MAX_EVENT_PROJECTS = 30


def _projects_clean(value: Any, actor: Any, errors: dict[str, list[str]]) -> list[Any]:
    """Projects of the library an event's outcomes link: ids of projects the actor may see."""
    from lianmeng.library.selectors import projects_visible

    if isinstance(value, str):
        value = [v for v in value.replace("，", ",").replace(" ", ",").split(",") if v]
    ids: set[int] = set()
    for item in value or []:
        raw = getattr(item, "pk", item)
        if not str(raw).isdigit():
            errors.setdefault("projects", []).append(_("请选择项目库中的项目"))
            return []
        ids.add(int(raw))
    if len(ids) > MAX_EVENT_PROJECTS:
        errors.setdefault("projects", []).append(_("相关项目最多 %(n)d 个") % {"n": MAX_EVENT_PROJECTS})
        return []
    projects = list(projects_visible(actor).filter(pk__in=ids))
    if len(projects) != len(ids):
        errors.setdefault("projects", []).append(_("请选择项目库中的项目"))
    return projects


def _projects_set(event: Event, projects: list[Any] | None, actor: Any) -> tuple[list[int], list[int]]:
    """Replace the event's projects with ``projects``, keeping those linked before that the actor cannot
    see (a coordinator's form never offers them, so it must not drop them); (old ids, new ids)."""
    from lianmeng.library.selectors import projects_visible

    old = sorted(event.projects.values_list("pk", flat=True))
    if projects is None:
        return old, old
    hidden = list(event.projects.exclude(pk__in=projects_visible(actor).values("pk")))
    event.projects.set([*projects, *hidden])
    return old, sorted({p.pk for p in [*projects, *hidden]})


@transaction.atomic
def event_hold(*, event: Event, data: dict[str, Any], actor: Any) -> Event:
    """Mark a published event as held by filing its summary (only then does it count for 1+7+N).
    Without a reported attendance, the number of people checked in is used."""
    if not policies.can_manage_event(actor, event):
        raise PermissionDenied
    event = _locked(event)
    new_status = _transition(event, "hold")
    if timezone.now() < event.starts_at:
        raise ValidationError({"status": _("活动尚未开始，举办后才能提交活动总结")})
    cleaned = _summary_clean(data)
    project_errors: dict[str, list[str]] = {}
    projects = _projects_clean(data.get("projects"), actor, project_errors) if "projects" in data else None
    if project_errors:
        raise ValidationError(project_errors)
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
def event_summary_update(*, event: Event, data: dict[str, Any], actor: Any) -> Event:
    """Correct the summary, attendance or outcomes of a held event."""
    if not policies.can_manage_event(actor, event):
        raise PermissionDenied
    event = _locked(event)
    data = concurrency.check(event, data)
    if event.status != EventStatus.HELD:
        raise ValidationError({"status": _("只有已举办的活动可以修改活动总结")})
    cleaned = _summary_clean({**{f: getattr(event, f) for f in SUMMARY_FIELDS}, **data})
    project_errors: dict[str, list[str]] = {}
    projects = _projects_clean(data.get("projects"), actor, project_errors) if "projects" in data else None
    if project_errors:
        raise ValidationError(project_errors)
    before = audit.snapshot(event, SUMMARY_FIELDS)
    for key, value in cleaned.items():
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
def event_photo_validate(*, event: Event, image: UploadedFile | None, caption: str = "", actor: Any) -> None:
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
    if len((caption or "").strip()) > 200:
        errors["caption"] = [_("照片说明不能超过 200 个字")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def event_photo_add(*, event: Event, image: UploadedFile, caption: str = "", actor: Any) -> EventPhoto:
    if not policies.can_manage_event(actor, event):
        raise PermissionDenied
    event = _locked(event)
    if event.status != EventStatus.HELD:
        raise ValidationError({"image": _("活动举办并提交总结后才能上传照片")})
    content_type = clean_upload(image, field="image", allowed=PHOTO_TYPES)
    caption = (caption or "").strip()
    if len(caption) > 200:
        raise ValidationError({"caption": _("照片说明不能超过 200 个字")})
    photo = EventPhoto(event=event, content_type=content_type, caption=caption, uploaded_by=_user(actor))
    photo.image.save(stored_name(content_type), image, save=False)
    photo.save()
    audit.record(
        actor=actor, action="event.photo", target=event, new={"photo": photo.image.name, "caption": caption}
    )
    return photo


# ---------------------------------------------------------------- registrations


def registration_clean(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {
        "name": text_value(data, "name", _("姓名"), errors, required=True, max_length=60),
        "role": text_value(data, "role", _("职务"), errors, required=False, max_length=60),
        "organization_name": text_value(
            data, "organization_name", _("单位名称"), errors, required=False, max_length=120
        ),
    }
    try:
        out["mobile"] = clean_mobile(str(data.get("mobile") or ""), "mobile")
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, []).extend(messages)
    email = str(data.get("email") or "").strip()
    if email:
        try:
            EmailValidator()(email)
        except ValidationError:
            add_error(errors, "email", _("电子邮箱格式不正确"))
    out["email"] = email.lower()
    out["organization"] = None
    if data.get("organization") not in (None, ""):
        out["organization"] = _organization(data.get("organization"), "organization", errors)
    if errors:
        raise ValidationError(errors)
    return out


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


def _mobile_taken(event: Event, mobile: str) -> bool:
    try:
        mobile = clean_mobile(mobile, "mobile")
    except ValidationError:
        return False
    return event.registrations.filter(mobile=mobile).exclude(status=RegistrationStatus.CANCELLED).exists()


@transaction.atomic
def registration_create(*, event: Event, data: dict[str, Any], actor: Any) -> Registration:
    """Register one person. Locks the event row so that the seats counted and the seat given are
    the same under concurrent requests: the seat after the last goes to the waitlist."""
    if not policies.can_register(actor, event):
        raise PermissionDenied
    event = _locked(event)
    error = _registration_window_error(event)
    if error is not None:
        raise error
    try:
        cleaned = registration_clean(data)
    except ValidationError as exc:
        # One submit says everything: a mobile already registered is reported with the other fields.
        errors = exc.message_dict
        if "mobile" not in errors and _mobile_taken(event, str(data.get("mobile") or "")):
            errors["mobile"] = [_("该手机号已报名本活动")]
        raise ValidationError(errors) from exc
    manager = policies.can_manage_event(actor, event)
    organization = cleaned["organization"]
    contact_ids = actor.contact_organization_ids if getattr(actor, "is_authenticated", False) else set()
    if organization is None and not cleaned["organization_name"] and len(contact_ids) == 1:
        # A contact registers their own people unless they name another organization.
        organization = Organization.objects.get(pk=next(iter(contact_ids)))
    members_only = not manager and contact_ids and event.audience == Audience.MEMBERS
    if members_only and (organization is None or organization.pk not in contact_ids):
        raise ValidationError({"organization": _("请选择您所联络的成员单位")})
    if organization is None and not cleaned["organization_name"] and event.audience != Audience.PUBLIC:
        raise ValidationError({"organization": _("请选择所在单位")})
    if (
        event.registrations.filter(mobile=cleaned["mobile"])
        .exclude(status=RegistrationStatus.CANCELLED)
        .exists()
    ):
        raise ValidationError({"mobile": _("该手机号已报名本活动")})
    seated = event.registrations.filter(status__in=SEATED).count()
    full = event.capacity is not None and seated >= event.capacity
    registration = Registration(
        event=event,
        name=cleaned["name"],
        mobile=cleaned["mobile"],
        email=cleaned["email"],
        role=cleaned["role"],
        organization=organization,
        organization_name="" if organization else cleaned["organization_name"],
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


def _promote_waitlisted(event: Event, actor: Any) -> list[Registration]:
    """Give free seats to the waitlist in order. Called while holding the event's row lock."""
    from . import tasks

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
        registration.status = REGISTRATION_TRANSITIONS[RegistrationStatus.WAITLISTED]["promote"]
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
def registration_cancel(*, registration: Registration, actor: Any, token: str | None = None) -> Registration:
    """Cancel a place (by a manager, the person who registered, the organization's contact, or the
    holder of the ticket link). A freed seat goes to the first waitlisted person, who is notified."""
    allowed = policies.can_cancel_registration(actor, registration) or (
        token is not None and token == registration.token
    )
    if not allowed:
        raise PermissionDenied
    event = _locked(registration.event)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if "cancel" not in REGISTRATION_TRANSITIONS[registration.status]:
        raise ValidationError(
            {"status": _("报名状态为“%(status)s”，不能取消") % {"status": registration.get_status_display()}}
        )
    if event.status in (EventStatus.HELD, EventStatus.CANCELLED):
        raise ValidationError({"event": _("活动已结束或已取消，报名不能再变更")})
    old = registration.status
    registration.status = REGISTRATION_TRANSITIONS[old]["cancel"]
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
def registration_check_in(*, event: Event, code: str, actor: Any) -> CheckInResult:
    """Check in the holder of ``code`` at ``event``. A second check-in of the same code is reported
    (not an error); a code of another event, a waitlisted or cancelled place is refused."""
    if not policies.can_check_in(actor, event):
        raise PermissionDenied
    event = _locked(event)
    if event.status != EventStatus.PUBLISHED:
        raise ValidationError(
            {"code": _("活动状态为“%(status)s”，不能签到") % {"status": event.get_status_display()}}
        )
    normalized = normalize_code(code)
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
    registration.status = REGISTRATION_TRANSITIONS[registration.status]["check_in"]
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
def calendar_feed_token(*, actor: Any, reset: bool = False) -> CalendarFeedToken:
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
def activity_settings_update(*, year: int, data: dict[str, Any], actor: Any) -> ActivitySettings:
    """The secretariat sets N and the kinds that count for a year."""
    if not policies.is_secretariat(actor):
        raise PermissionDenied
    row, _created = ActivitySettings.objects.select_for_update().get_or_create(year=year)
    data = concurrency.check(row, data)
    before = audit.snapshot(
        row, ("themed_quota", "city_kinds", "park_kinds", "reminder_month", "reminder_day")
    )
    errors: dict[str, list[str]] = {}
    if "themed_quota" in data:
        quota = _non_negative_int(
            data["themed_quota"], "themed_quota", _("主题活动场次"), errors, allow_none=False
        )
        if quota is not None:
            row.themed_quota = quota
    for field, label in (("city_kinds", _("计入“7”的活动类型")), ("park_kinds", _("计入“N”的活动类型"))):
        if field in data:
            kinds = [str(k) for k in data[field] or []]
            if not kinds or any(k not in EventKind.values for k in kinds):
                add_error(errors, field, _("请至少选择一种有效的%(label)s") % {"label": label})
            else:
                setattr(row, field, kinds)
    if "reminder_month" in data or "reminder_day" in data:
        month = _non_negative_int(
            data.get("reminder_month", row.reminder_month),
            "reminder_month",
            _("提醒开始月份"),
            errors,
            allow_none=False,
        )
        day = _non_negative_int(
            data.get("reminder_day", row.reminder_day),
            "reminder_day",
            _("提醒开始日"),
            errors,
            allow_none=False,
        )
        try:
            datetime.date(year, month or 0, day or 0)
        except ValueError:
            add_error(errors, "reminder_month", _("提醒开始日期不是有效日期"))
        else:
            row.reminder_month, row.reminder_day = month or 10, day or 1
    if errors:
        raise ValidationError(errors)
    row.save()
    after = audit.snapshot(
        row, ("themed_quota", "city_kinds", "park_kinds", "reminder_month", "reminder_day")
    )
    old, new = audit.changes(before, after)
    if new:
        concurrency.bump(row)
        audit.record(actor=actor, action="activity_settings.update", target=row, old=old, new=new)
    return row

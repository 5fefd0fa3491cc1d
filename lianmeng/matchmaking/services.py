"""Every write on resources, matchmaking requests, meetings and outcomes."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lianmeng.accounts.models import User
from lianmeng.core import audit, concurrency
from lianmeng.core.actors import SYSTEM, Actor
from lianmeng.core.models import City
from lianmeng.core.search import search_text
from lianmeng.membership.models import Organization, OrganizationStatus

from . import integrations, machines, mail, policies
from .commands import (
    MatchRequestAnswer,
    MatchRequestCreate,
    MeetingRecord,
    OutcomeRecord,
    ResourceCreate,
    ResourceUpdate,
    SlotBook,
    no_deal_error,
)
from .matching import index_markers, suggestions_for
from .models import (
    ACTIVE_REQUEST_STATUSES,
    SUCCESS_OUTCOMES,
    MatchmakingSettings,
    MatchRequest,
    Meeting,
    Outcome,
    RequestStatus,
    Resource,
    ResourceStatus,
    SessionSlot,
    SlotSeat,
    as_list,
)

STATUS_ACTIONS = ("match", "close", "reopen")  # what people do on a post's page
RESOURCE_FIELDS = (
    "direction",
    "category",
    "title",
    "description",
    "tags",
    "strategy_tags",
    "valid_from",
    "valid_until",
    "contact_name",
    "contact_phone",
    "contact_email",
)


def resource_index(resource: Resource) -> None:
    """Refresh ``search_text``: title, description, tags, strategy tags, category and organization, then
    the direction and category markers that let the full-text index narrow match candidates."""
    resource.search_text = " ".join(
        [
            search_text(
                resource.title,
                resource.description,
                " ".join(as_list(resource.tags)),
                " ".join(as_list(resource.strategy_tags)),
                str(resource.get_category_display()),
                resource.organization.name if resource.organization_id else "",
            ),
            *index_markers(resource.direction, resource.category),
        ]
    ).strip()


def _clean_cities(codes: list[str], errors: dict[str, list[str]]) -> list[City]:
    cities = list(City.objects.filter(pk__in=codes, is_member=True))
    if len(cities) != len(set(codes)):
        errors.setdefault("cities", []).append(_("服务城市须是联盟成员城市"))
    return cities


def _resource_rules(
    cmd: ResourceCreate | ResourceUpdate,
    *,
    instance: Resource | None = None,
    today: datetime.date | None = None,
) -> tuple[dict[str, Any], list[City] | None]:
    """The post's fields given, with the rules that need the database: the strategy tags of the
    settings, the validity window (default and longest from the settings), member cities."""
    config = MatchmakingSettings.current()
    today = today or timezone.localdate()
    given = cmd.given() if isinstance(cmd, ResourceUpdate) else set(RESOURCE_FIELDS) | {"cities"}
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {name: getattr(cmd, name) for name in given if name in RESOURCE_FIELDS}
    for name in ("direction", "category", "title", "description", "contact_name"):
        if name in out and out[name] is None:  # (null for a field that cannot be emptied)
            errors.setdefault(name, []).append(_("请填写%(label)s") % {"label": cmd.label_of(name)})
    for name in ("tags", "strategy_tags", "contact_phone", "contact_email"):
        if name in out and out[name] is None:
            out[name] = [] if name.endswith("tags") else ""
    if out.get("strategy_tags") and any(s not in config.strategy_tags for s in out["strategy_tags"]):
        errors.setdefault("strategy_tags", []).append(
            _("国家战略标签只能从以下选择：%(tags)s") % {"tags": "、".join(config.strategy_tags)}
        )
    if "valid_from" in out:
        out["valid_from"] = out["valid_from"] or (instance.valid_from if instance else today)
    start = out.get("valid_from") or (instance.valid_from if instance else today)
    if "valid_until" in out:
        until = out["valid_until"] or start + datetime.timedelta(days=config.default_validity_days)
        if until < today:
            errors.setdefault("valid_until", []).append(_("有效期至不能早于今天"))
        elif until < start:
            errors.setdefault("valid_until", []).append(_("有效期至不能早于开始日期"))
        elif (until - start).days > config.max_validity_days:
            errors.setdefault("valid_until", []).append(
                _("有效期最长 %(n)d 天，到期后可续期") % {"n": config.max_validity_days}
            )
        out["valid_until"] = until
    cities = None
    if "cities" in given:
        if cmd.cities is None:
            errors.setdefault("cities", []).append(_("请至少选择一个服务城市"))
        else:
            cities = _clean_cities(cmd.cities, errors)
    if errors:
        raise ValidationError(errors)
    return out, cities


def _organization_for(actor: User, organization: Organization | int | None) -> Organization:
    if not policies.can_post_resource(actor):
        raise PermissionDenied
    org_id: Any = getattr(organization, "pk", organization)
    if org_id is None:
        orgs = sorted(policies.contact_org_ids(actor))
        if len(orgs) != 1:
            raise ValidationError({"organization": _("请选择发布单位")})
        org_id = orgs[0]
    try:
        org_id = int(org_id)
    except (TypeError, ValueError) as exc:
        raise ValidationError({"organization": _("请选择发布单位")}) from exc
    if not policies.can_post_resource(actor, org_id):
        raise PermissionDenied
    org = Organization.objects.filter(pk=org_id).first()
    if org is None:
        raise ValidationError({"organization": _("发布单位不存在")})
    if org.status != OrganizationStatus.ACTIVE:
        raise ValidationError({"organization": _("单位成员资格已暂停或已退出，不能发布资源")})
    return org


@transaction.atomic
def resource_create(*, cmd: ResourceCreate, actor: User) -> Resource:
    """A member publishes a supply or demand post for its organization (the secretariat for any member)."""
    if not policies.signed_in(actor):
        raise PermissionDenied
    org = _organization_for(actor, cmd.organization)
    cleaned, cities = _resource_rules(cmd)
    resource = Resource(organization=org, created_by=actor, status=ResourceStatus.OPEN, **cleaned)
    resource_index(resource)
    resource.save()
    resource.cities.set(cities or [])
    audit.record(
        actor=actor,
        action="resource.create",
        target=resource,
        new={**cleaned, "cities": [c.pk for c in cities or []], "organization": org.pk},
    )
    return resource


@transaction.atomic
def resource_update(*, resource: Resource, cmd: ResourceUpdate, actor: User) -> Resource:
    """Edit a post (its own organization or the secretariat). Moving ``valid_until`` forward renews an
    expired post. Closed posts are kept as they were."""
    if not policies.can_edit_resource(actor, resource):
        raise PermissionDenied
    resource = Resource.objects.select_for_update().select_related("organization").get(pk=resource.pk)
    concurrency.check(resource, {"version": cmd.version})
    if resource.status == ResourceStatus.CLOSED:
        raise ValidationError({"status": _("资源已关闭，不能再修改")})
    cleaned, cities = _resource_rules(cmd, instance=resource)
    fields = list(cleaned)
    before = audit.snapshot(resource, fields)
    old_cities = sorted(resource.cities.values_list("pk", flat=True))
    for key, value in cleaned.items():
        setattr(resource, key, value)
    renewed = resource.status == ResourceStatus.EXPIRED and resource.valid_until >= timezone.localdate()
    if renewed:
        resource.status = machines.RESOURCE.check(resource.status, "renew", actor=actor, obj=resource)
        resource.status_reason = ""
    resource_index(resource)
    resource.save()
    old, new = audit.changes(before, audit.snapshot(resource, fields))
    if cities is not None:
        resource.cities.set(cities)
        new_cities = sorted(c.pk for c in cities)
        if new_cities != old_cities:
            old["cities"], new["cities"] = old_cities, new_cities
    if renewed:
        old["status"], new["status"] = ResourceStatus.EXPIRED, ResourceStatus.OPEN
    if new:
        concurrency.bump(resource)
        audit.record(actor=actor, action="resource.update", target=resource, old=old, new=new)
    return resource


@transaction.atomic
def resource_change_status(*, resource: Resource, action: str, actor: User, reason: str = "") -> Resource:
    """Mark a post matched, close it, or reopen a matched one (its organization or the secretariat)."""
    if action not in STATUS_ACTIONS:
        raise ValidationError({"action": _("未知的操作")})
    if not policies.can_edit_resource(actor, resource):
        raise PermissionDenied
    resource = Resource.objects.select_for_update().get(pk=resource.pk)
    to_status = machines.RESOURCE.check(resource.status, action, actor=actor, obj=resource)
    if action == "reopen" and resource.valid_until < timezone.localdate():
        raise ValidationError({"valid_until": _("资源已过有效期，请先修改有效期")})
    old = resource.status
    resource.status = to_status
    resource.status_reason = (reason or "").strip()[:200]
    resource.save(update_fields=["status", "status_reason", "updated_at"])
    audit.record(
        actor=actor,
        action=f"resource.{action}",
        target=resource,
        old={"status": old},
        new={"status": to_status, "reason": resource.status_reason},
    )
    return resource


def resources_expire_due(*, today: datetime.date | None = None) -> int:
    """Expire open posts whose validity has ended (the daily background task). Returns how many."""
    today = today or timezone.localdate()
    count = 0
    due = Resource.objects.filter(status=ResourceStatus.OPEN, valid_until__lt=today).values_list(
        "pk", flat=True
    )
    for pk in list(due[:5000]):
        with transaction.atomic():
            resource = Resource.objects.select_for_update().filter(pk=pk).first()
            if resource is None or resource.valid_until >= today:
                continue
            if not machines.RESOURCE.can(resource.status, "expire", actor=SYSTEM, obj=resource):
                continue
            resource.status = machines.RESOURCE.check(resource.status, "expire", actor=SYSTEM, obj=resource)
            resource.status_reason = _("有效期已于 %(d)s 结束") % {"d": resource.valid_until.isoformat()}
            resource.save(update_fields=["status", "status_reason", "updated_at"])
            audit.record(
                actor=SYSTEM,
                action="resource.expire",
                target=resource,
                old={"status": ResourceStatus.OPEN},
                new={"status": resource.status, "valid_until": resource.valid_until},
            )
            count += 1
    return count


# --- Matchmaking requests -------------------------------------------------------------------------


def _check_request_action(request: MatchRequest, action: str, actor: Actor) -> str:
    return machines.REQUEST.check(request.status, action, actor=actor, obj=request)


def _post(pk: int | None, field: str) -> Resource | None:
    if pk is None:
        return None
    resource = Resource.objects.select_related("organization").filter(pk=pk).first()
    if resource is None:
        raise ValidationError({field: _("资源不存在")})
    return resource


@transaction.atomic
def match_request_create(*, cmd: MatchRequestCreate, actor: User, score: int | None = None) -> MatchRequest:
    """A member asks the owner of ``cmd.resource`` to talk (``score``: the suggestion's, when it came
    from one). Locks the post, so that the same organization cannot send the same request twice even
    under concurrent clicks."""
    resource = _post(cmd.resource, "resource")
    if resource is None or not policies.can_request(actor, resource):
        raise PermissionDenied
    from_resource = _post(cmd.from_resource, "from_resource")
    resource = Resource.objects.select_for_update().select_related("organization").get(pk=resource.pk)
    organization: int | None = cmd.organization
    if from_resource is not None:
        organization = from_resource.organization_id
    if organization is None:
        candidates = sorted(policies.contact_org_ids(actor) - {resource.organization_id})
        organization = candidates[0] if candidates else None
    org_id = organization
    if org_id not in policies.contact_org_ids(actor):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    if org_id == resource.organization_id:
        errors.setdefault("resource", []).append(_("不能对本单位发布的资源发起对接"))
    elif not resource.is_open_for_requests():
        expired = resource.status == ResourceStatus.EXPIRED or (
            resource.status == ResourceStatus.OPEN and resource.valid_until < timezone.localdate()
        )
        errors.setdefault("resource", []).append(
            _("该资源已过期，不能再发起对接") if expired else _("该资源已关闭或已完成对接，不能再发起对接")
        )
    elif MatchRequest.objects.filter(
        resource=resource, requester_organization_id=org_id, status__in=ACTIVE_REQUEST_STATUSES
    ).exists():
        errors.setdefault("resource", []).append(_("贵单位已就该资源发起过对接请求，请勿重复发送"))
    message = cmd.message  # cleaned, at most 1000 characters (the command)
    if not message:
        errors.setdefault("message", []).append(_("请填写对接留言，说明合作意向"))
    if from_resource is not None and from_resource.direction == resource.direction:
        errors.setdefault("from_resource", []).append(_("我方资源应与对方资源供需方向相反"))
    org = Organization.objects.filter(pk=org_id, status=OrganizationStatus.ACTIVE).first()
    if org is None:
        errors.setdefault("organization", []).append(_("单位成员资格已暂停或已退出，不能发起对接"))
    if errors or org is None:
        raise ValidationError(errors)
    request = MatchRequest.objects.create(
        resource=resource,
        from_resource=from_resource,
        requester_organization=org,
        requester=actor,
        message=message,
        score=score,
        status=RequestStatus.PENDING,
        last_activity_at=timezone.now(),
    )
    audit.record(
        actor=actor,
        action="match_request.create",
        target=request,
        new={"resource": resource.pk, "organization": org_id, "message": message, "score": score},
    )
    pk = request.pk
    mail.request_received(pk, actor=actor)
    return request


@transaction.atomic
def match_request_answer(*, request: MatchRequest, cmd: MatchRequestAnswer, actor: User) -> MatchRequest:
    """The post's organization accepts or declines; the requester may withdraw a pending request."""
    action = cmd.action
    allowed = policies.can_withdraw_request if action == "withdraw" else policies.can_answer_request
    if not allowed(actor, request):
        raise PermissionDenied
    request = MatchRequest.objects.select_for_update().select_related("resource").get(pk=request.pk)
    to_status = _check_request_action(request, action, actor)
    message = cmd.message  # cleaned, at most 1000 characters (the command)
    if action == "decline" and not message:
        raise ValidationError({"message": _("婉拒时请简要说明原因，便于对方了解")})
    old = request.status
    request.status = to_status
    now = timezone.now()
    if action != "withdraw":
        request.response_message = message
        request.responder = actor
        request.responded_at = now
    request.last_activity_at = now
    request.save()
    audit.record(
        actor=actor,
        action=f"match_request.{action}",
        target=request,
        old={"status": old},
        new={"status": to_status, "message": message},
    )
    pk = request.pk
    mail.request_answered(pk, actor=actor)
    return request


@transaction.atomic
def meeting_record(*, request: MatchRequest, cmd: MeetingRecord, actor: User) -> Meeting:
    """Record a meeting of an accepted request: online, on site or at a matchmaking session."""
    if not policies.can_follow_up_request(actor, request):
        raise PermissionDenied
    request = MatchRequest.objects.select_for_update().get(pk=request.pk)
    _check_request_action(request, "meeting", actor)
    errors: dict[str, list[str]] = {}
    held_at = cmd.held_at
    if held_at > timezone.now() + datetime.timedelta(days=366):
        errors["held_at"] = [_("洽谈时间不能晚于一年以后")]
    event_id = cmd.event if cmd.mode == Meeting.Mode.SESSION else None
    if event_id is not None and not integrations.matchmaking_session_exists(event_id):
        errors["event"] = [_("所选活动不是已发布的对接会")]
    if errors:
        raise ValidationError(errors)
    mode, place, notes = cmd.mode, cmd.place, cmd.notes
    meeting = Meeting.objects.create(
        request=request,
        mode=mode,
        held_at=held_at,
        place=place,
        notes=notes,
        event_id=event_id,
        recorded_by=actor,
    )
    request.last_activity_at = timezone.now()
    request.save(update_fields=["last_activity_at", "updated_at"])
    audit.record(
        actor=actor,
        action="match_request.meeting",
        target=request,
        new={"mode": mode, "held_at": held_at, "place": place, "event": meeting.event_id},
    )
    return meeting


@transaction.atomic
def match_request_conclude(*, request: MatchRequest, cmd: OutcomeRecord, actor: User) -> MatchRequest:
    """Record the outcome of an accepted request. "Project created" creates the project in the project
    library (through its own service) and links it back; a successful outcome marks both posts matched."""
    if not policies.can_follow_up_request(actor, request):
        raise PermissionDenied
    request = (
        MatchRequest.objects.select_for_update()
        .select_related("resource", "resource__organization", "requester_organization")
        .get(pk=request.pk)
    )
    to_status = _check_request_action(request, "conclude", actor)
    outcome, decimal_amount, placed, note = cmd.outcome, cmd.amount, cmd.count, cmd.note
    project_name = cmd.project_name or request.resource.title
    if outcome == Outcome.PROJECT_CREATED and not integrations.available():
        raise ValidationError({"outcome": _("项目库尚未启用，暂不能登记“形成共建项目”")})
    if outcome == Outcome.NO_DEAL and not note:
        raise ValidationError({"note": no_deal_error()})
    now = timezone.now()
    request.status = to_status
    request.outcome = outcome
    request.outcome_amount = decimal_amount
    request.outcome_count = placed if outcome == Outcome.TALENT_PLACED else None
    request.outcome_note = note
    request.outcome_at = now
    request.outcome_by = actor
    request.last_activity_at = now
    if outcome == Outcome.PROJECT_CREATED:
        request.project_id = integrations.project_create_for_request(
            request=request, name=project_name, actor=actor
        )
    request.save()
    if outcome in SUCCESS_OUTCOMES:
        for post in Resource.objects.select_for_update().filter(
            pk__in=[request.resource_id, request.from_resource_id], status=ResourceStatus.OPEN
        ):
            post.status = machines.RESOURCE.target(post.status, "match")  # either side's post follows
            post.status_reason = _("已通过对接请求达成合作")
            post.save(update_fields=["status", "status_reason", "updated_at"])
            audit.record(
                actor=actor,
                action="resource.match",
                target=post,
                old={"status": ResourceStatus.OPEN},
                new={"status": ResourceStatus.MATCHED, "request": request.pk},
            )
    audit.record(
        actor=actor,
        action="match_request.conclude",
        target=request,
        old={"status": RequestStatus.ACCEPTED},
        new={
            "status": to_status,
            "outcome": outcome,
            "amount": decimal_amount,
            "count": request.outcome_count,
            "project": request.project_id,
            "note": note,
        },
    )
    return request


def requests_remind_stalled(*, now: datetime.datetime | None = None) -> int:
    """Remind the side that owes the next step of a request idle for ``stall_days`` (the daily task).

    Pending: the post's organization should answer. Accepted: both sides should record a meeting or
    the outcome. Each request is reminded at most once per ``stall_days``.
    """
    now = now or timezone.now()
    config = MatchmakingSettings.current()
    cutoff = now - datetime.timedelta(days=config.stall_days)
    stalled = MatchRequest.objects.filter(
        status__in=ACTIVE_REQUEST_STATUSES, last_activity_at__lt=cutoff
    ).exclude(reminded_at__gte=cutoff)
    count = 0
    for pk in list(stalled.values_list("pk", flat=True)[:5000]):
        with transaction.atomic():
            request = MatchRequest.objects.select_for_update().get(pk=pk)
            if not policies.can_remind_request(SYSTEM, request):
                raise PermissionDenied
            if request.status not in ACTIVE_REQUEST_STATUSES or (
                request.reminded_at is not None and request.reminded_at >= cutoff
            ):
                continue
            request.reminded_at = now
            request.save(update_fields=["reminded_at"])
            audit.record(
                actor=SYSTEM, action="match_request.remind", target=request, new={"status": request.status}
            )
            mail.request_stalled(pk)
            count += 1
    return count


def digest_send(*, now: datetime.datetime | None = None) -> int:
    """Mail each organization the new suggestions (posted in the last ``digest_days``) for its open
    posts: the weekly background task. Returns the number of organizations mailed."""
    now = now or timezone.now()
    config = MatchmakingSettings.current()
    since = now - datetime.timedelta(days=config.digest_days)
    sent = 0
    org_ids = (
        Resource.objects.filter(status=ResourceStatus.OPEN, valid_until__gte=timezone.localdate(now))
        .values_list("organization_id", flat=True)
        .distinct()
    )
    for org_id in list(org_ids):
        lines: list[str] = []
        posts = Resource.objects.filter(
            organization_id=org_id, status=ResourceStatus.OPEN, valid_until__gte=timezone.localdate(now)
        ).select_related("organization")[:20]
        for post in posts:
            for s in suggestions_for(post, limit=5, min_score=config.min_score, since=since):
                lines.append(
                    _("· 针对“%(mine)s”：%(title)s（%(org)s，匹配度 %(score)d）%(link)s")
                    % {
                        "mine": post.title,
                        "title": s.resource.title,
                        "org": s.resource.organization.name,
                        "score": s.score,
                        "link": mail._link(s.resource.get_absolute_url()),
                    }
                )
        if mail.digest(org_id, lines):
            sent += 1
    return sent


@transaction.atomic
def slot_book(*, request: MatchRequest, cmd: SlotBook, actor: User) -> SessionSlot:
    """Book a one-to-one slot at a matchmaking session for an accepted request: the requester and the
    person who accepted meet at ``cmd.starts_at`` (on the session's grid of ``slot_minutes``). Nobody is
    booked twice at one time: checked with a clear message, and enforced by a unique constraint should
    two bookings race."""
    if not policies.can_follow_up_request(actor, request):
        raise PermissionDenied
    request = MatchRequest.objects.select_for_update().get(pk=request.pk)
    _check_request_action(request, "book", actor)
    config = MatchmakingSettings.current()
    event = integrations.session_get(cmd.event) if cmd.event is not None else None
    if event is None:
        raise ValidationError({"event": _("请选择已发布的对接会")})
    when = cmd.starts_at  # aware (the command)
    if when is None:
        raise ValidationError({"starts_at": _("请选择洽谈时段")})
    length = datetime.timedelta(minutes=config.slot_minutes)
    offset = when - event.starts_at
    if offset < datetime.timedelta(0) or when + length > event.ends_at or offset % length:
        raise ValidationError(
            {
                "starts_at": _("时段须在对接会时间内，从 %(start)s 起每 %(n)d 分钟一个")
                % {"start": timezone.localtime(event.starts_at).strftime("%H:%M"), "n": config.slot_minutes}
            }
        )
    people = list({p.pk: p for p in (request.requester, request.responder) if p is not None}.values())
    if len(people) != 2:
        raise ValidationError({"starts_at": _("对接双方须各有一名联系人才能预约时段")})
    busy = SlotSeat.objects.filter(person__in=people, event=event, starts_at=when).select_related("person")
    if busy:
        names = "、".join(sorted({str(seat.person) for seat in busy}))
        raise ValidationError({"starts_at": _("%(names)s 在该时段已有预约，请换一个时段") % {"names": names}})
    try:
        with transaction.atomic():
            slot = SessionSlot.objects.create(
                event=event,
                request=request,
                starts_at=when,
                ends_at=when + length,
                table=cmd.table[:40],
                booked_by=actor,
            )
            SlotSeat.objects.bulk_create(
                [SlotSeat(slot=slot, person=p, event=event, starts_at=when) for p in people]
            )
    except IntegrityError as exc:
        raise ValidationError({"starts_at": _("该时段刚被预约，请换一个时段")}) from exc
    request.last_activity_at = timezone.now()
    request.save(update_fields=["last_activity_at", "updated_at"])
    audit.record(
        actor=actor,
        action="match_request.book_slot",
        target=request,
        new={"event": event.pk, "starts_at": when, "people": [p.pk for p in people]},
    )
    return slot


@transaction.atomic
def slot_cancel(*, slot: SessionSlot, actor: User) -> None:
    """Give a booked slot back (either side or the secretariat); both people become free again."""
    slot = (
        SessionSlot.objects.select_for_update().select_related("request", "request__resource").get(pk=slot.pk)
    )
    if not policies.can_follow_up_request(actor, slot.request):
        raise PermissionDenied
    audit.record(
        actor=actor,
        action="match_request.cancel_slot",
        target=slot.request,
        old={"event": slot.event_id, "starts_at": slot.starts_at},
    )
    slot.delete()

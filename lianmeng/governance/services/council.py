"""Writes on the council: seats, meetings, motions, votes and resolutions."""

from __future__ import annotations

import datetime
import hashlib
import hmac
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from lianmeng.accounts.models import Role, RoleAssignment, User
from lianmeng.core import audit, concurrency
from lianmeng.core.cleaning import clean_text
from lianmeng.core.cleaning import text_value as text
from lianmeng.core.files import display_name, stored_name
from lianmeng.core.numbering import document_number_next
from lianmeng.core.validators import clean_upload
from lianmeng.membership import commands as membership_commands
from lianmeng.membership import services as membership_services
from lianmeng.membership.models import (
    ApplicationStatus,
    MembershipApplication,
    Organization,
    OrganizationStatus,
)
from lianmeng.notifications.models import Kind
from lianmeng.notifications.services import notify

from .. import machines, policies
from ..commands import MotionCreate
from ..models import (
    Attendance,
    AttendanceStatus,
    Ballot,
    CouncilSeat,
    GovernanceSettings,
    Meeting,
    MeetingKind,
    MeetingPaper,
    MeetingStatus,
    Motion,
    MotionKind,
    MotionStatus,
    Resolution,
    ResolutionStatus,
    SeatRepresentative,
    SecretBallot,
    Vote,
    VoteChoice,
)
from ..presidency import president_organization_id
from ._common import choice, raise_if

RESOLUTION_SERIES = "决"


# ---------------------------------------------------------------- seats


def _grant_representative_role(user: User, organization: Organization) -> None:
    RoleAssignment.objects.get_or_create(
        user=user, role=Role.COUNCIL_REPRESENTATIVE, organization=organization
    )


def _revoke_representative_role(user: User, organization: Organization) -> None:
    still = CouncilSeat.objects.filter(
        representative=user, organization=organization, ends_on__isnull=True
    ).exists()
    if not still:
        RoleAssignment.objects.filter(
            user=user, role=Role.COUNCIL_REPRESENTATIVE, organization=organization
        ).delete()


@transaction.atomic
def seat_create(
    *,
    organization: Organization,
    representative: User | None,
    starts_on: datetime.date,
    actor: Any,
    ends_on: datetime.date | None = None,
    post: str = "",
) -> CouncilSeat:
    """A council seat for ``organization``; one valid seat per organization at any date."""
    if not policies.can_manage_council(actor) and actor is not None:
        raise PermissionDenied
    Organization.objects.select_for_update().get(pk=organization.pk)
    errors: dict[str, list[str]] = {}
    if organization.status != OrganizationStatus.ACTIVE:
        errors["organization"] = [_("只有正常状态的成员单位可以担任理事单位")]
    if ends_on and ends_on < starts_on:
        errors["ends_on"] = [_("终止日期不能早于起始日期")]
    overlapping = CouncilSeat.objects.filter(organization=organization).exclude(ends_on__lt=starts_on)
    if ends_on:
        overlapping = overlapping.exclude(starts_on__gt=ends_on)
    if overlapping.exists():
        errors.setdefault("organization", []).append(_("该单位在这段时间内已有理事会席位"))
    if len(post) > 40:
        errors["post"] = [_("职务不能超过 40 个字")]
    raise_if(errors)
    seat = CouncilSeat.objects.create(
        organization=organization,
        representative=representative,
        starts_on=starts_on,
        ends_on=ends_on,
        post=post,
    )
    if representative is not None:
        SeatRepresentative.objects.create(
            seat=seat, user=representative, starts_on=starts_on, ends_on=ends_on
        )
        _grant_representative_role(representative, organization)
    audit.record(
        actor=actor,
        action="council.seat.create",
        target=seat,
        new={
            "organization": organization.pk,
            "representative": getattr(representative, "pk", None),
            "starts_on": starts_on,
            "ends_on": ends_on,
        },
    )
    return seat


@transaction.atomic
def seat_change_representative(
    *, seat: CouncilSeat, representative: User | None, on: datetime.date, actor: Any
) -> CouncilSeat:
    """The organization sends a new representative from ``on``; the seat and its votes stay."""
    if not policies.can_manage_council(actor):
        raise PermissionDenied
    seat = CouncilSeat.objects.select_for_update(of=("self",)).select_related("organization").get(pk=seat.pk)
    errors: dict[str, list[str]] = {}
    if seat.ends_on is not None and seat.ends_on < on:
        errors["on"] = [_("席位已于%(date)s终止") % {"date": seat.ends_on.isoformat()}]
    elif on < seat.starts_on:
        errors["on"] = [_("变更日期不能早于席位起始日期")]
    if representative is None:
        errors["representative"] = [_("请选择新任理事")]
    elif seat.representative_id == representative.pk:
        errors["representative"] = [_("此人已是该席位的理事")]
    raise_if(errors)
    assert representative is not None
    previous = seat.representative
    SeatRepresentative.objects.filter(seat=seat, ends_on__isnull=True).update(
        ends_on=on - datetime.timedelta(days=1)
    )
    SeatRepresentative.objects.create(seat=seat, user=representative, starts_on=on, ends_on=seat.ends_on)
    seat.representative = representative
    seat.save(update_fields=["representative", "updated_at"])
    _grant_representative_role(representative, seat.organization)
    if previous is not None:
        _revoke_representative_role(previous, seat.organization)
    audit.record(
        actor=actor,
        action="council.seat.representative",
        target=seat,
        old={"representative": getattr(previous, "pk", None)},
        new={"representative": representative.pk, "from": on},
    )
    return seat


@transaction.atomic
def seat_end(*, seat: CouncilSeat, ends_on: datetime.date, actor: Any) -> CouncilSeat:
    if not policies.can_manage_council(actor):
        raise PermissionDenied
    seat = CouncilSeat.objects.select_for_update(of=("self",)).select_related("organization").get(pk=seat.pk)
    if ends_on < seat.starts_on:
        raise ValidationError({"ends_on": _("终止日期不能早于起始日期")})
    if seat.ends_on is not None:
        raise ValidationError({"ends_on": _("席位已终止")})
    seat.ends_on = ends_on
    seat.save(update_fields=["ends_on", "updated_at"])
    SeatRepresentative.objects.filter(seat=seat, ends_on__isnull=True).update(ends_on=ends_on)
    if seat.representative is not None:
        _revoke_representative_role(seat.representative, seat.organization)
    audit.record(actor=actor, action="council.seat.end", target=seat, new={"ends_on": ends_on})
    return seat


# ---------------------------------------------------------------- meetings

MEETING_FIELDS = ("kind", "title", "starts_at", "place", "online_link")


def _meeting_clean(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {
        "kind": choice(data, "kind", _("会议类型"), MeetingKind.values, errors),
        "title": text(data, "title", _("会议名称"), errors, required=True, max_length=120),
        "place": text(data, "place", _("地点"), errors, required=False, max_length=200),
        "online_link": text(data, "online_link", _("线上会议链接"), errors, required=False, max_length=200),
    }
    starts_at = data.get("starts_at")
    if isinstance(starts_at, str) and starts_at:
        try:
            starts_at = datetime.datetime.fromisoformat(starts_at)
        except ValueError:
            starts_at = None
            errors["starts_at"] = [_("会议时间格式不正确，例如 2026-12-20 09:30")]
    if not isinstance(starts_at, datetime.datetime):
        errors.setdefault("starts_at", [_("请填写会议时间")])
    elif timezone.is_naive(starts_at):
        starts_at = timezone.make_aware(starts_at)
    out["starts_at"] = starts_at
    if out["online_link"] and not out["online_link"].startswith(("https://", "http://")):
        errors["online_link"] = [_("线上会议链接须以 https:// 开头")]
    if not out["place"] and not out["online_link"] and "place" not in errors:
        errors["place"] = [_("请填写地点或线上会议链接")]
    raise_if(errors)
    return out


@transaction.atomic
def meeting_create(*, data: dict[str, Any], agenda: list[str], actor: Any) -> Meeting:
    """Convene a meeting: the secretariat, or the current president for the dates of its term."""
    if not policies.can_convene_meeting(actor, president_organization_id()):
        raise PermissionDenied
    cleaned = _meeting_clean(data)
    items = [a.strip() for a in agenda if a and a.strip()]
    if any(len(a) > 200 for a in items):
        raise ValidationError({"agenda": _("每项议程不能超过 200 个字")})
    meeting = Meeting.objects.create(**cleaned, convened_by=actor)
    meeting.agenda.bulk_create(
        meeting.agenda.model(meeting=meeting, position=i, title=t) for i, t in enumerate(items, start=1)
    )
    audit.record(
        actor=actor,
        action="council.meeting.create",
        target=meeting,
        new={**audit.snapshot(meeting, MEETING_FIELDS), "agenda": items},
    )
    return meeting


@transaction.atomic
def meeting_change_status(*, meeting: Meeting, action: str, actor: Any) -> Meeting:
    """Mark a meeting held or cancelled (machines.MEETING). A held meeting needs its attendance."""
    if not policies.can_manage_council(actor):
        raise PermissionDenied
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    new_status = machines.MEETING.target(meeting.status, action)
    if action == "hold":
        if meeting.starts_at > timezone.now():
            raise ValidationError({"status": _("会议尚未开始，不能标记为已召开")})
        if not meeting.attendance.exists():
            raise ValidationError({"attendance": _("请先登记出席情况")})
    old = meeting.status
    meeting.status = new_status
    meeting.save(update_fields=["status", "updated_at"])
    audit.record(
        actor=actor,
        action=f"council.meeting.{action}",
        target=meeting,
        old={"status": old},
        new={"status": new_status},
    )
    return meeting


@transaction.atomic
def meeting_record_attendance(
    *, meeting: Meeting, entries: dict[int, tuple[str, str]], actor: Any
) -> list[Attendance]:
    """Attendance per seat valid on the meeting date: (present | proxy | absent, proxy name)."""
    if not policies.can_manage_council(actor):
        raise PermissionDenied
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError({"attendance": _("会议已取消")})
    day = timezone.localtime(meeting.starts_at).date()
    seats = {s.pk: s for s in CouncilSeat.objects.valid_on(day)}
    errors: dict[str, list[str]] = {}
    for seat_id, (status, proxy) in entries.items():
        if seat_id not in seats:
            errors.setdefault("attendance", []).append(_("席位 %(id)s 在会议当日无效") % {"id": seat_id})
        elif status not in AttendanceStatus.values:
            errors.setdefault("attendance", []).append(_("请选择出席情况"))
        elif status == AttendanceStatus.PROXY and not proxy.strip():
            errors.setdefault("attendance", []).append(
                _("%(org)s委托出席时请填写受托人") % {"org": seats[seat_id].organization}
            )
    raise_if(errors)
    rows = []
    for seat_id, (status, proxy) in entries.items():
        row, _created = Attendance.objects.update_or_create(
            meeting=meeting,
            seat_id=seat_id,
            defaults={
                "status": status,
                "proxy_name": proxy.strip() if status == AttendanceStatus.PROXY else "",
            },
        )
        rows.append(row)
    audit.record(
        actor=actor,
        action="council.meeting.attendance",
        target=meeting,
        new={str(k): v[0] for k, v in entries.items()},
    )
    return rows


@transaction.atomic
def meeting_save_minutes(*, meeting: Meeting, minutes: str, actor: Any, version: Any = None) -> Meeting:
    """Write or correct the minutes of a held meeting. ``version`` (optional): the meeting's version the
    writer loaded; a stale one is refused (lianmeng.core.concurrency)."""
    if not policies.can_manage_council(actor):
        raise PermissionDenied
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    concurrency.check(meeting, {"version": version})
    if meeting.status != MeetingStatus.HELD:
        raise ValidationError({"minutes": _("会议召开后才能记录纪要")})
    if meeting.minutes_approved_at_id is not None:
        raise ValidationError({"minutes": _("纪要已获批准，不能再修改")})
    minutes = (minutes or "").strip()
    if not minutes:
        raise ValidationError({"minutes": _("请填写会议纪要")})
    old = meeting.minutes
    meeting.minutes = minutes
    meeting.save(update_fields=["minutes", "updated_at"])
    concurrency.bump(meeting, old != minutes)
    audit.record(
        actor=actor,
        action="council.meeting.minutes",
        target=meeting,
        old={"minutes": old},
        new={"minutes": minutes},
    )
    return meeting


@transaction.atomic
def meeting_approve_minutes(*, meeting: Meeting, at_meeting: Meeting, actor: Any) -> Meeting:
    """Minutes are approved at a later meeting that has been held."""
    if not policies.can_manage_council(actor):
        raise PermissionDenied
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    at_meeting = Meeting.objects.get(pk=at_meeting.pk)
    errors: dict[str, list[str]] = {}
    if not meeting.minutes:
        errors["minutes"] = [_("尚无会议纪要")]
    if meeting.minutes_approved_at_id:
        errors["minutes"] = [_("纪要已获批准")]
    if at_meeting.pk == meeting.pk or at_meeting.starts_at <= meeting.starts_at:
        errors["at_meeting"] = [_("纪要须在之后的会议上批准")]
    elif at_meeting.status != MeetingStatus.HELD:
        errors["at_meeting"] = [_("批准纪要的会议尚未召开")]
    raise_if(errors)
    meeting.minutes_approved_at = at_meeting
    meeting.save(update_fields=["minutes_approved_at", "updated_at"])
    audit.record(
        actor=actor,
        action="council.meeting.minutes_approved",
        target=meeting,
        new={"at_meeting": at_meeting.pk},
    )
    return meeting


def _editable_meeting(meeting: Meeting, field: str) -> Meeting:
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status != MeetingStatus.PLANNED:
        raise ValidationError(
            {field: _("会议%(status)s，不能再修改") % {"status": meeting.get_status_display()}}
        )
    return meeting


@transaction.atomic
def meeting_update(
    *, meeting: Meeting, data: dict[str, Any], actor: Any, agenda: list[str] | None = None
) -> Meeting:
    """Change a planned meeting: kind, title, date, place or online link, and (when given) the agenda.

    ``data`` may be partial (the API's PATCH); missing fields keep their values. Held and cancelled
    meetings are not edited.
    """
    if not policies.can_convene_meeting(actor, president_organization_id()):
        raise PermissionDenied
    meeting = _editable_meeting(meeting, "status")
    data = concurrency.check(meeting, data)
    before = {**audit.snapshot(meeting, MEETING_FIELDS), "agenda": [a.title for a in meeting.agenda.all()]}
    merged = {f: getattr(meeting, f) for f in MEETING_FIELDS}
    merged.update({k: v for k, v in data.items() if k in MEETING_FIELDS and v is not None})
    cleaned = _meeting_clean(merged)
    items = before["agenda"]
    if agenda is not None:
        items = [a.strip() for a in agenda if a and a.strip()]
        if any(len(a) > 200 for a in items):
            raise ValidationError({"agenda": _("每项议程不能超过 200 个字")})
    for field, value in cleaned.items():
        setattr(meeting, field, value)
    meeting.save()
    if agenda is not None and items != before["agenda"]:
        meeting.agenda.all().delete()
        meeting.agenda.bulk_create(
            meeting.agenda.model(meeting=meeting, position=i, title=t) for i, t in enumerate(items, start=1)
        )
    after = {**audit.snapshot(meeting, MEETING_FIELDS), "agenda": items}
    old = {k: v for k, v in before.items() if before[k] != after[k]}
    new = {k: v for k, v in after.items() if before[k] != after[k]}
    if new:
        concurrency.bump(meeting)
        audit.record(actor=actor, action="council.meeting.update", target=meeting, old=old, new=new)
    return meeting


def meeting_paper_validate(*, meeting: Meeting, title: str, file: UploadedFile | None, actor: Any) -> None:
    """meeting_add_paper's checks without storing anything (for a form that failed elsewhere: every
    error in one submit). A missing file is the form's to report."""
    if not policies.can_manage_council(actor):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    meeting = Meeting.objects.get(pk=meeting.pk)
    if meeting.status != MeetingStatus.PLANNED:
        errors["file"] = [_("会议%(status)s，不能再修改") % {"status": meeting.get_status_display()}]
    if len(clean_text(title or "")) > 200:
        errors["title"] = [_("材料名称不能超过 200 个字")]
    if file is not None and not errors.get("file"):
        try:
            clean_upload(file, field="file")
        except ValidationError as exc:
            errors.update(exc.message_dict)
    raise_if(errors)


@transaction.atomic
def meeting_add_paper(*, meeting: Meeting, title: str, file: UploadedFile, actor: Any) -> MeetingPaper:
    """Add a paper to a planned meeting (checked by content, stored privately)."""
    if not policies.can_manage_council(actor):
        raise PermissionDenied
    meeting = _editable_meeting(meeting, "file")
    title = clean_text(title) or display_name(file.name)
    if len(title) > 200:
        raise ValidationError({"title": _("材料名称不能超过 200 个字")})
    content_type = clean_upload(file, field="file")
    paper = MeetingPaper(meeting=meeting, title=title, content_type=content_type, uploaded_by=actor)
    paper.file.save(stored_name(content_type), file, save=False)
    paper.save()
    audit.record(actor=actor, action="council.meeting.paper", target=meeting, new={"paper": title})
    return paper


@transaction.atomic
def meeting_remove_paper(*, paper: MeetingPaper, actor: Any) -> None:
    if not policies.can_manage_council(actor):
        raise PermissionDenied
    meeting = _editable_meeting(paper.meeting, "file")
    title, name, storage = paper.title, paper.file.name, paper.file.storage
    paper.delete()
    transaction.on_commit(lambda: storage.delete(name) if name else None)
    audit.record(actor=actor, action="council.meeting.paper_removed", target=meeting, old={"paper": title})


# ---------------------------------------------------------------- motions and votes

MOTION_FIELDS = ("title", "text", "kind", "ballot", "opens_at", "closes_at", "meeting", "application")


def _motion_rules(cmd: MotionCreate) -> dict[str, Any]:
    """What a motion needs from the database: the default voting window, the meeting and the
    application it refers to (a forwarded one, without another motion on it)."""
    errors: dict[str, list[str]] = {}
    opens_at = cmd.opens_at or timezone.now()
    closes_at = cmd.closes_at or opens_at + datetime.timedelta(
        days=GovernanceSettings.current().default_voting_days
    )
    if closes_at <= opens_at:
        errors["closes_at"] = [_("表决截止时间须晚于开始时间")]
    out: dict[str, Any] = {
        "title": cmd.title,
        "text": cmd.text,
        "kind": cmd.kind,
        "ballot": cmd.ballot,
        "opens_at": opens_at,
        "closes_at": closes_at,
    }
    if cmd.meeting is not None:
        out["meeting"] = Meeting.objects.filter(pk=cmd.meeting).first()
        if out["meeting"] is None:
            errors["meeting"] = [_("会议不存在")]
    if cmd.application is not None:
        found_app = MembershipApplication.objects.filter(pk=cmd.application).first()
        if found_app is None or found_app.status != ApplicationStatus.FORWARDED:
            errors["application"] = [_("只有初审通过、待决定的入盟申请可以提交理事会表决")]
        elif (
            Motion.objects.filter(application=found_app)
            .exclude(status__in=(MotionStatus.REJECTED, MotionStatus.NO_QUORUM))
            .exists()
        ):
            errors["application"] = [_("该入盟申请已有理事会议案，请勿重复提交")]
        out["application"] = found_app
    raise_if(errors)
    return out


@transaction.atomic
def motion_create(*, cmd: MotionCreate, actor: User, open_now: bool = False) -> Motion:
    """A motion as a draft (or opened at once by the secretariat)."""
    if not policies.can_propose_motion(actor, president_organization_id()):
        raise PermissionDenied
    motion = Motion.objects.create(**_motion_rules(cmd), proposer=actor, status=MotionStatus.DRAFT)
    audit.record(
        actor=actor, action="council.motion.create", target=motion, new=audit.snapshot(motion, MOTION_FIELDS)
    )
    if open_now:
        motion = motion_open(motion=motion, actor=actor)
    return motion


@transaction.atomic
def motion_open(*, motion: Motion, actor: Any) -> Motion:
    """Put a draft to the vote. Its window must not have ended already."""
    if not policies.can_open_motion(actor, motion):
        raise PermissionDenied
    motion = Motion.objects.select_for_update().get(pk=motion.pk)
    new_status = machines.MOTION.target(motion.status, "open")
    if motion.closes_at <= timezone.now():
        raise ValidationError({"closes_at": _("表决截止时间已过，请修改后再开始表决")})
    motion.status = new_status
    motion.save(update_fields=["status", "updated_at"])
    audit.record(
        actor=actor,
        action="council.motion.open",
        target=motion,
        old={"status": "draft"},
        new={"status": new_status},
    )
    _notify_council(
        motion,
        kind=Kind.MOTION_OPENED,
        title=_("议案开始表决：%(title)s") % {"title": motion.title},
        body=_("议案“%(title)s”已开始表决，截止时间 %(closes)s，请登录平台投票。")
        % {"title": motion.title, "closes": f"{timezone.localtime(motion.closes_at):%Y-%m-%d %H:%M}"},
        actor=actor,
    )
    return motion


def _notify_council(motion: Motion, *, kind: str, title: str, body: str, actor: Any) -> None:
    """Tell the representatives of the seats valid today (in the caller's transaction)."""
    representatives = CouncilSeat.objects.valid_on(timezone.localdate()).values_list(
        "representative_id", flat=True
    )
    notify(
        recipients=[pk for pk in representatives if pk],
        kind=kind,
        title=title,
        body=body,
        url=motion.get_absolute_url(),
        actor=actor,
    )


def ballot_key(motion_id: int, seat_id: int) -> str:
    """The keyed hash that lets a seat replace its secret ballot without the ballot naming the seat."""
    message = f"lianmeng.governance.ballot:{motion_id}:{seat_id}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def seats_of(user: Any, day: datetime.date) -> list[CouncilSeat]:
    if not getattr(user, "is_authenticated", False):
        return []
    return list(CouncilSeat.objects.valid_on(day).filter(representative=user).select_related("organization"))


@transaction.atomic
def vote_cast(
    *,
    motion: Motion,
    choice: str,
    actor: Any,
    seat: CouncilSeat | None = None,
    now: datetime.datetime | None = None,
) -> Vote:
    """Record one seat's vote, or change it while the window is open.

    Locks the motion row first, so one-vote-per-seat and the counts hold under concurrent requests
    (the unique constraint on (motion, seat) is the last line). For a secret ballot, neither the Vote
    row nor the audit entry holds the choice.
    """
    now = now or timezone.now()
    day = timezone.localtime(now).date()
    if choice not in VoteChoice.values:
        raise ValidationError({"choice": _("请选择赞成、反对或弃权")})
    motion = Motion.objects.select_for_update().get(pk=motion.pk)
    if seat is None:
        mine = seats_of(actor, day)
        if not mine:
            raise PermissionDenied(_("您今天不是有效理事会席位的理事，不能投票"))
        if len(mine) > 1:
            raise ValidationError({"seat": _("您代表多个席位，请指明以哪个席位投票")})
        seat = mine[0]
    if not policies.can_vote(actor, motion, seat, day):
        raise PermissionDenied(_("该席位今天无效，或您不是该席位的理事"))
    if not motion.is_open_for_voting(now):
        if motion.status == MotionStatus.OPEN and now < motion.opens_at:
            raise ValidationError({"motion": _("表决尚未开始")})
        raise ValidationError({"motion": _("表决已结束或未开放，不能投票")})
    vote = Vote.objects.filter(motion=motion, seat=seat).first()
    changed = vote is not None
    stored_choice = choice if motion.ballot == Ballot.OPEN else ""
    if vote is None:
        try:
            with transaction.atomic():
                vote = Vote.objects.create(
                    motion=motion, seat=seat, choice=stored_choice, cast_by=actor, cast_at=now
                )
        except IntegrityError as exc:  # only reachable without the row lock (never on a supported database)
            raise ValidationError({"motion": _("该席位已经投票")}) from exc
    else:
        vote.choice = stored_choice
        vote.cast_by = actor
        vote.cast_at = now
        vote.save(update_fields=["choice", "cast_by", "cast_at"])
    if motion.ballot == Ballot.SECRET:
        SecretBallot.objects.update_or_create(
            motion=motion, ballot_key=ballot_key(motion.pk, seat.pk), defaults={"choice": choice}
        )
        audit.record(
            actor=actor,
            action="council.vote.secret",
            target=motion,
            new={"seat": seat.pk, "changed": changed},
        )
    else:
        audit.record(
            actor=actor,
            action="council.vote",
            target=motion,
            new={"seat": seat.pk, "choice": choice, "changed": changed},
        )
    return vote


def _tally(motion: Motion) -> dict[str, int]:
    source = (
        SecretBallot.objects.filter(motion=motion)
        if motion.ballot == Ballot.SECRET
        else Vote.objects.filter(motion=motion)
    )
    counts = {row["choice"]: row["n"] for row in source.values("choice").annotate(n=Count("pk"))}
    return {c: counts.get(c, 0) for c in VoteChoice.values}


def decide(
    *,
    seats: int,
    votes_for: int,
    votes_against: int,
    votes_abstain: int,
    kind: str,
    config: GovernanceSettings,
) -> str:
    """passed / rejected / no_quorum. Quorum: votes cast >= quorum fraction of valid seats.

    Threshold: votes for, against the votes cast (abstentions are votes cast), "more than" or
    "at least" the kind's fraction.
    """
    cast = votes_for + votes_against + votes_abstain
    if seats == 0 or cast * config.quorum_denominator < seats * config.quorum_numerator:
        return MotionStatus.NO_QUORUM
    numerator, denominator, strict = config.threshold_for(kind)
    left, right = votes_for * denominator, cast * numerator
    passed = left > right if strict else left >= right
    return MotionStatus.PASSED if passed else MotionStatus.REJECTED


@transaction.atomic
def motion_close(*, motion: Motion, actor: Any, now: datetime.datetime | None = None) -> Motion:
    """Close the vote and decide. The secretariat may close early; the system (actor None) only after
    ``closes_at``. Seats counted are those valid on the closing date. A passed motion gets its
    resolution, numbered in the same transaction.
    """
    now = now or timezone.now()
    if actor is not None and not policies.can_close_motion(actor, motion):
        raise PermissionDenied
    motion = Motion.objects.select_for_update().get(pk=motion.pk)
    if motion.is_decided:
        raise ValidationError(
            {"status": _("该议案已经结束表决（%(status)s）") % {"status": motion.get_status_display()}}
        )
    if not motion.can_close():
        raise ValidationError({"status": _("议案尚未开始表决，不能结束")})
    if actor is None and now < motion.closes_at:
        raise ValidationError({"status": _("表决期尚未届满")})
    decided_at = min(now, motion.closes_at)
    day = timezone.localtime(decided_at).date()
    tally = _tally(motion)
    config = GovernanceSettings.current()
    seats = CouncilSeat.objects.valid_on(day).count()
    status = decide(
        seats=seats,
        votes_for=tally["for"],
        votes_against=tally["against"],
        votes_abstain=tally["abstain"],
        kind=motion.kind,
        config=config,
    )
    action = {
        MotionStatus.PASSED.value: "pass",
        MotionStatus.REJECTED: "reject",
        MotionStatus.NO_QUORUM: "no_quorum",
    }[status]
    motion.status = machines.MOTION.target(motion.status, action)
    motion.seats_count = seats
    motion.votes_for, motion.votes_against, motion.votes_abstain = (
        tally["for"],
        tally["against"],
        tally["abstain"],
    )
    motion.decided_at = decided_at
    motion.save(
        update_fields=[
            "status",
            "seats_count",
            "votes_for",
            "votes_against",
            "votes_abstain",
            "decided_at",
            "updated_at",
        ]
    )
    audit.record(
        actor=actor,
        action="council.motion.close",
        target=motion,
        old={"status": MotionStatus.OPEN},
        new={"status": status, "seats": seats, **tally},
    )
    if status == MotionStatus.PASSED:
        _resolution_create(motion, actor, config)
    elif status == MotionStatus.REJECTED and motion.application is not None:
        # The council said no: the application is rejected, with the vote as the reason.
        membership_services.application_council_rejected(
            application=motion.application,
            reason=_("理事会议案“%(title)s”表决未通过（赞成 %(for)s，反对 %(against)s，弃权 %(abstain)s）")
            % {"title": motion.title, **tally},
            actor=actor,
        )
    _notify_council(
        motion,
        kind=Kind.MOTION_DECIDED,
        title=_("议案表决结果：%(title)s（%(status)s）")
        % {"title": motion.title, "status": motion.get_status_display()},
        body=_("议案“%(title)s”表决结束：%(status)s（赞成 %(for)s，反对 %(against)s，弃权 %(abstain)s）。")
        % {"title": motion.title, "status": motion.get_status_display(), **tally},
        actor=actor,
    )
    return motion


def admission_motion_of(application: Any) -> Motion | None:
    """The latest council motion on a membership application (with its resolution), or None."""
    return (
        Motion.objects.filter(application_id=application.pk)
        .select_related("resolution")
        .order_by("-id")
        .first()
    )


@transaction.atomic
def admission_motion_open(*, application: MembershipApplication, actor: Any) -> Motion:
    """The admission motion for a forwarded application: an undecided or passed one is reused (a draft is
    opened); otherwise a new one is created and opened. Called by the membership service's forward."""
    motion = (
        Motion.objects.select_for_update()
        .filter(application_id=application.pk)
        .exclude(status__in=(MotionStatus.REJECTED, MotionStatus.NO_QUORUM))
        .order_by("-id")
        .first()
    )
    if motion is not None:
        if motion.status == MotionStatus.DRAFT:
            motion = motion_open(motion=motion, actor=actor)
        return motion
    tier = application.get_requested_tier_display()
    data = {
        "title": _("关于接纳“%(name)s”为%(tier)s的议案") % {"name": application.name, "tier": tier},
        "text": _(
            "%(name)s（%(kind)s，%(city)s）已通过秘书处初审，申请成为联盟%(tier)s。"
            "提请理事会表决是否同意接纳。"
        )
        % {
            "name": application.name,
            "kind": application.get_kind_display(),
            "city": application.city.name,
            "tier": tier,
        },
        "kind": MotionKind.ADMISSION,
        "ballot": Ballot.OPEN,
        "application": application,
    }
    return motion_create(cmd=MotionCreate.build(data), actor=actor, open_now=True)


def _resolution_create(motion: Motion, actor: Any, config: GovernanceSettings) -> Resolution:
    adopted_on = timezone.localtime(motion.decided_at).date() if motion.decided_at else timezone.localdate()
    number = document_number_next(series=RESOLUTION_SERIES, year=adopted_on.year)
    resolution = Resolution.objects.create(
        motion=motion,
        number=number,
        title=motion.title,
        adopted_on=adopted_on,
        status=ResolutionStatus.AWAITING_SIGNOFF if config.president_signs_off else ResolutionStatus.IN_FORCE,
    )
    audit.record(
        actor=actor,
        action="council.resolution.create",
        target=resolution,
        new={"number": number, "status": resolution.status},
    )
    return resolution


@transaction.atomic
def resolution_sign_off(*, resolution: Resolution, actor: Any) -> Resolution:
    """The current president signs off a resolution (when the alliance is configured that way)."""
    if not policies.can_sign_off(actor, resolution, president_organization_id()):
        raise PermissionDenied(_("只有当值轮值主席单位可以签发决议"))
    resolution = Resolution.objects.select_for_update().get(pk=resolution.pk)
    resolution.status = machines.RESOLUTION.target(resolution.status, "sign_off")
    resolution.signed_off_by = actor
    resolution.signed_off_at = timezone.now()
    resolution.save(update_fields=["status", "signed_off_by", "signed_off_at", "updated_at"])
    audit.record(
        actor=actor,
        action="council.resolution.sign_off",
        target=resolution,
        new={"status": resolution.status},
    )
    return resolution


def resolution_admit_application(*, resolution: Resolution, actor: Any) -> MembershipApplication:
    """Admit the applicant a resolution decided on, through the membership service (one path)."""
    application = resolution.motion.application
    if application is None:
        raise ValidationError({"application": _("该决议没有关联入盟申请")})
    if resolution.status != ResolutionStatus.IN_FORCE:
        raise ValidationError({"application": _("决议尚未生效（待轮值主席签发）")})
    return membership_services.application_review(
        application=application,
        cmd=membership_commands.ApplicationDecision.build(
            action="admit", message=_("依据理事会决议%(number)s") % {"number": resolution.number}
        ),
        actor=actor,
    )

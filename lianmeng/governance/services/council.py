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
from lianmeng.core.actors import Actor, is_system
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
from ..commands import (
    AttendanceRecord,
    MeetingCreate,
    MeetingUpdate,
    MinutesApprove,
    MinutesSave,
    MotionCreate,
    PaperAdd,
    SeatCreate,
    SeatEnd,
    SeatRepresentativeChange,
    VoteCast,
)
from ..models import (
    Attendance,
    AttendanceStatus,
    Ballot,
    CouncilSeat,
    GovernanceSettings,
    Meeting,
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


def _active_user(pk: int | None, field: str, errors: dict[str, list[str]]) -> User | None:
    if pk is None:
        return None
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None:
        errors.setdefault(field, []).append(_("找不到该用户"))
    return user


@transaction.atomic
def seat_create(*, cmd: SeatCreate, actor: Actor) -> CouncilSeat:
    """A council seat for the organization; one valid seat per organization at any date."""
    if not policies.can_create_seat(actor):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    organization = Organization.objects.select_for_update().filter(pk=cmd.organization).first()
    representative = _active_user(cmd.representative, "representative", errors)
    if organization is None:
        errors["organization"] = [_("找不到该单位")]
    else:
        if organization.status != OrganizationStatus.ACTIVE:
            errors["organization"] = [_("只有正常状态的成员单位可以担任理事单位")]
        overlapping = CouncilSeat.objects.filter(organization=organization).exclude(ends_on__lt=cmd.starts_on)
        if cmd.ends_on:
            overlapping = overlapping.exclude(starts_on__gt=cmd.ends_on)
        if overlapping.exists():
            errors.setdefault("organization", []).append(_("该单位在这段时间内已有理事会席位"))
    if errors:
        raise ValidationError(errors)
    assert organization is not None
    seat = CouncilSeat.objects.create(
        organization=organization,
        representative=representative,
        starts_on=cmd.starts_on,
        ends_on=cmd.ends_on,
        post=cmd.post,
    )
    if representative is not None:
        SeatRepresentative.objects.create(
            seat=seat, user=representative, starts_on=cmd.starts_on, ends_on=cmd.ends_on
        )
        _grant_representative_role(representative, organization)
    audit.record(
        actor=actor,
        action="council.seat.create",
        target=seat,
        new={
            "organization": organization.pk,
            "representative": cmd.representative,
            "starts_on": cmd.starts_on,
            "ends_on": cmd.ends_on,
        },
    )
    return seat


@transaction.atomic
def seat_change_representative(
    *, seat: CouncilSeat, cmd: SeatRepresentativeChange, actor: User
) -> CouncilSeat:
    """The organization sends a new representative from ``cmd.on``; the seat and its votes stay."""
    if not policies.can_manage_council(actor):
        raise PermissionDenied
    seat = CouncilSeat.objects.select_for_update(of=("self",)).select_related("organization").get(pk=seat.pk)
    on = cmd.on
    errors: dict[str, list[str]] = {}
    if seat.ends_on is not None and seat.ends_on < on:
        errors["on"] = [_("席位已于%(date)s终止") % {"date": seat.ends_on.isoformat()}]
    elif on < seat.starts_on:
        errors["on"] = [_("变更日期不能早于席位起始日期")]
    representative = _active_user(cmd.representative, "representative", errors)
    if cmd.representative is None:
        errors["representative"] = [_("请选择新任理事")]
    elif representative is not None and seat.representative_id == representative.pk:
        errors["representative"] = [_("此人已是该席位的理事")]
    if errors:
        raise ValidationError(errors)
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
def seat_end(*, seat: CouncilSeat, cmd: SeatEnd, actor: User) -> CouncilSeat:
    if not policies.can_manage_council(actor):
        raise PermissionDenied
    seat = CouncilSeat.objects.select_for_update(of=("self",)).select_related("organization").get(pk=seat.pk)
    if cmd.ends_on < seat.starts_on:
        raise ValidationError({"ends_on": _("终止日期不能早于起始日期")})
    if seat.ends_on is not None:
        raise ValidationError({"ends_on": _("席位已终止")})
    seat.ends_on = cmd.ends_on
    seat.save(update_fields=["ends_on", "updated_at"])
    SeatRepresentative.objects.filter(seat=seat, ends_on__isnull=True).update(ends_on=cmd.ends_on)
    if seat.representative is not None:
        _revoke_representative_role(seat.representative, seat.organization)
    audit.record(actor=actor, action="council.seat.end", target=seat, new={"ends_on": cmd.ends_on})
    return seat


# ---------------------------------------------------------------- meetings

MEETING_FIELDS = ("kind", "title", "starts_at", "place", "online_link")


def _meeting_values(cmd: MeetingCreate) -> dict[str, Any]:
    return {f: getattr(cmd, f) for f in MEETING_FIELDS}


def _agenda_set(meeting: Meeting, items: list[str]) -> None:
    meeting.agenda.all().delete()
    meeting.agenda.bulk_create(
        meeting.agenda.model(meeting=meeting, position=i, title=t) for i, t in enumerate(items, start=1)
    )


@transaction.atomic
def meeting_create(*, cmd: MeetingCreate, actor: User) -> Meeting:
    """Convene a meeting: the secretariat, or the current president for the dates of its term."""
    if not policies.can_convene_meeting(actor, president_organization_id()):
        raise PermissionDenied
    meeting = Meeting.objects.create(**_meeting_values(cmd), convened_by=actor)
    _agenda_set(meeting, cmd.agenda)
    audit.record(
        actor=actor,
        action="council.meeting.create",
        target=meeting,
        new={**audit.snapshot(meeting, MEETING_FIELDS), "agenda": cmd.agenda},
    )
    return meeting


@transaction.atomic
def meeting_change_status(*, meeting: Meeting, action: str, actor: User) -> Meeting:
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
def meeting_record_attendance(*, meeting: Meeting, cmd: AttendanceRecord, actor: User) -> list[Attendance]:
    """Attendance per seat valid on the meeting date: present, by proxy (named) or absent."""
    if not policies.can_manage_council(actor):
        raise PermissionDenied
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError({"attendance": _("会议已取消")})
    day = timezone.localtime(meeting.starts_at).date()
    seats = {s.pk: s for s in CouncilSeat.objects.valid_on(day).select_related("organization")}
    errors: list[str] = []
    for entry in cmd.attendance:
        if entry.seat not in seats:
            errors.append(_("席位 %(id)s 在会议当日无效") % {"id": entry.seat})
        elif entry.status == AttendanceStatus.PROXY and not entry.proxy_name:
            errors.append(_("%(org)s委托出席时请填写受托人") % {"org": seats[entry.seat].organization})
    if errors:
        raise ValidationError({"attendance": errors})
    rows = []
    for entry in cmd.attendance:
        row, _created = Attendance.objects.update_or_create(
            meeting=meeting,
            seat_id=entry.seat,
            defaults={
                "status": entry.status,
                "proxy_name": entry.proxy_name if entry.status == AttendanceStatus.PROXY else "",
            },
        )
        rows.append(row)
    audit.record(
        actor=actor,
        action="council.meeting.attendance",
        target=meeting,
        new={str(e.seat): e.status for e in cmd.attendance},
    )
    return rows


@transaction.atomic
def meeting_save_minutes(*, meeting: Meeting, cmd: MinutesSave, actor: User) -> Meeting:
    """Write or correct the minutes of a held meeting. ``cmd.version`` (optional): the meeting's version
    the writer loaded; a stale one is refused (lianmeng.core.concurrency)."""
    if not policies.can_manage_council(actor):
        raise PermissionDenied
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    concurrency.check(meeting, {"version": cmd.version})
    if meeting.status != MeetingStatus.HELD:
        raise ValidationError({"minutes": _("会议召开后才能记录纪要")})
    if meeting.minutes_approved_at_id is not None:
        raise ValidationError({"minutes": _("纪要已获批准，不能再修改")})
    old = meeting.minutes
    meeting.minutes = cmd.minutes
    meeting.save(update_fields=["minutes", "updated_at"])
    concurrency.bump(meeting, old != cmd.minutes)
    audit.record(
        actor=actor,
        action="council.meeting.minutes",
        target=meeting,
        old={"minutes": old},
        new={"minutes": cmd.minutes},
    )
    return meeting


@transaction.atomic
def meeting_approve_minutes(*, meeting: Meeting, cmd: MinutesApprove, actor: User) -> Meeting:
    """Minutes are approved at a later meeting that has been held."""
    if not policies.can_manage_council(actor):
        raise PermissionDenied
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    at_meeting = Meeting.objects.filter(pk=cmd.at_meeting).first()
    if at_meeting is None:
        raise ValidationError({"at_meeting": _("会议不存在")})
    errors: dict[str, list[str]] = {}
    if not meeting.minutes:
        errors["minutes"] = [_("尚无会议纪要")]
    if meeting.minutes_approved_at_id:
        errors["minutes"] = [_("纪要已获批准")]
    if at_meeting.pk == meeting.pk or at_meeting.starts_at <= meeting.starts_at:
        errors["at_meeting"] = [_("纪要须在之后的会议上批准")]
    elif at_meeting.status != MeetingStatus.HELD:
        errors["at_meeting"] = [_("批准纪要的会议尚未召开")]
    if errors:
        raise ValidationError(errors)
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
def meeting_update(*, meeting: Meeting, cmd: MeetingUpdate, actor: User) -> Meeting:
    """Change a planned meeting: kind, title, date, place or online link, and (unless ``cmd.agenda`` is
    None) the agenda. Held and cancelled meetings are not edited."""
    if not policies.can_convene_meeting(actor, president_organization_id()):
        raise PermissionDenied
    meeting = _editable_meeting(meeting, "status")
    concurrency.check(meeting, {"version": cmd.version})
    before = {**audit.snapshot(meeting, MEETING_FIELDS), "agenda": [a.title for a in meeting.agenda.all()]}
    for field, value in _meeting_values(cmd).items():
        setattr(meeting, field, value)
    meeting.save()
    items = before["agenda"] if cmd.agenda is None else cmd.agenda
    if items != before["agenda"]:
        _agenda_set(meeting, items)
    old, new = audit.changes(before, {**audit.snapshot(meeting, MEETING_FIELDS), "agenda": items})
    if new:
        concurrency.bump(meeting)
        audit.record(actor=actor, action="council.meeting.update", target=meeting, old=old, new=new)
    return meeting


def meeting_paper_validate(
    *, meeting: Meeting, cmd: PaperAdd, file: UploadedFile[bytes] | None, actor: User
) -> None:
    """meeting_add_paper's checks without storing anything (for a form that failed elsewhere: every
    error in one submit). A missing file is the form's to report."""
    if not policies.can_manage_council(actor):
        raise PermissionDenied
    meeting = Meeting.objects.get(pk=meeting.pk)
    if meeting.status != MeetingStatus.PLANNED:
        raise ValidationError(
            {"file": _("会议%(status)s，不能再修改") % {"status": meeting.get_status_display()}}
        )
    if file is not None:
        clean_upload(file, field="file")


@transaction.atomic
def meeting_add_paper(
    *, meeting: Meeting, cmd: PaperAdd, file: UploadedFile[bytes], actor: User
) -> MeetingPaper:
    """Add a paper to a planned meeting (checked by content, stored privately)."""
    if not policies.can_manage_council(actor):
        raise PermissionDenied
    meeting = _editable_meeting(meeting, "file")
    title = cmd.title or display_name(file.name)[:200]
    content_type = clean_upload(file, field="file")
    paper = MeetingPaper(meeting=meeting, title=title, content_type=content_type, uploaded_by=actor)
    paper.file.save(stored_name(content_type), file, save=False)
    paper.save()
    audit.record(actor=actor, action="council.meeting.paper", target=meeting, new={"paper": title})
    return paper


@transaction.atomic
def meeting_remove_paper(*, paper: MeetingPaper, actor: User) -> None:
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
    if errors:
        raise ValidationError(errors)
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
def motion_open(*, motion: Motion, actor: User) -> Motion:
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


def _notify_council(motion: Motion, *, kind: str, title: str, body: str, actor: Actor) -> None:
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
def vote_cast(*, motion: Motion, cmd: VoteCast, actor: User, now: datetime.datetime | None = None) -> Vote:
    """Record one seat's vote, or change it while the window is open. The seat is the actor's seat
    valid today (``cmd.seat`` picks one when the actor represents several).

    Locks the motion row first, so one-vote-per-seat and the counts hold under concurrent requests
    (the unique constraint on (motion, seat) is the last line). For a secret ballot, neither the Vote
    row nor the audit entry holds the choice.
    """
    now = now or timezone.now()
    day = timezone.localtime(now).date()
    choice = cmd.choice
    motion = Motion.objects.select_for_update().get(pk=motion.pk)
    mine = seats_of(actor, day)
    if cmd.seat is not None:
        mine = [s for s in mine if s.pk == cmd.seat]
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
def motion_close(*, motion: Motion, actor: Actor, now: datetime.datetime | None = None) -> Motion:
    """Close the vote and decide. The secretariat may close early; the system (``SYSTEM``: the worker at
    the deadline) only after ``closes_at`` (policies.can_close_motion). Seats counted are those valid on
    the closing date. A passed motion gets its resolution, numbered in the same transaction.
    """
    now = now or timezone.now()
    if not policies.can_close_motion(actor, motion):
        raise PermissionDenied
    motion = Motion.objects.select_for_update().get(pk=motion.pk)
    if motion.is_decided:
        raise ValidationError(
            {"status": _("该议案已经结束表决（%(status)s）") % {"status": motion.get_status_display()}}
        )
    if not motion.can_close():
        raise ValidationError({"status": _("议案尚未开始表决，不能结束")})
    if is_system(actor) and now < motion.closes_at:
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


def admission_motion_of(application: MembershipApplication) -> Motion | None:
    """The latest council motion on a membership application (with its resolution), or None."""
    return (
        Motion.objects.filter(application_id=application.pk)
        .select_related("resolution")
        .order_by("-id")
        .first()
    )


@transaction.atomic
def admission_motion_open(*, application: MembershipApplication, actor: User) -> Motion:
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


def _resolution_create(motion: Motion, actor: Actor, config: GovernanceSettings) -> Resolution:
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
def resolution_sign_off(*, resolution: Resolution, actor: User) -> Resolution:
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


def resolution_admit_application(*, resolution: Resolution, actor: User) -> MembershipApplication:
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

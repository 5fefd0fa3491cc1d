"""Reads filtered by what the viewer may see; missing and hidden give the same 404."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from . import policies
from .models import (
    OPEN_TASK_STATUSES,
    Ballot,
    CouncilSeat,
    Meeting,
    MeetingStatus,
    Motion,
    MotionStatus,
    Notice,
    NoticeReceipt,
    NoticeStatus,
    Resolution,
    Task,
    Vote,
)


def seat_list(*, day: datetime.date | None = None) -> QuerySet[CouncilSeat]:
    """The seats valid on ``day`` (today), by the pinyin of the organization's name. Public."""
    return (
        CouncilSeat.objects.valid_on(day or timezone.localdate())
        .select_related("organization", "organization__city", "representative")
        .order_by("organization__name_sort", "id")
    )


def seat_get(*, viewer: Any, pk: int) -> CouncilSeat:
    if not policies.can_view_council(viewer):
        raise Http404
    seat = CouncilSeat.objects.select_related("organization", "representative").filter(pk=pk).first()
    if seat is None:
        raise Http404
    return seat


def meeting_list(*, viewer: Any, status: str | None = None) -> QuerySet[Meeting]:
    if not policies.can_view_council(viewer):
        return Meeting.objects.none()
    qs = Meeting.objects.all()
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-starts_at", "-id")


def meetings_upcoming(*, viewer: Any, limit: int = 5) -> list[Meeting]:
    if not policies.can_view_council(viewer):
        return []
    return list(
        Meeting.objects.filter(status=MeetingStatus.PLANNED, starts_at__gte=timezone.now()).order_by(
            "starts_at"
        )[:limit]
    )


def meeting_get(*, viewer: Any, pk: int) -> Meeting:
    if not policies.can_view_council(viewer):
        raise Http404
    meeting = Meeting.objects.select_related("minutes_approved_at").filter(pk=pk).first()
    if meeting is None:
        raise Http404
    return meeting


def motion_list(*, viewer: Any, status: str | None = None, q: str | None = None) -> QuerySet[Motion]:
    if not policies.can_view_council(viewer):
        return Motion.objects.none()
    qs = Motion.objects.select_related("resolution")
    if not policies.is_secretariat(viewer):
        qs = qs.exclude(Q(status=MotionStatus.DRAFT) & ~Q(proposer=viewer))
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(title__icontains=q.strip())
    return qs.order_by("-closes_at", "-id")


def motion_get(*, viewer: Any, pk: int) -> Motion:
    motion = (
        motion_list(viewer=viewer)
        .select_related("meeting", "proposer", "application__city", "application__organization")
        .filter(pk=pk)
        .first()
    )
    if motion is None:
        raise Http404
    return motion


@dataclass
class SeatVote:
    seat: CouncilSeat
    voted: bool
    choice: str  # empty unless the ballot is open and the vote has closed
    choice_label: str


def motion_seat_votes(*, viewer: Any, motion: Motion) -> list[SeatVote]:
    """Per seat: whether it voted, and for an open ballot after the close, how. Never for secret ballots."""
    if not policies.can_view_council(viewer):
        return []
    day = timezone.localtime(motion.decided_at).date() if motion.decided_at else timezone.localdate()
    seats = list(seat_list(day=day))
    votes = {v.seat_id: v for v in Vote.objects.filter(motion=motion)}
    reveal = motion.ballot == Ballot.OPEN and motion.is_decided
    out = []
    for seat in seats:
        vote = votes.get(seat.pk)
        show = reveal and vote is not None
        out.append(
            SeatVote(
                seat=seat,
                voted=vote is not None,
                choice=vote.choice if show and vote else "",
                choice_label=str(vote.get_choice_display()) if show and vote else "",
            )
        )
    return out


def my_vote(*, viewer: Any, motion: Motion, seat: CouncilSeat | None) -> Vote | None:
    if seat is None:
        return None
    return Vote.objects.filter(motion=motion, seat=seat).first()


def motions_to_vote(*, viewer: Any, day: datetime.date | None = None) -> list[tuple[Motion, bool]]:
    """Open motions in their window for the viewer's seats, with whether the viewer's seat has voted."""
    if not policies.signed_in(viewer):
        return []
    now = timezone.now()
    day = day or timezone.localdate()
    seats = CouncilSeat.objects.valid_on(day).filter(representative=viewer)
    if not seats.exists():
        return []
    qs = (
        Motion.objects.filter(status=MotionStatus.OPEN, opens_at__lte=now, closes_at__gt=now)
        .annotate(voted=Exists(Vote.objects.filter(motion=OuterRef("pk"), seat__in=seats)))
        .order_by("closes_at")
    )
    return [(m, bool(m.voted)) for m in qs[:20]]


def resolution_list(*, viewer: Any) -> QuerySet[Resolution]:
    if not policies.signed_in(viewer):
        return Resolution.objects.none()
    return Resolution.objects.select_related("motion").order_by("-adopted_on", "-id")


def resolution_get(*, viewer: Any, pk: int) -> Resolution:
    resolution = resolution_list(viewer=viewer).select_related("motion__application").filter(pk=pk).first()
    if resolution is None:
        raise Http404
    return resolution


def notice_list(*, viewer: Any, q: str | None = None, unread: bool = False) -> QuerySet[Notice]:
    """The secretariat sees every notice; others the published ones sent to their organizations."""
    if policies.is_secretariat(viewer):
        qs = Notice.objects.all()
    else:
        org_ids = policies.represented_organization_ids(viewer)
        if not org_ids:
            return Notice.objects.none()
        mine = NoticeReceipt.objects.filter(notice=OuterRef("pk"), organization_id__in=org_ids)
        qs = Notice.objects.filter(Exists(mine), status=NoticeStatus.PUBLISHED).annotate(
            my_unread=Exists(mine.filter(read_at__isnull=True))
        )
        if unread:
            qs = qs.filter(my_unread=True)
    if q:
        qs = qs.filter(Q(title__icontains=q.strip()) | Q(number__icontains=q.strip()))
    return qs.order_by("-published_at", "-id")


def notice_get(*, viewer: Any, pk: int) -> Notice:
    notice = notice_list(viewer=viewer).filter(pk=pk).first()
    if notice is None:
        raise Http404
    return notice


def notice_receipts(*, viewer: Any, notice: Notice) -> QuerySet[NoticeReceipt]:
    """Every recipient's receipt for the secretariat; the viewer's own organizations' otherwise."""
    qs = NoticeReceipt.objects.filter(notice=notice).select_related(
        "organization", "organization__city", "read_by_user"
    )
    if not policies.is_secretariat(viewer):
        qs = qs.filter(organization_id__in=policies.represented_organization_ids(viewer))
    return qs.order_by("read_at", "organization__name_sort")


def notices_unread_for(*, viewer: Any) -> QuerySet[Notice]:
    return notice_list(viewer=viewer, unread=True)


def notices_with_unread(*, viewer: Any) -> QuerySet[Notice]:
    """For the secretariat: published notices not yet read by every recipient."""
    if not policies.is_secretariat(viewer):
        return Notice.objects.none()
    return Notice.objects.filter(
        status=NoticeStatus.PUBLISHED, read_count__lt=F("recipients_count")
    ).order_by("read_by", "-published_at")


def task_list(
    *, viewer: Any, status: str | None = None, overdue: bool = False, q: str | None = None
) -> QuerySet[Task]:
    """The secretariat sees every task; owners (person or organization) their own."""
    qs = Task.objects.select_related("owner_user", "owner_organization", "resolution")
    if not policies.is_secretariat(viewer):
        if not policies.signed_in(viewer):
            return Task.objects.none()
        org_ids = policies.represented_organization_ids(viewer)
        qs = qs.filter(Q(owner_user=viewer) | Q(owner_organization_id__in=org_ids))
    if status:
        qs = qs.filter(status=status)
    if overdue:
        qs = qs.filter(status__in=OPEN_TASK_STATUSES, due_on__lt=timezone.localdate())
    if q:
        qs = qs.filter(title__icontains=q.strip())
    return qs.order_by("due_on", "id")


def task_get(*, viewer: Any, pk: int) -> Task:
    task = task_list(viewer=viewer).filter(pk=pk).first()
    if task is None:
        raise Http404
    return task

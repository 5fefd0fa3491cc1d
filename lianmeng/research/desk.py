"""Desk panels: my reviews to do (experts); rounds needing action and objections to answer (secretariat)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lianmeng.core.nav import DeskItem, DeskPanel

from . import policies, selectors
from .models import EntryStatus, Objection, ReviewStatus, RoundStatus, SelectionRound


def _review_panel(user: Any) -> DeskPanel | None:
    if policies.expert_of(user) is None:
        return None
    todo = [
        a
        for a in selectors.my_assignments(viewer=user)
        if a.round.status == RoundStatus.REVIEW
        and (a.my_review is None or a.my_review.status != ReviewStatus.SUBMITTED)  # type: ignore[attr-defined]
    ]
    items = [
        DeskItem(
            label=a.entry.title,
            url=reverse("research:review-start", args=[a.pk]),
            meta=f"{a.round.title} · {_('评审截止')} {a.round.review_due_on:%Y-%m-%d}",
            badge=str(_("草稿")) if a.my_review else str(_("待评审")),  # type: ignore[attr-defined]
            badge_class="text-bg-secondary" if a.my_review else "text-bg-primary",  # type: ignore[attr-defined]
        )
        for a in todo[:8]
    ]
    return DeskPanel(
        title=_("待我评审"),
        items=items,
        count=len(todo),
        more_url=reverse("research:my-reviews"),
        empty_text=_("没有待评审的项目"),
        order=11,
    )


def _round_action(r: SelectionRound, now: Any) -> tuple[str, str] | None:
    """What the secretariat should do next on a round, or None."""
    if r.status == RoundStatus.ENTRIES and r.n_unchecked:  # type: ignore[attr-defined]
        unchecked: int = r.n_unchecked  # type: ignore[attr-defined]
        text = ngettext("%(n)d 项待资格审查", "%(n)d 项待资格审查", unchecked) % {"n": unchecked}
        return text, reverse("research:round", args=[r.pk])
    if r.status == RoundStatus.ENTRIES and r.entries_close_on < now.date():
        return str(_("申报已截止，可进入评审")), reverse("research:round", args=[r.pk])
    if r.status == RoundStatus.REVIEW and r.invited_at is None:
        return str(_("待分配专家")), reverse("research:assignment", args=[r.pk])
    if r.status == RoundStatus.REVIEW and r.n_pending == 0:  # type: ignore[attr-defined]
        return str(_("评审完成，可公示")), reverse("research:round", args=[r.pk])
    if r.status == RoundStatus.PUBLICITY and r.publicity_ends_at and r.publicity_ends_at <= now:
        return str(_("公示期满，可定稿")), reverse("research:round", args=[r.pk])
    return None


def _secretariat_panels(user: Any) -> list[DeskPanel]:
    now = timezone.now()
    rounds = SelectionRound.objects.exclude(status__in=(RoundStatus.DRAFT, RoundStatus.FINAL)).annotate(
        n_unchecked=Count("entries", filter=Q(entries__status=EntryStatus.SUBMITTED), distinct=True),
        n_pending=Count(
            "assignments",
            filter=Q(assignments__status__in=("invited", "accepted"))
            & ~Q(assignments__review__status=ReviewStatus.SUBMITTED),
            distinct=True,
        ),
    )
    items = []
    for r in rounds.order_by("review_due_on", "id")[:50]:
        action = _round_action(r, timezone.localtime(now))
        if action:
            items.append(
                DeskItem(label=r.title, url=action[1], meta=str(r.get_status_display()), badge=action[0])
            )
    objections = list(
        Objection.objects.filter(status=Objection.Status.OPEN)
        .select_related("round", "entry")
        .order_by("created_at")[:8]
    )
    n_objections = Objection.objects.filter(status=Objection.Status.OPEN).count()
    return [
        DeskPanel(
            title=_("评选待办"),
            items=items[:8],
            count=len(items),
            more_url=reverse("research:index"),
            empty_text=_("评选没有待办事项"),
            order=25,
        ),
        DeskPanel(
            title=_("待答复的异议"),
            items=[
                DeskItem(
                    label=o.entry.title if o.entry else o.round.title,
                    url=reverse("research:result", args=[o.round_id]) + "#objections",
                    meta=f"{o.round.title} · {o.created_at:%Y-%m-%d}",
                    badge=str(_("待答复")),
                    badge_class="text-bg-warning",
                )
                for o in objections
            ],
            count=n_objections,
            more_url=reverse("research:results"),
            empty_text=_("没有待答复的异议"),
            order=26,
        ),
    ]


# What the panels read (rounds, entries, reviews, objections and the experts):
# cached per viewer and minute by core.nav.desk_panels.
CACHED_BY = ("research", "library", "membership", "core")


def panels(user: Any) -> list[DeskPanel]:
    out: list[DeskPanel] = []
    review = _review_panel(user)
    if review is not None:
        out.append(review)
    if policies.can_manage_research(user):
        out.extend(_secretariat_panels(user))
    return out

"""Aggregation, ranking, award tiers, 公示 with objections, and finalisation into the achievement library.

Aggregation rules (also in docs/research.md):

1. Each submitted review gives a weighted score out of 100 (Σ score/max × weight).
2. With ``normalisation = zscore`` each expert's scores in the round become T-scores
   50 + 10·(s − mean)/sd (an expert with fewer than two reviews or no spread gets 50 for each),
   so that a strict and a lenient expert weigh the same.
3. An entry's score is the mean of its reviews; with 5 or more reviews the single highest and lowest
   are dropped first (trimmed mean).
4. Ranking ties are broken, in order, by: the mean on the highest-weighted criterion (as a share of its
   maximum), the smaller spread between reviewers, more reviews, then earlier entry (submission time).
5. Tiers are filled down the ranking by quota: the first tier takes round(n × p₁) entries, the first two
   together round(n × (p₁+p₂)), and so on (round half up on cumulative shares, so the counts never drift).
"""

from __future__ import annotations

import datetime
import statistics
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lianmeng.accounts.models import Role, User
from lianmeng.core import audit
from lianmeng.core.actors import Actor
from lianmeng.library.commands import AchievementCreate, AchievementUpdate, ShowcaseSet
from lianmeng.library.services import achievement_create, achievement_set_showcase, achievement_update
from lianmeng.notifications.models import Kind
from lianmeng.notifications.services import notify

from .. import machines, policies
from ..commands import ObjectionAnswer, ObjectionFile
from ..models import (
    AssignmentStatus,
    AwardLevel,
    CriterionScore,
    Entry,
    EntryStatus,
    Normalisation,
    Objection,
    Review,
    ReviewStatus,
    RoundKind,
    RoundStatus,
    SelectionRound,
)
from .topics import proposal_transition

TRIM_FROM = 5


@dataclass
class EntryResult:
    entry: Entry
    reviews: list[float] = field(default_factory=list)
    score: float | None = None
    top_criterion: float = 0.0
    spread: float = 0.0
    rank: int | None = None
    award: str = ""


def aggregate(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    if len(ordered) >= TRIM_FROM:
        ordered = ordered[1:-1]
    return sum(ordered) / len(ordered)


def zscores(by_expert: dict[int, list[tuple[int, float]]]) -> dict[tuple[int, int], float]:
    """(expert, review) -> T-score 50 + 10·z within that expert's reviews."""
    out: dict[tuple[int, int], float] = {}
    for expert_id, items in by_expert.items():
        scores = [s for _r, s in items]
        mean = statistics.fmean(scores)
        sd = statistics.pstdev(scores) if len(scores) >= 2 else 0.0
        for review_id, s in items:
            out[(expert_id, review_id)] = 50.0 if sd == 0 else 50.0 + 10.0 * (s - mean) / sd
    return out


def tier_counts(n: int, percents: list[Decimal]) -> list[int]:
    counts = []
    given = 0
    cumulative = Decimal(0)
    for p in percents:
        cumulative += p
        upto = int((Decimal(n) * cumulative / Decimal(100)).quantize(Decimal(1), rounding=ROUND_HALF_UP))
        upto = min(upto, n)
        counts.append(max(0, upto - given))
        given = max(given, upto)
    return counts


def compute_results(selection: SelectionRound) -> list[EntryResult]:
    """Scores, ranks and tiers for the round's eligible entries from the submitted reviews."""
    entries = list(
        selection.entries.filter(status=EntryStatus.ELIGIBLE)
        .select_related("organization")
        .order_by("created_at", "id")
    )
    criteria = list(selection.criteria.all())
    top = max(criteria, key=lambda c: (c.weight, -c.position)) if criteria else None
    reviews = list(
        Review.objects.filter(
            assignment__round=selection,
            status=ReviewStatus.SUBMITTED,
            assignment__status__in=(AssignmentStatus.INVITED, AssignmentStatus.ACCEPTED),
            weighted_score__isnull=False,
        ).select_related("assignment")
    )
    top_scores: dict[int, float] = {}
    if top is not None:
        for review_id, score in CriterionScore.objects.filter(review__in=reviews, criterion=top).values_list(
            "review_id", "score"
        ):
            if score is not None:
                top_scores[review_id] = float(score) / top.max_score
    raw = {r.pk: float(r.weighted_score or 0) for r in reviews}
    if selection.normalisation == Normalisation.ZSCORE:
        by_expert: dict[int, list[tuple[int, float]]] = {}
        for r in reviews:
            by_expert.setdefault(r.assignment.expert_id, []).append((r.pk, raw[r.pk]))
        z = zscores(by_expert)
        value = {r.pk: z[(r.assignment.expert_id, r.pk)] for r in reviews}
    else:
        value = raw
    results = {e.pk: EntryResult(entry=e) for e in entries}
    tops: dict[int, list[float]] = {}
    for r in reviews:
        res = results.get(r.assignment.entry_id)
        if res is None:
            continue
        res.reviews.append(value[r.pk])
        if r.pk in top_scores:
            tops.setdefault(r.assignment.entry_id, []).append(top_scores[r.pk])
    for res in results.values():
        res.score = aggregate(res.reviews)
        res.top_criterion = statistics.fmean(tops[res.entry.pk]) if tops.get(res.entry.pk) else 0.0
        res.spread = statistics.pstdev(res.reviews) if len(res.reviews) >= 2 else 0.0
    ranked = sorted(
        (r for r in results.values() if r.score is not None),
        key=lambda r: (
            -round(r.score or 0, 6),
            -round(r.top_criterion, 6),
            round(r.spread, 6),
            -len(r.reviews),
            r.entry.created_at,
            r.entry.pk,
        ),
    )
    for position, res in enumerate(ranked, start=1):
        res.rank = position
    tiers = list(selection.tiers.all())
    counts = tier_counts(len(ranked), [t.quota_percent for t in tiers])
    cursor = 0
    for tier, count in zip(tiers, counts, strict=True):
        for res in ranked[cursor : cursor + count]:
            res.award = tier.level
        cursor += count
    unranked = [r for r in results.values() if r.score is None]
    return ranked + unranked


def publish_round(selection: SelectionRound) -> None:
    """Called by round_transition('publish') holding the round's lock: results onto the entries, 公示 dates."""
    active = selection.assignments.filter(status__in=(AssignmentStatus.INVITED, AssignmentStatus.ACCEPTED))
    if not active.exists():
        raise ValidationError({"action": _("还没有发出评审邀请")})
    pending = active.exclude(review__status=ReviewStatus.SUBMITTED).count()
    if pending:
        raise ValidationError(
            {
                "action": ngettext(
                    "还有 %(n)d 份评审意见未提交，不能进入公示",
                    "还有 %(n)d 份评审意见未提交，不能进入公示",
                    pending,
                )
                % {"n": pending}
            }
        )
    results = compute_results(selection)
    missing = [r.entry.title for r in results if r.score is None]
    if missing:
        raise ValidationError(
            {"action": _("以下项目还没有评审意见：%(list)s") % {"list": "、".join(missing)}}
        )
    for res in results:
        Entry.objects.filter(pk=res.entry.pk).update(
            score=Decimal(str(round(res.score or 0, 3))), rank=res.rank, award=res.award, showcase=False
        )
    now = timezone.now()
    selection.publicity_starts_at = now
    selection.publicity_ends_at = now + datetime.timedelta(days=selection.publicity_days)


def publicity_open(selection: SelectionRound, now: datetime.datetime | None = None) -> bool:
    now = now or timezone.now()
    return (
        selection.status == RoundStatus.PUBLICITY
        and selection.publicity_ends_at is not None
        and now < selection.publicity_ends_at
    )


@transaction.atomic
def objection_file(
    *,
    selection: SelectionRound,
    cmd: ObjectionFile,
    actor: Actor | AnonymousUser,
    ip: str | None = None,
) -> Objection:
    """Anyone may object during 公示 (no login needed): reasons and a contact are required; the object is
    the round, or one of the entries on the published list."""
    selection = SelectionRound.objects.select_for_update(of=("self",)).get(pk=selection.pk)
    if not publicity_open(selection):
        raise ValidationError({"round": _("该评选当前不在公示期内，不能提出异议")})
    entry = None
    if cmd.entry is not None:
        entry = Entry.objects.filter(pk=cmd.entry, round=selection).exclude(award="").first()
        if entry is None:
            raise ValidationError({"entry": _("请从公示名单中选择异议对象")})
    objection = Objection.objects.create(
        round=selection, entry=entry, name=cmd.name, contact=cmd.contact, reasons=cmd.reasons, ip=ip
    )
    audit.record(
        actor=actor,
        action="objection.file",
        target=selection,
        new={"objection": objection.pk, "entry": entry.pk if entry else None},
        ip=ip,
    )
    notify(
        recipients=User.objects.filter(roles__role=Role.SECRETARIAT).values_list("pk", flat=True).distinct(),
        kind=Kind.PUBLICITY_OBJECTION,
        title=_("公示收到异议：%(round)s") % {"round": selection.title},
        body=_("%(name)s对%(target)s提出异议：%(reasons)s")
        % {
            "name": cmd.name,
            "target": f"“{entry.title}”" if entry else selection.title,
            "reasons": cmd.reasons,
        },
        url=reverse("research:round", args=[selection.pk]),
        actor=actor,
    )
    return objection


@transaction.atomic
def objection_respond(*, objection: Objection, cmd: ObjectionAnswer, actor: User) -> Objection:
    """The secretariat answers an objection (machines.OBJECTION): upheld or dismissed, with a reply."""
    objection = Objection.objects.select_for_update(of=("self",)).get(pk=objection.pk)
    objection.status = machines.step(
        machines.OBJECTION, objection.status, "respond", actor=actor, obj=objection
    )
    objection.outcome = cmd.outcome
    objection.response = cmd.response
    objection.responded_by = actor
    objection.responded_at = timezone.now()
    objection.save()
    audit.record(
        actor=actor,
        action="objection.respond",
        target=objection.round,
        new={"objection": objection.pk, "outcome": cmd.outcome},
    )
    return objection


@transaction.atomic
def entry_set_result(*, entry: Entry, award: str, showcase: bool, actor: User) -> Entry:
    """During 公示 the secretariat may change an award (e.g. after an upheld objection) and flag winners
    for the annual showcase."""
    if not policies.can_manage_research(actor):
        raise PermissionDenied
    entry = Entry.objects.select_for_update(of=("self",)).select_related("round").get(pk=entry.pk)
    if entry.round.status != RoundStatus.PUBLICITY:
        raise ValidationError({"award": _("只有公示期内可以调整结果")})
    levels = [t.level for t in entry.round.tiers.all()]
    if award and award not in levels:
        raise ValidationError({"award": _("该评选没有这个奖项")})
    if showcase and not award:
        raise ValidationError({"showcase": _("只有获奖项目可以推荐年度展示")})
    old = {"award": entry.award, "showcase": entry.showcase}
    entry.award = award
    entry.showcase = showcase
    entry.save(update_fields=["award", "showcase", "updated_at"])
    audit.record(
        actor=actor, action="entry.result", target=entry, old=old, new={"award": award, "showcase": showcase}
    )
    return entry


ACHIEVEMENT_KIND = {
    RoundKind.TYPICAL_CASE: "typical_case",
    RoundKind.RESEARCH_RESULT: "research_report",
    RoundKind.OTHER: "application_scenario",
}


def _award_text(selection: SelectionRound, award: str) -> str:
    return f"{selection.title} {AwardLevel(award).label}"


def finalise_round(selection: SelectionRound, actor: User, now: datetime.datetime | None = None) -> None:
    """Called by round_transition('finalise') holding the round's lock. After 公示 with every objection
    answered: winners become or update achievements (award, showcase flag) through the library's
    services; a topic review approves (立项) the proposals in its tier and declines the others."""
    now = now or timezone.now()
    if selection.publicity_ends_at and now < selection.publicity_ends_at:
        raise ValidationError(
            {
                "action": _("公示期到 %(d)s 结束，之后才能定稿")
                % {"d": timezone.localtime(selection.publicity_ends_at).strftime("%Y-%m-%d %H:%M")}
            }
        )
    if selection.objections.filter(status=Objection.Status.OPEN).exists():
        raise ValidationError({"action": _("还有异议未答复，不能定稿")})
    entries = list(
        selection.entries.filter(status=EntryStatus.ELIGIBLE).select_related(
            "organization", "achievement", "proposal"
        )
    )
    for entry in entries:
        if selection.kind == RoundKind.TOPIC_REVIEW:
            if entry.proposal is None:
                continue
            if entry.award:
                proposal_transition(
                    proposal=entry.proposal,
                    action="approve",
                    note=_("经立项评审和公示，同意立项"),
                    actor=actor,
                )
            else:
                proposal_transition(
                    proposal=entry.proposal,
                    action="reject",
                    note=_("经立项评审，本年度未予立项"),
                    actor=actor,
                )
            continue
        if not entry.award:
            continue
        text = _award_text(selection, entry.award)
        achievement = entry.achievement
        if achievement is not None:
            awards = achievement.awards
            if text not in awards:
                awards = f"{awards}；{text}" if awards else text
            update = AchievementUpdate.build(
                awards=awards[:300], source="selection", source_reference=selection.title[:200]
            )
            achievement = achievement_update(achievement=achievement, cmd=update, actor=actor)
        else:
            create = AchievementCreate.build(
                kind=ACHIEVEMENT_KIND.get(RoundKind(selection.kind), "application_scenario"),
                title=entry.title,
                authors=entry.authors,
                organizations=[entry.organization_id],
                owner_organization=entry.organization_id,
                year=selection.year,
                abstract=entry.summary,
                keywords=entry.keywords,
                visibility="public",
                awards=text,
                source="selection",
                source_reference=selection.title[:200],
            )
            achievement = achievement_create(cmd=create, actor=actor)
        if entry.showcase:
            showcase = ShowcaseSet.build(showcase=True, showcase_year=selection.year)
            achievement_set_showcase(achievement=achievement, cmd=showcase, actor=actor)
        Entry.objects.filter(pk=entry.pk).update(result_achievement=achievement)
    selection.finalised_at = now


def round_results(selection: SelectionRound) -> list[Entry]:
    """The stored results (after publication): ranked entries, winners first."""
    return list(
        selection.entries.filter(status=EntryStatus.ELIGIBLE, rank__isnull=False)
        .select_related("organization__city", "result_achievement")
        .order_by("rank", "id")
    )

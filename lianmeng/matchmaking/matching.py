"""Explainable match suggestions: candidates from the full-text index, then a transparent score.

A post's suggestions are open posts of the other direction in a compatible category. Candidates come
from the search index (an OR of the post's own search terms, ranked by the database: FTS5 bm25 on
SQLite, ``ts_rank`` on PostgreSQL) plus the newest posts of the same category, so a post with few words
still finds partners. Each candidate is then scored in Python from six parts whose whole-number points
add up exactly to the score (0-100):

=========== ====== ==============================================================
part        max    what it measures
=========== ====== ==============================================================
category    30     same category 30, a related category (研/学, 才/服, ...) 15
text        30     overlap of the two posts' search terms (cosine of term sets)
tags        15     shared tags, relative to the shorter tag list
city        10     at least one city served by both
strategy     5     a shared national-strategy tag (一带一路, 东西部协作, 乡村振兴)
freshness   10     how recently the candidate was posted (linear over 180 days)
=========== ====== ==============================================================
"""

from __future__ import annotations

import datetime
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lianmeng.core.search import PG_VECTOR_COLUMN, tokens

from .models import Category, Direction, Resource, ResourceStatus, as_list

WEIGHTS: dict[str, int] = {"category": 30, "text": 30, "tags": 15, "city": 10, "strategy": 5, "freshness": 10}
PART_LABELS = {
    "category": _("资源类别"),
    "text": _("内容相似"),
    "tags": _("共同标签"),
    "city": _("服务城市"),
    "strategy": _("国家战略"),
    "freshness": _("发布时间"),
}
# Categories that serve each other (both ways) at half weight.
RELATED_CATEGORIES: set[frozenset[str]] = {
    frozenset({Category.RESEARCH, Category.ACADEMIA}),
    frozenset({Category.TALENT, Category.SERVICES}),
    frozenset({Category.TALENT, Category.ACADEMIA}),
    frozenset({Category.INDUSTRY, Category.APPLICATION}),
    frozenset({Category.AWARD, Category.COMPETITION}),
    frozenset({Category.POLICY, Category.SERVICES}),
    frozenset({Category.FINANCE, Category.INDUSTRY}),
}
TEXT_FULL_AT = 0.5  # a cosine of 0.5 between term sets already means "about the same thing"
FRESH_DAYS = 180
CANDIDATES_FROM_INDEX = 200
CANDIDATES_LATEST = 30
# The posting lists of every OR-ed term are walked: 20 terms (title and tags first) keep a query over
# 100,000 posts well under the 100 ms budget while still covering what a post is about.
MAX_QUERY_TERMS = 20
# Words appended to search_text so that the index itself keeps only posts of the wanted direction and
# category (an AND with the OR of terms), instead of ranking the whole market.
DIRECTION_MARKER = "mmd"
CATEGORY_MARKER = "mmc"


def index_markers(direction: str, category: str) -> list[str]:
    return [f"{DIRECTION_MARKER}{direction}", f"{CATEGORY_MARKER}{category}"]


_MARKERS = frozenset(
    [f"{DIRECTION_MARKER}{d}" for d in Direction.values] + [f"{CATEGORY_MARKER}{c}" for c in Category.values]
)


def category_compatibility(a: str, b: str) -> float:
    if a == b:
        return 1.0
    return 0.5 if frozenset({a, b}) in RELATED_CATEGORIES else 0.0


def compatible_categories(category: str) -> list[str]:
    return [c for c in Category.values if category_compatibility(category, c) > 0]


def opposite(direction: str) -> str:
    return Direction.SUPPLY if direction == Direction.DEMAND else Direction.DEMAND


@dataclass(frozen=True)
class Part:
    """One part of a score. ``facts`` hold what the part found; ``detail`` says it in words (rendered
    only for the suggestions shown, since translating is the costliest step of scoring)."""

    key: str
    points: int
    maximum: int
    facts: Any = None

    @property
    def label(self) -> str:
        return str(PART_LABELS[self.key])

    @property
    def detail(self) -> str:
        facts = self.facts
        if self.key == "category":
            return str(_("同类资源") if facts == 1.0 else _("相关类别") if facts else _("类别不同"))
        if self.key == "text":
            return str(_("共有 %(n)d 个关键词片段") % {"n": facts})
        if self.key == "freshness":
            return str(_("%(n)d 天前发布") % {"n": facts}) if facts else str(_("今天发布"))
        if self.key == "city":
            return "、".join(facts) if facts else str(_("无共同城市"))
        return "、".join(facts) if facts else str(_("无"))


@dataclass
class Suggestion:
    resource: Any
    score: int
    parts: list[Part] = field(default_factory=list)
    raw: float = 0.0
    kind: str = "resource"

    @property
    def explanation(self) -> list[dict[str, Any]]:
        return [
            {"part": p.key, "label": p.label, "points": p.points, "max": p.maximum, "detail": p.detail}
            for p in self.parts
        ]


def allocate(raw: dict[str, float]) -> dict[str, int]:
    """Whole-number points per part that add up exactly to round(sum(raw)) (largest remainder)."""
    target = round(sum(raw.values()))
    floors = {k: math.floor(v) for k, v in raw.items()}
    remainder = target - sum(floors.values())
    order = sorted(raw, key=lambda k: (raw[k] - floors[k], raw[k]), reverse=True)
    for key in order[: max(0, remainder)]:
        floors[key] += 1
    return floors


@dataclass
class Profile:
    """What scoring needs of one post, read once."""

    pk: int
    direction: str
    category: str
    organization_id: int
    terms: frozenset[str]
    tags: frozenset[str]
    strategy: frozenset[str]
    cities: frozenset[str]
    created: datetime.date


def _norm_tags(values: Iterable[str]) -> frozenset[str]:
    return frozenset(v.strip().lower() for v in values if v and v.strip())


def _profile(
    pk: int,
    direction: str,
    category: str,
    organization_id: int,
    search: str,
    tags: Any,
    strategy: Any,
    created_at: datetime.datetime | None,
    *,
    cities: Iterable[str],
) -> Profile:
    return Profile(
        pk=pk,
        direction=direction,
        category=category,
        organization_id=organization_id,
        terms=frozenset(search.split()) - _MARKERS,
        tags=_norm_tags(as_list(tags)),
        strategy=frozenset(as_list(strategy)),
        cities=frozenset(cities),
        created=timezone.localtime(created_at).date() if created_at else timezone.localdate(),
    )


def profile_of(resource: Resource, cities: Iterable[str] | None = None) -> Profile:
    if cities is None:
        cities = [c.pk for c in resource.cities.all()]
    return _profile(
        resource.pk,
        resource.direction,
        resource.category,
        resource.organization_id,
        resource.search_text,
        resource.tags,
        resource.strategy_tags,
        resource.created_at,
        cities=cities,
    )


_PROFILE_FIELDS = (
    "pk",
    "direction",
    "category",
    "organization_id",
    "search_text",
    "tags",
    "strategy_tags",
    "created_at",
)


def score(
    post: Profile, other: Profile, *, today: datetime.date, city_names: dict[str, str]
) -> tuple[int, list[Part], float]:
    compat = category_compatibility(post.category, other.category)
    common_terms = len(post.terms & other.terms)
    cosine = (
        common_terms / math.sqrt(len(post.terms) * len(other.terms)) if post.terms and other.terms else 0.0
    )
    shared_tags = sorted(post.tags & other.tags)
    tag_share = len(shared_tags) / min(len(post.tags), len(other.tags)) if post.tags and other.tags else 0.0
    order = list(city_names)
    shared_cities = sorted(post.cities & other.cities, key=lambda c: order.index(c) if c in order else 99)
    shared_strategy = sorted(post.strategy & other.strategy)
    age = max(0, (today - other.created).days)
    fractions = {
        "category": compat,
        "text": min(1.0, cosine / TEXT_FULL_AT),
        "tags": tag_share,
        "city": 1.0 if shared_cities else 0.0,
        "strategy": 1.0 if shared_strategy else 0.0,
        "freshness": max(0.0, 1.0 - age / FRESH_DAYS),
    }
    raw = {k: WEIGHTS[k] * fractions[k] for k in WEIGHTS}
    points = allocate(raw)
    facts = {
        "category": compat,
        "text": common_terms,
        "tags": tuple(shared_tags),
        "city": tuple(city_names.get(c, c) for c in shared_cities),
        "strategy": tuple(shared_strategy),
        "freshness": age,
    }
    parts = [Part(k, points[k], WEIGHTS[k], facts[k]) for k in WEIGHTS]
    return sum(points.values()), parts, sum(raw.values())


COMMON_SAMPLE = 2000  # newest open posts sampled for term frequencies
COMMON_SHARE = 0.2  # a term in more than a fifth of posts does not tell posts apart
COMMON_CACHE_SECONDS = 3600


def common_terms() -> frozenset[str]:
    """Terms found in more than ``COMMON_SHARE`` of the newest open posts (服务, 提供, ...).

    They still count in the text part of the score, but are left out of the candidate query: OR-ing
    them would make the index match (and rank) nearly every post of the category. Computed from a
    sample and cached, so one query per hour per process.
    """
    cached = cache.get("matchmaking:common-terms")
    if cached is not None:
        return frozenset(cached)
    texts = list(
        Resource.objects.filter(status=ResourceStatus.OPEN)
        .order_by("-pk")
        .values_list("search_text", flat=True)[:COMMON_SAMPLE]
    )
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(set(text.split()))
    common = (
        sorted(t for t, n in counts.items() if n > COMMON_SHARE * len(texts) and t not in _MARKERS)
        if len(texts) >= COMMON_SAMPLE // 10
        else []
    )
    cache.set("matchmaking:common-terms", common, COMMON_CACHE_SECONDS)
    return frozenset(common)


def _query_terms(resource: Resource) -> list[str]:
    """Up to ``MAX_QUERY_TERMS`` distinctive terms of the post: title and tags first, then description."""
    skip = common_terms()
    seen: dict[str, None] = {}
    fallback: dict[str, None] = {}
    for part in (resource.title, " ".join(as_list(resource.tags)), resource.description):
        for tok in tokens(part):
            if len(tok) < 2 and not tok.isascii():
                continue
            (fallback if tok in skip else seen).setdefault(tok, None)
            if len(seen) >= MAX_QUERY_TERMS:
                return list(seen)
    return list(seen) or list(fallback)[:MAX_QUERY_TERMS]


def _base_where(resource: Resource, categories: list[str]) -> tuple[str, list[Any]]:
    """Open posts of the other direction in ``categories`` from other organizations. Validity is checked
    on the fetched rows (the daily task expires posts; a range condition here would lead SQLite away
    from the market index)."""
    qn = connection.ops.quote_name
    sql = (
        f"r.{qn('status')} = %s AND r.{qn('direction')} = %s AND r.{qn('organization_id')} <> %s "
        f"AND r.{qn('category')} IN ({', '.join(['%s'] * len(categories))})"
    )
    params: list[Any] = [
        ResourceStatus.OPEN,
        opposite(resource.direction),
        resource.organization_id,
        *categories,
    ]
    return sql, params


def candidate_ids(resource: Resource, *, limit: int = CANDIDATES_FROM_INDEX) -> list[int]:
    """Ids of open posts of the other direction and a compatible category from other organizations,
    best first: the index's best matches of the same category, then the newest posts of each
    compatible category (so short posts and related categories still meet partners)."""
    terms = _query_terms(resource)
    table = Resource._meta.db_table
    qn = connection.ops.quote_name
    wanted = index_markers(opposite(resource.direction), resource.category)
    ids: list[int] = []
    with connection.cursor() as cursor:
        if terms:
            where, params = _base_where(resource, [resource.category])
            if connection.vendor == "sqlite":
                fts = qn(table + "_fts")
                expression = "(" + " OR ".join(f'"{t}"' for t in terms) + ") AND " + " AND ".join(wanted)
                cursor.execute(
                    f"SELECT r.id FROM {fts} f JOIN {qn(table)} r ON r.id = f.rowid "
                    f"WHERE {fts} MATCH %s AND {where} ORDER BY f.rank LIMIT %s",
                    [expression, *params, limit],
                )
            else:
                vector = f"r.{qn(PG_VECTOR_COLUMN)}"  # the stored tsvector (core.search)
                tsquery = "(" + " | ".join(f"'{t}'" for t in terms) + ") & " + " & ".join(wanted)
                cursor.execute(
                    f"SELECT r.id FROM {qn(table)} r, to_tsquery('simple', %s) q "
                    f"WHERE {vector} @@ q AND {where} ORDER BY ts_rank({vector}, q) DESC, r.id DESC LIMIT %s",
                    [tsquery, *params, limit],
                )
            ids = [row[0] for row in cursor.fetchall()]
        seen = set(ids)
        for category in compatible_categories(resource.category):
            where, params = _base_where(resource, [category])
            cursor.execute(
                f"SELECT r.id FROM {qn(table)} r WHERE {where} ORDER BY r.{qn('created_at')} DESC LIMIT %s",
                [*params, CANDIDATES_LATEST if category == resource.category else CANDIDATES_LATEST // 2],
            )
            ids.extend(pk for (pk,) in cursor.fetchall() if pk not in seen)
            seen.update(ids)
    return ids


def suggestions_for(
    resource: Resource,
    *,
    limit: int = 10,
    min_score: int = 0,
    today: datetime.date | None = None,
    since: datetime.datetime | None = None,
) -> list[Suggestion]:
    """The best open partners for ``resource``, best first. ``since`` keeps only posts created after it.

    Five queries at most whatever the market size: candidates (index, then newest per compatible
    category), candidate rows as plain values, their cities, and the shown posts with organizations.
    """
    from lianmeng.core.models import City

    today = today or timezone.localdate()
    ids = candidate_ids(resource)
    if not ids:
        return []
    qs = Resource.objects.filter(pk__in=ids, valid_until__gte=today)
    if since is not None:
        qs = qs.filter(created_at__gte=since)
    rows = list(qs.values_list(*_PROFILE_FIELDS))
    cities: dict[int, list[str]] = defaultdict(list)
    through = Resource.cities.through
    for rid, code in through.objects.filter(resource_id__in=[r[0] for r in rows]).values_list(
        "resource_id", "city_id"
    ):
        cities[rid].append(code)
    city_names = {c.code: c.name for c in City.objects.all()}
    post = profile_of(resource)
    scored: list[tuple[int, float, int, list[Part]]] = []
    for row in rows:
        points, parts, raw = score(
            post, _profile(*row, cities=cities[row[0]]), today=today, city_names=city_names
        )
        if points >= min_score:
            scored.append((points, raw, row[0], parts))
    scored.sort(key=lambda t: (t[0], t[1], t[2]), reverse=True)
    top = scored[:limit]
    shown = Resource.objects.select_related("organization", "organization__city").in_bulk([t[2] for t in top])
    return [
        Suggestion(resource=shown[pk], score=points, parts=parts, raw=raw) for points, raw, pk, parts in top
    ]


def top_partner_ids(suggestions: Sequence[Suggestion]) -> list[int]:
    return [s.resource.pk for s in suggestions]

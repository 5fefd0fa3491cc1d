"""Explainable match suggestions: candidates from the full-text index, then a transparent score.

A post's suggestions are open posts of the other direction in a compatible category. Candidates come
from the search index (an OR of the post's own search terms, ranked by the database: FTS5 bm25 on
SQLite, ``ts_rank`` on PostgreSQL) plus the newest posts of the same category, so a post with few words
still finds partners; experts, projects and achievements are suggested where the post's category fits
(``LIBRARY_FIT``, ``library_suggestions_for``). Each candidate is then scored in Python from six parts whose whole-number points
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
from django.utils.translation import ngettext

from lianmeng.core.models import City
from lianmeng.core.search import PG_VECTOR_COLUMN, tokens
from lianmeng.library.models import (
    Achievement,
    AchievementKind,
    Expert,
    ExpertStatus,
    ExpertTitle,
    IntegrationTag,
    Project,
    ProjectStage,
)
from lianmeng.library.selectors import achievements_visible, experts_visible, projects_visible

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
    # (message, parameters) saying the part in words where ``facts`` alone would not (library
    # suggestions); formatted only when shown.
    note: tuple[Any, dict[str, Any]] | None = None

    @property
    def label(self) -> str:
        return str(PART_LABELS[self.key])

    @property
    def detail(self) -> str:
        if self.note is not None:
            message, params = self.note
            return str(message % params if params else message)
        facts = self.facts
        if self.key == "category":
            return str(_("同类资源") if facts == 1.0 else _("相关类别") if facts else _("类别不同"))
        if self.key == "text":
            n = int(facts)
            return str(ngettext("共有 %(n)d 个关键词片段", "共有 %(n)d 个关键词片段", n) % {"n": n})
        if self.key == "freshness":
            days = int(facts)
            return (
                str(ngettext("%(n)d 天前发布", "%(n)d 天前发布", days) % {"n": days})
                if days
                else str(_("今天发布"))
            )
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
    category_label: str = ""


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


# Experts, projects and achievements ------------------------------------------------------------
#
# Which library rows a post may be suggested, by the post's category and direction, and how well the
# category fits (1.0 full, 0.5 half). Experts and achievements are offerings, so only demand posts get
# them; a project can be a partner either way (a finance supply funds it, an industry demand joins it).
LIBRARY_FIT: dict[str, dict[str, tuple[tuple[str, ...], float]]] = {
    "expert": {
        Category.ACADEMIA: ((Direction.DEMAND,), 1.0),
        Category.RESEARCH: ((Direction.DEMAND,), 1.0),
        Category.TALENT: ((Direction.DEMAND,), 1.0),
        Category.SERVICES: ((Direction.DEMAND,), 0.5),
        Category.POLICY: ((Direction.DEMAND,), 0.5),
    },
    "project": {
        Category.INDUSTRY: ((Direction.DEMAND, Direction.SUPPLY), 1.0),
        Category.FINANCE: ((Direction.DEMAND, Direction.SUPPLY), 1.0),
        Category.APPLICATION: ((Direction.DEMAND, Direction.SUPPLY), 1.0),
        Category.COMPETITION: ((Direction.DEMAND, Direction.SUPPLY), 0.5),
        Category.SERVICES: ((Direction.DEMAND, Direction.SUPPLY), 0.5),
    },
    "achievement": {
        Category.RESEARCH: ((Direction.DEMAND,), 1.0),
        Category.APPLICATION: ((Direction.DEMAND,), 1.0),
        Category.AWARD: ((Direction.DEMAND,), 1.0),
        Category.ACADEMIA: ((Direction.DEMAND,), 0.5),
        Category.COMPETITION: ((Direction.DEMAND,), 0.5),
    },
}
# The parts of each kind's score; each adds up to 100.
LIBRARY_WEIGHTS: dict[str, dict[str, int]] = {
    "expert": {"category": 30, "text": 40, "tags": 15, "city": 15},
    "project": {"category": 30, "text": 30, "tags": 10, "city": 15, "strategy": 5, "freshness": 10},
    "achievement": {"category": 30, "text": 40, "tags": 15, "freshness": 15},
}
KIND_LABELS = {"expert": _("专家"), "project": _("项目"), "achievement": _("成果")}
LIBRARY_TEXT_FULL_AT = 0.35  # library rows carry more text than a post: a lower cosine is already close
LIBRARY_QUERY_TERMS = 12
LIBRARY_CANDIDATES = 80
PROJECT_FRESH_DAYS = 365
ACHIEVEMENT_FRESH_YEARS = 5


def library_fit(resource: Resource, kind: str) -> float:
    directions, fit = LIBRARY_FIT[kind].get(resource.category, ((), 0.0))
    return fit if resource.direction in directions else 0.0


def library_kinds(resource: Resource) -> list[str]:
    """The library kinds suggested for ``resource`` (the table ``LIBRARY_FIT``)."""
    return [kind for kind in LIBRARY_FIT if library_fit(resource, kind) > 0]


@dataclass
class LibraryItem:
    """What scoring and showing need of one expert, project or achievement."""

    kind: str
    pk: int
    title: str
    subtitle_parts: tuple[Any, ...]  # formatted only for the rows shown (translating costs)
    terms: frozenset[str]
    tags: frozenset[str]
    cities: frozenset[str] = frozenset()
    strategy: frozenset[str] = frozenset()
    age_days: int = 0
    year: int | None = None

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS[self.kind])

    @property
    def subtitle(self) -> str:
        return " · ".join(str(x) for x in self.subtitle_parts if x)

    @property
    def url(self) -> str:
        from django.urls import reverse

        return reverse(f"library:{self.kind}", args=[self.pk])

    def get_absolute_url(self) -> str:
        return self.url


def _split_keywords(text: str) -> list[str]:
    import re

    return [k for k in re.split(r"[,，、;；\s]+", text or "") if k]


def _tags_shared(post_tags: frozenset[str], item_tags: frozenset[str]) -> list[str]:
    """Post tags found among the item's keywords (equal, or one inside the other: 投融资 / 科技投融资)."""
    return sorted(t for t in post_tags if any(t in k or k in t for k in item_tags))


def library_score(
    post: Profile, item: LibraryItem, *, fit: float, today: datetime.date, city_names: dict[str, str]
) -> tuple[int, list[Part], float]:
    weights = LIBRARY_WEIGHTS[item.kind]
    common = len(post.terms & item.terms)
    cosine = common / math.sqrt(len(post.terms) * len(item.terms)) if post.terms and item.terms else 0.0
    shared_tags = _tags_shared(post.tags, item.tags)
    tag_share = (
        min(1.0, len(shared_tags) / min(len(post.tags), len(item.tags))) if post.tags and item.tags else 0.0
    )
    shared_cities = [c for c in city_names if c in post.cities and c in item.cities]
    shared_strategy = sorted(post.strategy & item.strategy)
    if item.kind == "achievement":
        age_years = max(0, today.year - (item.year or today.year))
        fresh = max(0.0, 1.0 - age_years / ACHIEVEMENT_FRESH_YEARS)
        fresh_note: tuple[Any, dict[str, Any]] = (_("%(year)d 年成果"), {"year": item.year or today.year})
    else:
        fresh = max(0.0, 1.0 - item.age_days / PROJECT_FRESH_DAYS)
        fresh_note = (_("%(n)d 天前更新"), {"n": item.age_days}) if item.age_days else (_("今天更新"), {})
    fractions = {
        "category": fit,
        "text": min(1.0, cosine / LIBRARY_TEXT_FULL_AT),
        "tags": tag_share,
        "city": 1.0 if shared_cities else 0.0,
        "strategy": 1.0 if shared_strategy else 0.0,
        "freshness": fresh,
    }
    raw = {k: weights[k] * fractions[k] for k in weights}
    points = allocate(raw)
    facts: dict[str, Any] = {
        "category": fit,
        "text": common,
        "tags": tuple(shared_tags),
        "city": tuple(city_names.get(c, c) for c in shared_cities),
        "strategy": tuple(shared_strategy),
        "freshness": item.age_days,
    }
    notes: dict[str, tuple[Any, dict[str, Any]]] = {
        "category": (
            _("%(category)s类资源与%(kind)s相符")
            if fit == 1.0
            else _("%(category)s类资源与%(kind)s部分相符"),
            {"category": post.category_label, "kind": KIND_LABELS[item.kind]},
        ),
        "freshness": fresh_note,
    }
    parts = [Part(k, points[k], weights[k], facts[k], notes.get(k)) for k in weights]
    return sum(points.values()), parts, sum(raw.values())


def _term_condition(model: Any, terms: Sequence[str]) -> tuple[str, list[str]]:
    """Rows whose full-text index (``core.search.search_index_operation``: FTS5 table on SQLite, the
    stored ``search_vector`` on PostgreSQL) holds any of ``terms``. One OR-ed match instead of an OR of
    ``core.search.fts_condition`` per term (which AND their phrases): nine times faster on SQLite."""
    qn = connection.ops.quote_name
    table = model._meta.db_table
    if connection.vendor == "sqlite":
        fts = qn(table + "_fts")
        return (
            f"{qn(table)}.{qn('id')} IN (SELECT rowid FROM {fts} WHERE {fts} MATCH %s)",
            [" OR ".join(f'"{t}"' for t in terms)],
        )
    return (
        f"{qn(table)}.{qn(PG_VECTOR_COLUMN)} @@ to_tsquery('simple', %s)",
        [" | ".join(f"'{t}'" for t in terms)],
    )


def _expert_items(
    viewer: Any, resource: Resource, terms: list[str], today: datetime.date
) -> list[LibraryItem]:
    where, params = _term_condition(Expert, terms)
    rows = list(
        experts_visible(viewer)
        .filter(publish_consent=True, status=ExpertStatus.ACTIVE)
        .exclude(organization_id=resource.organization_id)
        .extra(where=[where], params=params)  # noqa: S610 - bound parameters, quoted names
        .order_by("-pk")
        .values_list(
            "pk",
            "name",
            "title",
            "organization__name",
            "organization_name",
            "city_id",
            "keywords",
            "search_text",
        )[:LIBRARY_CANDIDATES]
    )
    fields: dict[int, list[str]] = defaultdict(list)
    for expert_id, name in Expert.fields.through.objects.filter(
        expert_id__in=[r[0] for r in rows]
    ).values_list("expert_id", "expertisefield__name"):
        fields[expert_id].append(name)
    titles = dict(ExpertTitle.choices)
    return [
        LibraryItem(
            kind="expert",
            pk=pk,
            title=name,
            subtitle_parts=(org or org_name, titles.get(title, "")),
            terms=frozenset(text.split()),
            tags=_norm_tags([*_split_keywords(keywords), *fields[pk]]),
            cities=frozenset([city_id]),
        )
        for pk, name, title, org, org_name, city_id, keywords, text in rows
    ]


def _project_items(
    viewer: Any, resource: Resource, terms: list[str], today: datetime.date
) -> list[LibraryItem]:
    where, params = _term_condition(Project, terms)
    rows = list(
        projects_visible(viewer)
        .exclude(stage=ProjectStage.CLOSED)
        .exclude(lead_organization_id=resource.organization_id)
        .extra(where=[where], params=params)  # noqa: S610 - bound parameters, quoted names
        .order_by("-pk")
        .values_list(
            "pk", "name", "lead_organization__name", "stage", "integration_tags", "updated_at", "search_text"
        )[:LIBRARY_CANDIDATES]
    )
    ids = [r[0] for r in rows]
    cities: dict[int, list[str]] = defaultdict(list)
    for pid, code in Project.cities.through.objects.filter(project_id__in=ids).values_list(
        "project_id", "city_id"
    ):
        cities[pid].append(code)
    strategy: dict[int, list[str]] = defaultdict(list)
    for pid, name in Project.strategy_tags.through.objects.filter(project_id__in=ids).values_list(
        "project_id", "strategytag__name"
    ):
        strategy[pid].append(name)
    stages = dict(ProjectStage.choices)
    integration_labels = {value: str(label) for value, label in IntegrationTag.choices}  # 3 labels
    out = []
    for pk, name, lead, stage, integration, updated, text in rows:
        labels = [integration_labels[t] for t in integration.split(",") if t in integration_labels]
        out.append(
            LibraryItem(
                kind="project",
                pk=pk,
                title=name,
                subtitle_parts=(lead, stages.get(stage, stage)),
                terms=frozenset(text.split()),
                tags=_norm_tags([*labels, *strategy[pk]]),
                cities=frozenset(cities[pk]),
                strategy=frozenset(strategy[pk]),
                age_days=max(0, (today - timezone.localtime(updated).date()).days) if updated else 0,
            )
        )
    return out


def _achievement_items(
    viewer: Any, resource: Resource, terms: list[str], today: datetime.date
) -> list[LibraryItem]:
    where, params = _term_condition(Achievement, terms)
    rows = list(
        achievements_visible(viewer)
        .exclude(owner_organization_id=resource.organization_id)
        .extra(where=[where], params=params)  # noqa: S610 - bound parameters, quoted names
        .order_by("-pk")
        .values_list("pk", "title", "kind", "year", "keywords", "search_text")[:LIBRARY_CANDIDATES]
    )
    kinds = dict(AchievementKind.choices)
    return [
        LibraryItem(
            kind="achievement",
            pk=pk,
            title=title,
            subtitle_parts=(kinds.get(kind, kind), year),
            terms=frozenset(text.split()),
            tags=_norm_tags(_split_keywords(keywords)),
            year=year,
        )
        for pk, title, kind, year, keywords, text in rows
    ]


_LIBRARY_LOADERS = {"expert": _expert_items, "project": _project_items, "achievement": _achievement_items}


def library_suggestions_for(
    resource: Resource,
    *,
    viewer: Any,
    per_kind: int = 3,
    min_score: int = 0,
    today: datetime.date | None = None,
) -> list[Suggestion]:
    """Experts, projects and achievements the viewer may see that fit ``resource`` (``LIBRARY_FIT``),
    ``per_kind`` of each at most, best first within a kind. Candidates are the rows whose full-text
    index matches any of the post's distinctive terms; at most six queries whatever the library size
    (experts and their fields, projects with cities and strategy tags, achievements), none when no
    kind fits the post's category."""
    kinds = library_kinds(resource)
    terms = _query_terms(resource)[:LIBRARY_QUERY_TERMS]
    if not kinds or not terms:
        return []
    today = today or timezone.localdate()
    city_names = {c.code: c.name for c in City.objects.all()}
    post = profile_of(resource)
    post.category_label = resource.get_category_display()
    out: list[Suggestion] = []
    for kind in kinds:
        fit = library_fit(resource, kind)
        scored = []
        for item in _LIBRARY_LOADERS[kind](viewer, resource, terms, today):
            points, parts, raw = library_score(post, item, fit=fit, today=today, city_names=city_names)
            if points >= min_score:
                scored.append(Suggestion(resource=item, score=points, parts=parts, raw=raw, kind=kind))
        scored.sort(key=lambda s: (s.score, s.raw, s.resource.pk), reverse=True)
        out.extend(scored[:per_kind])
    return out

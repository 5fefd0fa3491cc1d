"""`lianmeng generate`: bulk data for benchmarks and load tests (not demo data).

``--organizations N`` adds N organizations (bench/directory.py). ``--scale test|demo|city|province|national``
fills every mechanism consistently (docs/scale.md): organizations, experts in them, library items
(projects, achievements, consultations), published events with registrations, resource posts. Search
columns are filled by the same index-field helpers the services use. Rows go in with ``bulk_create`` in
batches inside one transaction: all or nothing. A scale run refuses to run on a database that already
holds generated data (organizations with a ``@generated.invalid`` e-mail).
"""

from __future__ import annotations

import datetime
import functools
import random
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.utils import timezone

from lianmeng.activities.models import (
    CODE_ALPHABET,
    Audience,
    Event,
    EventKind,
    EventStatus,
    Registration,
    RegistrationStatus,
    new_ticket_token,
)
from lianmeng.core import demo as core_demo
from lianmeng.core import search as core_search
from lianmeng.core.backup.progress import Progress
from lianmeng.core.demo_support import make_uscc
from lianmeng.core.models import City
from lianmeng.library.models import (
    Achievement,
    AchievementKind,
    Consultation,
    ConsultationStatus,
    Expert,
    ExpertiseField,
    ExpertTitle,
    Project,
    ProjectStage,
    Visibility,
)
from lianmeng.library.services import achievements as achievement_services
from lianmeng.library.services import experts as expert_services
from lianmeng.library.services import projects as project_services
from lianmeng.library.services.achievements import achievement_index_fields
from lianmeng.library.services.experts import expert_index_fields
from lianmeng.library.services.projects import project_index_fields
from lianmeng.matchmaking import services as matchmaking_services
from lianmeng.matchmaking.models import Category, Direction, Resource, ResourceStatus
from lianmeng.matchmaking.services import resource_index
from lianmeng.membership.models import Organization, OrganizationStatus, Tier
from lianmeng.membership.services import organization_index_fields

PREFIXES = [
    "海纳",
    "蓝海",
    "英才",
    "智联",
    "众和",
    "鲁信",
    "齐鲁",
    "泰山",
    "黄河",
    "渤海",
    "胶东",
    "半岛",
    "海岸",
    "新动能",
    "汇才",
    "博雅",
    "启航",
    "远航",
    "星河",
    "云端",
    "数智",
    "匠心",
    "聚贤",
    "卓越",
    "鼎盛",
    "和信",
]
MIDDLES = [
    "人力资源",
    "人才服务",
    "职业培训",
    "劳务派遣",
    "猎头",
    "招聘",
    "灵活用工",
    "人才测评",
    "科技",
    "数字",
    "产业",
    "管理咨询",
    "教育",
    "就业服务",
]
SUFFIXES = {
    "enterprise": ["有限公司", "股份有限公司", "服务有限公司", "集团有限公司"],
    "park": ["服务产业园", "产业园区", "人才港"],
    "association": ["协会", "促进会", "联合会"],
    "platform": ["平台", "网络科技有限公司", "信息技术有限公司"],
    "research_institute": ["研究院", "研究中心", "研究所"],
    "university": ["学院", "职业学院", "大学"],
    "financial_institution": ["投资有限公司", "基金管理有限公司", "融资担保有限公司"],
}
DISTRICTS = [
    "市南",
    "市北",
    "崂山",
    "黄岛",
    "城阳",
    "即墨",
    "芝罘",
    "莱山",
    "福山",
    "奎文",
    "潍城",
    "寿光",
    "环翠",
    "文登",
    "荣成",
    "东港",
    "岚山",
    "莒县",
    "滨城",
    "邹平",
    "博兴",
    "东营",
    "广饶",
    "垦利",
]


# National counts (issue 13); the other scales are fractions of it.
NATIONAL = {
    "organizations": 100_000,
    "experts": 200_000,
    "projects": 200_000,
    "achievements": 600_000,
    "consultations": 200_000,
    "registrations": 1_000_000,
    "resources": 100_000,
}
SCALES = {"test": 0.0001, "demo": 0.001, "city": 0.01, "province": 0.1, "national": 1.0}
REGISTRATIONS_PER_EVENT = 50
GENERATED_EMAIL_DOMAIN = "generated.invalid"

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
)
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志宏海波晨曦博文思远嘉怡子涵浩然"
TOPICS = [
    "人力资源服务产业园",
    "数字人才",
    "灵活用工",
    "技能培训",
    "海外引才",
    "人才测评",
    "就业服务",
    "产教融合",
    "蓝色经济人才",
    "乡村振兴人才",
    "职业技能等级认定",
    "人力资源数字化",
]
PROJECT_WORDS = ["共建", "协同", "示范", "提升", "创新", "试点", "联动", "孵化"]
PROJECT_SUFFIXES = ["项目", "工程", "计划", "平台建设", "行动"]
ACHIEVEMENT_WORDS = ["研究报告", "典型案例", "发展指数", "标准", "白皮书", "评价体系", "实践"]
RESOURCE_WORDS = ["需求", "合作", "资源", "服务", "对接", "供给"]


def scale_counts(scale: str, factor: float = 1.0) -> dict[str, int]:
    """How many rows of each kind ``--scale`` makes (at least one of each), with the events they need."""
    fraction = SCALES[scale] * factor
    counts = {key: max(1, round(n * fraction)) for key, n in NATIONAL.items()}
    counts["events"] = max(1, -(-counts["registrations"] // REGISTRATIONS_PER_EVENT))
    return counts


class Command(BaseCommand):
    help = (
        "Generate bulk data for benchmarks: --organizations N, or --scale test|demo|city|province|national."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organizations", type=int, default=0)
        parser.add_argument("--scale", choices=list(SCALES))
        parser.add_argument(
            "--factor",
            type=float,
            default=1.0,
            help="Multiply the scale's counts (e.g. --scale test --factor 5).",
        )
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--batch", type=int, default=5000)
        parser.add_argument(
            "--no-progress", action="store_true", help="Plain progress lines, even on a terminal."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not City.objects.exists():
            core_demo.load(accounts=False)
        n = options["organizations"]
        if n:
            started = time.perf_counter()
            made = generate_organizations(n, seed=options["seed"], batch=options["batch"])
            self.stdout.write(f"{made} organizations in {time.perf_counter() - started:.1f} s")
        if options["scale"]:
            if options["factor"] <= 0:
                raise CommandError("--factor must be positive")
            if Organization.objects.filter(email__endswith="@" + GENERATED_EMAIL_DOMAIN).exists():
                raise CommandError(
                    "This database already holds generated data (organizations with a "
                    f"@{GENERATED_EMAIL_DOMAIN} e-mail): generate into an empty database."
                )
            counts = scale_counts(options["scale"], options["factor"])
            progress = None if not options["no_progress"] else False
            started = time.perf_counter()
            times = generate_scale(
                counts, seed=options["seed"], batch=options["batch"], out=self.stdout.write, progress=progress
            )
            total = time.perf_counter() - started
            summary = ", ".join(f"{counts[k]:,} {k} {t:.1f} s" for k, t in times.items())
            self.stdout.write(f"scale {options['scale']} in {total:.1f} s: {summary}")
        if n or options["scale"]:
            started = time.perf_counter()
            refresh_statistics()
            self.stdout.write(f"planner statistics refreshed in {time.perf_counter() - started:.1f} s")


def refresh_statistics() -> None:
    """After a bulk load the planner knows nothing of the new rows (PostgreSQL's autovacuum may be off or
    not yet run: a national database without statistics served its pages 5-10x slower, with plans for
    empty tables) and PostgreSQL's visibility map is empty (index-only scans visit the heap): VACUUM
    (ANALYZE) there, ANALYZE on SQLite and inside a transaction (a test's), where VACUUM cannot run."""
    vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)" if vacuum else "ANALYZE")


def generate_organizations(
    n: int,
    *,
    seed: int = 2026,
    batch: int = 5000,
    email_domain: str = "",
    on_batch: Callable[[int], None] | None = None,
) -> int:
    rng = random.Random(seed)
    cities = list(City.objects.all())
    kinds = list(SUFFIXES)
    used = set(Organization.objects.values_list("uscc", flat=True))
    start = Organization.objects.count()
    today = timezone.localdate()
    made = 0
    while made < n:
        rows: list[Organization] = []
        for _ in range(min(batch, n - made)):
            i = start + made + len(rows)
            city = rng.choice(cities)
            kind = rng.choice(kinds)
            name = (
                f"{city.name}{rng.choice(DISTRICTS)}{rng.choice(PREFIXES)}{rng.choice(MIDDLES)}"
                f"{rng.choice(SUFFIXES[kind])}{i}"
            )
            uscc = make_uscc(f"gen-{i}", division=city.code, kind=kind)
            salt = 0
            while uscc in used:
                salt += 1
                uscc = make_uscc(f"gen-{i}-{salt}", division=city.code, kind=kind)
            used.add(uscc)
            org = Organization(
                name=name,
                uscc=uscc,
                kind=kind,
                city=city,
                tier=Tier.COUNCIL if i % 50 == 0 else Tier.ORDINARY,
                status=OrganizationStatus.ACTIVE if i % 40 else OrganizationStatus.SUSPENDED,
                description=f"{name}位于{city.name}，主营{rng.choice(MIDDLES)}与{rng.choice(MIDDLES)}服务。",
                email=f"org{i}@{email_domain}" if email_domain else "",
                joined_on=today,
            )
            organization_index_fields(org)
            rows.append(org)
        with transaction.atomic():
            Organization.objects.bulk_create(rows)
        made += len(rows)
        if on_batch:
            on_batch(len(rows))
    return made


def _chunks(n: int, batch: int) -> Iterator[range]:
    for start in range(0, n, batch):
        yield range(start, min(n, start + batch))


def _checkin_code(i: int) -> str:
    """A unique 8-character check-in code for generated registration ``i`` (a bijection of i, so no
    two generated rows collide; random codes of real registrations collide with one with odds ~1e-6)."""
    base = len(CODE_ALPHABET)
    space = base**8
    n = (i * 2_654_435_761 + 97) % space  # odd multiplier coprime with 31**8: a permutation
    out = []
    for _ in range(8):
        n, r = divmod(n, base)
        out.append(CODE_ALPHABET[r])
    return "".join(out)


@contextmanager
def memoised_index_functions() -> Iterator[None]:
    """Memoise the pure text functions the index-field helpers call (pinyin, bigrams) while generating:
    generated titles repeat, and pypinyin costs about half a millisecond a name. The stored values are
    exactly what the services store (tests/core/test_generate.py recomputes them)."""
    modules = [expert_services, project_services, achievement_services, matchmaking_services]
    saved: list[tuple[Any, str, Any]] = []
    cached: dict[Any, Any] = {}
    for module in modules:
        for name in ("name_pinyin", "search_text"):
            original = getattr(module, name, None)
            if original is None:
                continue
            if original not in cached:
                cached[original] = functools.lru_cache(maxsize=100_000)(original)
            saved.append((module, name, original))
            setattr(module, name, cached[original])
    # search_text() splits each part into bigrams; organization names and titles repeat across rows.
    original_tokens = core_search.tokens
    cached_tokens = functools.lru_cache(maxsize=300_000)(lambda text: tuple(original_tokens(text)))
    saved.append((core_search, "tokens", original_tokens))
    core_search.tokens = lambda text: list(cached_tokens(text))
    try:
        yield
    finally:
        for module, name, original in saved:
            setattr(module, name, original)


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def generate_scale(
    counts: dict[str, int],
    *,
    seed: int = 2026,
    batch: int = 5000,
    out: Callable[[str], Any] = print,
    progress: bool | None = None,
) -> dict[str, float]:
    """Create ``counts`` rows of each kind in one transaction; returns seconds per kind."""
    rng = random.Random(seed)
    times: dict[str, float] = {}
    today = timezone.localdate()
    now = timezone.now()

    def step(label: str, total: int, fn: Callable[[Callable[[int], None]], object]) -> None:
        started = time.perf_counter()
        with Progress(label, total=total, unit="rows", stream=sys.stderr, enabled=progress) as bar:
            fn(bar.advance)
        times[label] = time.perf_counter() - started
        if not bar.enabled:
            out(f"{label}: {total:,} rows in {times[label]:.1f} s")

    with transaction.atomic(), memoised_index_functions():
        step(
            "organizations",
            counts["organizations"],
            lambda advance: generate_organizations(
                counts["organizations"],
                seed=seed,
                batch=batch,
                email_domain=GENERATED_EMAIL_DOMAIN,
                on_batch=advance,
            ),
        )
        orgs = list(
            Organization.objects.filter(email__endswith="@" + GENERATED_EMAIL_DOMAIN)
            .select_related("city")
            .only("id", "name", "city_id", "city__name", "status")
            .order_by("id")
        )
        active = [o for o in orgs if o.status == OrganizationStatus.ACTIVE] or orgs
        fields = list(ExpertiseField.objects.all())

        def experts(advance: Callable[[int], None]) -> None:
            titles = list(ExpertTitle.values)
            for chunk in _chunks(counts["experts"], batch):
                rows = []
                chosen = []
                for i in chunk:
                    org = orgs[i % len(orgs)]
                    field = fields[i % len(fields)] if fields else None
                    expert = Expert(
                        name=_person(rng),
                        organization=org,
                        city_id=org.city_id,
                        title=titles[i % len(titles)],
                        position=rng.choice(["主任", "研究员", "教授", "总经理", "高级顾问"]),
                        keywords=f"{rng.choice(TOPICS)}、{rng.choice(TOPICS)}",
                        email=f"expert{i}@{GENERATED_EMAIL_DOMAIN}",
                        publish_consent=i % 5 < 3,  # 3 in 5 agree to be listed publicly
                    )
                    expert.city = org.city
                    expert_index_fields(expert, [field.name] if field else [])
                    rows.append(expert)
                    chosen.append(field)
                Expert.objects.bulk_create(rows)
                through = Expert.fields.through
                field_links = [
                    through(expert_id=e.pk, expertisefield_id=f.pk)
                    for e, f in zip(rows, chosen, strict=True)
                    if f
                ]
                through.objects.bulk_create(field_links)
                advance(len(rows))

        step("experts", counts["experts"], experts)

        def projects(advance: Callable[[int], None]) -> None:
            stages = list(ProjectStage.values)
            for chunk in _chunks(counts["projects"], batch):
                rows = []
                partners = []
                for i in chunk:
                    lead = active[i % len(active)]
                    partner = active[(i * 7 + 3) % len(active)]
                    name = f"{lead.city.name}{rng.choice(TOPICS)}{rng.choice(PROJECT_WORDS)}{rng.choice(PROJECT_SUFFIXES)}"
                    project = Project(
                        name=name,
                        summary=f"围绕{rng.choice(TOPICS)}开展{rng.choice(PROJECT_WORDS)}合作。",
                        lead_organization=lead,
                        stage=stages[i % len(stages)],
                    )
                    project_index_fields(project, partners=[partner], cities=[lead.city], tags=[])
                    rows.append(project)
                    partners.append(partner)
                Project.objects.bulk_create(rows)
                Project.partner_organizations.through.objects.bulk_create(
                    [
                        Project.partner_organizations.through(project_id=p.pk, organization_id=o.pk)
                        for p, o in zip(rows, partners, strict=True)
                        if o.pk != p.lead_organization_id
                    ]
                )
                Project.cities.through.objects.bulk_create(
                    [
                        Project.cities.through(project_id=p.pk, city_id=p.lead_organization.city_id)
                        for p in rows
                    ]
                )
                advance(len(rows))

        step("projects", counts["projects"], projects)

        def achievements(advance: Callable[[int], None]) -> None:
            kinds = list(AchievementKind.values)
            authors = [f"{_person(rng)}、{_person(rng)}" for _ in range(2000)]
            for chunk in _chunks(counts["achievements"], batch):
                rows = []
                for i in chunk:
                    owner = active[(i * 3 + 1) % len(active)]
                    title = f"{rng.choice(TOPICS)}{rng.choice(ACHIEVEMENT_WORDS)}（{today.year - i % 5}）"
                    achievement = Achievement(
                        kind=kinds[i % len(kinds)],
                        title=title,
                        authors=authors[i % len(authors)],
                        owner_organization=owner,
                        year=today.year - i % 5,
                        abstract=f"关于{rng.choice(TOPICS)}的{rng.choice(ACHIEVEMENT_WORDS)}成果。",
                        keywords=rng.choice(TOPICS),
                        visibility=Visibility.PUBLIC if i % 10 else Visibility.MEMBERS,
                    )
                    achievement_index_fields(achievement, [owner])
                    rows.append(achievement)
                Achievement.objects.bulk_create(rows)
                Achievement.organizations.through.objects.bulk_create(
                    [
                        Achievement.organizations.through(
                            achievement_id=a.pk, organization_id=a.owner_organization_id
                        )
                        for a in rows
                    ]
                )
                advance(len(rows))

        step("achievements", counts["achievements"], achievements)

        def consultations(advance: Callable[[int], None]) -> None:
            statuses = [ConsultationStatus.SUBMITTED, ConsultationStatus.ANSWERED, ConsultationStatus.CLOSED]
            for chunk in _chunks(counts["consultations"], batch):
                rows = [
                    Consultation(
                        organization=active[(i * 5 + 2) % len(active)],
                        title=f"关于{rng.choice(TOPICS)}的咨询",
                        question=f"请专家就{rng.choice(TOPICS)}给出建议。",
                        field=fields[i % len(fields)] if fields else None,
                        due_date=today + datetime.timedelta(days=14 + i % 30),
                        status=statuses[i % len(statuses)],
                    )
                    for i in chunk
                ]
                Consultation.objects.bulk_create(rows)
                advance(len(rows))

        step("consultations", counts["consultations"], consultations)

        events: list[Event] = []

        def make_events(advance: Callable[[int], None]) -> None:
            kinds = [k for k in EventKind.values if k != EventKind.PLENARY]
            for chunk in _chunks(counts["events"], batch):
                rows = []
                for i in chunk:
                    org = active[(i * 11 + 5) % len(active)]
                    starts = now + datetime.timedelta(days=(i % 365) - 180, hours=9)
                    rows.append(
                        Event(
                            title=f"{org.city.name}{rng.choice(TOPICS)}{EventKind(kinds[i % len(kinds)]).label}",
                            kind=kinds[i % len(kinds)],
                            organizer=org,
                            city_id=org.city_id,
                            starts_at=starts,
                            ends_at=starts + datetime.timedelta(hours=3),
                            venue=f"{org.city.name}国际会议中心",
                            capacity=REGISTRATIONS_PER_EVENT * 2,
                            audience=Audience.PUBLIC,
                            description=f"{org.name}主办。",
                            status=EventStatus.PUBLISHED,
                            published_at=now,
                        )
                    )
                Event.objects.bulk_create(rows)
                events.extend(rows)
                advance(len(rows))

        step("events", counts["events"], make_events)

        def registrations(advance: Callable[[int], None]) -> None:
            offset = Registration.objects.count()  # codes and mobiles stay unique when run again
            for chunk in _chunks(counts["registrations"], batch):
                rows = []
                for i in chunk:
                    event = events[i // REGISTRATIONS_PER_EVENT % len(events)]
                    org = orgs[(i * 13 + 7) % len(orgs)]
                    rows.append(
                        Registration(
                            event=event,
                            name=_person(rng),
                            mobile=f"19{offset + i:09d}",
                            organization=org,
                            organization_name=org.name,
                            status=RegistrationStatus.REGISTERED,
                            code=_checkin_code(offset + i),
                            token=new_ticket_token(),
                        )
                    )
                Registration.objects.bulk_create(rows)
                advance(len(rows))

        step("registrations", counts["registrations"], registrations)

        def resources(advance: Callable[[int], None]) -> None:
            categories = list(Category.values)
            directions = list(Direction.values)
            for chunk in _chunks(counts["resources"], batch):
                rows = []
                for i in chunk:
                    org = active[(i * 17 + 11) % len(active)]
                    category = categories[i % len(categories)]
                    resource = Resource(
                        direction=directions[i % 2],
                        category=category,
                        title=f"{rng.choice(TOPICS)}{rng.choice(RESOURCE_WORDS)}",
                        description=f"面向{org.city.name}的{rng.choice(TOPICS)}{rng.choice(RESOURCE_WORDS)}。",
                        organization=org,
                        tags=[rng.choice(TOPICS)],
                        valid_from=today,
                        valid_until=today + datetime.timedelta(days=180),
                        contact_name=_person(rng),
                        status=ResourceStatus.OPEN,
                    )
                    resource_index(resource)
                    rows.append(resource)
                Resource.objects.bulk_create(rows)
                Resource.cities.through.objects.bulk_create(
                    [Resource.cities.through(resource_id=r.pk, city_id=r.organization.city_id) for r in rows]
                )
                advance(len(rows))

        step("resources", counts["resources"], resources)
    return times

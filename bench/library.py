# ruff: noqa: E402 - Django is set up before the models are imported
"""Benchmarks of the libraries: a generator for N library items, the one search, and imports.

Usage (a separate database, never the real one):

    export DEBUG=true LIANMENG_VAR_DIR=/tmp/bench-lib          # SQLite, or DATABASE_URL=postgresql://...
    .venv/bin/lianmeng migrate
    .venv/bin/python bench/library.py generate --items 1000000
    .venv/bin/python bench/library.py search --repeat 30            # --public: as a visitor
    .venv/bin/python bench/library.py import --rows 100000
    .venv/bin/python bench/library.py xlsx --rows 10000 --repeat 5    # no database: write and read a sheet

Items are split 20 % experts, 30 % projects, 50 % achievements. Text is made of phrases from a small
vocabulary joined by "·" (which breaks bigrams), so the search text of a row is the concatenation of
precomputed phrase tokens: the same result as ``core.search.search_text`` at a fraction of the cost.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lianmeng.settings")

import django

django.setup()

from django.db import connection, transaction

from lianmeng.accounts.models import User
from lianmeng.core import demo as core_demo
from lianmeng.core.models import City
from lianmeng.core.search import (
    PG_VECTOR_COLUMN,
    pinyin_full,
    pinyin_initials,
    pinyin_sort_key,
    search,
    search_text,
)
from lianmeng.library.models import Achievement, AchievementKind, Expert, Project, ProjectStage, Visibility
from lianmeng.membership import demo as membership_demo
from lianmeng.membership.models import Organization

PLACES = ["青岛", "烟台", "潍坊", "威海", "日照", "滨州", "东营", "胶东", "蓝区", "半岛"]
TOPICS = [
    "人力资源服务",
    "科技发展",
    "产业园区",
    "灵活用工",
    "技能培训",
    "人才测评",
    "数字化招聘",
    "乡村振兴",
    "联盟协同",
    "海洋经济",
]
NOUNS = ["平台", "基地", "中心", "报告", "案例", "标准", "研究", "计划", "工程", "联盟"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂"
BATCH = 5000


def _tok(words: list[str]) -> dict[str, str]:
    return {w: search_text(w) for w in words}


@cache
def _name_text(name: str) -> str:
    return search_text(name)


@cache
def _name_pinyin(name: str) -> tuple[str, str, str]:
    return pinyin_full(name), pinyin_initials(name), pinyin_sort_key(name)


@cache
def _title_pinyin_prefix(prefix: str) -> tuple[str, str, str]:
    return pinyin_full(prefix), pinyin_initials(prefix), pinyin_sort_key(prefix + " ")


def _title_pinyin(prefix: str, n: int) -> tuple[str, str, str]:
    """Pinyin of ``f"{prefix} {n}"`` from the cached pinyin of the prefix (checked against the real
    functions for the first rows): 220 µs a title otherwise, minutes at a million rows."""
    full, initials, sort = _title_pinyin_prefix(prefix)
    return full + str(n), initials + str(n), (sort + " " + " ".join(str(n)))[:250]


def generate(items: int, seed: int = 7) -> None:
    rnd = random.Random(seed)
    core_demo.load(accounts=False)
    membership_demo.load(accounts=False)
    orgs = list(Organization.objects.all())
    cities = list(City.objects.all())
    admin = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser(
        "bench-admin", "bench@example.cn", "bench-password-1"
    )
    tok = _tok(PLACES + TOPICS + NOUNS + [c.name for c in cities] + [o.name for o in orgs])
    org_tok = {o.pk: tok[o.name] for o in orgs}
    kinds = AchievementKind.values
    vis = [Visibility.PUBLIC] * 8 + [Visibility.MEMBERS, Visibility.PRIVATE]
    stages = ProjectStage.values
    n_exp, n_proj = items // 5, items * 3 // 10
    n_ach = items - n_exp - n_proj
    started = time.perf_counter()

    def title() -> tuple[str, str, tuple[str, str, str]]:
        a, b, c = rnd.choice(PLACES), rnd.choice(TOPICS), rnd.choice(NOUNS)
        n = rnd.randrange(1, 10000)
        prefix = f"{a}·{b}·{c}"
        return f"{prefix} {n}", f"{tok[a]} {tok[b]} {tok[c]} {n}", _title_pinyin(prefix, n)

    for _ in range(50):
        t, _ts, py = title()
        assert py == (pinyin_full(t), pinyin_initials(t), pinyin_sort_key(t)), (t, py)
    if connection.vendor == "postgresql":
        # Build the full-text indexes once at the end instead of updating them row by row.
        with connection.cursor() as cur:
            for table in ("library_expert", "library_project", "library_achievement"):
                cur.execute(f"DROP INDEX IF EXISTS {table}_search_gin")
            cur.execute("SET synchronous_commit TO off")

    with transaction.atomic():
        for start in range(0, n_exp, BATCH):
            rows = []
            for _ in range(min(BATCH, n_exp - start)):
                name = rnd.choice(SURNAMES) + rnd.choice(GIVEN) + rnd.choice(GIVEN)
                org, city = rnd.choice(orgs), rnd.choice(cities)
                topic = rnd.choice(TOPICS)
                e = Expert(
                    name=name,
                    organization=org,
                    organization_name=org.name,
                    city=city,
                    title="senior",
                    keywords=topic,
                    publish_consent=rnd.random() < 0.7,
                )
                e.search_text = " ".join([_name_text(name), org_tok[org.pk], tok[city.name], tok[topic]])
                e.name_pinyin, e.name_initials, e.name_sort = _name_pinyin(name)
                rows.append(e)
            Expert.objects.bulk_create(rows, batch_size=BATCH)
        print(f"experts {n_exp} in {time.perf_counter() - started:.0f} s", flush=True)
        for start in range(0, n_proj, BATCH):
            rows = []
            for _ in range(min(BATCH, n_proj - start)):
                t, ts, py = title()
                lead, city = rnd.choice(orgs), rnd.choice(cities)
                p = Project(
                    name=t,
                    summary=f"{city.name}·{rnd.choice(TOPICS)}",
                    lead_organization=lead,
                    stage=rnd.choice(stages),
                    planned_investment=Decimal(rnd.randrange(10, 5000)),
                    submitted_by=admin,
                )
                p.search_text = " ".join([ts, search_text(p.summary), org_tok[lead.pk]])
                p.name_pinyin, p.name_initials, p.name_sort = py
                p._city = city  # type: ignore[attr-defined]
                rows.append(p)
            Project.objects.bulk_create(rows, batch_size=BATCH)
            Project.cities.through.objects.bulk_create(
                [Project.cities.through(project_id=p.pk, city_id=p._city.pk) for p in rows], batch_size=BATCH
            )  # type: ignore[attr-defined]
        print(f"projects {n_proj} in {time.perf_counter() - started:.0f} s", flush=True)
        for start in range(0, n_ach, BATCH):
            rows = []
            for _ in range(min(BATCH, n_ach - start)):
                t, ts, py = title()
                owner = rnd.choice(orgs)
                a = Achievement(
                    kind=rnd.choice(kinds),
                    title=t,
                    authors=rnd.choice(SURNAMES) + rnd.choice(GIVEN),
                    year=rnd.randrange(2015, 2027),
                    visibility=rnd.choice(vis),
                    owner_organization=owner,
                    keywords=rnd.choice(TOPICS),
                    submitted_by=admin,
                )
                a.search_text = " ".join([ts, search_text(a.authors), org_tok[owner.pk], tok[a.keywords]])
                a.name_pinyin, a.name_initials, a.name_sort = py
                rows.append(a)
            Achievement.objects.bulk_create(rows, batch_size=BATCH)
            Achievement.organizations.through.objects.bulk_create(
                [
                    Achievement.organizations.through(
                        achievement_id=a.pk, organization_id=a.owner_organization_id
                    )
                    for a in rows
                ],
                batch_size=BATCH,
            )
        print(f"achievements {n_ach} in {time.perf_counter() - started:.0f} s", flush=True)
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SET maintenance_work_mem TO '512MB'")
            for table in ("library_expert", "library_project", "library_achievement"):
                cur.execute(
                    f"CREATE INDEX IF NOT EXISTS {table}_search_gin ON {table} USING GIN ({PG_VECTOR_COLUMN})"
                )
            cur.execute("ANALYZE")
    else:
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    print(f"generated {items} items in {time.perf_counter() - started:.0f} s")


QUERIES = [
    "青岛",
    "人力资源",
    "科技发",
    "聯盟",
    "qd",
    "王伟",
    "海洋经济 平台",
    "技能培训 报告",
    "不存在的词",
    "青",
]


def bench_search(repeat: int, public: bool = False) -> None:
    viewer = None if public else User.objects.filter(is_superuser=True).first()
    total = Expert.objects.count() + Project.objects.count() + Achievement.objects.count()
    print(f"{connection.vendor}: {total} library items, viewer {'public' if public else 'secretariat'}")
    for facets in (True, False):
        all_times: list[float] = []
        for q in QUERIES:
            times = []
            for i in range(repeat):
                t0 = time.perf_counter()
                result = search(viewer=viewer, q=q, page=1 + i % 3, facets=facets)
                times.append((time.perf_counter() - t0) * 1000)
            times.sort()
            all_times.extend(times)
            p95 = times[max(0, int(len(times) * 0.95) - 1)]
            print(
                f"  facets={facets!s:5} q={q!r:12} hits={result.total:>8} median {statistics.median(times):8.1f} ms  p95 {p95:8.1f} ms"
            )
        all_times.sort()
        print(
            f"  ALL facets={facets}: median {statistics.median(all_times):.1f} ms, p95 {all_times[int(len(all_times) * 0.95) - 1]:.1f} ms"
        )


def bench_import(rows: int) -> None:
    from lianmeng.library import tabular

    admin = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser(
        "bench-admin", "b@example.cn", "x" * 12
    )
    rnd = random.Random(3)
    header = [str(label) for _k, label in tabular.COLUMNS["achievements"]]
    table = [header]
    orgs = list(Organization.objects.values_list("name", flat=True)[:20])
    for i in range(rows):
        table.append(
            [
                f"{rnd.choice(PLACES)}{rnd.choice(TOPICS)}{rnd.choice(NOUNS)}{i}",
                "研究报告",
                "王伟、李娜",
                rnd.choice(orgs),
                2026,
                "",
                rnd.choice(TOPICS),
                "公开",
                "",
                "",
                "",
                "",
                "",
                "",
            ]
        )
    content = tabular.to_csv(table)
    t0 = time.perf_counter()
    report = tabular.import_run(
        kind="achievements", content=content, filename="bench.csv", actor=admin, dry_run=True
    )
    t1 = time.perf_counter()
    report = tabular.import_run(
        kind="achievements", content=content, filename="bench.csv", actor=admin, dry_run=False
    )
    t2 = time.perf_counter()
    print(
        f"{connection.vendor}: import {rows} rows: dry run {t1 - t0:.1f} s, real run {t2 - t1:.1f} s, saved {report.saved}"
    )


def bench_xlsx(rows: int, repeat: int) -> None:
    """Writing and reading an experts sheet of ``rows`` rows: the product's ``to_xlsx`` (XlsxWriter) and
    ``read_table`` (calamine) against openpyxl's write-only and read-only modes, median of ``repeat``."""
    import io

    from openpyxl import Workbook, load_workbook

    from lianmeng.library import tabular

    header = [str(label) for _key, label in tabular.COLUMNS["experts"]]
    table = [header] + [
        [
            f"专家{i}",
            "教授",
            "青岛大学",
            "青岛",
            "劳动关系,灵活用工",
            f"1390000{i % 10000:04d}",
            "平台研究",
            2026,
        ]
        + [""] * (len(header) - 8)
        for i in range(rows)
    ]

    def openpyxl_write() -> bytes:
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("专家")
        for row in table:
            ws.append(row)
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue()

    def openpyxl_read(content: bytes) -> int:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        return sum(1 for _ in wb.worksheets[0].iter_rows(values_only=True))

    def median(run: Any) -> float:
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            run()
            times.append(time.perf_counter() - t0)
        return statistics.median(times)

    content = tabular.to_xlsx(table, "专家")
    assert len(tabular.read_table(content, "x.xlsx")) == rows + 1
    print(f"{rows} rows x {len(header)} columns, median of {repeat}:")
    print(
        f"  write: to_xlsx (XlsxWriter) {median(lambda: tabular.to_xlsx(table, '专家')):.2f} s,"
        f" openpyxl write-only {median(openpyxl_write):.2f} s"
    )
    print(
        f"  read: read_table (calamine) {median(lambda: tabular.read_table(content, 'x.xlsx')):.2f} s,"
        f" openpyxl read-only {median(lambda: openpyxl_read(content)):.2f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("generate")
    g.add_argument("--items", type=int, default=100_000)
    s = sub.add_parser("search")
    s.add_argument("--repeat", type=int, default=20)
    s.add_argument("--public", action="store_true", help="search as a visitor (not signed in)")
    i = sub.add_parser("import")
    i.add_argument("--rows", type=int, default=100_000)
    x = sub.add_parser("xlsx")
    x.add_argument("--rows", type=int, default=10_000)
    x.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if args.cmd == "generate":
        generate(args.items)
    elif args.cmd == "search":
        bench_search(args.repeat, public=args.public)
    elif args.cmd == "xlsx":
        bench_xlsx(args.rows, args.repeat)
    else:
        bench_import(args.rows)


if __name__ == "__main__":
    main()

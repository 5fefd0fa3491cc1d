"""Benchmark: member directory listing and search at 100,000 organizations, SQLite and PostgreSQL.

    .venv/bin/python bench/directory.py                 # both databases, 100,000 organizations
    .venv/bin/python bench/directory.py --database sqlite --organizations 20000 --runs 20
    .venv/bin/python bench/directory.py --database postgres \
        --database-url postgresql://postgres@127.0.0.1:5432/lm_national --runs 10   # an existing database
    .venv/bin/python bench/directory.py --database sqlite --cache                  # cached pages (hits)

Requests go through Django's full stack in-process (middleware, view, template, database), so the
times are server-side times without network. Each case is run `--runs` times after one warm-up;
the median and p95 are reported. Data lives in var/bench/ (SQLite) or the database lianmeng_bench
(or the one `--database-url` names: nothing is generated there when it holds enough organizations).
The pages' cache (lianmeng.core.cache) is off unless `--cache`: the figures are what the queries
cost, not cache hits. `--queries` adds each case's slowest SQL statement and its time.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from typing import Any

import benchsetup  # beside this script

CASES = [
    ("portal home", "/", {}),
    ("list page 1", "/members/", {}),
    ("list page 200", "/members/", {"page": "200"}),
    ("city filter", "/members/", {"city": "370600"}),
    ("search 青岛", "/members/", {"q": "青岛"}),
    ("search 人力资源", "/members/", {"q": "人力资源"}),
    ("search 技咨 (inside words)", "/members/", {"q": "理咨询"}),
    ("search 協會 (traditional)", "/members/", {"q": "協會"}),
    ("search qd (pinyin)", "/members/", {"q": "qd"}),
    ("search 青 (one char)", "/members/", {"q": "青"}),
    ("search + filters", "/members/", {"q": "人才", "city": "370200", "kind": "enterprise"}),
    ("API search 人力资源", "/api/v1/organizations", {"q": "人力资源"}),
    ("API list page 100", "/api/v1/organizations", {"page": "100"}),
]


def run_one(
    database: str,
    organizations: int,
    runs: int,
    *,
    database_url: str = "",
    use_cache: bool = False,
    queries: bool = False,
    only: str = "",
) -> dict[str, dict[str, Any]]:
    benchsetup.child_settings(database, "lianmeng_bench", "bench", database_url)
    os.environ["ALLOWED_HOSTS"] = "testserver"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    from lianmeng.core.management.commands.generate import generate_organizations
    from lianmeng.membership.models import Organization

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    call_command("generate")
    have = Organization.objects.count()
    if have < organizations:
        started = time.perf_counter()
        generate_organizations(organizations - have)
        print(
            f"[{database}] generated {organizations - have} organizations in {time.perf_counter() - started:.0f} s",
            file=sys.stderr,
        )
    if database == "postgres" and not database_url:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    if not use_cache:
        override_settings(
            CACHES={"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
        ).enable()
    client = Client()
    results: dict[str, dict[str, Any]] = {}
    for label, path, params in CASES:
        if only and only not in label:
            continue
        assert client.get(path, params).status_code == 200
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            response = client.get(path, params)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        times.sort()
        results[label] = {
            "median_ms": round(statistics.median(times), 1),
            "p95_ms": round(times[max(0, int(len(times) * 0.95) - 1)], 1),
        }
        if queries:
            with CaptureQueriesContext(connection) as captured:
                client.get(path, params)
            slowest = max(captured.captured_queries, key=lambda q: float(q["time"]))
            results[label]["queries"] = len(captured.captured_queries)
            results[label]["slowest_ms"] = round(float(slowest["time"]) * 1000, 1)
            results[label]["slowest_sql"] = slowest["sql"][:600]
    results["_rows"] = {"organizations": float(Organization.objects.count())}
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", choices=["sqlite", "postgres"])
    parser.add_argument("--organizations", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--database-url", default="", help="an existing database (with --database)")
    parser.add_argument("--cache", action="store_true", help="keep the pages' cache on (measures hits)")
    parser.add_argument("--queries", action="store_true", help="report each case's slowest statement")
    parser.add_argument("--only", default="", help="only the cases whose label contains this text")
    args = parser.parse_args()
    if args.database:
        result = run_one(
            args.database,
            args.organizations,
            args.runs,
            database_url=args.database_url,
            use_cache=args.cache,
            queries=args.queries,
            only=args.only,
        )
        print(json.dumps(result, ensure_ascii=False))
        return
    table = benchsetup.both_databases(
        __file__,
        [
            "--organizations",
            str(args.organizations),
            "--runs",
            str(args.runs),
        ],
    )
    rows = int(table["sqlite"].pop("_rows")["organizations"])
    table["postgres"].pop("_rows")
    print(f"Directory at {rows:,} organizations, {args.runs} runs per case (median / p95, ms, server side)")
    print(f"{'case':32} {'SQLite':>16} {'PostgreSQL':>16}")
    for label in table["sqlite"]:
        s, p = table["sqlite"][label], table["postgres"][label]
        print(f"{label:32} {s['median_ms']:>7} / {s['p95_ms']:<7} {p['median_ms']:>7} / {p['p95_ms']:<7}")


if __name__ == "__main__":
    main()

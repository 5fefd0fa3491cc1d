"""Benchmark: the reporting dashboard, the API figures and the annual report (PDF, Excel).

Usage (PostgreSQL; the database is created if missing):

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/lm_rep_bench .venv/bin/python bench/reporting.py

First on the demo alliance (the apps' demo loaders), then after adding a generated data set
(``ORGS`` organizations, ``EVENTS`` held events, ``PROJECTS`` landed projects, ``POSTS`` resources).
Reports medians and the dashboard's query count, which must be the same on both data sets.
"""

from __future__ import annotations

import datetime
import random
import statistics
import time
from decimal import Decimal
from typing import Any

import benchsetup

benchsetup.prepare("lm_rep_bench")

ORGS = 10_000
EVENTS = 30_000
PROJECTS = 3_000
POSTS = 5_000
RUNS = 7


def _load_demo() -> None:
    from django.apps import apps

    from lianmeng.membership.models import Organization

    if Organization.objects.exists():
        return
    import importlib

    for config in apps.get_app_configs():
        if config.name.startswith("lianmeng."):
            try:
                module = importlib.import_module(f"{config.name}.demo")
            except ModuleNotFoundError:
                continue
            module.load(accounts=True)


def _generate() -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from lianmeng.activities.models import Event
    from lianmeng.core.demo_support import make_uscc
    from lianmeng.core.models import City
    from lianmeng.library.models import Landing, Project
    from lianmeng.matchmaking.models import Resource
    from lianmeng.membership.models import Organization
    from lianmeng.membership.services import organization_index_fields

    if Organization.objects.filter(name__startswith="基准").count() >= ORGS:
        return
    print("generating data …", flush=True)
    rng = random.Random(7)
    year = timezone.localdate().year
    tz = timezone.get_default_timezone()
    cities = list(City.objects.filter(is_member=True))
    with transaction.atomic():
        orgs = []
        for i in range(ORGS):
            c = cities[i % len(cities)]
            kind = (
                "park" if i % 5 == 0 else rng.choice(["enterprise", "university", "association", "platform"])
            )
            org = Organization(name=f"基准{c.name}单位{i}", kind=kind, city=c)
            org.uscc = make_uscc(org.name, division=c.code, kind=kind)
            organization_index_fields(org)
            orgs.append(org)
        orgs = Organization.objects.bulk_create(orgs, batch_size=2000)
        start = datetime.datetime(year, 1, 1, tzinfo=tz)
        events = []
        for i in range(EVENTS):
            org = orgs[rng.randrange(len(orgs))]
            starts = start + datetime.timedelta(minutes=rng.randrange(0, 300 * 24 * 60))
            events.append(
                Event(
                    title=f"基准活动{i}",
                    kind=rng.choice(["themed", "forum", "training"]),
                    organizer=org,
                    city_id=org.city_id,
                    starts_at=starts,
                    ends_at=starts + datetime.timedelta(hours=2),
                    status="held",
                    summary="总结",
                )
            )
        Event.objects.bulk_create(events, batch_size=5000)
        projects = Project.objects.bulk_create(
            [
                Project(name=f"基准项目{i}", summary="摘要", lead_organization=orgs[i], stage="landed")
                for i in range(PROJECTS)
            ],
            batch_size=2000,
        )
        Landing.objects.bulk_create(
            [
                Landing(
                    project=p,
                    city_id=orgs[i].city_id,
                    park_name="基准园区",
                    date=datetime.date(year - rng.randrange(0, 3), rng.randrange(1, 12), 1),
                    investment=Decimal(rng.randrange(10, 5000)),
                    jobs=rng.randrange(0, 300),
                )
                for i, p in enumerate(projects)
            ],
            batch_size=2000,
        )
        today = timezone.localdate()
        Resource.objects.bulk_create(
            [
                Resource(
                    direction=rng.choice(["supply", "demand"]),
                    category=rng.choice(["talent", "finance", "services", "industry"]),
                    title=f"基准供需{i}",
                    description="说明",
                    organization=orgs[rng.randrange(len(orgs))],
                    valid_from=today,
                    valid_until=today + datetime.timedelta(days=90),
                    contact_name="联系人",
                    status="open",
                )
                for i in range(POSTS)
            ],
            batch_size=2000,
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _median_ms(fn: Any, runs: int = RUNS) -> float:
    fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def _measure(label: str) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings
    from django.utils import timezone

    from lianmeng.accounts.models import User
    from lianmeng.reporting.annual import annual_report
    from lianmeng.reporting.figures import year_figures
    from lianmeng.reporting.render import report_pdf, report_xlsx

    year = timezone.localdate().year
    user = User.objects.get(username="demo-secretariat")
    client = Client()
    client.force_login(user)
    # Counted with an execute wrapper: the test client closes the connection after each request.
    executed: list[str] = []
    with connection.execute_wrapper(
        lambda execute, sql, params, many, context: (
            executed.append(sql) or execute(sql, params, many, context)
        )
    ):
        year_figures(year=year, viewer=user)
    with override_settings(ALLOWED_HOSTS=["*"]):
        assert client.get("/reports/").status_code == 200
        dashboard = _median_ms(lambda: client.get("/reports/"))
        city = _median_ms(lambda: client.get("/reports/city/370200/"))
        api = _median_ms(lambda: client.get(f"/api/v1/reports/{year}"))
    report = annual_report(year=year, viewer=user)
    build = _median_ms(lambda: annual_report(year=year, viewer=user))
    pdf = _median_ms(lambda: report_pdf(report), runs=3)
    xlsx = _median_ms(lambda: report_xlsx(report))
    print(
        f"[{label}] dashboard {dashboard:.0f} ms (figures: {len(executed)} queries), city page {city:.0f} ms, "
    )
    print(
        f"[{label}] API figures {api:.0f} ms, report data {build:.0f} ms, PDF {pdf:.0f} ms, Excel {xlsx:.0f} ms"
    )


def main() -> None:
    benchsetup.ensure_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from lianmeng.membership.models import Organization

    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    if not Organization.objects.filter(name__startswith="基准").exists():
        _load_demo()
        _measure("demo")
    _generate()
    _measure(f"+{ORGS:,} orgs, {EVENTS:,} events, {PROJECTS:,} landings, {POSTS:,} posts")


if __name__ == "__main__":
    main()

"""Benchmark: the 1+7+N compliance view for one year with 7 cities, 1,000 parks and 100,000 events.

Usage (PostgreSQL; the database is created if missing and filled once):

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/lm_act_bench .venv/bin/python bench/activities.py

Reports the median of several runs of ``compliance_for_year`` (the read behind the page and the API)
and of the whole page as the secretariat sees it, and the number of queries with all parks and with
one city's parks (it must not grow with the number of parks). Target (issue 4): median < 200 ms.
"""

from __future__ import annotations

import random
import statistics
import time

import benchsetup

benchsetup.prepare("lm_act_bench")

YEAR = 2026
PARKS = 1000
EVENTS = 100_000
RUNS = 15


def _fill() -> None:
    import datetime

    from django.db import connection, transaction
    from django.utils import timezone

    from lianmeng.activities.models import Event
    from lianmeng.core import demo as core_demo
    from lianmeng.core.demo_support import make_uscc
    from lianmeng.core.models import City
    from lianmeng.membership.models import Organization
    from lianmeng.membership.services import organization_index_fields

    core_demo.load(accounts=False)
    if (
        Organization.objects.filter(kind="park").count() == PARKS
        and Event.objects.filter(starts_at__year=YEAR).count() == EVENTS
    ):
        return
    print("generating data …", flush=True)
    rng = random.Random(4)
    with transaction.atomic():
        Event.objects.all().delete()
        Organization.objects.all().delete()
        cities = list(City.objects.all())
        orgs = []
        for c in cities:
            org = Organization(name=f"{c.name}市人力资源和社会保障局", kind="bureau", city=c, tier="founding")
            orgs.append(org)
        for i in range(PARKS):
            c = cities[i % len(cities)]
            orgs.append(Organization(name=f"{c.name}第{i + 1}人力资源服务产业园", kind="park", city=c))
        for org in orgs:
            org.uscc = make_uscc(org.name, division=org.city_id, kind=org.kind)
            organization_index_fields(org)
        Organization.objects.bulk_create(orgs, batch_size=1000)
        orgs = list(Organization.objects.all())
        parks = [o for o in orgs if o.kind == "park"]
        bureaus = [o for o in orgs if o.kind == "bureau"]
        tz = timezone.get_default_timezone()
        start = datetime.datetime(YEAR, 1, 1, tzinfo=tz)
        kinds = (
            ["themed"] * 70
            + ["forum"] * 6
            + ["summit"] * 2
            + ["training"] * 10
            + ["matchmaking"] * 7
            + ["other"] * 5
        )
        statuses = ["held"] * 55 + ["published"] * 25 + ["draft"] * 10 + ["cancelled"] * 10
        batch: list[Event] = []
        for i in range(EVENTS):
            kind = rng.choice(kinds)
            # Activity is skewed: a few busy parks, a long tail of quiet ones (some miss their N).
            busy = parks[min(int(rng.expovariate(1 / 120)), PARKS - 1)]
            organizer = rng.choice(bureaus) if kind in ("forum", "summit") and rng.random() < 0.5 else busy
            if i == 0:
                kind, organizer = "plenary", bureaus[0]
            starts = start + datetime.timedelta(minutes=rng.randrange(0, 365 * 24 * 60 - 600))
            status = rng.choice(statuses)
            batch.append(
                Event(
                    title=f"活动{i}",
                    kind=kind,
                    organizer=organizer,
                    city_id=organizer.city_id,
                    starts_at=starts,
                    ends_at=starts + datetime.timedelta(hours=3),
                    venue="会议中心",
                    status=status,
                    summary="总结" if status == "held" else "",
                )
            )
            if len(batch) == 10_000:
                Event.objects.bulk_create(batch)
                batch = []
        Event.objects.bulk_create(batch)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def main() -> None:
    benchsetup.ensure_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings
    from django.utils import timezone

    from lianmeng.accounts.models import User
    from lianmeng.activities.compliance import compliance_for_year
    from lianmeng.activities.tasks import _SecretariatViewer

    call_command("migrate", verbosity=0)
    _fill()
    now = timezone.make_aware(timezone.datetime(YEAR, 11, 15, 12, 0))
    viewer = _SecretariatViewer()

    def run(city: str | None = None) -> float:
        t0 = time.perf_counter()
        report = compliance_for_year(year=YEAR, viewer=viewer, city=city, now=now)
        elapsed = (time.perf_counter() - t0) * 1000
        assert len(report.cities) == 7
        return elapsed

    run()
    timings = [run() for _ in range(RUNS)]
    reset_queries()
    with CaptureQueriesContext(connection) as all_parks:
        report = compliance_for_year(year=YEAR, viewer=viewer, now=now)
    reset_queries()
    with CaptureQueriesContext(connection) as one_city:
        one = compliance_for_year(year=YEAR, viewer=viewer, city="370200", now=now)

    admin = User.objects.filter(username="bench-admin").first()
    if admin is None:
        admin = User.objects.create_superuser("bench-admin", "bench@example.cn", "bench-password-123")
    client = Client()
    client.force_login(admin)
    with override_settings(ALLOWED_HOSTS=["*"]):
        url = f"/events/compliance/{YEAR}/"
        assert client.get(url).status_code == 200
        page_ms = []
        for _ in range(7):
            t0 = time.perf_counter()
            response = client.get(url)
            page_ms.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200
        api_ms = []
        for _ in range(7):
            t0 = time.perf_counter()
            response = client.get(f"/api/v1/compliance/{YEAR}")
            api_ms.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200

    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    print(f"data: 7 cities, {report.park_totals['total']} parks, {EVENTS:,} events in {YEAR}")
    print(f"park statuses: {report.park_totals}")
    print(
        f"compliance_for_year (all parks): median {statistics.median(timings):.1f} ms "
        f"(min {min(timings):.1f}, max {max(timings):.1f}, {RUNS} runs)"
    )
    print(
        f"queries: {len(all_parks.captured_queries)} with {len(report.parks)} parks listed, "
        f"{len(one_city.captured_queries)} with {len(one.parks)} parks listed (one city)"
    )
    print(
        f"compliance page as secretariat (first 100 of 1,000 parks): median {statistics.median(page_ms):.1f} ms"
    )
    print(f"GET /api/v1/compliance/{YEAR}: median {statistics.median(api_ms):.1f} ms")
    target = statistics.median(timings) < 200
    print("target (< 200 ms median):", "met" if target else "NOT met")


if __name__ == "__main__":
    main()

"""Benchmark: closing a motion and rendering the secretariat's desk with 1,000 council seats and
10,000 motions (issue 3; target: median under 50 ms server side).

    .venv/bin/python bench/governance.py                      # PostgreSQL (database lm_gov_bench)
    DATABASE_URL=sqlite:///var/bench/gov.sqlite3 .venv/bin/python bench/governance.py

Data (made once, in bulk, bypassing the services for speed): 1,000 council-tier organizations with
a seat and a representative each, 10,000 motions (9,950 decided, 50 open), 2,000 tasks (a quarter
overdue), 100 published notices to all 1,000 organizations (100,000 read receipts), 200 meetings.
Each close case gets its own open motion on which 800 of the 1,000 seats have voted; the close
counts the valid seats and the votes, decides, numbers the resolution and writes the audit entry.
The desk is requested through Django's full stack in-process (middleware, every app's panels,
template), so the times are server-side times without network. Median and p95 of ``--runs`` runs.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import time

import benchsetup

benchsetup.prepare("lm_gov_bench")
os.environ["ALLOWED_HOSTS"] = "testserver"

SEATS = 1000
MOTIONS = 10_000
OPEN = 50
VOTERS = 800
UNUSABLE = "!"  # Django's marker of an unusable password


def _generate() -> None:
    from django.db import transaction
    from django.utils import timezone

    from lianmeng.accounts.models import Role, RoleAssignment, User
    from lianmeng.core import demo as core_demo
    from lianmeng.core.demo_support import make_uscc
    from lianmeng.core.search import pinyin_sort_key
    from lianmeng.governance.models import (
        CouncilSeat,
        Meeting,
        Motion,
        Notice,
        NoticeReceipt,
        SeatRepresentative,
        Task,
    )
    from lianmeng.membership.models import Organization

    if CouncilSeat.objects.count() >= SEATS:
        return
    started = time.perf_counter()
    core_demo.load(accounts=False)
    cities = ["370200", "370600", "370700", "371000", "371100", "371600", "370500"]
    start = datetime.date(2025, 12, 2)
    now = timezone.now()
    with transaction.atomic():
        orgs = Organization.objects.bulk_create(
            Organization(
                name=f"基准理事单位{i:04d}",
                uscc=make_uscc(f"bench-gov-{i}", division=cities[i % 7], kind="park"),
                kind="park",
                city_id=cities[i % 7],
                tier="council",
                name_sort=pinyin_sort_key(f"基准理事单位{i:04d}"),
                joined_on=start,
            )
            for i in range(SEATS)
        )
        users = User.objects.bulk_create(
            User(username=f"bench-rep-{i}", display_name=f"理事{i}", password=UNUSABLE) for i in range(SEATS)
        )
        office, _ = User.objects.get_or_create(
            username="bench-secretariat", defaults={"display_name": "秘书处"}
        )
        RoleAssignment.objects.get_or_create(user=office, role=Role.SECRETARIAT)
        RoleAssignment.objects.bulk_create(
            RoleAssignment(user=u, role=Role.COUNCIL_REPRESENTATIVE, organization=o)
            for u, o in zip(users, orgs, strict=True)
        )
        seats = CouncilSeat.objects.bulk_create(
            CouncilSeat(organization=o, representative=u, starts_on=start, post="理事单位")
            for u, o in zip(users, orgs, strict=True)
        )
        SeatRepresentative.objects.bulk_create(
            SeatRepresentative(seat=s, user=s.representative, starts_on=start) for s in seats
        )
        statuses = ["passed", "rejected", "no_quorum"]
        Motion.objects.bulk_create(
            (
                Motion(
                    title=f"基准议案{i:05d}",
                    text="正文",
                    kind="ordinary",
                    ballot="open" if i % 4 else "secret",
                    opens_at=now - datetime.timedelta(days=400 - i % 390, hours=2),
                    closes_at=now - datetime.timedelta(days=400 - i % 390),
                    status=statuses[i % 3],
                    seats_count=SEATS,
                    votes_for=700,
                    votes_against=100,
                    decided_at=now - datetime.timedelta(days=400 - i % 390),
                    proposer=office,
                )
                for i in range(MOTIONS - OPEN)
            ),
            batch_size=2000,
        )
        Motion.objects.bulk_create(
            Motion(
                title=f"表决中的基准议案{i:02d}",
                text="正文",
                kind="ordinary",
                ballot="open",
                opens_at=now - datetime.timedelta(hours=1),
                closes_at=now + datetime.timedelta(days=3 + i),
                status="open",
                proposer=office,
            )
            for i in range(OPEN)
        )
        today = timezone.localdate()
        Task.objects.bulk_create(
            (
                Task(
                    title=f"基准任务{i:04d}",
                    owner_organization=orgs[i % SEATS],
                    due_on=today + datetime.timedelta(days=(i % 40) - 10),
                    status="open" if i % 2 else "done",
                    created_by=office,
                )
                for i in range(2000)
            ),
            batch_size=2000,
        )
        for i in range(100):
            notice = Notice.objects.create(
                number=f"胶东人服联〔2026〕{i + 100}号",
                title=f"基准通知{i:03d}",
                body="正文",
                audience="all",
                status="published",
                published_at=now - datetime.timedelta(days=i),
                read_by=today - datetime.timedelta(days=i % 10),
                recipients_count=SEATS,
                read_count=SEATS - (i % 7) * 10,
                author=office,
            )
            NoticeReceipt.objects.bulk_create(
                (
                    NoticeReceipt(notice=notice, organization=o, read_at=None if j < (i % 7) * 10 else now)
                    for j, o in enumerate(orgs)
                ),
                batch_size=2000,
            )
        Meeting.objects.bulk_create(
            Meeting(
                kind="ordinary",
                title=f"基准会议{i:03d}",
                starts_at=now + datetime.timedelta(days=i - 100),
                place="青岛",
                status="planned" if i >= 100 else "held",
            )
            for i in range(200)
        )
    print(f"generated in {time.perf_counter() - started:.0f} s", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    benchsetup.ensure_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from lianmeng.accounts.models import User
    from lianmeng.governance import desk, services
    from lianmeng.governance.models import CouncilSeat, Motion, Vote

    call_command("migrate", verbosity=0)
    _generate()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    office = User.objects.get(username="bench-secretariat")
    seats = list(CouncilSeat.objects.order_by("id")[:VOTERS])
    now = timezone.now()

    close_times: list[float] = []
    close_queries = 0
    for run in range(args.runs + 1):
        motion = services.motion_create(
            data={
                "title": f"基准结束表决议案{now:%H%M%S}-{run}",
                "text": "正文",
                "kind": "ordinary",
                "ballot": "open",
                "opens_at": now - datetime.timedelta(hours=1),
                "closes_at": now + datetime.timedelta(days=1),
            },
            actor=office,
            open_now=True,
        )
        Vote.objects.bulk_create(
            Vote(motion=motion, seat=s, choice="for" if i % 5 else "against", cast_at=now)
            for i, s in enumerate(seats)
        )
        motion = Motion.objects.get(pk=motion.pk)
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            closed = services.motion_close(motion=motion, actor=office)
            elapsed = (time.perf_counter() - started) * 1000
        assert closed.status == "passed"
        assert closed.seats_count == CouncilSeat.objects.count()
        if run:  # the first run warms up
            close_times.append(elapsed)
            close_queries = len(ctx.captured_queries)

    client = Client()
    client.force_login(office)
    assert client.get("/desk/").status_code == 200
    desk_times: list[float] = []
    panel_times: list[float] = []
    with CaptureQueriesContext(connection) as ctx:
        client.get("/desk/")
    desk_queries = len(ctx.captured_queries)
    with CaptureQueriesContext(connection) as ctx:
        desk.panels(User.objects.get(pk=office.pk))
    panel_queries = len(ctx.captured_queries)
    for _ in range(args.runs):
        started = time.perf_counter()
        response = client.get("/desk/")
        desk_times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
        user = User.objects.get(pk=office.pk)
        started = time.perf_counter()
        desk.panels(user)
        panel_times.append((time.perf_counter() - started) * 1000)
    list_times: list[float] = []
    for _ in range(args.runs):
        started = time.perf_counter()
        assert client.get("/governance/motions/").status_code == 200
        list_times.append((time.perf_counter() - started) * 1000)

    print(
        f"Governance on {connection.vendor}: {CouncilSeat.objects.count():,} seats, "
        f"{Motion.objects.count():,} motions, {VOTERS} votes on the closed motion"
    )
    print(f"close a motion (service)           {benchsetup.stats(close_times)}   {close_queries} queries")
    print(f"secretariat desk, governance panels {benchsetup.stats(panel_times)}   {panel_queries} queries")
    print(f"secretariat desk, whole page       {benchsetup.stats(desk_times)}   {desk_queries} queries")
    print(f"motion list page 1                 {benchsetup.stats(list_times)}")


if __name__ == "__main__":
    main()

"""Where a journey's time goes: each journey of ``journeys.py`` requested in-process (Django's test
client, the whole middleware stack), with its time, its number of queries and its slowest queries.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/lm_national SECRET_KEY=x \\
        .venv/bin/python bench/load/queries.py --context var/load-postgres/load/context.json [--runs 5] [--sql 3]

Signs in with the last member and secretariat accounts of the context (``accounts.py``). The time is
the median of ``--runs`` requests after one warm-up; the queries are those of the last request.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--context", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sql", type=int, default=2, help="slowest queries shown per journey")
    parser.add_argument("--only", default="", help="journey names, comma-separated")
    parser.add_argument("--width", type=int, default=400, help="characters of SQL shown")
    args = parser.parse_args(argv)
    sys.path[:0] = [str(ROOT), str(Path(__file__).resolve().parent)]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.load.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from journeys import ROLES, journeys_for, totp

    context: dict[str, Any] = json.loads(args.context.read_text(encoding="utf-8"))
    only = {n.strip() for n in args.only.split(",") if n.strip()}
    for role in ROLES:
        client = Client()
        fill = {"event": context["events"][0], "resource": 0, "year": context["year"]}
        if role != "visitor":
            account = context["members" if role == "member" else "secretariat"][-1]
            fill["resource"] = account.get("resource", 0)
            client.post(
                "/accounts/login/", {"username": account["username"], "password": context["password"]}
            )
            if role == "secretariat":
                client.post("/accounts/two-factor/", {"otp": totp(context["totp_secret"])})
        for journey in journeys_for(role, writes=False):
            if only and journey.name not in only:
                continue
            url = journey.url(fill)
            headers = {"Accept": "application/json"} if journey.api else {}
            for params in journey.params:
                client.get(url, params, headers=headers)
                times = []
                for _run in range(args.runs):
                    with CaptureQueriesContext(connection) as queries:
                        started = time.perf_counter()
                        response = client.get(url, params, headers=headers)
                        times.append((time.perf_counter() - started) * 1000)
                q = " ".join(f"{k}={v}" for k, v in params.items())
                print(
                    f"{role:11} {journey.name:24} {q:14} {response.status_code} {statistics.median(times):7.1f} ms"
                    f" {len(queries.captured_queries):3} queries"
                )
                slowest = sorted(queries.captured_queries, key=lambda c: -float(c["time"]))[: args.sql]
                for captured in slowest:
                    print(f"      {float(captured['time']) * 1000:7.1f} ms  {captured['sql'][: args.width]}")


if __name__ == "__main__":
    main()

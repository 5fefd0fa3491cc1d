"""Benchmark: one notification to a whole alliance (issue 11: notify() above ~32k recipients).

    .venv/bin/python bench/notify.py                       # PostgreSQL (database lm_notify_bench)
    DATABASE_URL=sqlite:///var/bench/notify.sqlite3 .venv/bin/python bench/notify.py

Data (made once, in bulk): 100,000 active accounts, three in four with a mail address (the default
channel mails them), 1,000 of them with a saved preference for the kind. Each run calls
``notifications.services.notify`` for all 100,000 inside a transaction that is rolled back afterwards,
and separately hands the 75,000 mails to the database queue (``enqueue_mails``: 750 jobs of 100), also
rolled back. Median and p95 of ``--runs`` runs.
"""

from __future__ import annotations

import argparse
import time

import benchsetup

benchsetup.prepare("lm_notify_bench")

PEOPLE = 100_000


class Rollback(Exception):
    pass


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    benchsetup.ensure_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from lianmeng.accounts.models import User
    from lianmeng.notifications import services
    from lianmeng.notifications.models import Kind, Notification, NotificationPreference

    call_command("migrate", verbosity=0)
    if User.objects.filter(username__startswith="nb").count() < PEOPLE:
        User.objects.filter(username__startswith="nb").delete()
        User.objects.bulk_create(
            [
                User(
                    username=f"nb{i}",
                    password="!",  # noqa: S106 (an unusable password)
                    email=f"nb{i}@example.cn" if i % 4 else "",
                )
                for i in range(PEOPLE)
            ],
            batch_size=5000,
        )
    ids = list(User.objects.filter(username__startswith="nb").values_list("pk", flat=True))
    NotificationPreference.objects.filter(user_id__in=ids[:1000]).delete()
    NotificationPreference.objects.bulk_create(
        [
            NotificationPreference(user_id=pk, kind=Kind.NOTICE_PUBLISHED, channel="in_app")
            for pk in ids[:1000]
        ]
    )
    print(f"{connection.vendor}: {len(ids):,} recipients")
    notify_times, queue_times = [], []
    for _ in range(args.runs):
        queued: list[int] = []
        try:
            with transaction.atomic():
                started = time.perf_counter()
                created = services.notify(recipients=ids, kind=Kind.NOTICE_PUBLISHED, title="全体通知")
                notify_times.append((time.perf_counter() - started) * 1000)
                assert len(created) == len(ids)
                queued = [n.pk for n in created if n.mail_state == "queued"]
                started = time.perf_counter()
                services.enqueue_mails(queued)
                queue_times.append((time.perf_counter() - started) * 1000)
                raise Rollback
        except Rollback:
            pass
        assert not Notification.objects.filter(title="全体通知").exists()
    print(f"notify() {len(ids):,} rows        {benchsetup.stats(notify_times)}")
    print(f"enqueue {len(queued):,} mails      {benchsetup.stats(queue_times)}")


if __name__ == "__main__":
    main()

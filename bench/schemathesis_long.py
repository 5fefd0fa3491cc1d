"""A long Schemathesis run over the whole API against the demo alliance (many more cases than `make test`).

    .venv/bin/python bench/schemathesis_long.py                         # SQLite, 100 examples per operation
    .venv/bin/python bench/schemathesis_long.py --examples 300 --seed 42
    .venv/bin/python bench/schemathesis_long.py --database postgresql://postgres@127.0.0.1:5432/lianmeng_fuzz

The database (default var/bench/schemathesis.sqlite3) is created with `lianmeng migrate` and
`lianmeng demo` the first time; the run writes into it (it creates, edits and deletes through the API), so
use a throw-away database. Each operation is exercised as anonymous, as the demo member contact and as the
demo secretariat (bearer tokens), with the same checks as tests/core/test_api_schemathesis.py: no 5xx, bodies
and content types as documented. Prints one line per role and every failure; exits 1 if any.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def prepare(database: str) -> None:
    env = {**os.environ, "DATABASE_URL": database, "DEBUG": "true"}
    if database.startswith("sqlite:///"):
        path = Path(database.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        fresh = not path.exists()
    else:
        fresh = True  # migrate and demo are idempotent
    if fresh:
        for command in (["migrate", "-v0"], ["demo", "--allow-demo-accounts"]):
            subprocess.run([str(ROOT / ".venv/bin/lianmeng"), *command], env=env, check=True, cwd=ROOT)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", default=f"sqlite:///{ROOT / 'var/bench/schemathesis.sqlite3'}")
    parser.add_argument("--examples", type=int, default=100)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1, 10**9)

    prepare(args.database)
    os.environ.update(DATABASE_URL=args.database, DEBUG="false", SECRET_KEY="bench-schemathesis")  # noqa: S106
    os.environ["DJANGO_SETTINGS_MODULE"] = "lianmeng.settings"
    sys.path.insert(0, str(ROOT))
    import django
    from django.conf import settings

    django.setup()
    settings.ALLOWED_HOSTS = ["*"]
    settings.API_RATE_PER_MINUTE = 0
    settings.API_RATE_PER_ADDRESS_PER_MINUTE = 0
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # the run sends many notices
    from django.utils import timezone

    from lianmeng.accounts.models import ApiToken, User
    from lianmeng.activities.models import Event
    from lianmeng.membership.models import Organization
    from tests.core.test_api_schemathesis import run_schemathesis

    def bearer(username: str) -> dict[str, str]:
        key = ApiToken.new_key()
        user = User.objects.get(username=username)
        ApiToken.objects.create(user=user, key_hash=ApiToken.hash_key(key), key_prefix=key[:10], name="fuzz")
        return {"Authorization": f"Bearer {key}"}

    known = {"city_code": "370200", "year": timezone.localdate().year}
    event = Event.objects.order_by("pk").first()
    org = Organization.objects.order_by("pk").first()
    if event:
        known["event_id"] = event.pk
    if org:
        known["org_id"] = org.pk
    roles = {"anonymous": {}, "member": bearer("demo-member"), "secretariat": bearer("demo-secretariat")}
    print(f"seed {seed}, {args.examples} examples per operation, database {args.database}")
    total_failures = 0
    for role, headers in roles.items():
        started = time.monotonic()
        statuses: Counter[int] = Counter()
        operations, cases, failures = run_schemathesis(
            headers, examples=args.examples, seed=seed, statuses=statuses, known=known
        )
        seconds = time.monotonic() - started
        print(
            f"{role:12} {operations} operations, {cases} cases, {len(failures)} failures, {seconds:.0f} s;"
            f" statuses {dict(sorted(statuses.items()))}"
        )
        for failure in failures:
            print("  " + failure.replace("\n", "\n  "))
        total_failures += len(failures)
    return 1 if total_failures else 0


if __name__ == "__main__":
    sys.exit(main())

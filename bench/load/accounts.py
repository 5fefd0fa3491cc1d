"""Accounts and context for the load benchmark: run against the database the server will use.

    DJANGO_SETTINGS_MODULE=bench.load.settings .venv/bin/python bench/load/accounts.py \\
        --members 120 --secretariat 40 --output var/load/context.json

Creates (or updates) ``loadtest-member-N``, each the contact of an active organization that has an
open resource post, and ``loadtest-secretariat-N`` with an authenticator (TOTP) device, all with one
random password (hashed once). Writes the JSON that ``locustfile.py`` reads: the password, the TOTP
secret, the accounts (with each member's own post), upcoming events open to the public, the year.
Nothing else in the database is changed. Each simulated user signs in once, with an account of its
own: a TOTP code is accepted once per device, so a secretariat account is never used twice in one
run (``run.py`` gives every step its own slice of accounts).
"""

from __future__ import annotations

import argparse
import base64
import datetime
import json
import os
import secrets
import sys
from binascii import hexlify
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--members", type=int, default=100)
    parser.add_argument("--secretariat", type=int, default=40)
    parser.add_argument("--output", type=Path, required=True)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.load.settings")
    import django

    django.setup()
    context = make_accounts(members=args.members, secretariat=args.secretariat)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(context, ensure_ascii=False, indent=1), encoding="utf-8")
    print(
        f"{len(context['members'])} members, {len(context['secretariat'])} secretariat accounts,"
        f" {len(context['events'])} events -> {args.output}"
    )


def make_accounts(*, members: int, secretariat: int) -> dict[str, Any]:
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from lianmeng.accounts.models import Role, RoleAssignment
    from lianmeng.accounts.two_factor import TOTP_NAME
    from lianmeng.activities.models import Audience, Event, EventStatus
    from lianmeng.matchmaking.models import Resource, ResourceStatus
    from lianmeng.membership.models import OrganizationStatus

    password = secrets.token_urlsafe(18)
    secret = base64.b32encode(secrets.token_bytes(20)).decode()
    password_hash = make_password(password)

    # One open post per organization, first organizations first: (organization, post).
    posts: dict[int, int] = {}
    for org_id, post_id in (
        Resource.objects.filter(status=ResourceStatus.OPEN, organization__status=OrganizationStatus.ACTIVE)
        .order_by("organization_id", "pk")
        .values_list("organization_id", "pk")
        .iterator(chunk_size=2000)
    ):
        posts.setdefault(org_id, post_id)
        if len(posts) >= members:
            break
    if len(posts) < members:
        raise SystemExit(f"only {len(posts)} organizations have an open resource post; asked for {members}")

    now = timezone.now()
    events = [
        e.pk
        for e in Event.objects.filter(
            status=EventStatus.PUBLISHED,
            audience=Audience.PUBLIC,
            starts_at__gt=now + datetime.timedelta(days=2),
        ).order_by("starts_at", "pk")[:40]
        if e.registration_window_state(now) == "open"
    ][:20]
    if not events:
        raise SystemExit("no upcoming public event open for registration")

    member_rows: list[dict[str, object]] = []
    secretariat_rows: list[dict[str, object]] = []
    with transaction.atomic():
        for index, (org_id, post_id) in enumerate(posts.items(), start=1):
            user = _user(f"loadtest-member-{index}", f"压测联络员{index}", password_hash)
            RoleAssignment.objects.get_or_create(user=user, role=Role.MEMBER_CONTACT, organization_id=org_id)
            member_rows.append({"username": user.username, "resource": post_id})
        key = hexlify(base64.b32decode(secret)).decode()
        for index in range(1, secretariat + 1):
            user = _user(f"loadtest-secretariat-{index}", f"压测秘书{index}", password_hash)
            RoleAssignment.objects.get_or_create(user=user, role=Role.SECRETARIAT)
            device = TOTPDevice.objects.filter(user=user, name=TOTP_NAME).first() or TOTPDevice(
                user=user, name=TOTP_NAME
            )
            device.key, device.confirmed, device.last_t = key, True, -1
            device.throttling_failure_count = 0
            device.throttling_failure_timestamp = None
            device.save()
            secretariat_rows.append({"username": user.username})
    return {
        "password": password,
        "totp_secret": secret,
        "members": member_rows,
        "secretariat": secretariat_rows,
        "events": events,
        "year": now.year,
    }


def _user(username: str, name: str, password_hash: str) -> Any:
    from lianmeng.accounts.models import User

    user = User.objects.filter(username=username).first() or User(username=username)
    user.display_name = name
    user.email = f"{username}@load.invalid"
    user.password = password_hash
    user.is_active = True
    user.save()
    return user


if __name__ == "__main__":
    main()

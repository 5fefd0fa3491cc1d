"""`lianmeng demo`: migrate and load the demo alliance (idempotent)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.test.utils import override_settings

from lianmeng.core.discovery import app_modules
from lianmeng.core.mail_switch import without_mail


class Command(BaseCommand):
    help = "Migrate the database and load the demo alliance (seven cities, members, demo accounts)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--allow-demo-accounts",
            action="store_true",
            help="Create the demo accounts even when DEBUG is off.",
        )
        parser.add_argument("--no-accounts", action="store_true", help="Load the data without demo accounts.")
        parser.add_argument("--skip-migrate", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        accounts = not options["no_accounts"]
        if accounts and not settings.DEBUG and not options["allow_demo_accounts"]:
            raise CommandError(
                "Demo accounts share a published password; with DEBUG off they are refused. "
                "Pass --allow-demo-accounts to create them anyway, or --no-accounts."
            )
        if not options["skip_migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
        # Demo data triggers notifications (notices, invitations); nobody should receive them.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            self._load(accounts)
        self.stdout.write(self.style.SUCCESS("Demo alliance ready."))

    def _load(self, accounts: bool) -> None:
        for config, module in app_modules("demo"):
            # the switch outlives the commit: mail handed to the queue on_commit stays unsent too
            with without_mail(), transaction.atomic():
                summary = module.load(accounts=accounts)
            self.stdout.write(f"{config.label}: {summary}")

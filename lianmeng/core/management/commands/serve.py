"""`lianmeng serve`: run the application with gunicorn."""

from __future__ import annotations

import os
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Serve Lianmeng with gunicorn (workers = cores by default)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", os.cpu_count() or 2))
        )
        parser.add_argument("--timeout", type=int, default=60)
        parser.add_argument(
            "--allow-demo-accounts",
            action="store_true",
            help="Start even when accounts still have the published demo password (DEBUG off).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["allow_demo_accounts"]:
            self._refuse_demo_credentials()
        if not settings.DEBUG:
            call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(
            f"Lianmeng at http://{options['host']}:{options['port']}/ ({options['workers']} workers)"
        )
        sys.stdout.flush()
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "lianmeng.wsgi:application",
            "--bind",
            f"{options['host']}:{options['port']}",
            "--workers",
            str(options["workers"]),
            "--timeout",
            str(options["timeout"]),
            "--access-logfile",
            "-",
        ]
        os.execv(sys.executable, argv)  # noqa: S606 - fixed argv, no shell

    def _refuse_demo_credentials(self) -> None:
        """With DEBUG off, published demo credentials on an active account stop the server here."""
        from lianmeng.accounts import demo_guard

        passwords = demo_guard.accounts_with_demo_password()
        devices = demo_guard.accounts_with_demo_second_factor()
        if not passwords and not devices:
            return
        lines = ["Refusing to start: these active accounts still use the published demo credentials."]
        if passwords:
            lines.append("Demo password (lianmeng-demo): " + ", ".join(passwords))
            lines.append("  Fix: `lianmeng changepassword <name>` for each, or deactivate it in /admin/.")
        if devices:
            lines.append("Demo two-factor secret (README): " + ", ".join(devices))
            lines.append(
                "  Fix: sign in and replace the authenticator on the account page, or delete the device"
                " in /admin/ (TOTP devices) so the account sets up a new one."
            )
        lines.append("To start anyway (a demonstration server), pass --allow-demo-accounts.")
        raise CommandError("\n".join(lines))

"""``manage.py assign`` / ``call_command("assign", ...)``: the offline assignment of
``lianmeng.research.assign_cli`` (which ``lianmeng assign`` runs directly, without Django settings)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lianmeng.research import assign_cli
from lianmeng.research.assign_cli import SCALE, load_instance

__all__ = ["SCALE", "Command", "load_instance"]


class Command(BaseCommand):
    help = "Assign reviewers offline: optimal under k, load limits and conflicts (CSV in, CSV out)."

    def add_arguments(self, parser: CommandParser) -> None:
        assign_cli.add_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            assign_cli.run(options, self.stdout)
        except assign_cli.AssignError as exc:
            raise CommandError(str(exc)) from exc

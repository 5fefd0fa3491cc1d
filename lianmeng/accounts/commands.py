"""The accounts writes' typed inputs (lianmeng.core.commands)."""

from typing import Annotated

from django.utils.translation import gettext_lazy

from lianmeng.core.commands import Command, Integer, Text

MAX_TOKEN_DAYS = 3650


class TokenIssue(Command):
    """A new API token of the signed-in user: its name, and its lifetime in days (empty: no expiry)."""

    name: Annotated[str, Text(gettext_lazy("令牌名称"), max_length=80, required=False)] = ""
    expires_in_days: Annotated[
        int | None, Integer(gettext_lazy("有效天数"), minimum=1, maximum=MAX_TOKEN_DAYS)
    ] = None

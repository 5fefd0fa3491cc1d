"""A switch for the mail of demo data: ``with without_mail():`` (or ``@without_mail()``) around work
whose people must not be mailed — the demo alliance's history is shown on the site, not news.

Checked where mail is handed to the queue: ``notifications.services.notify`` (the rows are kept, with no
mail), ``notifications.services.mail_later`` and ``accounts.services.user_invite_mail``. ``lianmeng demo``
holds the switch until each app's transaction has committed, so mail queued ``on_commit`` stays unsent
too; every app's demo ``load`` holds it as well, for callers that load the demo themselves (tests).
"""

from __future__ import annotations

from contextlib import ContextDecorator
from contextvars import ContextVar, Token

_WITHOUT_MAIL: ContextVar[bool] = ContextVar("lianmeng_without_mail", default=False)


def mail_allowed() -> bool:
    return not _WITHOUT_MAIL.get()


class without_mail(ContextDecorator):  # noqa: N801 - used like a function: `with without_mail():`
    def _recreate_cm(self) -> without_mail:  # each call of a decorated function gets its own token
        return without_mail()

    def __enter__(self) -> without_mail:
        self._token: Token[bool] = _WITHOUT_MAIL.set(True)
        return self

    def __exit__(self, *exc: object) -> None:
        _WITHOUT_MAIL.reset(self._token)

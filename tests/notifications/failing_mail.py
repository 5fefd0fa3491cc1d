"""An e-mail backend whose server is down (EMAIL_BACKEND in the tests of failing mail)."""

from __future__ import annotations

import smtplib
from typing import Any

from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend

CALLS = {"n": 0, "fail_first": 10**6}


class EmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Any) -> int:
        CALLS["n"] += 1
        if CALLS["n"] <= CALLS["fail_first"]:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        mail.outbox.extend(email_messages)
        return len(email_messages)

"""An e-mail backend whose server is down (EMAIL_BACKEND in the tests of failing mail), and a request made
while it is."""

from __future__ import annotations

import smtplib
from typing import Any

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend

from tests.form_helpers import client_for

CALLS = {"n": 0, "fail_first": 10**6}


class EmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Any) -> int:
        CALLS["n"] += 1
        if CALLS["n"] <= CALLS["fail_first"]:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        mail.outbox.extend(email_messages)
        return len(email_messages)


@pytest.fixture
def request_with_mail_down(
    settings: Any,
    park_contact: Any,
    fund_contact: Any,
    make_post: Any,
    django_capture_on_commit_callbacks: Any,
) -> Any:
    """With every mail failing, the park asks for the fund's supply 人才引进基金 (the notification's mail
    is tried, and fails, on commit): the page's response."""
    settings.EMAIL_BACKEND = "tests.notifications.failing_mail.EmailBackend"
    CALLS.update(n=0, fail_first=10**6)
    supply = make_post(fund_contact, direction="supply", title="人才引进基金")
    with django_capture_on_commit_callbacks(execute=True):
        return client_for(park_contact).post(f"/resources/{supply.pk}/request/", {"message": "希望洽谈"})

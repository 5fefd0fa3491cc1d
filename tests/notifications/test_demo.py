"""The whole demo gives every demo account notifications, a few unread, each linking to a page that opens."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from lianmeng.notifications import demo
from lianmeng.notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_demo_notifications(cities: dict[str, Any], mailoutbox: list[Any]) -> None:
    from lianmeng.core.discovery import app_modules
    from lianmeng.notifications.models import MailState

    for _config, module in app_modules("demo"):
        module.load(accounts=True)
    # the demo's history is shown, not mailed (the worker of `make run` would send it to example addresses)
    assert Notification.objects.count() > 100
    assert not Notification.objects.exclude(mail_state=MailState.NONE).exists()
    assert mailoutbox == []
    before = Notification.objects.count()
    demo.load(accounts=True)  # idempotent
    assert Notification.objects.count() == before
    for username in ("demo-member", "demo-secretariat", "demo-council", "demo-expert", "demo-coordinator"):
        rows = Notification.objects.filter(recipient__username=username, title__in=_titles())
        assert rows.exists(), username
        assert rows.filter(read_at__isnull=True).count() in (1, 2)
    # every link opens for its recipient (nothing that answers 403/404)
    failures = []
    for n in Notification.objects.filter(recipient__username__startswith="demo-").select_related("recipient"):
        client = Client()
        client.force_login(n.recipient)
        status = client.get(n.url).status_code
        if status != 200:
            failures.append((n.recipient.username, n.url, status))
    assert not failures


def _titles() -> list[str]:
    return [t for items in demo._plan().values() for _k, t, _b, _u in items]


@pytest.mark.django_db(transaction=True)
def test_the_switch_holds_until_the_commit_as_lianmeng_demo_uses_it(
    make_user: Any, mailoutbox: list[Any]
) -> None:
    """`lianmeng demo` commits each app's data after its loader returned: mail handed to the queue on
    commit (status mails, invitations) must find the switch still on; without it they go out."""
    from django.db import transaction

    from lianmeng.accounts.services import user_invite_mail
    from lianmeng.core.mail_switch import without_mail
    from lianmeng.notifications.services import mail_later

    person = make_user(username="demo-invited")

    def queue_on_commit() -> None:
        with transaction.atomic():
            mail_later("入盟申请状态", "已入盟", ["applicant@example.cn"])
            transaction.on_commit(lambda: user_invite_mail(person.pk))

    with without_mail(), transaction.atomic():
        queue_on_commit()
    assert mailoutbox == []
    queue_on_commit()
    assert sorted(m.to[0] for m in mailoutbox) == sorted(["applicant@example.cn", person.email])

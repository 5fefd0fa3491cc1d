from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from lianmeng.notifications import services, tasks
from lianmeng.notifications.models import Channel, Kind, MailState, Notification

from . import failing_mail


@pytest.fixture
def two(make_user: Callable[..., Any]) -> tuple[Any, Any]:
    return make_user(display_name="甲"), make_user(display_name="乙")


def test_notify_creates_rows_and_mails_after_commit(
    two: tuple[Any, Any], django_capture_on_commit_callbacks: Any
) -> None:
    a, b = two
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        rows = services.notify(
            recipients=[a, b.pk, a],
            kind=Kind.NOTICE_PUBLISHED,
            title="新通知：年会",
            body="请查看",
            url="/x/",
        )
        assert len(rows) == 2  # a once, b once
        assert mail.outbox == []  # nothing sent inside the transaction
    assert len(callbacks) == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted([a.email, b.email])
    assert "新通知：年会" in mail.outbox[0].subject
    assert "http://" in mail.outbox[0].body and "/x/" in mail.outbox[0].body
    assert set(Notification.objects.values_list("mail_state", flat=True)) == {MailState.SENT}


def test_the_actor_is_not_told_about_their_own_action(two: tuple[Any, Any]) -> None:
    a, b = two
    rows = services.notify(recipients=[a, b], kind=Kind.TASK_ASSIGNED, title="t", actor=a)
    assert [r.recipient_id for r in rows] == [b.pk]
    assert rows[0].actor_id == a.pk


def test_inactive_accounts_get_nothing(two: tuple[Any, Any]) -> None:
    a, b = two
    b.is_active = False
    b.save()
    assert [
        r.recipient_id for r in services.notify(recipients=[a, b], kind=Kind.TASK_ASSIGNED, title="t")
    ] == [a.pk]


def test_unknown_kind_is_a_programming_error(two: tuple[Any, Any]) -> None:
    with pytest.raises(ValueError):
        services.notify(recipients=[two[0]], kind="nonsense", title="t")


def test_preferences_choose_in_app_only_mail_or_digest(
    two: tuple[Any, Any], django_capture_on_commit_callbacks: Any
) -> None:
    a, b = two
    services.preferences_set(user=a, choices={Kind.NOTICE_PUBLISHED: Channel.IN_APP}, actor=a)
    services.preferences_set(user=b, choices={Kind.NOTICE_PUBLISHED: Channel.DIGEST}, actor=b)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(recipients=[a, b], kind=Kind.NOTICE_PUBLISHED, title="通知一")
        services.notify(recipients=[a, b], kind=Kind.NOTICE_PUBLISHED, title="通知二")
        services.notify(recipients=[a], kind=Kind.TASK_ASSIGNED, title="任务")  # a still mails tasks
    assert [m.to for m in mail.outbox] == [[a.email]]
    assert "任务" in mail.outbox[0].subject
    assert Notification.objects.filter(recipient=b, mail_state=MailState.DIGEST).count() == 2

    mail.outbox.clear()
    assert tasks.send_daily_digests.enqueue().return_value == 1
    assert [m.to for m in mail.outbox] == [[b.email]]
    assert "通知一" in mail.outbox[0].body and "通知二" in mail.outbox[0].body
    assert "每日消息汇总" in mail.outbox[0].subject
    # sent once: the next day's digest has nothing for b
    assert tasks.send_daily_digests.enqueue().return_value == 0


def test_preferences_reject_bad_channels_with_the_kind_named(two: tuple[Any, Any]) -> None:
    a, b = two
    with pytest.raises(ValidationError) as exc:
        services.preferences_set(
            user=a, choices={Kind.TASK_ASSIGNED: Channel.DIGEST, Kind.NOTICE_PUBLISHED: "pigeon"}, actor=a
        )
    assert "新通知" in exc.value.message_dict[Kind.NOTICE_PUBLISHED][0]
    assert services.preferences_of(a)[Kind.TASK_ASSIGNED] == Channel.MAIL  # nothing half-saved
    with pytest.raises(PermissionDenied):
        services.preferences_set(user=a, choices={Kind.TASK_ASSIGNED: Channel.IN_APP}, actor=b)


def test_mark_read_only_by_the_recipient(two: tuple[Any, Any]) -> None:
    a, b = two
    [n] = services.notify(recipients=[a], kind=Kind.TASK_ASSIGNED, title="t")
    with pytest.raises(PermissionDenied):
        services.mark_read(notification=n, actor=b)
    services.mark_read(notification=n, actor=a)
    n.refresh_from_db()
    assert n.read_at is not None
    services.notify(recipients=[a, b], kind=Kind.TASK_ASSIGNED, title="t2")
    assert services.mark_all_read(actor=a) == 1
    assert Notification.objects.filter(recipient=b, read_at__isnull=True).count() == 1


def test_failing_mail_server_is_retried_then_given_up(
    two: tuple[Any, Any], settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.EMAIL_BACKEND = "tests.notifications.failing_mail.EmailBackend"
    settings.NOTIFICATIONS_MAIL_ATTEMPTS = 3
    failing_mail.CALLS.update(n=0, fail_first=10**6)
    a, _b = two
    with django_capture_on_commit_callbacks(execute=True):
        [n] = services.notify(recipients=[a], kind=Kind.TASK_ASSIGNED, title="t")
    n.refresh_from_db()
    assert failing_mail.CALLS["n"] == 3
    assert (n.mail_state, n.mail_attempts) == (MailState.FAILED, 3)


def test_a_mail_that_fails_once_is_sent_on_the_retry(
    two: tuple[Any, Any], settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.EMAIL_BACKEND = "tests.notifications.failing_mail.EmailBackend"
    failing_mail.CALLS.update(n=0, fail_first=1)
    mail.outbox.clear()
    a, _b = two
    with django_capture_on_commit_callbacks(execute=True):
        [n] = services.notify(recipients=[a], kind=Kind.TASK_ASSIGNED, title="重试的邮件")
    n.refresh_from_db()
    assert (n.mail_state, n.mail_attempts) == (MailState.SENT, 2)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject.endswith("】重试的邮件")


def test_retries_wait_longer_each_time_on_a_queue_that_can_wait(
    two: tuple[Any, Any], settings: Any, monkeypatch: Any
) -> None:
    settings.NOTIFICATIONS_RETRY_SECONDS = 60
    assert [tasks.retry_delay(i).total_seconds() for i in (1, 2, 3)] == [60, 240, 960]
    enqueued: list[tuple[Any, tuple[Any, ...]]] = []

    class Deferred:
        def __init__(self, run_after: Any) -> None:
            self.run_after = run_after

        def enqueue(self, *args: Any) -> None:
            enqueued.append((self.run_after, args))

    class FakeTask:
        def get_backend(self) -> Any:
            return type("B", (), {"supports_defer": True})()

        def using(self, *, run_after: Any) -> Deferred:
            return Deferred(run_after)

    monkeypatch.setattr(tasks, "notification_mail_send", FakeTask())
    before = datetime.datetime.now(datetime.UTC)
    tasks._retry(7, 2)
    [(run_after, args)] = enqueued
    assert args == (7, 3)
    assert datetime.timedelta(seconds=239) < run_after - before < datetime.timedelta(seconds=250)


def test_notify_reaches_forty_thousand_people_in_batches(
    db: None, django_capture_on_commit_callbacks: Any
) -> None:
    """More recipients than SQLite's 32,766 parameters in one statement: the reads and the insert go in
    chunks; mails are handed to the queue in batches (docs/notifications.md, "A whole alliance")."""
    import time

    from django.db import connection

    from lianmeng.accounts.models import User

    if connection.vendor == "postgresql":
        # check the notifications' foreign keys statement by statement (chunks): deferred to the
        # teardown, the 40,000 checks at once outlasted the 30 s statement timeout on a loaded machine
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    n = 40_000
    User.objects.bulk_create(
        [
            User(username=f"bulk{i}", password="!", email=f"b{i}@example.cn" if i % 4 else "")
            for i in range(n)
        ],
        batch_size=2000,
    )
    ids = list(User.objects.filter(username__startswith="bulk").values_list("pk", flat=True))
    if connection.vendor == "postgresql":
        # the test database's statistics still say the users table is empty, so the foreign key checks
        # of the insert would scan it once per row (production tables have statistics)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE accounts_user")
    enqueued: list[int] = []

    class Batches:
        def enqueue(self, batch: list[int]) -> None:
            enqueued.append(len(batch))

    started = time.perf_counter()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        created = services.notify(recipients=ids + ids[:10], kind=Kind.NOTICE_PUBLISHED, title="全体通知")
    elapsed = time.perf_counter() - started
    assert len(created) == n
    assert Notification.objects.filter(kind=Kind.NOTICE_PUBLISHED, title="全体通知").count() == n
    # the mails of the 30,000 people with an address, in batches of 100, not one job each
    original = tasks.notification_mails_send
    tasks.notification_mails_send = Batches()  # type: ignore[assignment]
    try:
        for callback in callbacks:
            callback()
    finally:
        tasks.notification_mails_send = original
    assert sum(enqueued) == 30_000 and max(enqueued) == tasks.MAIL_BATCH and len(enqueued) == 300
    assert elapsed < 60, elapsed

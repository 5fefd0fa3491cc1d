"""Faults of the background worker: tasks of dead workers queued again, failures on the administrators' page."""

from __future__ import annotations

import datetime
import smtplib
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from lianmeng.accounts.models import Role, RoleAssignment
from lianmeng.core import taskqueue
from lianmeng.matchmaking.models import MatchRequest
from lianmeng.notifications.models import MailState, Notification
from tests.matchmaking.conftest import fund, fund_contact, make_post, park, park_contact, post_data
from tests.notifications import failing_mail
from tests.notifications.failing_mail import request_with_mail_down

__all__ = ["fund", "fund_contact", "make_post", "park", "park_contact", "post_data", "request_with_mail_down"]

pytestmark = pytest.mark.django_db
TASK = "lianmeng.core.pending_uploads.purge_expired"


def _running(*, workers: list[str], seconds_ago: int) -> DBTaskResult:
    now = timezone.now()
    return DBTaskResult.objects.create(
        status="RUNNING",
        args_kwargs={"args": [], "kwargs": {}},
        task_path=TASK,
        backend_name="default",
        run_after=now - datetime.timedelta(seconds=seconds_ago + 1),
        started_at=now - datetime.timedelta(seconds=seconds_ago),
        worker_ids=workers,
    )


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def administrator(make_user: Callable[..., Any]) -> Any:
    user = make_user()
    RoleAssignment.objects.create(user=user, role=Role.ADMINISTRATOR)
    return user


def test_the_task_of_a_dead_worker_is_queued_again_and_a_live_one_is_left_alone(settings: Any) -> None:
    settings.TASKS_LEASE_SECONDS = 30
    taskqueue.beat("alive-worker")
    orphan = _running(workers=["dead-worker"], seconds_ago=60)
    busy = _running(workers=["alive-worker"], seconds_ago=60)
    young = _running(workers=["dead-worker"], seconds_ago=5)  # within the lease: not judged yet
    assert taskqueue.reclaim_orphans() == [str(orphan.pk)]
    orphan.refresh_from_db()
    busy.refresh_from_db()
    young.refresh_from_db()
    assert (orphan.status, busy.status, young.status) == ("READY", "RUNNING", "RUNNING")
    assert DBTaskResult.objects.ready().filter(pk=orphan.pk).exists(), "the next worker can claim it"

    taskqueue.release("alive-worker")
    assert taskqueue.reclaim_orphans() == [str(busy.pk)]


def test_a_task_that_kills_its_workers_three_times_fails_instead(settings: Any) -> None:
    settings.TASKS_LEASE_SECONDS = 30
    poison = _running(workers=["w1", "w2", "w3"], seconds_ago=60)
    taskqueue.reclaim_orphans()
    poison.refresh_from_db()
    assert poison.status == "FAILED"
    assert poison.exception_class_path == taskqueue.WORKER_LOST
    [row] = taskqueue.problem_tasks()
    assert (row.status, row.attempts, row.name) == ("failed", 3, "purge_expired")


def test_administrators_see_failed_and_stuck_tasks_and_retry_them(
    administrator: Any, make_user: Callable[..., Any], settings: Any
) -> None:
    settings.TASKS_LEASE_SECONDS = 30
    failed = _running(workers=["w1"], seconds_ago=60)
    failed.status, failed.traceback = "FAILED", "Traceback…\nsmtplib.SMTPServerDisconnected: closed"
    failed.finished_at = timezone.now()
    failed.save()
    stuck = _running(workers=["gone"], seconds_ago=120)

    assert _client(make_user()).get("/tasks/").status_code == 403
    page = _client(administrator).get("/tasks/").content.decode()
    assert f'data-task="{failed.pk}"' in page and f'data-task="{stuck.pk}"' in page
    assert "SMTPServerDisconnected: closed" in page

    response = _client(administrator).post(f"/tasks/{failed.pk}/retry/")
    assert response.status_code == 302
    assert not DBTaskResult.objects.filter(pk=failed.pk).exists(), "the failed row gives way to the new run"
    # A second click on the stale page changes nothing.
    _client(administrator).post(f"/tasks/{failed.pk}/retry/")
    page = _client(administrator).get("/tasks/").content.decode()
    assert f'data-task="{failed.pk}"' not in page and f'data-task="{stuck.pk}"' in page

    # A task queued long ago that no worker took: no worker is running.
    waiting = DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}},
        task_path=TASK,
        backend_name="default",
        run_after=get_date_max(),
    )
    DBTaskResult.objects.filter(pk=waiting.pk).update(
        enqueued_at=timezone.now() - datetime.timedelta(minutes=10)
    )
    assert [r.status for r in taskqueue.problem_tasks() if r.id == str(waiting.pk)] == ["waiting"]


def test_a_failing_mail_server_retries_then_the_failure_waits_on_the_page(
    administrator: Any,
    settings: Any,
    fund_contact: Any,
    request_with_mail_down: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    response = request_with_mail_down
    assert response.status_code == 302 and MatchRequest.objects.count() == 1, "the saved action is fine"
    n = Notification.objects.get(recipient=fund_contact)
    assert (n.mail_state, n.mail_attempts) == (MailState.FAILED, settings.NOTIFICATIONS_MAIL_ATTEMPTS)

    admin = _client(administrator)
    page = admin.get("/tasks/").content.decode()
    assert f'data-notification="{n.pk}"' in page and fund_contact.email in page

    failing_mail.CALLS.update(n=0, fail_first=0)  # the mail server is back
    with django_capture_on_commit_callbacks(execute=True):
        assert admin.post(f"/tasks/mail/{n.pk}/retry/").status_code == 302
    n.refresh_from_db()
    assert (n.mail_state, n.mail_attempts) == (MailState.SENT, 1)
    assert f'data-notification="{n.pk}"' not in admin.get("/tasks/").content.decode()


def test_the_last_failed_attempt_of_a_mail_without_account_ends_the_task_failed(settings: Any) -> None:
    from lianmeng.notifications.tasks import MailFailed, mail_send

    settings.EMAIL_BACKEND = "tests.notifications.failing_mail.EmailBackend"
    settings.NOTIFICATIONS_MAIL_ATTEMPTS = 3
    failing_mail.CALLS.update(n=0, fail_first=10**6)
    assert (
        mail_send.call("申请已收到", "正文", ["applicant@example.cn"], 2) is False
    )  # retried, not failed yet
    with pytest.raises(MailFailed, match=r"applicant@example\.cn: 3 attempts"):
        mail_send.call("申请已收到", "正文", ["applicant@example.cn"], 3)


def test_account_mails_are_retried_then_fail_visibly(settings: Any, make_user: Callable[..., Any]) -> None:
    from django.core import mail

    from lianmeng.accounts.tasks import password_reset_mail_send

    settings.EMAIL_BACKEND = "tests.notifications.failing_mail.EmailBackend"
    settings.NOTIFICATIONS_MAIL_ATTEMPTS = 3
    user = make_user()
    failing_mail.CALLS.update(n=0, fail_first=1)  # down once, then back
    mail.outbox.clear()
    password_reset_mail_send.call(user.pk)
    assert failing_mail.CALLS["n"] == 2 and len(mail.outbox) == 1, "sent on the retry"

    failing_mail.CALLS.update(n=0, fail_first=10**6)
    with pytest.raises(smtplib.SMTPServerDisconnected):
        password_reset_mail_send.call(user.pk, attempt=3)  # the last attempt: the task ends failed


def test_old_successful_tasks_are_pruned_and_failed_ones_kept() -> None:
    old = timezone.now() - datetime.timedelta(days=taskqueue.KEEP_FINISHED_DAYS + 1)
    rows = {}
    for status, finished in (("SUCCESSFUL", old), ("SUCCESSFUL", timezone.now()), ("FAILED", old)):
        rows[(status, finished)] = DBTaskResult.objects.create(
            status=status,
            args_kwargs={"args": [], "kwargs": {}},
            task_path=TASK,
            backend_name="default",
            run_after=get_date_max(),
            finished_at=finished,
        )
    assert taskqueue.prune_finished_tasks.call() == 1
    left = set(DBTaskResult.objects.values_list("status", flat=True))
    assert DBTaskResult.objects.count() == 2 and left == {"SUCCESSFUL", "FAILED"}

"""Background tasks called directly: promotion notice, event reminders, 1+7+N reminders."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from lianmeng.activities import services, tasks
from lianmeng.activities.commands import RegistrationCreate
from lianmeng.activities.models import Event, Registration

from .conftest import person

pytestmark = pytest.mark.django_db


def test_promotion_notice_goes_to_the_person_and_who_registered(
    make_event: Callable[..., Event], contact: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from lianmeng.notifications.models import Notification

    event = make_event()
    reg = services.registration_create(
        event=event, cmd=RegistrationCreate.build(person(1, email="p1@example.cn")), actor=contact
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.registration_promoted_notify.call(reg.pk) == 1
    # the attendee by mail; the contact who registered them in-app and by mail (their preference)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(["p1@example.cn", contact.email])
    assert all(reg.code_display in m.body for m in mail.outbox)
    (notification,) = Notification.objects.filter(recipient=contact)
    assert "候补成功" in notification.title and notification.url == reg.get_absolute_url()
    assert tasks.registration_promoted_notify.call(999999) == 0


def test_event_reminder_sent_once_to_seated_people(make_event: Callable[..., Event]) -> None:
    soon = make_event(starts_in=datetime.timedelta(hours=20), capacity=1)
    later = make_event(starts_in=datetime.timedelta(days=3))
    services.registration_create(
        event=soon, cmd=RegistrationCreate.build(person(1, email="a@example.cn")), actor=None
    )
    services.registration_create(
        event=soon, cmd=RegistrationCreate.build(person(2, email="waiting@example.cn")), actor=None
    )
    services.registration_create(
        event=later, cmd=RegistrationCreate.build(person(3, email="later@example.cn")), actor=None
    )
    assert tasks.event_reminders_send.call() == 1
    assert [m.to for m in mail.outbox] == [["a@example.cn"]]
    assert "活动提醒" in mail.outbox[0].subject
    assert tasks.event_reminders_send.call() == 0


def test_compliance_reminders_from_october(
    make_event: Callable[..., Event],
    park: Any,
    other_park: Any,
    coordinator: Any,
    contact: Any,
    secretariat: Any,
    make_user: Any,
    cities: Any,
) -> None:
    year = timezone.localdate().year
    assert tasks.compliance_reminders_send.call(year=year, today_iso=f"{year}-09-30")["sent"] == 0
    # Qingdao held its forum; Yantai did nothing. The Qingdao park has nothing either.
    forum = make_event(kind="forum", status="held", starts_in=datetime.timedelta(days=-1))
    Event.objects.filter(pk=forum.pk).update(
        starts_at=datetime.datetime(year, 6, 1, 9, tzinfo=timezone.get_default_timezone()),
        ends_at=datetime.datetime(year, 6, 1, 12, tzinfo=timezone.get_default_timezone()),
    )
    yantai = make_user("city_coordinator", city=cities["烟台"])
    result = tasks.compliance_reminders_send.call(year=year, today_iso=f"{year}-10-15")
    recipients = {addr for m in mail.outbox for addr in m.to}
    assert yantai.email in recipients and contact.email in recipients and secretariat.email in recipients
    assert coordinator.email not in recipients
    assert result["secretariat"] == 1
    summary = next(m for m in mail.outbox if secretariat.email in m.to)
    assert "青岛：已完成" in summary.body and "烟台：缺失" in summary.body
    assert Registration.objects.count() == 0


def test_the_scheduler_sends_event_reminders(make_event: Callable[..., Event]) -> None:
    from lianmeng.core.schedule import Job, run_due

    event = make_event(starts_in=datetime.timedelta(hours=5))
    services.registration_create(
        event=event, cmd=RegistrationCreate.build(person(1, email="soon@example.cn")), actor=None
    )
    job = Job("lianmeng.activities.tasks.event_reminders_send", datetime.timedelta(days=1))
    assert run_due(jobs=(job,)) == [job.task]
    assert [m.to for m in mail.outbox] == [["soon@example.cn"]]
    assert run_due(jobs=(job,)) == []

"""Check-in outside the event's day(s) asks first and says why; on the day it does not ask."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lianmeng.activities import selectors, services
from lianmeng.activities.commands import RegistrationCreate
from lianmeng.activities.models import Event, Registration

from .conftest import person

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _post(client: Client, event: Event, code: str, **extra: str) -> Any:
    url = reverse("activities:checkin", args=[event.pk])
    return client.post(url, {"code": code, **extra}, HTTP_ACCEPT="application/json")


def test_timing_uses_the_local_days_of_the_event(make_event: Callable[..., Event]) -> None:
    event = make_event(starts_in=datetime.timedelta(days=3), hours=30)
    first = timezone.localtime(event.starts_at).date()
    last = timezone.localtime(event.ends_at).date()
    assert selectors.checkin_timing(event, today=first - datetime.timedelta(days=1)) == "before"
    assert selectors.checkin_timing(event, today=first) == ""
    assert selectors.checkin_timing(event, today=last) == ""
    assert selectors.checkin_timing(event, today=last + datetime.timedelta(days=1)) == "after"


def test_before_the_event_the_page_says_so_and_asks_before_checking_in(
    make_event: Callable[..., Event], contact: Any
) -> None:
    event = make_event(starts_in=datetime.timedelta(days=10))
    reg = services.registration_create(event=event, cmd=RegistrationCreate.build(person(1)), actor=None)
    client = _client(contact)
    page = client.get(reverse("activities:checkin", args=[event.pk])).content.decode()
    assert "活动尚未开始" in page and "签到前会请您确认" in page

    asked = _post(client, event, reg.code)
    data = json.loads(asked.content)
    assert asked.status_code == 200 and data["confirm"] is True
    assert "活动尚未开始" in data["message"] and "确定仍要签到吗" in data["message"]
    reg.refresh_from_db()
    assert reg.status == "registered" and data["attended"] == 0

    done = json.loads(_post(client, event, reg.code, confirm="1").content)
    assert done["level"] == "success" and done["attended"] == 1
    reg.refresh_from_db()
    assert reg.status == "attended"


def test_without_script_the_question_is_a_button(make_event: Callable[..., Event], contact: Any) -> None:
    event = make_event(starts_in=datetime.timedelta(days=10))
    reg = services.registration_create(event=event, cmd=RegistrationCreate.build(person(1)), actor=None)
    client = _client(contact)
    url = reverse("activities:checkin", args=[event.pk])
    page = client.post(url, {"code": reg.code}).content.decode()
    assert "仍然签到" in page and f'name="code" value="{reg.code}"' in page
    assert Registration.objects.get(pk=reg.pk).status == "registered"
    client.post(url, {"code": reg.code, "confirm": "1"})
    assert Registration.objects.get(pk=reg.pk).status == "attended"


def test_after_the_event_the_question_says_it_has_ended(
    make_event: Callable[..., Event], contact: Any
) -> None:
    event = make_event(starts_in=datetime.timedelta(days=10))
    reg = services.registration_create(event=event, cmd=RegistrationCreate.build(person(1)), actor=None)
    past = timezone.now() - datetime.timedelta(days=3)
    Event.objects.filter(pk=event.pk).update(starts_at=past, ends_at=past + datetime.timedelta(hours=3))
    data = json.loads(_post(_client(contact), event, reg.code).content)
    assert data["confirm"] is True and "活动已于" in data["message"] and "结束" in data["message"]


def test_on_the_day_nobody_is_asked(make_event: Callable[..., Event], contact: Any) -> None:
    event = make_event(starts_in=datetime.timedelta(days=10))
    reg = services.registration_create(event=event, cmd=RegistrationCreate.build(person(1)), actor=None)
    noon = timezone.localtime().replace(hour=12, minute=0, second=0, microsecond=0)
    Event.objects.filter(pk=event.pk).update(starts_at=noon, ends_at=noon + datetime.timedelta(hours=3))
    client = _client(contact)
    assert "活动尚未开始" not in client.get(reverse("activities:checkin", args=[event.pk])).content.decode()
    data = json.loads(_post(client, event, reg.code).content)
    assert "confirm" not in data and data["level"] == "success"

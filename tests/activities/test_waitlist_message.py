"""Waitlist messages promise mail only when there is an address to mail (page, ticket and API)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from lianmeng.activities import services
from lianmeng.activities.commands import RegistrationCreate
from lianmeng.activities.models import Event, Registration

from .conftest import person

pytestmark = pytest.mark.django_db
NO_MAIL = "未填写电子邮箱，转正时不会收到邮件"


def _full(make_event: Callable[..., Event]) -> Event:
    event = make_event(capacity=1)
    services.registration_create(event=event, cmd=RegistrationCreate.build(person(1)), actor=None)
    return event


def _register(client: Client, event: Event, **extra: str) -> tuple[Registration, str]:
    response = client.post(
        reverse("activities:register", args=[event.pk]), {**person(2), **extra}, follow=True
    )
    return Registration.objects.get(name="参会人2"), response.content.decode()


def test_anonymous_without_address_is_not_promised_mail(make_event: Callable[..., Event]) -> None:
    reg, page = _register(Client(), _full(make_event))
    assert reg.status == "waitlisted"
    assert NO_MAIL in page and "并发邮件通知" not in page
    assert "不会收到邮件，请收藏本页" in page and "并通过邮件通知您" not in page  # the ticket


def test_with_an_address_mail_is_promised(make_event: Callable[..., Event]) -> None:
    _reg, page = _register(Client(), _full(make_event), email="wait@example.cn")
    assert "并发邮件通知" in page and NO_MAIL not in page
    assert "并通过邮件通知您" in page  # the ticket


def test_signed_in_registrant_with_an_account_address_is_promised_mail(
    make_event: Callable[..., Event], contact: Any
) -> None:
    client = Client()
    client.force_login(contact)
    _reg, page = _register(client, _full(make_event))
    assert contact.email and "并发邮件通知" in page


def test_api_message_follows_the_address(make_event: Callable[..., Event], api: Any) -> None:
    event = _full(make_event)
    url = f"/api/v1/events/{event.pk}/registrations"
    without = api(None).post(url, {**person(2)}, content_type="application/json")
    assert without.status_code == 201 and NO_MAIL in json.loads(without.content)["message"]
    with_mail = api(None).post(url, {**person(3), "email": "w3@example.cn"}, content_type="application/json")
    data = json.loads(with_mail.content)
    assert data["status"] == "waitlisted" and "并发邮件通知" in data["message"]

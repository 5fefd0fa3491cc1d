"""The load benchmark's journeys (bench/load/journeys.py, used by its locustfile) still answer.

No locust here: the journeys are plain data. On generated test-scale data, with the accounts and
context that bench/load/accounts.py makes, every journey is requested as each kind of user that
takes it (the secretariat signing in with its authenticator code, as the locustfile does) and must
answer what the benchmark counts as success; a renamed URL or a page failing on the benchmark's
data would otherwise show up only as errors in a load run.
"""

from __future__ import annotations

import datetime

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from bench.load.accounts import make_accounts
from bench.load.journeys import FLOOR, JOURNEYS, ROLES, journeys_for, registration_data, totp
from lianmeng.activities.models import Event
from lianmeng.core.management.commands.generate import generate_scale, scale_counts

pytestmark = pytest.mark.django_db


def _signed_in(role: str, context: dict[str, object]) -> Client:
    client = Client()
    if role == "visitor":
        return client
    rows = context["members" if role == "member" else "secretariat"]
    assert isinstance(rows, list)
    login = client.post(
        "/accounts/login/", {"username": rows[0]["username"], "password": context["password"]}
    )
    assert login.status_code == 302
    if role == "secretariat":
        assert client.get("/desk/")["Location"].startswith("/accounts/two-factor/")
        verified = client.post("/accounts/two-factor/", {"otp": totp(str(context["totp_secret"]))})
        assert verified.status_code == 302
        assert "two-factor" not in verified["Location"]
    return client


@override_settings(ROOT_URLCONF="bench.load.urls")
def test_every_journey_answers_for_every_role_that_takes_it(cities: object) -> None:
    generate_scale(scale_counts("test", 1), out=lambda line: None, progress=False)
    # The two generated events are in the past at this scale; the benchmark registers for upcoming ones.
    starts = timezone.now() + datetime.timedelta(days=20)
    Event.objects.filter(pk=Event.objects.order_by("pk")[0].pk).update(
        starts_at=starts, ends_at=starts + datetime.timedelta(hours=3)
    )
    context = make_accounts(members=2, secretariat=1)
    fill = {
        "event": context["events"][0],
        "resource": context["members"][0]["resource"],
        "year": context["year"],
    }
    answered: list[str] = []
    for role in ROLES:
        client = _signed_in(role, context)
        for journey in journeys_for(role, writes=True):
            url = journey.url(fill)
            for params in journey.params:
                if journey.method == "POST":
                    data = {**registration_data(len(answered)), "organization_name": "压测单位"}
                    response = client.post(url, data)
                else:
                    headers = {"Accept": "application/json"} if journey.api else {}
                    response = client.get(url, params, headers=headers)
                assert response.status_code in journey.expect, (role, journey.name, url, params)
                answered.append(journey.name)
    assert set(answered) == {j.name for j in JOURNEYS}
    assert FLOOR in answered


def test_totp_matches_the_rfc_6238_test_vector() -> None:
    # RFC 6238 appendix B, SHA-1: secret "12345678901234567890", T = 59 s -> 94287082 (8 digits).
    secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
    assert totp(secret, at=59, digits=8) == "94287082"
    assert totp(secret, at=1111111109, digits=8) == "07081804"

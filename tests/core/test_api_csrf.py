"""The public API serves clients without cookies; CSRF guards only writes that a session cookie signs in.

Django's test client skips CSRF checks unless ``enforce_csrf_checks=True``: every client here enforces
them, as a real server does.
"""

from __future__ import annotations

import datetime
import json
import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from lianmeng.accounts.models import ApiToken, Role
from lianmeng.activities.models import Registration
from lianmeng.api import api as ninja_api
from lianmeng.core.api_support import _Anonymous
from lianmeng.membership.models import MembershipApplication
from tests.factories import make_event

from ..activities.conftest import person
from ..membership.test_services import application_data

pytestmark = pytest.mark.django_db

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def _operations() -> Iterator[tuple[str, str, bool]]:
    """(method, path with ids filled in, public?) for every unsafe API operation."""
    ninja_api.urls  # noqa: B018  (builds the routers' operations)
    for prefix, router in ninja_api._routers:
        for path, path_view in router.path_operations.items():
            for op in path_view.operations:
                public = not op.auth_callbacks or any(isinstance(a, _Anonymous) for a in op.auth_callbacks)
                full = "/api/v1" + re.sub(r"\{[^}]+\}", "1", (prefix.rstrip("/") + "/" + path.lstrip("/")))
                for method in sorted(set(op.methods) & UNSAFE):
                    yield method, full.replace("//", "/"), public


OPERATIONS = sorted(set(_operations()))
PUBLIC = [(m, p) for m, p, public in OPERATIONS if public]
PRIVATE = [(m, p) for m, p, public in OPERATIONS if not public]


def _send(client: Client, method: str, path: str, body: Any = None, **extra: Any) -> Any:
    return getattr(client, method.lower())(
        path, json.dumps(body if body is not None else {}), content_type="application/json", **extra
    )


def _is_csrf_refusal(response: Any) -> bool:
    return response.status_code == 403 and "CSRF" in response.content.decode()


def test_the_public_writes_are_found() -> None:
    paths = {p for _m, p in PUBLIC}
    assert {
        "/api/v1/applications",
        "/api/v1/events/1/registrations",
        "/api/v1/selections/1/objections",
    } <= paths
    assert len(PRIVATE) > 40


@pytest.mark.parametrize(("method", "path"), PUBLIC)
def test_every_public_write_works_without_cookies(method: str, path: str, cities: Any) -> None:
    """No cookie, no CSRF token: the endpoint itself answers (validation, not found), never 403 CSRF."""
    client = Client(enforce_csrf_checks=True)
    response = _send(client, method, path)
    assert not _is_csrf_refusal(response), response.content
    assert response.status_code < 500
    assert response["Content-Type"].startswith("application/")  # JSON or problem+json, never an HTML page


@pytest.mark.parametrize(("method", "path"), PRIVATE)
def test_anonymous_writes_to_login_required_endpoints_answer_401(method: str, path: str) -> None:
    response = _send(Client(enforce_csrf_checks=True), method, path)
    assert response.status_code == 401, (method, path, response.content)
    assert response["Content-Type"].startswith("application/problem+json")
    assert response["WWW-Authenticate"] == "Bearer"


def test_application_registration_and_revoked_token_without_cookies(
    cities: Any, make_user: Any, make_org: Any
) -> None:
    client = Client(enforce_csrf_checks=True)
    created = _send(client, "POST", "/api/v1/applications", application_data())
    assert created.status_code == 201, created.content
    assert MembershipApplication.objects.filter(pk=created.json()["id"]).exists()

    park = make_org("青岛人力资源服务产业园", city="青岛")
    starts = timezone.now() + datetime.timedelta(days=5)
    event = make_event(park, "青岛人力资源服务论坛", starts=starts, capacity=10)
    registered = _send(client, "POST", f"/api/v1/events/{event.pk}/registrations", person(1))
    assert registered.status_code == 201, registered.content
    assert Registration.objects.filter(event=event).count() == 1

    # A revoked token is refused as unauthenticated (401), even on a public write: the client meant to
    # act as someone and must learn that it did not.
    user = make_user(Role.MEMBER_CONTACT, username="revoked")
    key = ApiToken.new_key()
    token = ApiToken.objects.create(user=user, key_hash=ApiToken.hash_key(key), key_prefix=key[:10])
    token.delete()
    bearer = Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {key}")
    for path, body in (("/api/v1/events", {}), (f"/api/v1/events/{event.pk}/registrations", person(2))):
        refused = _send(bearer, "POST", path, body)
        assert refused.status_code == 401 and refused["Content-Type"].startswith("application/problem+json")
    assert Registration.objects.filter(event=event).count() == 1


def test_session_writes_still_need_the_csrf_token(make_user: Any, make_org: Any) -> None:
    park = make_org("烟台人力资源服务产业园", city="烟台")
    contact = make_user(Role.MEMBER_CONTACT, organization=park, username="yantai")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(contact)
    browser.get("/")  # sets the csrftoken cookie (the top bar's sign-out form), as any page does
    token = browser.cookies["csrftoken"].value

    forged = _send(browser, "PATCH", f"/api/v1/organizations/{park.pk}", {"description": "改"})
    assert forged.status_code == 403 and "CSRF" in forged.json()["detail"]
    park.refresh_from_db()
    assert park.description != "改"

    genuine = _send(
        browser, "PATCH", f"/api/v1/organizations/{park.pk}", {"description": "改"}, HTTP_X_CSRFTOKEN=token
    )
    assert genuine.status_code == 200, genuine.content
    park.refresh_from_db()
    assert park.description == "改"

    # The same person's script with a Bearer token needs no CSRF token, cookie or not.
    key = ApiToken.new_key()
    ApiToken.objects.create(user=contact, key_hash=ApiToken.hash_key(key), key_prefix=key[:10])
    scripted = _send(
        browser,
        "PATCH",
        f"/api/v1/organizations/{park.pk}",
        {"description": "脚本改"},
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert scripted.status_code == 200, scripted.content


def test_plain_http_client_over_a_real_server(live_server: Any, cities: Any) -> None:
    """urllib keeps no cookies: exactly what a partner site or a bureau's script sends."""
    request = urllib.request.Request(  # noqa: S310  (the live test server)
        f"{live_server.url}/api/v1/applications",
        data=json.dumps(application_data("烟台智联人力资源有限公司", city="370600")).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        assert response.status == 201
        assert json.loads(response.read())["tracking_url"]
    bad = urllib.request.Request(  # noqa: S310
        f"{live_server.url}/api/v1/events",
        data=b"{}",
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(bad, timeout=10)  # noqa: S310
    assert caught.value.code == 401
    assert caught.value.headers["Content-Type"].startswith("application/problem+json")

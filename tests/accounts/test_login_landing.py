"""After signing in, people land on their workbench or on the page they came for, never the portal."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from lianmeng.accounts.models import Role

PASSWORD = "correct-horse-battery"


@pytest.fixture
def member(make_user: Any, make_org: Any) -> Any:
    return make_user(Role.MEMBER_CONTACT, organization=make_org(), username="chen")


def _sign_in(client: Client, next_url: str | None) -> Any:
    data = {"username": "chen", "password": PASSWORD}
    query = f"?next={next_url}" if next_url is not None else ""
    return client.post(f"/accounts/login/{query}", {**data, **({"next": next_url} if next_url else {})})


@pytest.mark.parametrize("next_url", [None, "/", "/?lang=en", "/accounts/login/"])
def test_sign_in_from_the_portal_lands_on_the_workbench(member: Any, next_url: str | None) -> None:
    response = _sign_in(Client(), next_url)
    assert response.status_code == 302 and response["Location"] == "/desk/"


def test_the_portal_login_link_does_not_carry_the_portal_as_destination(member: Any) -> None:
    page = Client().get("/accounts/login/?next=/").content.decode()
    assert 'name="next" value="/"' not in page


def test_sign_in_returns_to_the_page_asked_for(member: Any) -> None:
    client = Client()
    asked = client.get("/resources/requests/")
    assert asked.status_code == 302 and "next=/resources/requests/" in asked["Location"]
    response = _sign_in(client, "/resources/requests/")
    assert response["Location"] == "/resources/requests/"
    assert client.get(response["Location"]).status_code == 200


def test_a_foreign_destination_is_ignored(member: Any) -> None:
    response = _sign_in(Client(), "https://evil.example/")
    assert response["Location"] == "/desk/"

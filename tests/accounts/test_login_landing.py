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


def _password_only(user: Any) -> Client:
    client = Client()
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response["Location"] == "/desk/"
    return client


def test_second_factor_keeps_the_workbench_as_destination(secretariat: Any) -> None:
    client = _password_only(secretariat)
    page = client.get("/desk/")
    assert page.status_code == 302
    assert page["Location"].startswith("/accounts/two-factor/") and page["Location"].endswith(
        "?next=%2Fdesk%2F"
    )


def test_a_fragment_polled_before_the_code_is_no_destination(secretariat: Any) -> None:
    client = _password_only(secretariat)
    hx = {"HTTP_HX_REQUEST": "true"}
    on_desk = client.get("/desk/", HTTP_HX_CURRENT_URL="http://testserver/resources/?q=1", **hx)
    assert on_desk.status_code == 204
    assert on_desk["HX-Redirect"].endswith("?next=%2Fresources%2F%3Fq%3D1")  # the page, not the fragment
    on_code_page = client.get(
        "/desk/",
        HTTP_HX_CURRENT_URL="http://testserver/accounts/two-factor/setup/?next=%2Fdesk%2F",
        **hx,
    )
    assert on_code_page.status_code == 204 and "HX-Redirect" not in on_code_page

"""In a real browser, a signed-in session's API writes need the CSRF token; without it they are refused."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from lianmeng.accounts.models import Role

pytestmark = pytest.mark.django_db(transaction=True)

PATCH = """async ([url, body, token]) => {
  const headers = {"Content-Type": "application/json"};
  if (token) headers["X-CSRFToken"] = token;
  const r = await fetch(url, {method: "PATCH", headers, body: JSON.stringify(body), credentials: "same-origin"});
  return [r.status, await r.text()];
}"""


def test_session_api_write_needs_the_csrf_token(
    page: Any, live_server: Any, login: Callable[..., None], make_org: Any, make_user: Any
) -> None:
    park = make_org("威海人力资源服务产业园", city="威海")
    make_user(Role.MEMBER_CONTACT, organization=park, username="weihai")
    login(page, "weihai")
    url = f"{live_server.url}/api/v1/organizations/{park.pk}"

    status, body = page.evaluate(PATCH, [url, {"description": "伪造的修改"}, ""])
    assert status == 403 and "CSRF" in body
    park.refresh_from_db()
    assert park.description != "伪造的修改"

    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    status, body = page.evaluate(PATCH, [url, {"description": "联络员的修改"}, token])
    assert status == 200, body
    park.refresh_from_db()
    assert park.description == "联络员的修改"

"""What the form tests of every app share: a signed-in client, the errors a page shows per field, a tiny PNG,
and for the browser tests the two widths, screenshots and the no-sideways-scroll check."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from django.test import Client

# A valid 1x1 PNG (the upload checks read the content, not the name).
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def field_errors(html: str) -> dict[str, list[str]]:
    """{field name: [messages]} as ``includes/field.html`` renders them (``data-field-error``)."""
    found: dict[str, list[str]] = {}
    for name, message in re.findall(r'data-field-error="([^"]+)">([^<]*)<', html):
        found.setdefault(name, []).append(message)
    return found


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def sign_in_browser(page: Any, live_server: Any, user: Any) -> None:
    """A signed-in session handed to the browser as its cookie (for tests about a form, not the sign-in)."""
    from django.conf import settings

    cookie = client_for(user).cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )


WIDTHS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}
SHOTS = Path(os.environ.get("LIANMENG_SCREENSHOTS", "var/screenshots/forms"))


def shot(page: Any, name: str) -> None:
    """A full-page screenshot in SHOTS (``LIANMENG_SCREENSHOTS``)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def fits(page: Any) -> bool:
    """The page needs no sideways scrolling at its width."""
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))

"""The top bar fits on one line at 1366 px in Chinese and English, signed out and as the secretariat
(the longest bar: work menu, bell, name), with nothing past the page's container."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_topbar_fits_at_1366(
    browser: Browser, live_server: Any, make_user: Any, login: Any, lang: str
) -> None:
    make_user("secretariat", username="sec", display_name="王秘书")
    context = browser.new_context(
        viewport={"width": 1366, "height": 900}, locale=lang, extra_http_headers={"Accept-Language": lang}
    )
    if lang == "en":
        context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page = context.new_page()
    for signed_in in (False, True):
        if signed_in:
            login(page, "sec")
        page.goto(f"{live_server.url}/events/")
        height, inner_right, widest = page.evaluate(
            """() => {
                const bar = document.querySelector('.lm-topbar');
                const inner = bar.querySelector('.container, [class^=container]');
                const right = Math.max(...[...bar.querySelectorAll('a, button')]
                    .filter(e => e.offsetParent !== null).map(e => e.getBoundingClientRect().right));
                return [bar.getBoundingClientRect().height, inner.getBoundingClientRect().right, right];
            }"""
        )
        assert height <= 60, (lang, signed_in, height)  # one line: a wrapped bar is 90 px and more
        assert widest <= inner_right + 0.5, (lang, signed_in, widest, inner_right)
        assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    context.close()

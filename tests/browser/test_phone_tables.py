"""At 390 px no list page scrolls sideways: a table wider than the phone sits in a scroll container with the
shadow cue (.table-responsive / .lm-scroll-x), everything else fits. Measured on the demo alliance as the
secretariat (who sees the most columns) and as a visitor."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import Browser

from lianmeng.core.demo_support import DEMO_PASSWORD
from tests.demo_snapshot import DEMO

pytestmark = pytest.mark.django_db(transaction=True)

PUBLIC = [
    "/",
    "/about/",
    "/members/",
    "/library/projects/",
    "/library/landed/",
    "/library/achievements/",
    "/library/experts/",
    "/resources/",
    "/news/",
    "/events/",
    "/research/results/",
]
SECRETARIAT = [
    "/desk/",
    "/members/applications/",
    "/research/",
    "/research/proposals/",
    "/governance/",
    "/governance/tasks/",
    "/governance/notices/",
    "/governance/council/",
    "/events/manage/",
    "/events/compliance/",
    "/reports/",
    "/audit/",
    "/privacy/erasures/",
    "/accounts/profile/",
    "/library/consultations/",
    "/resources/requests/",
]

# Tables wider than their box and not inside a scroll container; and the page's own overflow.
CHECK = """() => {
  const bad = [];
  for (const t of document.querySelectorAll('table')) {
    if (t.closest('.table-responsive, .lm-scroll-x')) continue;
    const box = t.parentElement.getBoundingClientRect();
    if (t.getBoundingClientRect().width > box.width + 1) bad.push(t.id || t.className);
  }
  return {bad, width: document.documentElement.scrollWidth};
}"""


def _check(page: Any, url: str) -> list[str]:
    response = page.goto(url)
    assert response is not None and response.status == 200, url
    result = page.evaluate(CHECK)
    problems = [f"{url}: table {name} wider than the phone without a scroll cue" for name in result["bad"]]
    if result["width"] > 390:
        problems.append(f"{url}: page is {result['width']} px wide")
    return problems


def test_no_list_page_scrolls_sideways_on_a_phone(browser: Browser, live_server: Any, login: Any) -> None:
    DEMO.restore(settings.MEDIA_ROOT)
    problems: list[str] = []
    for lang in ("zh-hans", "en"):
        context = browser.new_context(viewport={"width": 390, "height": 844})
        context.add_cookies([{"name": "django_language", "value": lang, "url": live_server.url}])
        page = context.new_page()
        problems += [p for path in PUBLIC for p in _check(page, live_server.url + path)]
        login(page, "demo-secretariat", DEMO_PASSWORD)
        problems += [p for path in SECRETARIAT for p in _check(page, live_server.url + path)]
        context.close()
    assert not problems, "\n".join(problems)

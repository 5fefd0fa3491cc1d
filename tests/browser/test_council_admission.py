"""Admission decided by the council, in a real browser: the secretariat forwards a council-tier
application, the council votes (one representative in the browser, the others through the service), the
motion closes, the secretariat admits by the resolution, and the two pages link to each other."""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from lianmeng.core.actors import SYSTEM
from lianmeng.core.demo_support import make_uscc
from lianmeng.governance import services as governance
from lianmeng.governance.commands import SeatCreate, VoteCast
from lianmeng.governance.models import Motion
from lianmeng.membership import services as membership
from lianmeng.membership.commands import ApplicationSubmit
from lianmeng.membership.models import MembershipApplication

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
WIDTHS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}


def _shoot(page: Any, out: Path, name: str) -> None:
    """The page at phone and desktop width (full page), and no horizontal scrolling at either."""
    for label, viewport in WIDTHS.items():
        page.set_viewport_size(viewport)
        page.screenshot(path=str(out / f"{name}-{label}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (name, label)
    page.set_viewport_size(WIDTHS["desktop"])


@pytest.mark.django_db(transaction=True)
def test_secretariat_forwards_council_votes_secretariat_admits_by_resolution(
    live_server: Any,
    browser: Any,
    page: Any,
    login: Callable[..., None],
    secretariat: Any,
    make_org: Callable[..., Any],
    make_user: Callable[..., Any],
    tmp_path: Path,
) -> None:
    out = Path(os.environ.get("LIANMENG_SCREENSHOTS", str(tmp_path)))
    out.mkdir(parents=True, exist_ok=True)
    page.on("dialog", lambda dialog: dialog.accept())  # confirmations before irreversible actions
    start = timezone.localdate() - datetime.timedelta(days=30)
    seats = []
    for i, (name, city) in enumerate(
        (
            ("中国青岛人力资源服务产业园", "青岛"),
            ("中国烟台人力资源服务产业园", "烟台"),
            ("威海市人力资源服务产业园", "威海"),
        )
    ):
        org = make_org(name, city=city, tier="council")
        rep = make_user(username="demo-council" if i == 0 else f"rep{i}", display_name=f"理事{i}")
        seats.append(
            governance.seat_create(
                cmd=SeatCreate.build(organization=org.pk, representative=rep.pk, starts_on=start),
                actor=SYSTEM,
            )
        )
    application = membership.application_submit(
        cmd=ApplicationSubmit.build(
            {
                "name": "日照港湾人力资源服务有限公司",
                "uscc": make_uscc("日照港湾人力资源服务有限公司", division="371100", kind="enterprise"),
                "kind": "enterprise",
                "requested_tier": "council",
                "city": "371100",
                "contact_name": "钱港",
                "contact_mobile": "13806331234",
                "contact_email": "qian@example.cn",
            }
        ),
        letter=SimpleUploadedFile("letter.pdf", PDF),
    )
    review_url = f"{live_server.url}{application.get_absolute_url()}"

    # The secretariat forwards: the page says the council will decide, and then shows the open motion.
    login(page, "secretary")
    page.goto(review_url)
    assert "须经理事会决议" in page.inner_text("#council-hint")
    page.click("button[value=forward]")
    page.wait_for_selector("#council-motion")
    assert "表决中" in page.inner_text("#council-motion #motion-status")
    assert page.locator("button[value=admit]").count() == 0  # no admission while the council votes
    motion = Motion.objects.get(application=application)
    assert page.get_attribute("#motion-link", "href") == motion.get_absolute_url()
    _shoot(page, out, "review-open-motion")

    # demo-council votes in the browser; the motion page names the application it decides on.
    council = browser.new_context(locale="zh-CN", extra_http_headers={"Accept-Language": "zh-CN"})
    rep_page = council.new_page()
    login(rep_page, "demo-council")
    rep_page.goto(f"{live_server.url}{motion.get_absolute_url()}")
    assert "日照港湾人力资源服务有限公司" in rep_page.inner_text("#decides-on")
    assert rep_page.locator("#application-link").count() == 0  # representatives cannot open the review page
    rep_page.check("#vote-form input[value=for]")
    rep_page.click("#vote-form button[type=submit]")
    rep_page.wait_for_selector("#my-vote")
    council.close()
    for seat in seats[1:]:
        governance.vote_cast(
            motion=motion,
            cmd=VoteCast.build(choice="for", seat=seat.pk),
            actor=seat.representative,
        )

    # The secretariat closes the vote on the motion page and follows the link back to the application.
    page.click("#motion-link")
    page.wait_for_selector("#application-link")
    page.click("#close-motion")
    page.wait_for_selector("#resolution-link")
    assert "已通过" in page.inner_text("#motion-status")
    number = Motion.objects.get(pk=motion.pk).resolution.number
    page.click("#application-link")
    page.wait_for_selector("#council-motion")
    assert "赞成 3 票" in page.inner_text("#motion-tally")
    assert number in page.inner_text("button[value=admit]")
    page.click("button[value=admit]")
    page.wait_for_selector("#application-resolution")
    assert number in page.inner_text("#application-resolution")
    assert "已入盟" in page.inner_text("#application-status")
    _shoot(page, out, "review-admitted")

    # The motion page now links the admitted member.
    application = MembershipApplication.objects.get(pk=application.pk)
    page.click("#motion-link")
    page.wait_for_selector("#organization-link")
    assert page.get_attribute("#organization-link", "href") == application.organization.get_absolute_url()
    assert number in page.inner_text("#decides-on")
    _shoot(page, out, "motion-decided")

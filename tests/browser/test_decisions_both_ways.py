"""A presidency handover and a charter revision, decided by the council, in a real browser: the outgoing
president is told the council must confirm first, the secretariat puts the handover to the council, the
council passes it, the outgoing president records the handover; the secretariat revises the charter
under a charter resolution. Each record links to its resolution and back (phone and desktop width)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from lianmeng.core.actors import SYSTEM
from lianmeng.governance import services
from lianmeng.governance.commands import MotionCreate, RotationPlanCreate, SeatCreate, VoteCast
from lianmeng.governance.models import Motion, MotionKind

WIDTHS = ({"width": 390, "height": 844}, {"width": 1366, "height": 900})


def _no_sideways_scroll(page: Any) -> None:
    for viewport in WIDTHS:
        page.set_viewport_size(viewport)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), viewport


def _pass(motion: Motion, seat: Any, secretariat: Any) -> Motion:
    services.vote_cast(
        motion=motion,
        cmd=VoteCast.build(choice="for", seat=seat.pk),
        actor=seat.representative,
    )
    return services.motion_close(motion=motion, actor=secretariat)


@pytest.mark.django_db(transaction=True)
def test_handover_and_charter_link_to_their_resolutions_both_ways(
    live_server: Any,
    browser: Any,
    login: Callable[..., None],
    secretariat: Any,
    make_org: Callable[..., Any],
    make_user: Callable[..., Any],
) -> None:
    names = ["青岛", "烟台", "潍坊"]
    bureaus = [make_org(f"{n}市人力资源和社会保障局", city=n, kind="bureau", tier="founding") for n in names]
    make_user("member_contact", organization=bureaus[0], username="qd", display_name="青岛联络员")
    services.rotation_plan_create(
        cmd=RotationPlanCreate.build(
            start_date=timezone.localdate() - datetime.timedelta(days=200),
            term_months=12,
            order=[o.pk for o in bureaus],
        ),
        actor=secretariat,
    )
    rep = make_user(username="rep", display_name="李理事")
    seat = services.seat_create(
        cmd=SeatCreate.build(
            organization=make_org("中国青岛人力资源服务产业园", city="青岛", tier="council").pk,
            representative=rep.pk,
            starts_on=timezone.localdate() - datetime.timedelta(days=30),
        ),
        actor=SYSTEM,
    )
    base = live_server.url

    # The outgoing president: no form yet, the page says the council must confirm the handover.
    president = browser.new_page()
    president.on("dialog", lambda d: d.accept())
    login(president, "qd")
    president.goto(f"{base}/governance/presidency/")
    assert "须经理事会决议确认" in president.locator("#handover-refusal").inner_text()
    assert president.locator("text=办理轮值交接").count() == 0
    _no_sideways_scroll(president)

    # The secretariat puts it to the council from the same page (a confirmation says what happens).
    office = browser.new_page()
    asked: list[str] = []
    office.on("dialog", lambda d: (asked.append(d.message), d.accept()))
    login(office, "secretary")
    office.goto(f"{base}/governance/presidency/")
    office.click("#handover-propose")
    office.wait_for_url("**/governance/motions/*/")
    assert "立即开始表决" in asked[0] and "烟台市人力资源和社会保障局" in asked[0]
    assert "已提请理事会表决" in office.content()
    motion = _pass(Motion.objects.get(kind=MotionKind.HANDOVER), seat, secretariat)
    resolution = motion.resolution

    # The outgoing president now sees the resolution and records the handover.
    president.goto(f"{base}/governance/presidency/")
    assert resolution.number in president.locator("#handover-resolution").inner_text()
    president.fill("#id_documents", "联盟印章")
    president.click("text=记录交接")
    president.wait_for_load_state()
    assert "轮值交接已记录" in president.content()
    # handover -> resolution -> handover
    president.click(f"#handover-2-resolution a:has-text('{resolution.number}')")
    president.wait_for_url(f"**{resolution.get_absolute_url()}")
    assert "已于" in president.locator("#decided-handover").inner_text()
    _no_sideways_scroll(president)
    president.click("#decided-handover-link")
    president.wait_for_url("**/governance/presidency/#term-2")
    assert president.locator("#term-2").is_visible()

    # The charter: no charter resolution yet, the page offers to draft the motion.
    office.goto(f"{base}/governance/charter/")
    assert office.locator("#charter-no-resolution").is_visible()
    office.click("#charter-propose")
    office.wait_for_url("**/governance/motions/new/?kind=charter")
    assert office.locator("#id_kind").input_value() == "charter"
    now = timezone.now()
    charter = services.motion_create(
        cmd=MotionCreate.build(
            {
                "title": "关于审议通过《联盟章程》的议案",
                "text": "提请审议通过联盟章程。",
                "kind": "charter",
                "ballot": "open",
                "opens_at": now - datetime.timedelta(hours=1),
                "closes_at": now + datetime.timedelta(days=2),
            }
        ),
        actor=secretariat,
        open_now=True,
    )
    charter = _pass(charter, seat, secretariat)
    office.goto(f"{base}/governance/charter/")
    office.select_option("#id_resolution", str(charter.resolution.pk))
    office.fill("#id_text", "第一条 本联盟名称为胶东暨蓝区人力资源服务产业（园区）发展联盟。")
    office.click("#charter-save")
    office.wait_for_url("**/governance/charter/#charter-v1")
    assert "章程已修订为第 1 版" in office.content()
    # charter version -> resolution -> charter version
    office.click(f"#charter-v1 a:has-text('{charter.resolution.number}')")
    office.wait_for_url(f"**{charter.resolution.get_absolute_url()}")
    office.click("#decided-charter-link")
    office.wait_for_url("**/governance/charter/#charter-v1")
    _no_sideways_scroll(office)

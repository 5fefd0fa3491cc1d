"""On a phone, a park's research demand shows a consented expert and a public achievement among its
suggestions, each with score parts that add up; the expert card leads to the expert's page and to the
consultation form, and never to a matchmaking request."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, expect

from lianmeng.accounts.models import Role
from lianmeng.core.actors import SYSTEM
from lianmeng.library.commands import AchievementCreate, ExpertCreate
from lianmeng.matchmaking.commands import ResourceCreate
from lianmeng.matchmaking.services import resource_create

pytestmark = pytest.mark.django_db(transaction=True)


def test_research_demand_suggests_expert_and_achievement(
    browser: Browser,
    live_server: Any,
    cities: Any,
    make_org: Any,
    make_user: Any,
    login: Any,
    secretariat: Any,
) -> None:
    from lianmeng.library import services as library

    park = make_org("中国青岛人力资源服务产业园", city="青岛", kind="park")
    institute = make_org("青岛人才研究院", city="青岛", kind="university")
    contact = make_user(Role.MEMBER_CONTACT, organization=park, username="park", display_name="陈园区")
    expert = library.expert_create(
        cmd=ExpertCreate.build(
            {
                "name": "刘数研",
                "organization": institute.pk,
                "city": "370200",
                "title": "senior",
                "keywords": "灵活用工、人力资源数字化",
                "publish_consent": True,
            }
        ),
        actor=SYSTEM,
    )
    library.expert_create(
        cmd=ExpertCreate.build(
            {
                "name": "王隐私",
                "organization": institute.pk,
                "city": "370200",
                "title": "senior",
                "keywords": "灵活用工、人力资源数字化",
            }
        ),
        actor=SYSTEM,
    )
    library.achievement_create(
        cmd=AchievementCreate.build(
            {
                "kind": "research_report",
                "title": "灵活用工数字化研究报告",
                "authors": "刘数研",
                "year": timezone.localdate().year,
                "keywords": "灵活用工",
                "owner_organization": institute.pk,
            }
        ),
        actor=secretariat,
    )
    post = resource_create(
        actor=contact,
        cmd=ResourceCreate.build(
            {
                "direction": "demand",
                "category": "research",
                "title": "灵活用工人力资源数字化研究需求",
                "description": "园区希望开展灵活用工与人力资源数字化转型研究。",
                "cities": ["370200"],
                "tags": ["灵活用工"],
                "valid_until": (timezone.localdate() + datetime.timedelta(days=90)).isoformat(),
                "contact_name": "陈园区",
            }
        ),
    )
    page = browser.new_page(viewport={"width": 375, "height": 812})
    login(page, "park")
    page.goto(f"{live_server.url}/resources/{post.pk}/")
    block = page.locator("#library-suggestions")
    expect(block).to_contain_text("对接请求只能向资源发起")
    card = block.locator(".mm-suggestion-expert", has_text="刘数研")
    expect(card).to_be_visible()
    expect(block).not_to_contain_text("王隐私")  # no consent to publish, never suggested
    expect(block.locator(".mm-suggestion-achievement", has_text="灵活用工数字化研究报告")).to_be_visible()
    for suggestion in block.locator(".mm-suggestion").all():
        score = int(suggestion.locator(".mm-score").inner_text())
        points = [int(x) for x in suggestion.locator("li strong").all_inner_texts()]
        assert sum(points) == score
    expect(card.locator("button", has_text="发起对接")).to_have_count(0)
    card.get_by_role("link", name="向专家咨询").click()
    page.wait_for_url("**/library/consultations/new/")
    page.go_back()
    page.locator("#library-suggestions .mm-suggestion-expert").get_by_role("link", name="查看专家").click()
    page.wait_for_url(f"**/library/experts/{expert.pk}/")
    expect(page.locator("h1")).to_contain_text("刘数研")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375

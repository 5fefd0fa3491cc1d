"""Experts, projects and achievements suggested for a post where its category fits (matching.LIBRARY_FIT)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from lianmeng.core.actors import SYSTEM
from lianmeng.library.commands import AchievementCreate, ExpertCreate, ProjectCreate, ProjectTransition
from lianmeng.matchmaking.matching import LIBRARY_WEIGHTS, library_kinds, library_suggestions_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def library(
    cities: dict[str, Any], make_org: Callable[..., Any], secretariat: Any, park: Any
) -> dict[str, Any]:
    from lianmeng.library import services

    university = make_org("青岛人才研究院", city="青岛", kind="university")
    company = make_org("烟台数字招聘科技有限公司", city="烟台", kind="enterprise")

    def expert(name: str, org: Any, consent: bool, keywords: str) -> Any:
        return services.expert_create(
            cmd=ExpertCreate.build(
                {
                    "name": name,
                    "organization": org.pk,
                    "city": cities["青岛"].code,
                    "title": "senior",
                    "keywords": keywords,
                    "publish_consent": consent,
                }
            ),
            actor=SYSTEM,
        )

    out = {
        "consented": expert("刘数研", university, True, "人力资源数字化、灵活用工研究"),
        "private": expert("王隐私", university, False, "人力资源数字化、灵活用工研究"),
        "own": expert("陈园区", park, True, "人力资源数字化、灵活用工研究"),
    }

    def project(name: str, summary: str, stage: str | None) -> Any:
        p = services.project_create(
            cmd=ProjectCreate.build(
                {
                    "name": name,
                    "summary": summary,
                    "lead_organization": company.pk,
                    "cities": [cities["青岛"].code],
                }
            ),
            actor=secretariat,
        )
        if stage:
            p = services.project_transition(
                project=p, cmd=ProjectTransition.build(to=stage), actor=secretariat
            )
        return p

    out["project"] = project("数字招聘平台建设项目", "建设人力资源数字化招聘平台，寻求股权融资", "evaluating")
    out["proposed"] = project("数字招聘平台二期", "人力资源数字化招聘平台股权融资二期", None)

    def achievement(title: str, visibility: str, owner: Any) -> Any:
        return services.achievement_create(
            cmd=AchievementCreate.build(
                {
                    "kind": "research_report",
                    "title": title,
                    "authors": "刘数研",
                    "year": 2026,
                    "keywords": "人力资源数字化、灵活用工",
                    "abstract": "灵活用工与人力资源数字化转型研究",
                    "visibility": visibility,
                    "owner_organization": owner.pk,
                }
            ),
            actor=secretariat,
        )

    out["achievement"] = achievement("灵活用工数字化研究报告", "public", university)
    out["hidden"] = achievement("灵活用工数字化内部报告", "private", university)
    return out


def test_category_table_decides_which_kinds_are_suggested(
    park_contact: Any, make_post: Callable[..., Any]
) -> None:
    research = make_post(park_contact, category="research")
    finance = make_post(park_contact, category="finance")
    talent_supply = make_post(park_contact, category="talent", direction="supply")
    assert library_kinds(research) == ["expert", "achievement"]
    assert library_kinds(finance) == ["project"]
    assert library_kinds(talent_supply) == []
    assert all(sum(w.values()) == 100 for w in LIBRARY_WEIGHTS.values())


def test_research_demand_gets_consented_experts_and_visible_achievements(
    library: dict[str, Any], park_contact: Any, make_post: Callable[..., Any]
) -> None:
    post = make_post(
        park_contact,
        category="research",
        title="灵活用工人力资源数字化研究需求",
        description="园区希望开展灵活用工与人力资源数字化转型研究",
        tags=["灵活用工", "数字化"],
    )
    found = library_suggestions_for(post, viewer=park_contact)
    titles = {(s.kind, s.resource.title) for s in found}
    assert ("expert", "刘数研") in titles
    assert ("achievement", "灵活用工数字化研究报告") in titles
    # Not consented, the post's own organization, private achievements of another organization: never.
    assert not {"王隐私", "陈园区", "灵活用工数字化内部报告"} & {t for _, t in titles}
    for s in found:
        assert sum(p.points for p in s.parts) == s.score
        assert sum(p.maximum for p in s.parts) == 100
    expert = next(s for s in found if s.kind == "expert")
    assert expert.resource.url == f"/library/experts/{library['consented'].pk}/"
    assert "研" in expert.parts[0].detail and "灵活用工" in " ".join(p.detail for p in expert.parts)


def test_finance_demand_gets_projects_the_viewer_may_see(
    library: dict[str, Any], park_contact: Any, secretariat: Any, make_post: Callable[..., Any]
) -> None:
    post = make_post(park_contact, title="数字招聘平台股权融资需求")
    member_sees = {s.resource.title for s in library_suggestions_for(post, viewer=park_contact)}
    assert member_sees == {"数字招聘平台建设项目"}  # a proposed project is not shown to other members
    secretariat_sees = {s.resource.title for s in library_suggestions_for(post, viewer=secretariat)}
    assert secretariat_sees == {"数字招聘平台建设项目", "数字招聘平台二期"}


def test_api_and_page_show_library_suggestions_linking_to_their_pages(
    library: dict[str, Any],
    park_contact: Any,
    make_post: Callable[..., Any],
    api: Callable[[Any], Client],
    django_assert_max_num_queries: Any,
) -> None:
    post = make_post(
        park_contact,
        category="research",
        title="灵活用工人力资源数字化研究需求",
        tags=["灵活用工"],
    )
    rows = api(park_contact).get(f"/api/v1/resources/{post.pk}/matches").json()
    library_rows = [r for r in rows if r["kind"] != "resource"]
    assert {r["kind"] for r in library_rows} == {"expert", "achievement"}
    for r in library_rows:
        assert r["resource"] is None and r["item"]["url"].startswith("/library/")
        assert sum(p["points"] for p in r["explanation"]) == r["score"]
    only_posts = api(park_contact).get(f"/api/v1/resources/{post.pk}/matches?library=false").json()
    assert all(r["kind"] == "resource" for r in only_posts)

    client = Client()
    client.force_login(park_contact)
    with django_assert_max_num_queries(30):
        text = client.get(f"/resources/{post.pk}/").content.decode()
    assert "专家、项目和成果推荐" in text and "刘数研" in text and "向专家咨询" in text
    assert "对接请求只能向资源发起" in text
    assert f'href="/library/achievements/{library["achievement"].pk}/"' in text
    assert "王隐私" not in text

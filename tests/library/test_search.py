"""The one search: same ids on SQLite and PostgreSQL (make test runs both), equal to a brute-force scan."""

from __future__ import annotations

import re
from typing import Any

import pytest

from lianmeng.core.search import normalize, parse_query, providers, search
from lianmeng.library import services
from lianmeng.library.commands import AchievementCreate, LandingRecord, ProjectTransition
from lianmeng.library.models import Achievement, Expert, Project
from lianmeng.membership.models import Organization

pytestmark = pytest.mark.django_db

CASES = ["青岛", "人力资源", "科技发", "聯盟", "qd", "smart", "青", "青岛 人力", "不存在的东西"]


@pytest.fixture
def corpus(
    make_org: Any, make_expert: Any, make_project: Any, secretariat: Any, cities: Any
) -> dict[str, Any]:
    orgs = [
        make_org("中国青岛人力资源服务产业园", description="国家级园区"),
        make_org("潍坊科技发展联盟", city="潍坊", kind="association"),
        make_org("Smart HR 平台公司", city="烟台", kind="platform"),
        make_org("青岛大学", kind="university"),
    ]
    experts = [
        make_expert("刘青", organization=orgs[3], keywords="人力资源服务、科技发展", publish_consent=True),
        make_expert("王岛", organization=orgs[0], keywords="园区运营", publish_consent=True),
    ]
    projects = [
        make_project(
            "蓝区人才聯盟数字平台", lead=orgs[0], cities_=("青岛", "烟台"), summary="Smart 招聘与人力资源服务"
        ),
        make_project("科技发展孵化器", lead=orgs[1], cities_=("潍坊",), summary="科技与资本融合"),
    ]
    achievements = [
        services.achievement_create(
            cmd=AchievementCreate.build(
                {
                    "kind": "research_report",
                    "title": "青岛人力资源服务业发展报告",
                    "authors": "刘青、王岛",
                    "year": 2026,
                }
            ),
            actor=secretariat,
        ),
        services.achievement_create(
            cmd=AchievementCreate.build(
                {
                    "kind": "typical_case",
                    "title": "联盟协同典型案例",
                    "authors": "赵六",
                    "year": 2025,
                    "abstract": "七市协同，科技发力",
                }
            ),
            actor=secretariat,
        ),
    ]
    return {"organization": orgs, "expert": experts, "project": projects, "achievement": achievements}


def _brute_force(query: str) -> set[tuple[str, int]]:
    """LIKE '%term%' over every normalised searchable field (whole words for Latin letters), AND-ed over
    the terms, plus a pinyin-initials/full-pinyin prefix of the name for a letters-only query."""
    parsed = parse_query(query)
    out = set()
    rows: list[tuple[str, Any, list[str]]] = []
    for o in Organization.objects.all():
        rows.append(
            (
                "organization",
                o,
                [
                    o.name,
                    o.short_name,
                    o.city.name,
                    str(o.get_kind_display()),
                    o.address,
                    o.description,
                    o.services,
                ],
            )
        )
    for e in Expert.objects.all():
        fields = " ".join(f.name for f in e.fields.all())
        rows.append(
            (
                "expert",
                e,
                [
                    e.name,
                    e.affiliation,
                    e.city.name,
                    e.position,
                    fields,
                    e.keywords,
                    e.biography if e.publish_consent else "",
                ],
            )
        )
    for p in Project.objects.all():
        rows.append(
            (
                "project",
                p,
                [
                    p.name,
                    p.summary,
                    p.lead_organization.name,
                    " ".join(o.name for o in p.partner_organizations.all()),
                    " ".join(c.name for c in p.cities.all()),
                    " ".join(t.name for t in p.strategy_tags.all()),
                    " ".join(p.integration_tag_labels),
                ],
            )
        )
    for a in Achievement.objects.all():
        rows.append(
            (
                "achievement",
                a,
                [
                    a.title,
                    a.authors,
                    " ".join(o.name for o in a.organizations.all()),
                    str(a.get_kind_display()),
                    a.keywords,
                    a.abstract,
                    a.application_scenarios,
                    a.awards,
                ],
            )
        )
    for type_, obj, texts in rows:
        folded = [normalize(t) for t in texts if t]

        def contains(term: str, folded: list[str] = folded) -> bool:
            if re.fullmatch(r"[0-9a-z]+", term):
                return any(re.search(rf"(?<![0-9a-z]){term}(?![0-9a-z])", t) for t in folded)
            return any(term in t for t in folded)

        if all(contains(t) for t in parsed.terms) or (
            parsed.initials
            and (obj.name_initials.startswith(parsed.initials) or obj.name_pinyin.startswith(parsed.initials))
        ):
            out.add((type_, obj.pk))
    return out


@pytest.mark.parametrize("query", CASES)
def test_search_equals_brute_force(corpus: dict[str, Any], secretariat: Any, query: str) -> None:
    result = search(viewer=secretariat, q=query, page_size=100)
    found = {(h.type, h.id) for h in result.hits}
    assert found == _brute_force(query)
    assert result.total == len(found)


def test_expected_hits(corpus: dict[str, Any], secretariat: Any) -> None:
    def ids(q: str) -> set[tuple[str, int]]:
        return {(h.type, h.id) for h in search(viewer=secretariat, q=q, page_size=100).hits}

    p = corpus["project"]
    o = corpus["organization"]
    assert ("project", p[0].pk) in ids("联盟")  # 聯盟 stored, 联盟 searched
    assert ("organization", o[1].pk) in ids("聯盟")
    assert ("project", p[1].pk) in ids("科技发")
    assert ("organization", o[3].pk) in ids("qd")  # 青岛大学 by pinyin initials
    assert ("organization", o[2].pk) in ids("smart")


def test_registry_has_every_library_type() -> None:
    types = [p.type for p in providers()]
    assert types[:4] == ["organization", "expert", "project", "achievement"]


def test_facets_highlight_and_pagination(corpus: dict[str, Any], secretariat: Any) -> None:
    result = search(viewer=secretariat, q="青岛", page_size=2)
    assert result.pages == -(-result.total // 2)
    assert "<mark>青岛</mark>" in str(result.hits[0].title)
    types = {v for v, _label, _n in result.facets["type"]}
    assert {"organization", "project", "achievement"} <= types
    assert ("370200", "青岛") in {(v, label) for v, label, _n in result.facets["city"]}
    page2 = search(viewer=secretariat, q="青岛", page_size=2, page=2)
    assert {h.id for h in page2.hits}.isdisjoint({h.id for h in result.hits}) or page2.hits[
        0
    ].type != result.hits[0].type
    only = search(viewer=secretariat, q="青岛", type="project")
    assert {h.type for h in only.hits} == {"project"}
    in_weifang = search(viewer=secretariat, q="科技", city="370700")
    assert {(h.type, h.id) for h in in_weifang.hits} >= {("project", corpus["project"][1].pk)}
    assert all(h.type != "achievement" or h.id for h in in_weifang.hits)


def test_results_filtered_by_viewer(corpus: dict[str, Any], secretariat: Any) -> None:
    """A visitor sees no proposed projects and no experts without consent; snippets are escaped."""
    Expert.objects.filter(pk=corpus["expert"][1].pk).update(publish_consent=False)
    visitor = search(viewer=None, q="青岛", page_size=100)
    assert not any(h.type == "project" for h in visitor.hits)  # both projects are only proposed
    assert not any(
        h.type == "expert" and h.id == corpus["expert"][1].pk for h in search(viewer=None, q="王岛").hits
    )
    services.project_transition(
        project=corpus["project"][0], cmd=ProjectTransition.build(to="evaluating"), actor=secretariat
    )
    services.project_transition(
        project=corpus["project"][0], cmd=ProjectTransition.build(to="incubating"), actor=secretariat
    )
    services.landing_record(
        project=corpus["project"][0],
        cmd=LandingRecord.build({"city": "青岛", "park": corpus["organization"][0].pk, "date": "2026-01-05"}),
        actor=secretariat,
    )
    services.project_transition(
        project=corpus["project"][0], cmd=ProjectTransition.build(to="landed"), actor=secretariat
    )
    assert ("project", corpus["project"][0].pk) in {
        (h.type, h.id) for h in search(viewer=None, q="聯盟").hits
    }


def test_search_query_count_is_bounded(
    corpus: dict[str, Any], secretariat: Any, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(40):
        search(viewer=secretariat, q="青岛")


def test_search_api(corpus: dict[str, Any], api: Any) -> None:
    response = api(None).get("/api/v1/search", {"q": "青島", "type": "organization"})
    assert response.status_code == 200
    body = response.json()
    first = body["results"][0]
    assert set(first) >= {"type", "id", "title", "snippet"}
    assert "<mark>" in first["title"]
    assert {f["value"] for f in body["facets"]["type"]} >= {"organization"}

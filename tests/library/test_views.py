"""Pages: what each role sees, bounded query counts on list pages and search, Chinese dates and amounts."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from lianmeng.library import demo

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_data(cities: Any) -> None:
    from lianmeng.membership import demo as membership_demo

    membership_demo.load(accounts=True)
    demo.load(accounts=True)


def _client(username: str | None) -> Client:
    client = Client()
    if username:
        from lianmeng.accounts.models import User

        client.force_login(User.objects.get(username=username))
    return client


@pytest.mark.parametrize(
    "url",
    [
        "/library/",
        "/library/search/?q=青岛",
        "/library/experts/",
        "/library/projects/",
        "/library/achievements/",
        "/library/landed/",
        "/library/landed/370200/",
        "/library/showcase/",
        "/library/committee/",
        "/library/consultations/",
    ],
)
def test_pages_have_bounded_queries(demo_data: None, url: str, django_assert_max_num_queries: Any) -> None:
    client = _client("demo-secretariat")
    with django_assert_max_num_queries(45):
        response = client.get(url)
    assert response.status_code == 200


def test_public_sees_landed_projects_and_showcase_only(demo_data: None) -> None:
    client = _client(None)
    projects = client.get("/library/projects/").content.decode()
    assert "蓝色海洋产业人才飞地" in projects
    assert "石化行业技能人才实训基地" not in projects  # proposed
    showcase = client.get("/library/showcase/").content.decode()
    assert "年度科研成果应用场景展示" in showcase and "胶东经济圈人力资源服务业发展报告" in showcase
    assert "灵活用工平台合规指引" not in client.get("/library/achievements/").content.decode()
    assert client.get("/library/consultations/").status_code == 302


def test_landed_list_shows_chinese_dates_and_amounts(demo_data: None) -> None:
    page = _client(None).get("/library/landed/370200/").content.decode()
    assert "2026年6月6日" in page and "900 万元" in page
    assert "1,600 万元" in page


def test_expert_page_hides_personal_data_from_members(demo_data: None) -> None:
    from lianmeng.library.models import Expert

    liu = Expert.objects.get(name="刘教授")
    assert "13905320001" not in _client("demo-member").get(liu.get_absolute_url()).content.decode()
    assert "13905320001" in _client("demo-expert").get(liu.get_absolute_url()).content.decode()
    assert "13905320001" in _client("demo-secretariat").get(liu.get_absolute_url()).content.decode()


def test_desk_panels(demo_data: None) -> None:
    expert_desk = _client("demo-expert").get("/desk/").content.decode()
    assert "分派给我的咨询" in expert_desk and "园区引进海洋产业高层次人才的政策设计" in expert_desk
    office_desk = _client("demo-secretariat").get("/desk/").content.decode()
    assert "待处理的专家咨询" in office_desk and "港口物流企业技能培训补贴申报" in office_desk


def test_desk_badges_stop_counting_at_the_cap(demo_data: None, monkeypatch: Any) -> None:
    """A workbench badge counts at most DESK_COUNT_CAP rows and then says "N+"."""
    import re

    from lianmeng.core import nav

    office_desk = _client("demo-secretariat").get("/desk/").content.decode()
    badge = re.search(r"待处理的专家咨询 <span[^>]*>(\d+)</span>", office_desk)
    assert badge and int(badge.group(1)) >= 2
    monkeypatch.setattr(nav, "DESK_COUNT_CAP", 1)
    office_desk = _client("demo-secretariat").get("/desk/").content.decode()
    assert re.search(r"待处理的专家咨询 <span[^>]*>1\+</span>", office_desk)


def test_demo_is_idempotent_and_complete(demo_data: None) -> None:
    from lianmeng.library.models import Achievement, CommitteeMembership, Expert, Landing, Project

    demo.load(accounts=True)
    assert Expert.objects.count() >= 20
    assert set(CommitteeMembership.objects.values_list("post", flat=True)) == {
        "chair",
        "vice_chair",
        "member",
    }
    assert set(Project.objects.values_list("stage", flat=True)) == {
        "proposed", "evaluating", "incubating", "landed", "operating", "closed"
    }  # fmt: skip
    assert Landing.objects.values("city").distinct().count() >= 4
    assert Achievement.objects.filter(showcase=True).count() >= 2


def test_member_submits_project_form_with_field_errors(demo_data: None) -> None:
    client = _client("demo-member")
    response = client.post("/library/projects/new/", {"name": "", "summary": "x", "cities": ["370200"]})
    from lianmeng.library.models import Project

    assert response.status_code == 200
    assert 'id="form-errors"' in response.content.decode()
    assert not Project.objects.filter(summary="x").exists()


@pytest.mark.parametrize(
    ("url", "capped", "exact"),
    [
        ("/library/experts/", "超过 2 位专家", "共 1 位专家"),
        ("/library/projects/", "超过 2 个项目", "共 1 个项目"),
        ("/library/achievements/", "超过 2 项成果", "共 1 项成果"),
    ],
)
def test_long_lists_stop_counting_at_the_cap(
    demo_data: None, monkeypatch: Any, url: str, capped: str, exact: str
) -> None:
    """Lists of up to hundreds of thousands of rows count at most COUNT_CAP of them (a COUNT of 600,000
    achievements took 0.6 s at national scale) and say so; a narrower search counts exactly."""
    from lianmeng.core import pagination

    monkeypatch.setattr(pagination, "COUNT_CAP", 2)
    page = Client().get(url).content.decode()
    assert capped in page
    first = Client().get(url).context["page_obj"].object_list[0]
    narrowed = Client().get(url, {"q": getattr(first, "name", None) or first.title}).content.decode()
    assert exact in narrowed

"""API lists do not run a query per row: the same number of queries for 2 and for 12 rows."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lianmeng.core.actors import SYSTEM
from lianmeng.library import services
from lianmeng.library.commands import (
    AchievementCreate,
    CommitteeAppoint,
    ConsultationAnswer,
    ConsultationAsk,
    ConsultationAssign,
    ProjectTransition,
)
from tests.queries import counted

pytestmark = pytest.mark.django_db


def _count(client: Any, path: str) -> tuple[int, int]:
    client.get(path)  # the first request of a session reads what later ones have cached
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, response.content
    return counted(queries.captured_queries), len(response.json()["items"])


def test_project_list_queries_do_not_grow_with_rows(
    make_org: Any, make_project: Any, secretariat: Any, api: Any
) -> None:
    lead = make_org("牵头园区")
    partner = make_org("合作园区", city="烟台")
    client = api(secretariat)

    def add(n: int) -> None:
        for i in range(n):
            project = make_project(
                f"项目{i}-{make_project.__name__}{n}",
                lead=lead,
                cities_=("青岛", "烟台"),
                partner_organizations=[partner.pk],
                strategy_tags=["乡村振兴"],
                integration_tags=["科技"],
            )
            services.project_transition(
                project=project, cmd=ProjectTransition.build(to="evaluating"), actor=secretariat
            )

    add(2)
    small = _count(client, "/api/v1/projects")
    add(10)
    large = _count(client, "/api/v1/projects")
    assert (small[1], large[1]) == (2, 12)
    assert large[0] == small[0], (small, large)


def test_consultation_list_queries_do_not_grow_with_rows(
    make_org: Any, make_user: Any, make_expert: Any, secretariat: Any, api: Any
) -> None:
    asker = make_org("提问单位")
    contact = make_user("member_contact", organization=asker)
    today = timezone.localdate()
    experts = []
    for name in ("齐林", "王海"):
        user = make_user("expert")
        expert = make_expert(name, user=user)
        services.committee_appoint(
            expert=expert,
            cmd=CommitteeAppoint.build(
                post="member",
                term_start=today - datetime.timedelta(days=1),
                term_end=today + datetime.timedelta(days=300),
            ),
            actor=SYSTEM,
        )
        experts.append((expert, user))
    client = api(secretariat)

    def add(n: int) -> None:
        for i in range(n):
            consultation = services.consultation_ask(
                cmd=ConsultationAsk.build(
                    title=f"问题{i}", question="外卖骑手的劳动关系如何认定？", field="劳动关系"
                ),
                actor=contact,
            )
            services.consultation_assign(
                consultation=consultation,
                cmd=ConsultationAssign.build(experts=[e.pk for e, _u in experts]),
                actor=secretariat,
            )
            for _expert, user in experts:
                services.consultation_answer(
                    consultation=consultation,
                    cmd=ConsultationAnswer.build(text="应按实际用工管理程度认定劳动关系。"),
                    actor=user,
                )

    add(2)
    small = _count(client, "/api/v1/consultations")
    add(10)
    large = _count(client, "/api/v1/consultations")
    assert (small[1], large[1]) == (2, 12)
    assert large[0] == small[0], (small, large)


def test_expert_list_queries_do_not_grow_with_rows(make_expert: Any, make_org: Any, api: Any) -> None:
    unit = make_org("青岛大学", kind="university")
    anonymous = api(None)

    def add(n: int, start: int) -> None:
        for i in range(start, start + n):
            make_expert(f"专家{i}", organization=unit, fields=["劳动关系"], publish_consent=True)

    add(2, 0)
    small = _count(anonymous, "/api/v1/experts")
    add(10, 2)
    large = _count(anonymous, "/api/v1/experts")
    assert (small[1], large[1]) == (2, 12)
    assert large[0] == small[0], (small, large)


def test_achievement_list_queries_do_not_grow_with_rows(make_org: Any, secretariat: Any, api: Any) -> None:
    owner = make_org("成果单位")
    client = api(secretariat)

    def add(n: int, start: int) -> None:
        for i in range(start, start + n):
            services.achievement_create(
                cmd=AchievementCreate.build(
                    kind="research_report",
                    title=f"报告{i}",
                    authors="甲、乙",
                    year=2025,
                    organizations=[owner.pk],
                    owner_organization=owner.pk,
                ),
                actor=secretariat,
            )

    add(2, 0)
    small = _count(client, "/api/v1/achievements")
    add(10, 2)
    large = _count(client, "/api/v1/achievements")
    assert (small[1], large[1]) == (2, 12)
    assert large[0] == small[0], (small, large)

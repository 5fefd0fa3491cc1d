"""The expert pickers (library.experts, library.committee): typing a name, its pinyin initials, traditional
characters, a field or an organization finds the expert; only the secretariat may pick; the consultation
page assigns a committee member found by typing."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lianmeng.accounts.models import Role
from lianmeng.core.actors import SYSTEM
from lianmeng.library import services
from lianmeng.library.commands import CommitteeAppoint, ConsultationAsk
from lianmeng.library.models import ConsultationAssignment
from tests.form_helpers import client_for

from ..research.conftest import (  # noqa: F401  (fixtures of the research tests)
    contact_for,
    open_round,
    round_with_entries,
)

pytestmark = pytest.mark.django_db


def options(html: str) -> list[str]:
    return re.findall(r'data-picker-option="(\d+)"', html)


def pick(client: Client, source: str, **params: Any) -> str:
    response = client.get(
        reverse("core:picker", args=[source]), {"name": "experts", "multiple": "1", **params}
    )
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def experts(make_expert: Any, make_org: Any) -> dict[str, Any]:
    university = make_org("青岛理工大学", city="青岛", kind="university")
    return {
        "liu": make_expert("刘海洋", organization=university, fields=["劳动关系"]),
        "qi": make_expert("齐林", fields=["灵活用工"]),
        "zhang": make_expert("张伟", city="烟台", fields=["灵活用工"]),
    }


def appoint(*experts: Any) -> None:
    today = timezone.localdate()
    for expert in experts:
        services.committee_appoint(
            expert=expert,
            cmd=CommitteeAppoint.build(
                post="member",
                term_start=today - datetime.timedelta(days=30),
                term_end=today + datetime.timedelta(days=700),
            ),
            actor=SYSTEM,
        )


def test_initials_traditional_characters_field_and_organization_find_the_expert(
    secretariat: Any, experts: dict[str, Any]
) -> None:
    client = client_for(secretariat)
    assert options(pick(client, "library.experts", q="ql")) == [str(experts["qi"].pk)]
    assert options(pick(client, "library.experts", q="lhy")) == [str(experts["liu"].pk)]
    assert options(pick(client, "library.experts", q="劉海洋")) == [str(experts["liu"].pk)]
    assert options(pick(client, "library.experts", q="劳动关系")) == [str(experts["liu"].pk)]
    assert options(pick(client, "library.experts", q="青岛理工大学")) == [str(experts["liu"].pk)]
    label = pick(client, "library.experts", q="ql")
    assert "齐林" in label


def test_only_the_secretariat_picks_experts(make_user: Any, make_org: Any, experts: dict[str, Any]) -> None:
    contact = make_user(Role.MEMBER_CONTACT, organization=make_org("青岛海纳人力资源有限公司"))
    assert options(pick(client_for(contact), "library.experts", q="")) == []
    assert options(pick(client_for(contact), "library.committee", q="")) == []


def test_committee_source_offers_current_members_only(secretariat: Any, experts: dict[str, Any]) -> None:
    appoint(experts["qi"])
    client = client_for(secretariat)
    assert options(pick(client, "library.committee", q="")) == [str(experts["qi"].pk)]
    assert options(pick(client, "library.committee", q="lhy")) == []


def test_consultation_assigned_to_a_committee_member_found_by_typing(
    secretariat: Any, experts: dict[str, Any], make_user: Any, make_org: Any
) -> None:
    appoint(experts["qi"], experts["liu"])
    contact = make_user(Role.MEMBER_CONTACT, organization=make_org("青岛海纳人力资源有限公司"))
    consultation = services.consultation_ask(
        cmd=ConsultationAsk.build(
            {"title": "平台用工咨询", "question": "外卖骑手的劳动关系如何认定？", "urgency": "normal"}
        ),
        actor=contact,
    )
    client = client_for(secretariat)
    url = reverse("library:consultation", args=[consultation.pk])
    page = client.get(url).content.decode()
    assert 'data-picker="experts"' in page  # the picker beside the suggested experts
    done = client.post(url, {"action": "assign", "experts": [experts["qi"].pk]}, follow=True)
    assert "已分派给 齐林" in done.content.decode()
    assert list(ConsultationAssignment.objects.values_list("expert__name", flat=True)) == ["齐林"]


def test_research_assignment_adds_any_expert_found_by_typing(
    secretariat: Any,
    experts: dict[str, Any],
    round_with_entries: Any,  # noqa: F811
    make_user: Any,
) -> None:
    from lianmeng.research.models import Assignment

    qi = experts["qi"]
    qi.user = make_user(Role.EXPERT)
    qi.save(update_fields=["user"])

    selection, entries = round_with_entries(1, cities_=("潍坊",))  # 齐林 is in 青岛: no same-city conflict
    client = client_for(secretariat)
    url = f"/research/rounds/{selection.pk}/assignment/"
    page = client.get(url).content.decode()
    entry = entries[0]
    assert f'id="id_expert_{entry.pk}_picker"' in page and 'data-picker="expert"' in page
    widget = pick(
        client, "library.reviewers", q="ql", name="expert", multiple="0", id=f"id_expert_{entry.pk}"
    )
    assert options(widget) == [str(qi.pk)]
    assert options(pick(client, "library.reviewers", q="lhy")) == []  # no account: cannot review online
    done = client.post(url, {"entry": entry.pk, "expert": experts["qi"].pk, "action": "add"}, follow=True)
    assert "已添加 齐林" in done.content.decode(), re.findall(r"alert[^>]*>([^<]+)", done.content.decode())
    assert Assignment.objects.filter(entry=entry, expert=experts["qi"], source="manual").exists()

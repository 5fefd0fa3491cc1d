"""Research fixtures: experts with accounts, rounds with entries, all made through the services."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from lianmeng.core.actors import SYSTEM
from lianmeng.library.commands import ExpertCreate
from lianmeng.research.commands import EntrySubmit, RoundCreate


@pytest.fixture
def make_expert(
    cities: dict[str, Any], make_org: Callable[..., Any], make_user: Callable[..., Any]
) -> Callable[..., Any]:
    """An expert in the library with an account (role 专家), so they can sign in and review."""
    from lianmeng.library.services import expert_create

    counter = {"n": 0}

    def _make(
        name: str | None = None,
        *,
        organization: Any = None,
        city: str = "烟台",
        fields: tuple[str, ...] = (),
        keywords: str = "",
        account: bool = True,
        **data: Any,
    ) -> Any:
        counter["n"] += 1
        org = organization or make_org(f"专家所在大学{counter['n']}", city=city, kind="university")
        user = make_user("expert", username=f"expert{counter['n']}") if account else None
        from lianmeng.library.models import ExpertiseField

        field_ids = [ExpertiseField.objects.get_or_create(name=f)[0].pk for f in fields]
        return expert_create(
            cmd=ExpertCreate.build(
                {
                    "name": name or f"评审专家{counter['n']}",
                    "organization": org.pk,
                    "city": cities[city].code,
                    "title": "senior",
                    "keywords": keywords,
                    "fields": field_ids,
                    **data,
                }
            ),
            actor=SYSTEM,
            user=user,
        )

    return _make


@pytest.fixture
def contact_for(make_user: Callable[..., Any]) -> Callable[..., Any]:
    def _make(org: Any) -> Any:
        return make_user("member_contact", organization=org)

    return _make


ROUND_DATA = {
    "kind": "typical_case",
    "year": 2026,
    "title": "2026年度人力资源服务典型案例评选",
    "entries_close_on": "2099-12-31",
    "review_due_on": "2099-12-31",
    "reviewers_per_entry": 2,
    "max_load": 3,
    "publicity_days": 7,
    "criteria": [
        {"name": "创新性", "weight": 40, "max_score": 10},
        {"name": "实用性", "weight": 60, "max_score": 10},
    ],
    "tiers": [{"level": "first", "quota_percent": 34}, {"level": "second", "quota_percent": 33}],
}


@pytest.fixture
def open_round(secretariat: Any) -> Callable[..., Any]:
    from lianmeng.research.services import round_create, round_transition

    def _make(**overrides: Any) -> Any:
        r = round_create(cmd=RoundCreate.build({**ROUND_DATA, **overrides}), actor=secretariat)
        return round_transition(selection=r, action="open", actor=secretariat)

    return _make


@pytest.fixture
def round_with_entries(
    open_round: Callable[..., Any],
    make_org: Callable[..., Any],
    contact_for: Callable[..., Any],
    secretariat: Any,
) -> Callable[..., Any]:
    """A round in review with ``n`` eligible entries from organizations in the given cities."""
    from lianmeng.research.services import entry_submit, entry_transition, round_transition

    def _make(n: int = 3, cities_: tuple[str, ...] = ("青岛", "潍坊", "威海"), **overrides: Any) -> Any:
        r = open_round(**overrides)
        entries = []
        topics = [
            "零工市场数字化服务",
            "海洋产业人才飞地",
            "县域劳务协作品牌",
            "人才测评标准建设",
            "园区招商运营",
        ]
        for i in range(n):
            org = make_org(f"参评园区{i + 1}", city=cities_[i % len(cities_)])
            entry = entry_submit(
                selection=r,
                organization=org,
                cmd=EntrySubmit.build(
                    {
                        "title": f"{topics[i % len(topics)]}案例{i + 1}",
                        "authors": f"作者{i + 1}甲、作者{i + 1}乙",
                        "summary": f"围绕{topics[i % len(topics)]}开展的实践。",
                        "keywords": topics[i % len(topics)],
                    }
                ),
                actor=contact_for(org),
            )
            entries.append(entry_transition(entry=entry, action="accept", actor=secretariat))
        round_transition(selection=r, action="start_review", actor=secretariat)
        r.refresh_from_db()
        return r, entries

    return _make


def end_publicity(selection: Any) -> None:
    """Move the end of 公示 into the past (the tests' clock)."""
    type(selection).objects.filter(pk=selection.pk).update(
        publicity_ends_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    selection.refresh_from_db()

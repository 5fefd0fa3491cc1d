"""Library fixtures: experts, projects and achievements made through the services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from lianmeng.core.actors import SYSTEM
from lianmeng.library.commands import ExpertCreate, ProjectCreate


@pytest.fixture
def make_expert(cities: dict[str, Any], make_org: Callable[..., Any]) -> Callable[..., Any]:
    from lianmeng.library.services import expert_create

    counter = {"n": 0}

    def _make(name: str | None = None, *, organization: Any = None, city: str = "青岛", **data: Any) -> Any:
        counter["n"] += 1
        user = data.pop("user", None)
        org = organization or make_org(f"专家单位{counter['n']}", city=city, kind="university")
        return expert_create(
            cmd=ExpertCreate.build(
                {
                    "name": name or f"专家{counter['n']}",
                    "organization": org.pk,
                    "city": cities[city].code,
                    "title": "senior",
                    **data,
                }
            ),
            actor=SYSTEM,
            user=user,
        )

    return _make


@pytest.fixture
def make_project(cities: dict[str, Any], secretariat: Any) -> Callable[..., Any]:
    from lianmeng.library.services import project_create

    def _make(
        name: str, *, lead: Any, cities_: tuple[str, ...] = ("青岛",), actor: Any = None, **data: Any
    ) -> Any:
        return project_create(
            cmd=ProjectCreate.build(
                {
                    "name": name,
                    "summary": data.pop("summary", f"{name}的简介"),
                    "lead_organization": lead.pk,
                    "cities": [cities[c].code for c in cities_],
                    **data,
                }
            ),
            actor=actor or secretariat,
        )

    return _make

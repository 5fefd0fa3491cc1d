"""Counts read as English: "1 project", "2 projects" (ngettext / blocktranslate count)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from lianmeng.library.commands import ProjectCreate
from tests.factories import make_event

pytestmark = pytest.mark.django_db


def _english(path: str, user: Any = None) -> str:
    client = Client()
    client.cookies["django_language"] = "en"
    if user is not None:
        client.force_login(user)
    response = client.get(path)
    assert response.status_code == 200, path
    return re.sub(r"\s+", " ", response.content.decode())


def _project(name: str, lead: Any, secretariat: Any, cities: Any, **data: Any) -> Any:
    from lianmeng.library.services import project_create

    return project_create(
        cmd=ProjectCreate.build(
            {
                "name": name,
                "summary": f"{name}的简介",
                "lead_organization": lead.pk,
                "cities": [cities["青岛"].code],
                **data,
            }
        ),
        actor=secretariat,
    )


def test_project_and_member_counts_are_singular_for_one(make_org: Any, secretariat: Any, cities: Any) -> None:
    lead = make_org("青岛复数测试产业园")
    _project("复数测试项目甲", lead, secretariat, cities)
    html = _english(reverse("library:projects"), secretariat)
    assert "1 project ·" in html and "1 projects" not in html
    home = _english(reverse("core:home"))
    assert "1 member ·" in home and "1 park<" in home and "1 members" not in home

    make_org("青岛复数测试产业园乙")
    _project("复数测试项目乙", lead, secretariat, cities)
    assert "2 projects ·" in _english(reverse("library:projects"), secretariat)
    home = _english(reverse("core:home"))
    assert "2 members ·" in home and "2 parks<" in home


def test_jobs_and_capacity_read_singular_and_plural(make_org: Any, make_user: Any, cities: Any) -> None:
    import datetime

    from django.utils import timezone

    from lianmeng.activities.models import Event

    park = make_org("青岛名额测试产业园")
    starts = timezone.now() + datetime.timedelta(days=3)
    event = make_event(park, "名额测试论坛", starts=starts, hours=2, capacity=1, venue="")
    assert "1 seat, 0 registered" in _english(event.get_absolute_url())
    Event.objects.filter(pk=event.pk).update(capacity=2)
    assert "2 seats, 0 registered" in _english(event.get_absolute_url())


def test_a_parks_missing_activities_read_singular_and_plural(make_org: Any, secretariat: Any) -> None:
    from django.utils import timezone

    from lianmeng.activities.models import ActivitySettings

    make_org("青岛主题活动复数测试产业园")
    settings = ActivitySettings.objects.create(year=timezone.localdate().year, themed_quota=1)
    html = _english(reverse("activities:compliance"), secretariat)
    assert "1 themed activity still to hold" in html
    settings.themed_quota = 2
    settings.save()
    assert "2 themed activities still to hold" in _english(reverse("activities:compliance"), secretariat)

"""A held event's outcomes link library projects: summary form, API, event page; hidden projects stay hidden."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from lianmeng.activities import services
from lianmeng.activities.commands import EventSummary, SummaryUpdate
from lianmeng.activities.models import Event
from lianmeng.core.models import AuditEntry
from lianmeng.library.commands import LandingRecord, ProjectCreate, ProjectTransition

pytestmark = pytest.mark.django_db


@pytest.fixture
def projects(
    cities: dict[str, Any], park: Any, make_org: Callable[..., Any], secretariat: Any
) -> dict[str, Any]:
    from lianmeng.library import services as library

    other = make_org("烟台数字招聘科技有限公司", city="烟台", kind="enterprise")

    def make(name: str, lead: Any, stage: str | None) -> Any:
        project = library.project_create(
            cmd=ProjectCreate.build(
                {"name": name, "summary": f"{name}简介", "lead_organization": lead.pk, "cities": ["370200"]}
            ),
            actor=secretariat,
        )
        if stage == "landed":
            project = library.project_transition(
                project=project, cmd=ProjectTransition.build(to="evaluating"), actor=secretariat
            )
            project = library.project_transition(
                project=project, cmd=ProjectTransition.build(to="incubating"), actor=secretariat
            )
            library.landing_record(
                project=project,
                cmd=LandingRecord.build(
                    {"city": "370200", "park": park.pk, "date": datetime.date.today().isoformat()}
                ),
                actor=secretariat,
            )
            project = library.project_transition(
                project=project, cmd=ProjectTransition.build(to="landed"), actor=secretariat
            )
        return project

    return {
        "own": make("园区数字人才驿站", park, None),  # proposed: only its parties and the secretariat see it
        "landed": make("胶东人才大数据平台", other, "landed"),
        "hidden": make("烟台内部孵化项目", other, None),  # proposed, another organization's
    }


def test_hold_links_projects_and_the_page_shows_those_the_viewer_may_see(
    make_event: Callable[..., Event], contact: Any, secretariat: Any, projects: dict[str, Any]
) -> None:
    event = make_event(starts_in=datetime.timedelta(days=-1))
    with pytest.raises(ValidationError) as exc:
        services.event_hold(
            event=event,
            cmd=EventSummary.build({"summary": "圆满举办", "projects": [projects["hidden"].pk]}),
            actor=contact,
        )
    assert exc.value.message_dict["projects"] == ["请选择项目库中的项目"]
    held = services.event_hold(
        event=event,
        cmd=EventSummary.build(
            {"summary": "圆满举办", "projects": [projects["own"].pk, projects["landed"].pk]}
        ),
        actor=contact,
    )
    assert {p.pk for p in held.projects.all()} == {projects["own"].pk, projects["landed"].pk}
    entry = AuditEntry.objects.filter(action="event.hold", target_id=str(event.pk)).get()
    assert entry.new["projects"] == sorted([projects["own"].pk, projects["landed"].pk])
    public = Client().get(event.get_absolute_url()).content.decode()
    assert "相关项目" in public and "胶东人才大数据平台" in public
    assert projects["landed"].get_absolute_url() in public
    assert "园区数字人才驿站" not in public  # a proposed project is not public
    member = Client()
    member.force_login(contact)
    assert "园区数字人才驿站" in member.get(event.get_absolute_url()).content.decode()


def test_summary_form_edits_links_and_keeps_those_the_editor_cannot_see(
    make_event: Callable[..., Event], contact: Any, secretariat: Any, projects: dict[str, Any]
) -> None:
    event = make_event(status="held", starts_in=datetime.timedelta(days=-2))
    services.event_summary_update(
        event=event, cmd=SummaryUpdate.build({"projects": [projects["hidden"].pk]}), actor=secretariat
    )
    client = Client()
    client.force_login(contact)
    form = client.get(f"/events/{event.pk}/summary/").content.decode()
    assert "相关项目" in form and "烟台内部孵化项目" not in form
    found = client.get(
        reverse("core:picker", args=["activities.projects"]),
        {"name": "projects", "multiple": "1", "q": "驿站"},
    ).content.decode()  # the picker finds what the contact may link, never the hidden project
    assert "园区数字人才驿站" in found
    hidden = client.get(
        reverse("core:picker", args=["activities.projects"]),
        {"name": "projects", "multiple": "1", "q": "孵化"},
    )
    assert "烟台内部孵化项目" not in hidden.content.decode()
    response = client.post(
        f"/events/{event.pk}/summary/",
        {
            "summary": "活动顺利举办。",
            "agreements_signed": "1",
            "projects_started": "1",
            "projects": [projects["own"].pk],
        },
    )
    assert response.status_code == 302
    assert {p.pk for p in event.projects.all()} == {projects["own"].pk, projects["hidden"].pk}


def test_api_hold_and_summary_patch(
    make_event: Callable[..., Event],
    contact: Any,
    projects: dict[str, Any],
    api: Callable[[Any], Client],
) -> None:
    event = make_event(starts_in=datetime.timedelta(days=-1))
    client = api(contact)
    body = client.post(
        f"/api/v1/events/{event.pk}/hold",
        {"summary": "圆满举办", "projects": [projects["landed"].pk]},
        content_type="application/json",
    ).json()
    assert body["projects"] == [projects["landed"].pk] and body["status"] == "held"
    body = client.patch(
        f"/api/v1/events/{event.pk}/summary",
        {"projects": [projects["landed"].pk, projects["own"].pk]},
        content_type="application/json",
    ).json()
    assert sorted(body["projects"]) == sorted([projects["landed"].pk, projects["own"].pk])
    assert api(None).get(f"/api/v1/events/{event.pk}").json()["projects"] == [projects["landed"].pk]
    bad = client.patch(
        f"/api/v1/events/{event.pk}/summary",
        {"projects": [projects["hidden"].pk]},
        content_type="application/json",
    )
    assert bad.status_code == 422 and "projects" in bad.json()["errors"]

"""Type-ahead pickers: the endpoint searches (pinyin initials, traditional characters) only what the
viewer may pick, and the event form shows pickers instead of long selects."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from lianmeng.accounts.models import Role
from tests.form_helpers import client_for


@pytest.fixture
def orgs(make_org: Any) -> dict[str, Any]:
    return {
        "qd": make_org("青岛海纳人力资源有限公司", city="青岛"),
        "qd2": make_org("青岛蓝谷人才服务中心", city="青岛"),
        "yt": make_org("烟台仙境人才科技公司", city="烟台"),
        "uni": make_org("青岛理工大学", city="青岛", kind="university"),
    }


def options(html: str) -> list[str]:
    return re.findall(r'data-picker-option="(\d+)"', html)


def pick(client: Client, source: str, **params: Any) -> str:
    response = client.get(reverse("core:picker", args=[source]), {"name": "organizer", **params})
    assert response.status_code == 200
    return response.content.decode()


def test_pinyin_initials_and_traditional_characters_find_qingdao(secretariat: Any, orgs: Any) -> None:
    client = client_for(secretariat)
    found = options(pick(client, "activities.organizers", q="qd"))
    assert str(orgs["qd"].pk) in found and str(orgs["qd2"].pk) in found
    assert str(orgs["yt"].pk) not in found
    assert str(orgs["qd"].pk) in options(pick(client, "activities.organizers", q="青島海納"))
    assert options(pick(client, "activities.organizers", q="烟台")) == [str(orgs["yt"].pk)]
    assert "没有找到" in pick(client, "activities.organizers", q="不存在的单位名")


def test_organizers_are_filtered_by_viewer(make_user: Any, cities: Any, orgs: Any) -> None:
    coordinator = make_user(Role.CITY_COORDINATOR, city=cities["烟台"])
    client = client_for(coordinator)
    assert options(pick(client, "activities.organizers", q="")) == [str(orgs["yt"].pk)]
    assert options(pick(client, "activities.organizers", q="qd")) == []
    # Choosing an organization outside the viewer's scope adds nothing.
    widget = pick(client, "activities.organizers", add=orgs["qd"].pk, id="id_organizer")
    assert f'value="{orgs["qd"].pk}"' not in widget
    widget = pick(client, "activities.organizers", add=orgs["yt"].pk, id="id_organizer")
    assert f'name="organizer" value="{orgs["yt"].pk}"' in widget
    assert "烟台仙境人才科技公司" in widget


def test_partner_source_offers_only_partner_kinds(secretariat: Any, orgs: Any) -> None:
    found = options(pick(client_for(secretariat), "activities.partners", q="qd"))
    assert found == [str(orgs["uni"].pk)]


def test_multiple_picker_adds_and_removes_chips(secretariat: Any, orgs: Any) -> None:
    client = client_for(secretariat)
    url = reverse("core:picker", args=["membership.organizations"])
    base = {"name": "co_organizers", "id": "id_co_organizers", "multiple": "1"}
    html = client.get(url, {**base, "co_organizers": [orgs["qd"].pk], "add": orgs["yt"].pk}).content.decode()
    assert re.findall(r'name="co_organizers" value="(\d+)"', html) == [str(orgs["qd"].pk), str(orgs["yt"].pk)]
    results = client.get(url, {**base, "co_organizers": [orgs["qd"].pk], "q": "qd"}).content.decode()
    assert str(orgs["qd"].pk) not in options(results)  # already chosen
    html = client.get(
        url, {**base, "co_organizers": [orgs["qd"].pk, orgs["yt"].pk], "remove": orgs["qd"].pk}
    ).content.decode()
    assert re.findall(r'name="co_organizers" value="(\d+)"', html) == [str(orgs["yt"].pk)]


def test_json_results_and_unknown_source(secretariat: Any, orgs: Any) -> None:
    client = client_for(secretariat)
    data = client.get(
        reverse("core:picker", args=["membership.organizations"]), {"q": "qd", "format": "json"}
    )
    labels = [r["label"] for r in data.json()["results"]]
    assert "青岛 · 青岛海纳人力资源有限公司" in labels
    assert client.get(reverse("core:picker", args=["nope.nothing"])).status_code == 404
    assert Client().get(reverse("core:picker", args=["membership.organizations"])).status_code == 302


def test_event_form_has_pickers_and_a_number_capacity(secretariat: Any, orgs: Any) -> None:
    html = client_for(secretariat).get(reverse("activities:create")).content.decode()
    assert "<select" not in re.sub(r'<select[^>]*name="(kind|audience)".*?</select>', "", html, flags=re.S)
    for name in ("organizer", "co_organizers", "partners"):
        assert f'id="id_{name}_picker"' in html
    assert re.search(r'<input type="number" name="capacity"[^>]*min="1"', html)


def test_project_leads_are_the_contacts_own_organizations(
    make_user: Any, orgs: Any, secretariat: Any
) -> None:
    contact = make_user(Role.MEMBER_CONTACT, organization=orgs["qd"])
    assert options(pick(client_for(contact), "library.project-leads", q="")) == [str(orgs["qd"].pk)]
    assert len(options(pick(client_for(secretariat), "library.project-leads", q="qd"))) == 3


def test_library_and_notice_forms_use_pickers(secretariat: Any, orgs: Any) -> None:
    client = client_for(secretariat)
    project = client.get(reverse("library:project-create")).content.decode()
    assert 'id="id_lead_organization_picker"' in project and 'id="id_partner_organizations_picker"' in project
    assert 'size="6"' not in project
    notice = client.get(reverse("governance:notice-new")).content.decode()
    assert 'id="id_audience_organizations_picker"' in notice


def test_event_form_reads_only_the_chosen_organizations(secretariat: Any, orgs: Any) -> None:
    """Validating and re-rendering the event form asks the sources for the submitted ids only (one
    query per picker), never for every organization (100,000 at national scale)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from lianmeng.activities.forms import EventForm

    data = {
        "organizer": str(orgs["qd"].pk),
        "co_organizers": [str(orgs["yt"].pk), "999999"],
        "partners": [str(orgs["uni"].pk)],
    }
    with CaptureQueriesContext(connection) as ctx:
        form = EventForm(data, user=secretariat)
        form.is_valid()
        html = "".join(str(form[name]) for name in ("organizer", "co_organizers", "partners"))
    assert form.errors["co_organizers"] == ["选择一个有效的选项。 999999 不在可用的选项中。"]
    assert "organizer" not in form.errors and "partners" not in form.errors
    assert f'data-picker-chip="{orgs["uni"].pk}"' in html and "青岛理工大学" in html
    reads = [q["sql"] for q in ctx.captured_queries if 'FROM "membership_organization"' in q["sql"]]
    assert reads and all(" IN (" in sql for sql in reads), reads
    assert len(ctx.captured_queries) <= 8, [q["sql"] for q in ctx.captured_queries]

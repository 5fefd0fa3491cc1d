"""The /api/v1 events API: create, publish, register, waitlist, check-in, compliance; problem+json."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lianmeng.activities.models import Event, Registration
from tests.queries import counted

from .conftest import person

pytestmark = pytest.mark.django_db


def _json(response: Any) -> Any:
    return json.loads(response.content)


def _post(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(data), content_type="application/json")


def test_event_lifecycle_through_the_api(api: Callable[[Any], Client], coordinator: Any, park: Any) -> None:
    client = api(coordinator)
    day = timezone.localdate() + datetime.timedelta(days=15)
    response = _post(
        client,
        "/api/v1/events",
        {
            "title": "青岛人力资源服务论坛",
            "kind": "forum",
            "organizer": park.pk,
            "starts_at": f"{day}T09:00:00+08:00",
            "ends_at": f"{day}T12:00:00+08:00",
            "venue": "青岛国际会议中心",
            "capacity": 1,
        },
    )
    assert response.status_code == 201, response.content
    event = _json(response)
    assert (event["status"], event["city"], event["starts_at"]) == (
        "draft",
        "370200",
        f"{day}T09:00:00+08:00",
    )
    assert _json(_post(client, f"/api/v1/events/{event['id']}/publish", {}))["status"] == "published"

    public = Client()
    first = _json(_post(public, f"/api/v1/events/{event['id']}/registrations", person(1)))
    second = _json(_post(public, f"/api/v1/events/{event['id']}/registrations", person(2)))
    assert (first["status"], second["status"]) == ("registered", "waitlisted")
    assert len(first["code"]) == 8

    checked = _json(_post(client, f"/api/v1/events/{event['id']}/checkin", {"code": first["code"]}))
    assert (checked["already_checked_in"], checked["registration"]["status"], checked["attended"]) == (
        False,
        "attended",
        1,
    )
    again = _json(_post(client, f"/api/v1/events/{event['id']}/checkin", {"code": first["code"]}))
    assert again["already_checked_in"] is True

    listing = _json(client.get(f"/api/v1/events/{event['id']}/registrations"))
    assert [r["mobile"] for r in listing["items"]] == ["13900000001", "13900000002"]

    detail = _json(client.get(f"/api/v1/events/{event['id']}"))
    assert detail["counts"] == {"registered": 1, "waitlisted": 1, "attended": 1, "no_show": 0, "cancelled": 0}


def test_bad_input_is_problem_json_naming_fields(
    api: Callable[[Any], Client], coordinator: Any, park: Any
) -> None:
    client = api(coordinator)
    response = _post(
        client,
        "/api/v1/events",
        {
            "title": "论坛",
            "kind": "forum",
            "organizer": park.pk,
            "starts_at": "2026-12-10T14:00:00+08:00",
            "ends_at": "2026-12-10T09:00:00+08:00",
            "venue": "会议室",
        },
    )
    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/problem+json")
    assert _json(response)["errors"] == {"ends_at": ["结束时间不能早于开始时间"]}
    assert not Event.objects.exists()


def test_other_event_code_and_cancelled_event_refused(
    api: Callable[[Any], Client], make_event: Callable[..., Event], contact: Any
) -> None:
    event = make_event()
    other = make_event(title="另一场")
    foreign = _json(_post(Client(), f"/api/v1/events/{other.pk}/registrations", person(5)))
    response = _post(api(contact), f"/api/v1/events/{event.pk}/checkin", {"code": foreign["code"]})
    assert response.status_code == 422
    assert _json(response)["errors"]["code"] == ["该签到码不属于本活动，请核对活动"]
    assert _json(_post(api(contact), f"/api/v1/events/{event.pk}/cancel", {"reason": "场地冲突"}))[
        "status"
    ] == ("cancelled")
    response = _post(Client(), f"/api/v1/events/{event.pk}/registrations", person(6))
    assert _json(response)["errors"] == {"event": ["活动已取消，不能报名"]}


def test_delete_registration_promotes_waitlist(
    api: Callable[[Any], Client], make_event: Callable[..., Event], contact: Any
) -> None:
    event = make_event(capacity=1)
    for i in range(3):
        _post(Client(), f"/api/v1/events/{event.pk}/registrations", person(i))
    first = Registration.objects.order_by("id").first()
    assert first is not None
    response = api(contact).delete(f"/api/v1/registrations/{first.pk}")
    assert _json(response)["status"] == "cancelled"
    assert list(Registration.objects.order_by("id").values_list("status", flat=True)) == [
        "cancelled",
        "registered",
        "waitlisted",
    ]


def test_permissions_and_hidden_drafts(
    api: Callable[[Any], Client], make_event: Callable[..., Event], make_user: Any, other_park: Any
) -> None:
    draft = make_event(status="draft")
    assert Client().get(f"/api/v1/events/{draft.pk}").status_code == 404
    outsider = api(make_user("member_contact", organization=other_park))
    assert _post(outsider, f"/api/v1/events/{draft.pk}/publish", {}).status_code == 404
    published = make_event()
    response = _post(outsider, f"/api/v1/events/{published.pk}/cancel", {"reason": "x"})
    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/problem+json")
    ids = [e["id"] for e in _json(Client().get("/api/v1/events"))["items"]]
    assert ids == [published.pk]


def test_compliance_api(
    api: Callable[[Any], Client], make_event: Callable[..., Event], park: Any, coordinator: Any
) -> None:
    year = timezone.localdate().year
    public = _json(Client().get(f"/api/v1/compliance/{year}"))
    assert public["parks"] is None
    assert [c["city"] for c in public["cities"]][:2] == ["370200", "370600"]
    mine = _json(api(coordinator).get(f"/api/v1/compliance/{year}"))
    assert [p["park"] for p in mine["parks"]] == [park.pk]
    assert mine["parks"][0]["missing"] == "还差 2 场主题活动"


def _count_queries(client: Any, url: str) -> tuple[int, Any]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return counted(ctx.captured_queries), response.json()


def test_event_list_queries_do_not_grow_with_rows(make_event: Callable[..., Event], park: Any) -> None:
    """The calendar answers with each event's organizer, city and linked organizations in a fixed
    number of queries (2 and 12 events)."""
    client = Client()
    for _ in range(2):
        make_event()
    client.get("/api/v1/events")
    few, page = _count_queries(client, "/api/v1/events")
    item = page["items"][0]
    assert page["count"] == 2 and item["organizer"] == park.pk and item["organizer_name"] == park.name
    assert item["kind_label"] == "论坛" and item["city"] == park.city_id
    assert item["url"] == f"/events/{item['id']}/" and item["ics_url"] == f"/events/{item['id']}.ics"
    for _ in range(10):
        make_event()
    many, page = _count_queries(client, "/api/v1/events")
    assert page["count"] == 12 and many == few

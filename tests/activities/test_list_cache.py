"""The calendar list and the events API list are cached per viewer reach and query, and renewed by any
committed change to events, organizations or cities (transactional: inside a test's open transaction the
cache is bypassed, so these tests commit)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from lianmeng.activities.models import Event

pytestmark = pytest.mark.django_db(transaction=True)


def _get(client: Client, url: str, **params: Any) -> tuple[int, Any]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(queries), response


def test_api_events_page_is_served_from_the_cache_unchanged_until_an_edit(
    make_event: Callable[..., Event], contact: Any
) -> None:
    event = make_event(title="烟台人才交流会")
    make_event(title="内部筹备会", status="draft")
    anonymous = Client()
    first, response = _get(anonymous, "/api/v1/events")
    again, cached = _get(anonymous, "/api/v1/events")
    assert again < first  # the page's rows are not read again
    assert cached.content == response.content  # byte for byte what ninja rendered
    assert cached["Content-Type"] == response["Content-Type"] == "application/json; charset=utf-8"
    body = json.loads(cached.content)
    assert [e["title"] for e in body["items"]] == ["烟台人才交流会"]
    assert body["count"] == 1 and body["items"][0]["kind_label"] == "论坛"

    # the organizer's contact sees the draft: never the anonymous copy, nor gives theirs to others
    member = Client()
    member.force_login(contact)
    titles = [e["title"] for e in json.loads(member.get("/api/v1/events").content)["items"]]
    assert sorted(titles) == sorted(["烟台人才交流会", "内部筹备会"])
    assert json.loads(anonymous.get("/api/v1/events").content)["count"] == 1

    # another query string is another page
    assert json.loads(anonymous.get("/api/v1/events", {"q": "不存在的活动"}).content)["count"] == 0

    Event.objects.filter(pk=event.pk).update(title="烟台人才交流大会")  # committed: the version changes
    renewed = json.loads(anonymous.get("/api/v1/events").content)
    assert [e["title"] for e in renewed["items"]] == ["烟台人才交流大会"]


def test_api_events_errors_are_not_cached() -> None:
    anonymous = Client()
    assert anonymous.get("/api/v1/events", {"page": -1}).status_code == 422
    assert anonymous.get("/api/v1/events", {"page": -1}).status_code == 422
    assert anonymous.get("/api/v1/events").status_code == 200


def test_calendar_list_is_cached_per_reach_and_renewed_by_an_edit(
    make_event: Callable[..., Event], coordinator: Any
) -> None:
    make_event(title="青岛人力资源服务论坛")
    invited = make_event(title="理事单位闭门座谈", audience="invited")
    anonymous = Client()
    first, page = _get(anonymous, "/events/")
    again, cached = _get(anonymous, "/events/")
    assert again < first
    for response in (page, cached):
        html = response.content.decode()
        assert "青岛人力资源服务论坛" in html and "理事单位闭门座谈" not in html

    coordinator_client = Client()
    coordinator_client.force_login(coordinator)
    assert "理事单位闭门座谈" in coordinator_client.get("/events/").content.decode()  # anyone with a role
    assert "理事单位闭门座谈" not in anonymous.get("/events/").content.decode()  # still not the public

    Event.objects.filter(pk=invited.pk).update(audience="public", title="理事单位开放座谈")
    assert "理事单位开放座谈" in anonymous.get("/events/").content.decode()
    # past events: another query, its own copy
    assert "理事单位开放座谈" not in anonymous.get("/events/", {"when": "past"}).content.decode()

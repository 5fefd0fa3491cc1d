"""Hostile input (issue 10, item 3): every input below once gave a 500 or a non-problem API error.

Each must now be a 4xx naming the field (translated), nothing half-saved; every API error is
application/problem+json, a 500 says only that something failed and the traceback goes to the log.
"""

from __future__ import annotations

import datetime
import json
import logging
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from lianmeng.activities.models import Event
from tests.factories import published_event

pytestmark = pytest.mark.django_db

BIG = "99999999999999999999999"  # beyond 64 bits
PROBLEM = "application/problem+json"


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert response["Content-Type"].startswith(PROBLEM), response["Content-Type"]
    body = json.loads(response.content)
    assert body["status"] == status and body["title"]
    return body


def _names_field(body: dict[str, Any], field: str) -> None:
    assert field in body.get("errors", {}), body
    assert all(m.strip() for m in body["errors"][field]), body


def _raw_post(client: Client, url: str, text: str, method: str = "post") -> Any:
    return getattr(client, method)(url, text.encode(), content_type="application/json")


@pytest.fixture
def park(make_org: Callable[..., Any]) -> Any:
    return make_org("青岛测试园区", city="青岛")


@pytest.fixture
def staff(secretariat: Any, api: Callable[[Any], Client]) -> Client:
    return api(secretariat)


def _event_body(park: Any, **extra: Any) -> dict[str, Any]:
    day = timezone.localdate() + datetime.timedelta(days=20)
    return {
        "title": "人力资源论坛",
        "kind": "forum",
        "organizer": park.pk,
        "starts_at": f"{day}T09:00:00+08:00",
        "ends_at": f"{day}T12:00:00+08:00",
        "venue": "青岛国际会议中心",
        **extra,
    }


def _paginated_api_lists() -> list[str]:
    from lianmeng.api import api

    schema = api.get_openapi_schema()
    paths = []
    for path, ops in schema["paths"].items():
        op = ops.get("get")
        if op and "{" not in path and any(p["name"] == "page" for p in op.get("parameters", [])):
            paths.append(path)
    return sorted(paths)


PAGINATED = _paginated_api_lists()


def test_every_paginated_api_list_is_found() -> None:
    assert len(PAGINATED) >= 15, PAGINATED
    assert "/api/v1/events" in PAGINATED and "/api/v1/organizations" in PAGINATED


@pytest.mark.parametrize("path", PAGINATED)
def test_page_beyond_64_bits_on_every_api_list(path: str, secretariat: Any, api: Any) -> None:
    body = _problem(api(secretariat).get(f"{path}?page={BIG}"), 422)
    _names_field(body, "page")
    body = _problem(api(secretariat).get(f"{path}?page=0"), 422)
    _names_field(body, "page")


@pytest.mark.parametrize(
    "url", ["/events/", "/members/", "/library/experts/", "/library/projects/", "/news/", "/library/search/"]
)
def test_page_beyond_64_bits_on_pages(url: str, park: Any) -> None:
    response = Client().get(f"{url}?page={BIG}")
    assert response.status_code in (200, 400), response.status_code
    if response.status_code == 400:
        assert "page" in response.content.decode()


@pytest.mark.parametrize("year", ["0", "99999", "-1", BIG])
def test_compliance_year_out_of_range(year: str, cities: Any) -> None:
    body = _problem(Client().get(f"/api/v1/compliance/{year}"), 422)
    _names_field(body, "year")


@pytest.mark.parametrize("url", ["/api/v1/events?year=99999", "/api/v1/landings/by-city?year=99999"])
def test_year_filter_out_of_range(url: str, cities: Any) -> None:
    _names_field(_problem(Client().get(url), 422), "year")


def test_expert_field_beyond_64_bits(cities: Any) -> None:
    _names_field(_problem(Client().get("/api/v1/experts?field=99999999999999999999"), 422), "field")


@pytest.mark.parametrize(
    "url", ["/library/experts/?field=abc", "/library/search/?year=abc", "/library/landed/?year=99999"]
)
def test_non_numeric_filters_on_pages_name_the_field(url: str, cities: Any) -> None:
    response = Client().get(url)
    assert response.status_code == 400, response.status_code
    name = url.split("?")[1].split("=")[0]
    assert name in response.content.decode() and 'id="error-page"' in response.content.decode()


def test_english_message_for_a_bad_parameter(cities: Any) -> None:
    response = Client().get("/api/v1/events?year=99999", HTTP_ACCEPT_LANGUAGE="en")
    body = _problem(response, 422)
    assert "2999" in body["errors"]["year"][0] and "不能" not in body["errors"]["year"][0]


SURROGATE_ENDPOINTS = [
    ("post", "/api/v1/auth/token", '{"username": "\\ud800", "password": "x"}', "username"),
    ("post", "/api/v1/applications", '{"name": "\\ud800abc"}', "name"),
    ("post", "/api/v1/events", '{"title": "\\ud800"}', "title"),
    ("post", "/api/v1/events/1/registrations", '{"name": "\\udfff"}', "name"),
    ("post", "/api/v1/selections/1/objections", '{"reason": "\\ud800"}', "reason"),
    ("post", "/api/v1/experts", '{"name": "\\ud800"}', "name"),
    ("post", "/api/v1/projects", '{"name": "\\ud800"}', "name"),
    ("post", "/api/v1/achievements", '{"title": "\\ud800"}', "title"),
    ("post", "/api/v1/consultations", '{"question": "\\ud800"}', "question"),
    ("post", "/api/v1/resources", '{"title": "\\ud800"}', "title"),
    ("post", "/api/v1/articles", '{"title": "\\ud800"}', "title"),
    ("post", "/api/v1/meetings", '{"title": "\\ud800"}', "title"),
    ("post", "/api/v1/motions", '{"title": "\\ud800"}', "title"),
    ("post", "/api/v1/notices", '{"title": "\\ud800"}', "title"),
    ("post", "/api/v1/tasks", '{"title": "\\ud800"}', "title"),
    ("patch", "/api/v1/events/1", '{"venue": "ok", "description": ["\\ud800"]}', "description[0]"),
    ("post", "/api/v1/events", '{"\\ud800": 1}', "\\ud800"),
]


@pytest.mark.parametrize(("method", "url", "text", "field"), SURROGATE_ENDPOINTS)
def test_lone_surrogate_in_any_json_string(
    method: str, url: str, text: str, field: str, staff: Client, cities: Any
) -> None:
    _names_field(_problem(_raw_post(staff, url, text, method), 422), field)


def test_integer_beyond_64_bits_in_a_body(staff: Client, park: Any) -> None:
    text = json.dumps(_event_body(park, co_organizers=[1]))
    text = text.replace('"co_organizers": [1]', f'"co_organizers": [{BIG}]')
    _names_field(_problem(_raw_post(staff, "/api/v1/events", text), 422), "co_organizers[0]")
    assert not Event.objects.exists()


def test_capacity_beyond_the_column(staff: Client, park: Any) -> None:
    body = _problem(
        staff.post(
            "/api/v1/events", _event_body(park, capacity=99999999999999), content_type="application/json"
        ),
        422,
    )
    _names_field(body, "capacity")
    assert not Event.objects.exists()


@pytest.mark.parametrize("when", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"])
def test_datetime_that_overflows(when: str, staff: Client, park: Any) -> None:
    body = _problem(
        staff.post("/api/v1/events", _event_body(park, starts_at=when), content_type="application/json"), 422
    )
    _names_field(body, "starts_at")
    assert not Event.objects.exists()


def test_nul_character_is_never_stored(staff: Client, park: Any) -> None:
    response = staff.post(
        "/api/v1/events", _event_body(park, title="论坛\u0000一"), content_type="application/json"
    )
    assert response.status_code in (201, 422), response.content
    assert all("\x00" not in title for title in Event.objects.values_list("title", flat=True))


@pytest.mark.parametrize("url", ["/api/v1/organizations?q=%00", "/api/v1/events?city=37%0002"])
def test_nul_in_a_query_parameter_on_the_api(url: str, cities: Any) -> None:
    body = _problem(Client().get(url), 422)
    assert len(body["errors"]) == 1


@pytest.mark.parametrize("url", ["/members/?q=%00", "/library/experts/?q=a%00b", "/events/?city=%00"])
def test_nul_in_a_query_parameter_on_pages(url: str, cities: Any) -> None:
    response = Client().get(url)
    assert response.status_code == 400 and 'id="error-page"' in response.content.decode()


@pytest.fixture
def assignment_page(
    secretariat: Any, make_org: Callable[..., Any], make_user: Callable[..., Any], cities: Any
) -> tuple[Client, str]:
    from lianmeng.research.commands import RoundCreate
    from lianmeng.research.services import round_create
    from tests.research.conftest import ROUND_DATA

    selection = round_create(cmd=RoundCreate.build(ROUND_DATA), actor=secretariat)
    client = Client()
    client.force_login(secretariat)
    return client, f"/research/rounds/{selection.pk}/assignment/"


@pytest.mark.parametrize(
    ("action", "field"), [("add", "entry"), ("add", "expert"), ("reopen", "review"), ("remove", "assignment")]
)
def test_non_numeric_ids_on_the_assignment_page(
    action: str, field: str, assignment_page: tuple[Client, str]
) -> None:
    client, url = assignment_page
    data = {"action": action, "entry": "1", "expert": "1", "review": "1", "assignment": "1", field: "abc"}
    response = client.post(url, data)
    assert response.status_code == 400, response.status_code
    assert field in response.content.decode()


def test_event_title_with_line_breaks_in_the_ics(park: Any, secretariat: Any) -> None:
    from icalendar import Calendar

    event = published_event(park, secretariat, "论坛", starts=timezone.now() + datetime.timedelta(days=10))
    # A title stored before input cleaning existed (or written by a script): CR/LF and a fake property.
    Event.objects.filter(pk=event.pk).update(title="论坛\r\nX-EVIL:1\r\n第二行")
    response = Client().get(f"/events/{event.pk}.ics")
    assert response.status_code == 200
    text = response.content.decode()
    assert "\nX-EVIL:1" not in text
    cal = Calendar.from_ical(response.content)
    assert "X-EVIL" not in cal and "论坛" in str(cal["X-WR-CALNAME"])


def test_unknown_api_path_is_a_problem() -> None:
    _problem(Client().get("/api/v1/no-such-thing"), 404)
    _problem(Client().get("/api/v2/"), 404)


def test_method_not_allowed_is_a_problem_with_allow(staff: Client) -> None:
    response = staff.delete("/api/v1/events")
    _problem(response, 405)
    assert "GET" in response["Allow"]


def test_too_large_body_is_413(staff: Client, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    _problem(_raw_post(staff, "/api/v1/events", json.dumps({"title": "x" * 2000})), 413)


def test_too_long_url_is_414() -> None:
    _problem(Client().get("/api/v1/organizations?q=" + "a" * 5000), 414)


def test_invalid_json_is_a_translated_problem(staff: Client) -> None:
    body = _problem(_raw_post(staff, "/api/v1/events", "{not json"), 400)
    assert "JSON" in body["detail"]


def test_server_error_says_only_that_something_failed(
    monkeypatch: Any, caplog: Any, cities: Any, settings: Any
) -> None:
    from lianmeng.activities import selectors

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("secret internals 42")

    monkeypatch.setattr(selectors, "event_calendar", boom)
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = Client(raise_request_exception=False).get("/api/v1/events")
    body = _problem(response, 500)
    assert "secret internals" not in response.content.decode() and "Traceback" not in body.get("detail", "")
    assert any("secret internals 42" in (r.exc_text or str(r.exc_info)) for r in caplog.records)


def test_server_error_on_a_page_with_debug_off(monkeypatch: Any, cities: Any) -> None:
    from lianmeng.activities import selectors

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("secret internals 42")

    monkeypatch.setattr(selectors, "event_calendar", boom)
    response = Client(raise_request_exception=False).get("/events/")
    assert response.status_code == 500 and "secret internals" not in response.content.decode()


def _page_urls() -> list[str]:
    """Every URL pattern without arguments (pages, feeds, exports)."""
    urls: list[str] = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for p in patterns:
            route = str(p.pattern)
            if isinstance(p, URLResolver):
                if route.startswith(("api/", "admin/", "i18n/")):
                    continue
                walk(p.url_patterns, prefix + route)
            elif isinstance(p, URLPattern) and "<" not in route and "(" not in route and "^" not in route:
                urls.append("/" + prefix + route)

    walk(get_resolver().url_patterns, "")
    return sorted(set(urls))


HOSTILE_QUERY = (
    f"?page={BIG}&year=99999&field=abc&city=%E9%9D%92&status=zz&kind=zz&type=zz&sort=zz"
    f"&organizer={BIG}&tier=zz&from=abc&to=2026-13-45&since=abc&unread=x&mine=x&overdue=x&committee=x"
    f"&q=%27%22%3C%3E&tag=%F0%9F%98%80&month=99&topic=abc&org=abc&round=abc&level=abc&limit={BIG}"
)


def test_hostile_query_on_every_page(secretariat: Any, make_user: Any, park: Any) -> None:
    """The same hostile query string on every page without arguments, as the secretariat and anonymous:
    never a 5xx."""
    staff = Client(raise_request_exception=False)
    staff.force_login(secretariat)
    anonymous = Client(raise_request_exception=False)
    failures = []
    urls = _page_urls()
    assert len(urls) > 40, urls
    for url in urls:
        for client in (staff, anonymous):
            response = client.get(url + HOSTILE_QUERY)
            if response.status_code >= 500:
                failures.append((url, response.status_code))
    assert not failures, failures


def _unbounded(
    schema: dict[str, Any], components: dict[str, Any], where: str, seen: set[str], bounded: bool = False
) -> list[str]:
    """Integers without a maximum and dates without the year range, anywhere in a request schema
    (``bounded``: the enclosing anyOf carries the bound, as for ``int | None`` with a Field maximum)."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            return []
        seen.add(name)
        return _unbounded(components[name], components, f"{where}<{name}>", seen)
    found = []
    kind = schema.get("type")
    if kind == "integer" and "maximum" not in schema and not bounded:
        found.append(where)
    if kind == "string" and schema.get("format") in ("date", "date-time") and "x-year-max" not in schema:
        found.append(where)
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in schema.get(key, []):
            found += _unbounded(sub, components, where, seen, bounded="maximum" in schema)
    if "items" in schema:
        found += _unbounded(schema["items"], components, f"{where}[]", seen)
    for name, sub in schema.get("properties", {}).items():
        found += _unbounded(sub, components, f"{where}.{name}", seen)
    return found


def test_every_number_and_date_a_client_sends_is_bounded() -> None:
    """The next endpoint cannot forget: every integer in a query string or request body has a maximum
    (lianmeng.core.params types) and every date has the year range. Integers in the URL path are ids that
    Django looks up safely (out of range is a 404)."""
    from lianmeng.api import api

    document = api.get_openapi_schema()
    components = document.get("components", {}).get("schemas", {})
    unbounded = []
    for path, operations in document["paths"].items():
        for method, op in operations.items():
            label = f"{method.upper()} {path}"
            for parameter in op.get("parameters", []):
                if parameter["in"] != "path":
                    unbounded += _unbounded(
                        parameter["schema"], components, f"{label} ?{parameter['name']}", set()
                    )
            for media in op.get("requestBody", {}).get("content", {}).values():
                unbounded += _unbounded(media["schema"], components, f"{label} body", set())
    assert not unbounded, "\n".join(unbounded)

"""Pages: the calendar, the event page, registration, check-in, compliance; bounded query counts."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lianmeng.activities import services
from lianmeng.activities.commands import RegistrationCreate
from lianmeng.activities.models import Event, Registration

from .conftest import person

pytestmark = pytest.mark.django_db


def _client(user: Any = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_calendar_lists_published_not_drafts_with_filters(
    make_event: Callable[..., Event], other_park: Any, django_assert_max_num_queries: Any
) -> None:
    make_event(title="青岛论坛")
    make_event(title="青岛草稿", status="draft")
    make_event(title="烟台主题活动", organizer=other_park, kind="themed")
    for i in range(15):
        make_event(title=f"批量活动{i}", organizer=other_park)
    client = _client()
    with django_assert_max_num_queries(8):
        body = client.get(reverse("activities:calendar")).content.decode()
    assert "青岛论坛" in body and "青岛草稿" not in body
    body = client.get(reverse("activities:calendar"), {"city": "370600", "kind": "themed"}).content.decode()
    assert "烟台主题活动" in body and "青岛论坛" not in body


def test_month_view_places_events_on_their_shanghai_day(
    make_event: Callable[..., Event], django_assert_max_num_queries: Any
) -> None:
    event = make_event(title="月历中的论坛", starts_in=datetime.timedelta(days=40))
    local = timezone.localtime(event.starts_at)
    with django_assert_max_num_queries(8):
        response = _client().get(reverse("activities:month"), {"month": f"{local:%Y-%m}"})
    body = response.content.decode()
    assert f"{local.year}年{local.month}月" in body
    assert "月历中的论坛" in body
    assert f"{local.year}年{local.month}月{local.day}日" in body  # the phone list groups by day


def test_event_page_query_count_does_not_grow_with_registrations(
    make_event: Callable[..., Event], contact: Any, django_assert_max_num_queries: Any
) -> None:
    event = make_event(capacity=100)
    for i in range(30):
        services.registration_create(event=event, cmd=RegistrationCreate.build(person(i)), actor=None)
    client = _client(contact)
    with django_assert_max_num_queries(16):
        response = client.get(event.get_absolute_url())
    body = response.content.decode()
    assert "参会人29" in body
    assert "13900000029" in body  # organizers see mobiles


def test_public_sees_no_mobiles_and_no_drafts(
    make_event: Callable[..., Event], other_park: Any, make_user: Any
) -> None:
    event = make_event()
    draft = make_event(status="draft")
    services.registration_create(event=event, cmd=RegistrationCreate.build(person(1)), actor=None)
    assert _client().get(draft.get_absolute_url()).status_code == 404
    body = _client().get(event.get_absolute_url()).content.decode()
    assert "13900000001" not in body and "参会人1" not in body
    # A contact of another organization sees the people they registered, with the mobile masked.
    other_contact = make_user("member_contact", organization=other_park)
    services.registration_create(
        event=event, cmd=RegistrationCreate.build(person(2, organization_name="")), actor=other_contact
    )
    body = _client(other_contact).get(event.get_absolute_url()).content.decode()
    assert "参会人2" in body and "139****0002" in body
    assert "参会人1" not in body and "13900000002" not in body


def test_register_anonymously_then_ticket_with_qr(make_event: Callable[..., Event]) -> None:
    event = make_event(capacity=1)
    client = _client()
    response = client.post(reverse("activities:register", args=[event.pk]), person(1))
    assert response.status_code == 302
    ticket = client.get(response["Location"]).content.decode()
    reg = Registration.objects.get()
    assert reg.code_display in ticket and "<svg" in ticket
    response = client.post(reverse("activities:register", args=[event.pk]), {**person(2), "mobile": "123"})
    assert response.status_code == 422
    assert "手机号码应为以 1 开头的 11 位数字" in response.content.decode()
    client.post(reverse("activities:register", args=[event.pk]), person(3))
    waiting = Registration.objects.get(name="参会人3")
    assert waiting.status == "waitlisted"
    client.post(reverse("activities:ticket-cancel", args=[reg.token]))
    waiting.refresh_from_db()
    assert waiting.status == "registered"


def test_checkin_page_json_and_form(make_event: Callable[..., Event], contact: Any, make_user: Any) -> None:
    event = make_event()
    reg = services.registration_create(event=event, cmd=RegistrationCreate.build(person(1)), actor=None)
    url = reverse("activities:checkin", args=[event.pk])
    assert _client(make_user()).get(url).status_code == 403
    client = _client(contact)
    page = client.get(url).content.decode()
    assert "vendor/html5-qrcode/html5-qrcode.min.js" in page
    # The event is in ten days: confirmed check-in (tests/activities/test_checkin_timing.py asks first).
    response = client.post(url, {"code": reg.code.lower(), "confirm": "1"}, HTTP_ACCEPT="application/json")
    data = json.loads(response.content)
    assert (data["level"], data["attended"]) == ("success", 1)
    assert "参会人1" in data["message"]
    again = json.loads(
        client.post(url, {"code": reg.code, "confirm": "1"}, HTTP_ACCEPT="application/json").content
    )
    assert again["level"] == "warning" and "已于" in again["message"]
    bad = client.post(url, {"code": "XXXX", "confirm": "1"}, HTTP_ACCEPT="application/json")
    assert bad.status_code == 422


def test_coordinator_publishes_and_holds_through_pages(
    make_event: Callable[..., Event], coordinator: Any
) -> None:
    event = make_event(status="draft", starts_in=datetime.timedelta(hours=-4))
    client = _client(coordinator)
    client.post(reverse("activities:action", args=[event.pk, "publish"]))
    event.refresh_from_db()
    assert event.status == "published"
    response = client.post(reverse("activities:hold", args=[event.pk]), {"summary": "", "attendance": "x"})
    body = response.content.decode()
    assert "请填写活动总结" in body and "实到人数应为整数" in body
    client.post(reverse("activities:hold", args=[event.pk]), {"summary": "圆满成功", "attendance": "42"})
    event.refresh_from_db()
    assert (event.status, event.attendance) == ("held", 42)


def test_event_form_shows_field_errors(coordinator: Any, park: Any) -> None:
    client = _client(coordinator)
    response = client.post(
        reverse("activities:create"),
        {
            "title": "论坛",
            "kind": "forum",
            "organizer": park.pk,
            "starts_at": "2026-12-10T14:00",
            "ends_at": "2026-12-10T09:00",
            "audience": "public",
        },
    )
    body = response.content.decode()
    assert "结束时间不能早于开始时间" in body and "请填写活动地点或线上链接" in body
    assert not Event.objects.exists()


def test_compliance_page_visibility(
    make_event: Callable[..., Event], coordinator: Any, park: Any, other_park: Any, secretariat: Any
) -> None:
    year = timezone.localdate().year
    url = reverse("activities:compliance-year", args=[year])
    public = _client().get(url).content.decode()
    assert 'data-city="370200"' in public and "data-park=" not in public
    coordinator_page = _client(coordinator).get(url).content.decode()
    assert (
        f'data-park="{park.pk}"' in coordinator_page
        and f'data-park="{other_park.pk}"' not in coordinator_page
    )
    everything = _client(secretariat).get(url).content.decode()
    assert f'data-park="{other_park.pk}"' in everything


def test_desk_and_home_show_activities(make_event: Callable[..., Event], coordinator: Any) -> None:
    make_event(title="即将举办的峰会", kind="summit")
    make_event(title="待发布的论坛", status="draft")
    desk = _client(coordinator).get(reverse("core:desk")).content.decode()
    assert "我管理的活动" in desk and "待发布的论坛" in desk and "待发布" in desk
    assert "1+7+N 缺口" in desk
    home = _client().get(reverse("core:home")).content.decode()
    assert "即将举办的峰会" in home and "本年度活动" in home


def test_month_view_opens_on_the_next_month_with_events_and_says_so(make_event: Callable[..., Event]) -> None:
    today = timezone.localdate()
    first = today.replace(day=1)
    later = (first + datetime.timedelta(days=70)).replace(day=10)  # two months on, nothing before it
    event = make_event(
        title="两个月后的论坛",
        starts_in=timezone.make_aware(datetime.datetime(later.year, later.month, 10, 9, 30)) - timezone.now(),
    )
    body = _client().get(reverse("activities:month")).content.decode()
    assert f"{later.year}年{later.month}月" in body and event.title in body
    assert f"{first.year}年{first.month}月没有活动，这里显示有活动的下一个月。" in body
    assert f"month={first:%Y-%m}" in body  # a link back to the current month
    # Asking for the current month explicitly shows it, empty, without the notice.
    body = _client().get(reverse("activities:month"), {"month": f"{first:%Y-%m}"}).content.decode()
    assert "这里显示有活动的下一个月" not in body and event.title not in body.split('id="month-grid"')[1]


def test_month_view_stays_on_the_current_month_when_it_has_events(make_event: Callable[..., Event]) -> None:
    make_event(title="本月的论坛", starts_in=datetime.timedelta(minutes=1))
    make_event(title="下月的论坛", starts_in=datetime.timedelta(days=45))
    body = _client().get(reverse("activities:month")).content.decode()
    local = timezone.localtime(timezone.now() + datetime.timedelta(minutes=1))
    assert f"{local.year}年{local.month}月" in body and "本月的论坛" in body
    assert "这里显示有活动的下一个月" not in body

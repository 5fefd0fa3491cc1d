"""The preferences list only the kinds a person can receive by their roles (``models.RECEIVERS``)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from lianmeng.accounts.models import User
from lianmeng.notifications import services
from lianmeng.notifications.models import RECEIVERS, Kind
from tests.demo_snapshot import DEMO

pytestmark = pytest.mark.django_db


def test_every_kind_names_who_receives_it() -> None:
    assert set(RECEIVERS) == set(Kind.values)
    assert all(RECEIVERS[k] for k in Kind.values)


@pytest.fixture
def demo(db: None) -> None:
    DEMO.restore(settings.MEDIA_ROOT)


def _listed(username: str) -> set[str]:
    c = Client()
    c.force_login(User.objects.get(username=username))
    response = c.get("/notifications/preferences/")
    assert response.status_code == 200
    return set(re.findall(r'name="kind-([a-z_]+)"', response.content.decode()))


# (role, kinds that must be listed, kinds that must not)
EXPECTED: list[tuple[str, set[str], set[str]]] = [
    (
        "demo-member",
        {Kind.MATCH_REQUEST_RECEIVED, Kind.NOTICE_PUBLISHED, Kind.TASK_ASSIGNED, Kind.CONSULTATION_ANSWERED},
        {Kind.REVIEW_INVITATION, Kind.APPLICATION_RECEIVED, Kind.MOTION_OPENED, Kind.PUBLICITY_OBJECTION},
    ),
    (
        "demo-council",
        {Kind.MOTION_OPENED, Kind.MOTION_DECIDED, Kind.NOTICE_PUBLISHED, Kind.TASK_ASSIGNED},
        {Kind.REVIEW_INVITATION, Kind.APPLICATION_RECEIVED, Kind.MATCH_REQUEST_RECEIVED},
    ),
    (
        "demo-expert",
        {Kind.REVIEW_INVITATION, Kind.CONSULTATION_ASSIGNED, Kind.CONSULTATION_OVERDUE, Kind.EVENT_REMINDER},
        {Kind.APPLICATION_RECEIVED, Kind.MOTION_OPENED, Kind.MATCH_REQUEST_RECEIVED},
    ),
    (
        "demo-coordinator",
        {Kind.TASK_ASSIGNED, Kind.EVENT_REMINDER, Kind.NOTICE_PUBLISHED},  # the demo gave it a notice
        {Kind.REVIEW_INVITATION, Kind.APPLICATION_RECEIVED, Kind.MOTION_OPENED, Kind.MATCH_REQUEST_RECEIVED},
    ),
    (
        "demo-secretariat",
        {Kind.APPLICATION_RECEIVED, Kind.PUBLICITY_OBJECTION, Kind.CONSULTATION_OVERDUE, Kind.TASK_OVERDUE},
        {Kind.REVIEW_INVITATION, Kind.MOTION_OPENED, Kind.MATCH_REQUEST_RECEIVED, Kind.MEMBER_ADMITTED},
    ),
    (
        "demo-admin",
        {Kind.APPLICATION_RECEIVED, Kind.PUBLICITY_OBJECTION},
        {Kind.REVIEW_INVITATION, Kind.MOTION_OPENED, Kind.MATCH_REQUEST_RECEIVED},
    ),
]


def test_each_demo_role_sees_only_what_it_can_receive(demo: None) -> None:
    wrong = {}
    for username, listed, hidden in EXPECTED:
        shown = _listed(username)
        if not listed <= shown or hidden & shown:
            wrong[username] = {"missing": listed - shown, "not theirs": hidden & shown}
    assert not wrong, wrong
    # and fewer than every kind for each of them: the page is not the whole registry
    assert all(len(_listed(u)) < len(Kind.values) for u, _l, _h in EXPECTED)


def test_the_api_lists_the_same_kinds_as_the_page(demo: None, api: Any) -> None:
    expert = User.objects.get(username="demo-expert")
    kinds = [p["kind"] for p in api(expert).get("/api/v1/notifications/preferences").json()]
    assert set(kinds) == _listed("demo-expert") == set(services.receivable_kinds(expert))


def test_a_kind_received_before_stays_listed(make_user: Any) -> None:
    """Someone who was an expert keeps the setting of the invitations they received."""
    me, secretary = make_user(), make_user("secretariat")
    assert Kind.REVIEW_INVITATION not in services.receivable_kinds(me)
    services.notify(recipients=[me], kind=Kind.REVIEW_INVITATION, title="评审邀请", actor=secretary)
    assert Kind.REVIEW_INVITATION in services.receivable_kinds(me)


def test_an_anonymous_visitor_receives_nothing() -> None:
    from django.contrib.auth.models import AnonymousUser

    assert services.receivable_kinds(AnonymousUser()) == []

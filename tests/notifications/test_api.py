from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lianmeng.notifications import services
from lianmeng.notifications.models import Channel, Kind, Notification


def test_list_read_and_read_all(make_user: Callable[..., Any], api: Callable[[Any], Any]) -> None:
    me, other = make_user(), make_user()
    first = services.notify(recipients=[me], kind=Kind.TASK_ASSIGNED, title="任务一", url="/a/")[0]
    services.notify(recipients=[me], kind=Kind.NOTICE_PUBLISHED, title="通知二")
    theirs = services.notify(recipients=[other], kind=Kind.TASK_ASSIGNED, title="别人的")[0]
    c = api(me)
    body = c.get("/api/v1/notifications").json()
    assert body["count"] == 2 and not body["count_capped"]
    assert [i["title"] for i in body["items"]] == ["通知二", "任务一"]
    assert body["items"][1]["kind_label"] == "任务分派" and body["items"][1]["url"] == "/a/"

    r = c.post(f"/api/v1/notifications/{first.pk}/read")
    assert r.status_code == 200 and r.json()["read_at"] is not None
    assert [i["title"] for i in c.get("/api/v1/notifications?unread=true").json()["items"]] == ["通知二"]

    r = c.post(f"/api/v1/notifications/{theirs.pk}/read")
    assert r.status_code == 404 and r["Content-Type"].startswith("application/problem+json")
    assert c.post("/api/v1/notifications/999999/read").status_code == 404

    assert c.post("/api/v1/notifications/read-all").json() == {"marked": 1}
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    assert api(None).get("/api/v1/notifications").status_code == 401


def test_preferences_get_and_put(make_user: Callable[..., Any], api: Callable[[Any], Any]) -> None:
    me = make_user()
    c = api(me)
    prefs = {p["kind"]: p["channel"] for p in c.get("/api/v1/notifications/preferences").json()}
    # a person without a role receives what reaches anyone (tasks, events), not the council's motions
    assert set(prefs) == set(services.receivable_kinds(me)) and set(prefs.values()) == {Channel.MAIL}
    assert Kind.TASK_ASSIGNED in prefs and Kind.MOTION_OPENED not in prefs
    r = c.put(
        "/api/v1/notifications/preferences",
        {"preferences": [{"kind": Kind.TASK_ASSIGNED, "channel": Channel.IN_APP}]},
        content_type="application/json",
    )
    assert r.status_code == 200
    assert {p["kind"]: p["channel"] for p in r.json()}[Kind.TASK_ASSIGNED] == Channel.IN_APP
    r = c.put(
        "/api/v1/notifications/preferences",
        {"preferences": [{"kind": Kind.TASK_ASSIGNED, "channel": "pigeon"}]},
        content_type="application/json",
    )
    assert r.status_code == 422 and r["Content-Type"].startswith("application/problem+json")
    assert Kind.TASK_ASSIGNED in r.text

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from lianmeng.matchmaking.models import MatchRequest
from lianmeng.membership.commands import ApplicationSubmit
from lianmeng.notifications import services
from lianmeng.notifications.models import Channel, Kind, MailState, Notification, NotificationPreference

from . import failing_mail


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_a_failing_mail_server_does_not_turn_a_saved_request_into_an_error_page(
    settings: Any, fund_contact: Any, request_with_mail_down: Any
) -> None:
    response = request_with_mail_down
    assert response.status_code == 302
    req = MatchRequest.objects.get()
    assert response["Location"] == req.get_absolute_url()
    n = Notification.objects.get(recipient=fund_contact)
    assert n.kind == Kind.MATCH_REQUEST_RECEIVED and n.url == req.get_absolute_url()
    assert (
        n.mail_state == MailState.FAILED and failing_mail.CALLS["n"] == settings.NOTIFICATIONS_MAIL_ATTEMPTS
    )


def test_page_filters_and_marks_read_on_open(make_user: Callable[..., Any]) -> None:
    me, other = make_user(), make_user()
    services.notify(recipients=[me], kind=Kind.NOTICE_PUBLISHED, title="旧通知", url="/governance/")
    [fresh] = services.notify(recipients=[me], kind=Kind.TASK_ASSIGNED, title="新任务", url="/desk/")
    services.notify(recipients=[other], kind=Kind.TASK_ASSIGNED, title="别人的任务")
    c = _client(me)
    page = c.get("/notifications/").content.decode()
    assert "旧通知" in page and "新任务" in page and "别人的任务" not in page
    assert "2 条未读" in page

    response = c.post(f"/notifications/{fresh.pk}/open/")
    assert response.status_code == 302 and response["Location"] == "/desk/"
    unread = c.get("/notifications/?show=unread").content.decode()
    assert "旧通知" in unread and "新任务" not in unread
    read = c.get("/notifications/?show=read").content.decode()
    assert "新任务" in read and "旧通知" not in read

    # someone else's notification: the same 404 as a missing one, and it stays unread
    theirs = Notification.objects.get(recipient=other)
    assert c.post(f"/notifications/{theirs.pk}/open/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None

    c.post("/notifications/read-all/")
    assert not Notification.objects.filter(recipient=me, read_at__isnull=True).exists()


def test_open_never_redirects_off_site(make_user: Callable[..., Any]) -> None:
    me = make_user()
    [n] = services.notify(recipients=[me], kind=Kind.TASK_ASSIGNED, title="t", url="https://evil.example/")
    response = _client(me).post(f"/notifications/{n.pk}/open/")
    assert response["Location"] == "/notifications/"


def test_bell_fragment_counts_unread(make_user: Callable[..., Any], settings: Any) -> None:
    settings.NOTIFICATIONS_POLL_SECONDS = 7
    me = make_user()
    c = _client(me)
    assert 'data-unread="0"' in c.get("/notifications/bell/").content.decode()
    services.notify(recipients=[me], kind=Kind.TASK_ASSIGNED, title="t")
    fragment = c.get("/notifications/bell/").content.decode()
    assert 'data-unread="1"' in fragment and "every 7s" in fragment and "<html" not in fragment
    # the page itself renders the bell without counting (htmx loads the count)
    page = c.get("/notifications/preferences/").content.decode()
    assert 'id="lm-bell"' in page and "load, every 7s" in page and "htmx" in page


def test_notifications_page_queries_do_not_grow_with_rows(make_user: Callable[..., Any]) -> None:
    me, actor = make_user(), make_user()
    c = _client(me)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert c.get("/notifications/").status_code == 200
        return len(ctx.captured_queries)

    services.notify(recipients=[me], kind=Kind.TASK_ASSIGNED, title="t", actor=actor)
    few = count()
    for i in range(15):
        services.notify(recipients=[me], kind=Kind.TASK_ASSIGNED, title=f"t{i}", actor=actor)
    assert count() == few
    assert few <= 8


def test_preferences_page_saves_and_names_a_bad_choice(park_contact: Any) -> None:
    me = park_contact
    c = _client(me)
    page = c.get("/notifications/preferences/").content.decode()
    assert "收到对接请求" in page and "每日汇总" in page
    data = {f"kind-{k}": Channel.MAIL for k in services.receivable_kinds(me)}
    data[f"kind-{Kind.NOTICE_PUBLISHED}"] = Channel.DIGEST
    assert c.post("/notifications/preferences/", data).status_code == 302
    assert NotificationPreference.objects.get(user=me, kind=Kind.NOTICE_PUBLISHED).channel == Channel.DIGEST
    data[f"kind-{Kind.TASK_ASSIGNED}"] = "pigeon"
    data[f"kind-{Kind.NOTICE_PUBLISHED}"] = Channel.IN_APP
    response = c.post("/notifications/preferences/", data)
    assert response.status_code == 400
    assert "“任务分派”的接收方式须为" in response.content.decode()
    assert NotificationPreference.objects.get(user=me, kind=Kind.NOTICE_PUBLISHED).channel == Channel.DIGEST


def test_desk_shows_recent_updates(make_user: Callable[..., Any]) -> None:
    me = make_user()
    services.notify(recipients=[me], kind=Kind.MATCH_REQUEST_ANSWERED, title="对接请求有新答复", url="/desk/")
    page = _client(me).get("/desk/").content.decode()
    assert "最近动态" in page and "对接请求有新答复" in page


def test_returning_an_application_with_the_mail_server_down_still_succeeds(
    settings: Any, secretariat: Any, cities: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from lianmeng.membership import services as membership
    from tests.membership.test_services import application_data, letter

    application = membership.application_submit(
        cmd=ApplicationSubmit.build(application_data()), letter=letter()
    )
    # the secretariat was told in-app
    assert Notification.objects.filter(recipient=secretariat, kind=Kind.APPLICATION_RECEIVED).exists()
    settings.EMAIL_BACKEND = "tests.notifications.failing_mail.EmailBackend"
    failing_mail.CALLS.update(n=0, fail_first=10**6)
    with django_capture_on_commit_callbacks(execute=True):
        response = _client(secretariat).post(
            f"/members/applications/{application.pk}/",
            {"action": "return", "message": "请补充加盖公章的承诺书。"},
        )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == "returned"
    # the applicant's mail (no account: by the queue) was tried every time and never raised
    assert failing_mail.CALLS["n"] == settings.NOTIFICATIONS_MAIL_ATTEMPTS


def test_bell_poll_after_the_session_ended_stops_polling_instead_of_showing_the_login_page() -> None:
    client = Client()
    response = client.get("/notifications/bell/", HTTP_HX_REQUEST="true")
    assert response.status_code == 286 and response.content == b""
    response = client.get("/notifications/bell/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]

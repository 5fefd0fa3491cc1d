"""Absolute links in account mails come from SITE_URL, never from the request's Host header, and the
mails go through the worker's task queue."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from lianmeng.accounts.models import User
from lianmeng.membership import services as membership
from lianmeng.membership.commands import ApplicationDecision, ApplicationSubmit

pytestmark = pytest.mark.django_db

SITE = "https://lianmeng.example.cn"


@pytest.fixture(autouse=True)
def _site(settings: Any) -> None:
    settings.SITE_URL = SITE
    settings.DEBUG = True
    settings.ALLOWED_HOSTS = ["*"]


def reset_link(body: str) -> str:
    links = re.findall(r"https?://\S+", body)
    assert len(links) == 1, body
    return links[0]


def test_reset_mail_link_ignores_a_hostile_host_header(make_user: Any) -> None:
    user = make_user(username="zhou")
    response = Client().post("/accounts/password/reset/", {"email": user.email}, HTTP_HOST="evil.example.com")
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = reset_link(mail.outbox[0].body)
    assert link.startswith(SITE + "/accounts/password/reset/")
    assert "evil.example.com" not in mail.outbox[0].body
    # The link works on the site.
    path = link[len(SITE) :]
    assert Client().get(path, follow=True).status_code == 200


def test_reset_mail_is_a_background_task(make_user: Any, settings: Any) -> None:
    from django_tasks import default_task_backend

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    user = make_user(username="wu")
    Client().post("/accounts/password/reset/", {"email": user.email.upper()})
    queued = [(r.task.name, r.args) for r in default_task_backend.results]
    assert queued == [("password_reset_mail_send", [user.pk])]
    assert mail.outbox == []  # nothing was sent inside the request


def test_unknown_address_gets_no_mail_and_the_same_answer(make_user: Any) -> None:
    make_user(username="qi")
    response = Client().post("/accounts/password/reset/", {"email": "nobody@example.cn"})
    assert response.status_code == 302 and response["Location"] == "/accounts/password/reset/sent/"
    assert mail.outbox == []


def test_contact_created_on_admission_can_ask_for_a_reset_mail(
    cities: Any, secretariat: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from tests.membership.test_services import application_data, letter

    application = membership.application_submit(
        cmd=ApplicationSubmit.build(application_data()), letter=letter()
    )
    membership.application_review(
        application=application, cmd=ApplicationDecision.build(action="forward"), actor=secretariat
    )
    with django_capture_on_commit_callbacks(execute=True):
        membership.application_review(
            application=application, cmd=ApplicationDecision.build(action="admit"), actor=secretariat
        )
    contact = User.objects.get(username="13806421234")
    assert not contact.has_usable_password()
    invite = [m for m in mail.outbox if contact.email in m.to and "设置登录密码" in m.subject]
    assert invite and reset_link(invite[-1].body).startswith(SITE + "/accounts/password/reset/")

    # The invitation got lost: the contact asks again on the reset form, from a hostile Host.
    mail.outbox.clear()
    Client().post("/accounts/password/reset/", {"email": contact.email}, HTTP_HOST="evil.example.com")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [contact.email]
    link = reset_link(mail.outbox[0].body)
    assert link.startswith(SITE)
    client = Client()
    form_url = client.get(link[len(SITE) :], follow=True).redirect_chain[-1][0]
    client.post(form_url, {"new_password1": "haizhi-talent-2026", "new_password2": "haizhi-talent-2026"})
    assert Client().login(username="13806421234", password="haizhi-talent-2026")


def test_deactivated_account_gets_no_reset_mail(make_user: Any) -> None:
    user = make_user(username="gone", is_active=False)
    Client().post("/accounts/password/reset/", {"email": user.email})
    assert mail.outbox == []

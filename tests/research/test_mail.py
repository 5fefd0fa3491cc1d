"""Mails of a round: invitations (one per expert, with the count and the deadline), the new reviewer
after a decline, and the entrants' contacts when 公示 starts. Sent only once the transaction commits."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail

from lianmeng.research import services
from lianmeng.research.models import AssignmentStatus

from .test_flow import _score_all

pytestmark = pytest.mark.django_db


def test_each_invited_expert_gets_one_mail_with_count_deadline_and_link(
    round_with_entries: Callable[..., Any],
    make_expert: Callable[..., Any],
    secretariat: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    selection, _entries = round_with_entries(3)
    experts = [make_expert(city=c) for c in ("烟台", "日照", "滨州")]
    services.assignment_compute(selection=selection, mode="total", actor=secretariat)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.assignment_invite(selection=selection, actor=secretariat)
    assert mail.outbox == []  # nothing before the commit
    for callback in callbacks:
        callback()
    used = [x for x in experts if selection.assignments.filter(expert=x).exists()]
    assert len(mail.outbox) == len(used)  # one mail per invited expert, none to the unused
    for expert in used:
        (message,) = [m for m in mail.outbox if m.to == [expert.user.email]]
        n = selection.assignments.filter(expert=expert).count()
        assert selection.title in message.subject
        assert f"{n} 个参评项目" in message.body
        assert "2099-12-31" in message.body
        assert "/research/reviews/" in message.body


def test_a_decline_mails_only_the_new_reviewer(
    round_with_entries: Callable[..., Any],
    make_expert: Callable[..., Any],
    secretariat: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    selection, _entries = round_with_entries(2)
    experts = [make_expert(city=c) for c in ("烟台", "日照", "滨州")]
    services.assignment_compute(selection=selection, mode="total", actor=secretariat)
    with django_capture_on_commit_callbacks(execute=True):
        services.assignment_invite(selection=selection, actor=secretariat)
    mail.outbox.clear()
    declined = selection.assignments.filter(expert=experts[0]).first()
    with django_capture_on_commit_callbacks(execute=True):
        services.assignment_respond(assignment=declined, accept=False, reason="出差", actor=experts[0].user)
    new = selection.assignments.get(source="reassign", status=AssignmentStatus.INVITED)
    assert [m.to for m in mail.outbox] == [[new.expert.user.email]]
    assert "1 个参评项目" in mail.outbox[0].body


def test_publicity_mails_the_entrants_contacts_with_the_public_link(
    round_with_entries: Callable[..., Any],
    make_expert: Callable[..., Any],
    secretariat: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from lianmeng.accounts.models import Role, RoleAssignment

    selection, entries = round_with_entries(3)
    for c in ("烟台", "日照", "滨州"):
        make_expert(city=c)
    services.assignment_compute(selection=selection, mode="total", actor=secretariat)
    services.assignment_invite(selection=selection, actor=secretariat)
    _score_all(selection, {"零工": (9, 9), "海洋": (7, 8), "县域": (5, 5)})
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.round_transition(selection=selection, action="publish", actor=secretariat)
    assert len(mail.outbox) == 3
    for entry in entries:
        contacts = set(
            RoleAssignment.objects.filter(
                organization=entry.organization, role=Role.MEMBER_CONTACT
            ).values_list("user__email", flat=True)
        )
        (message,) = [m for m in mail.outbox if set(m.to) == contacts]
        assert entry.title in message.body
        assert f"/research/results/{selection.pk}/" in message.body
        assert "公示" in message.subject

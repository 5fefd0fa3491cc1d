"""Research forms with attachments report the form's, the fields' and the files' errors in one submit,
and store nothing (validate-only: no dry run that would store files)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from lianmeng.research.models import Entry, EntryFile
from tests.form_helpers import field_errors


def stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file() and "pending" not in p.parts]


def test_entry_missing_summary_and_a_fake_attachment(
    open_round: Callable[..., Any], make_org: Callable[..., Any], contact_for: Callable[..., Any]
) -> None:
    selection = open_round()
    org = make_org("青岛海纳人力资源有限公司")
    client = Client()
    client.force_login(contact_for(org))
    response = client.post(
        reverse("research:entry-new", args=[selection.pk]),
        {
            "title": "“就业驿站”服务模式",
            "authors": "赵海",
            "summary": "",  # the form's error
            "attachments": [SimpleUploadedFile("案例.pdf", b"<html>not a pdf</html>")],  # the file check
        },
    )
    errors = field_errors(response.content.decode())
    assert "summary" in errors
    assert "attachments" in errors and "文件类型" in errors["attachments"][0]
    assert not Entry.objects.exists() and not EntryFile.objects.exists()
    assert stored_files() == []


def test_proposal_missing_title_repeated_topic_and_a_fake_attachment(
    secretariat: Any, make_org: Callable[..., Any], contact_for: Callable[..., Any]
) -> None:
    import datetime

    from django.utils import timezone

    from lianmeng.research import services
    from lianmeng.research.models import Proposal, ProposalFile

    today = timezone.localdate()
    call = services.call_create(
        data={
            "year": today.year,
            "title": "年度课题指南",
            "opens_on": (today - datetime.timedelta(days=1)).isoformat(),
            "deadline": (today + datetime.timedelta(days=30)).isoformat(),
            "topics": [{"title": "零工市场服务研究", "max_budget": "10"}],
        },
        actor=secretariat,
    )
    services.call_transition(call=call, action="open", actor=secretariat)
    topic = call.topics.get()
    org = make_org("青岛海纳人力资源有限公司")
    contact = contact_for(org)
    good = {
        "topic": topic.pk,
        "title": "零工驿站",
        "leader": "赵海",
        "team": "赵海、钱江",
        "plan": "调研",
        "budget": "5",
    }
    services.proposal_submit(data=good, organization=org, actor=contact)
    client = Client()
    client.force_login(contact)
    response = client.post(
        reverse("research:proposal-new", args=[call.pk]),
        {
            **good,
            "title": "",  # the form's error
            "attachments": [SimpleUploadedFile("计划.pdf", b"<html>not a pdf</html>")],  # the file check
        },
    )
    errors = field_errors(response.content.decode())
    assert "title" in errors
    assert errors["topic"] == ["本单位已申报该课题，请勿重复申报"]
    assert "attachments" in errors
    assert Proposal.objects.count() == 1 and not ProposalFile.objects.exists()
    assert stored_files() == []


def test_entry_missing_summary_and_a_second_entry_of_the_same_organization(
    open_round: Callable[..., Any], make_org: Callable[..., Any], contact_for: Callable[..., Any]
) -> None:
    from lianmeng.research import services

    selection = open_round()
    org = make_org("青岛海纳人力资源有限公司")
    contact = contact_for(org)
    services.entry_submit(
        selection=selection,
        organization=org,
        data={"title": "零工驿站", "authors": "赵海", "summary": "案例简介"},
        actor=contact,
    )
    client = Client()
    client.force_login(contact)
    response = client.post(
        reverse("research:entry-new", args=[selection.pk]),
        {"title": "就业驿站", "authors": "赵海", "summary": ""},
    )
    errors = field_errors(response.content.decode())
    assert "summary" in errors
    assert errors["title"] == ["本评选每个单位限报一项，“青岛海纳人力资源有限公司”已申报"]
    assert Entry.objects.count() == 1


def test_entry_attachments_kept_across_a_failed_submit(
    open_round: Callable[..., Any], make_org: Callable[..., Any], contact_for: Callable[..., Any]
) -> None:
    pdf = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    selection = open_round()
    org = make_org("青岛海纳人力资源有限公司")
    client = Client()
    client.force_login(contact_for(org))
    url = reverse("research:entry-new", args=[selection.pk])
    data = {"title": "“就业驿站”服务模式", "authors": "赵海", "summary": ""}
    first = client.post(url, {**data, "attachments": [SimpleUploadedFile("案例.pdf", pdf)]}).content.decode()
    assert "summary" in field_errors(first)
    assert "已上传：案例.pdf（可更换）" in first
    tokens = re.findall(r'name="attachments__pending" value="([^"]+)"', first)
    client.post(url, {**data, "summary": "街道就业驿站的做法", "attachments__pending": tokens})
    entry = Entry.objects.get()
    assert [f.original_name for f in entry.files.all()] == ["案例.pdf"]

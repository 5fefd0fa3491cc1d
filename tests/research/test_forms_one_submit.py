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

from lianmeng.research.commands import CallCreate, EntrySubmit, ProposalSubmit
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
        cmd=CallCreate.build(
            {
                "year": today.year,
                "title": "年度课题指南",
                "opens_on": (today - datetime.timedelta(days=1)).isoformat(),
                "deadline": (today + datetime.timedelta(days=30)).isoformat(),
                "topics": [{"title": "零工市场服务研究", "max_budget": "10"}],
            }
        ),
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
    services.proposal_submit(cmd=ProposalSubmit.build(good), organization=org, actor=contact)
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
        cmd=EntrySubmit.build({"title": "零工驿站", "authors": "赵海", "summary": "案例简介"}),
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


def test_round_form_names_the_bad_rubric_rows_and_saves_a_good_round(secretariat: Any) -> None:
    from lianmeng.research.models import SelectionRound

    client = Client()
    client.force_login(secretariat)
    url = reverse("research:round-new")
    form = {
        "kind": "typical_case",
        "year": "2026",
        "title": "2026年度典型案例评选",
        "entries_close_on": "2099-11-30",
        "review_due_on": "2099-11-01",  # before the entries close
        "publicity_days": "7",
        "reviewers_per_entry": "3",
        "max_load": "6",
        "min_load": "0",
        "normalisation": "none",
        "criteria": "创新性｜三十｜10\n实用性｜70｜10",
        "first_percent": "10",
        "second_percent": "20",
    }
    errors = field_errors(client.post(url, form).content.decode())
    assert errors["criteria"] == ["第 1 项指标：权重应为数字"]
    assert errors["review_due_on"] == ["评审截止日期不能早于申报截止日期"]
    assert not SelectionRound.objects.exists()
    errors = field_errors(
        client.post(url, {**form, "criteria": "创新性｜30｜10\n实用性｜60｜10"}).content.decode()
    )
    assert errors["criteria"] == ["各指标权重之和应为 100%，当前为 90%"]
    saved = client.post(
        url, {**form, "review_due_on": "2099-12-31", "criteria": "创新性｜30｜10\n实用性｜70｜10"}
    )
    assert saved.status_code == 302
    selection = SelectionRound.objects.get()
    assert [(c.name, c.weight) for c in selection.criteria.all()] == [("创新性", 30), ("实用性", 70)]
    assert [(t.level, t.quota_percent) for t in selection.tiers.all()] == [("first", 10), ("second", 20)]


def test_call_form_numbers_its_topics(secretariat: Any) -> None:
    from lianmeng.research.models import TopicCall

    client = Client()
    client.force_login(secretariat)
    form = {
        "year": "2026",
        "title": "年度课题指南",
        "opens_on": "2026-03-01",
        "deadline": "2026-02-01",
        "topics": "零工市场服务研究｜零工市场｜10\n园区评价研究｜园区｜很多",
    }
    errors = field_errors(client.post(reverse("research:call-new"), form).content.decode())
    assert errors["deadline"] == ["申报截止日期不能早于开始日期"]
    assert errors["topics"] == ["第 2 个课题：资助上限（万元）应为数字"]
    form.update(deadline="2026-04-30", topics="零工市场服务研究｜零工市场｜10\n园区评价研究｜园区｜8")
    assert client.post(reverse("research:call-new"), form).status_code == 302
    call = TopicCall.objects.get()
    assert [(t.code, t.title, t.max_budget) for t in call.topics.all()] == [
        ("2026-01", "零工市场服务研究", 10),
        ("2026-02", "园区评价研究", 8),
    ]

"""Library forms report every error in one submit: a field the form itself rejects (missing) and a rule
only the service checks (an amount that is no number, a past date, a fake file) appear together, on their
fields, and nothing is saved. Files chosen in a failed submit are kept and attached on the next one."""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from lianmeng.accounts.models import Role
from lianmeng.core.actors import SYSTEM
from lianmeng.core.models import AuditEntry
from lianmeng.library.commands import AchievementCreate, CommitteeAppoint, ConsultationAsk, ConsultationAssign
from lianmeng.library.models import Achievement, Consultation, Expert, Landing, Project
from tests.form_helpers import client_for, field_errors

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@pytest.fixture
def contact(make_org: Any, make_user: Any) -> Any:
    org = make_org("青岛海纳人力资源有限公司")
    return make_user(Role.MEMBER_CONTACT, organization=org)


def test_expert_form_missing_name_and_bad_mobile_at_once(secretariat: Any, cities: Any) -> None:
    before = Expert.objects.count()
    response = client_for(secretariat).post(
        reverse("library:expert-create"),
        {
            "name": "",
            "city": cities["青岛"].code,
            "title": "senior",
            "availability": "available",
            "mobile": "123",
        },
    )
    errors = field_errors(response.content.decode())
    assert "name" in errors and "mobile" in errors
    assert "11 位" in errors["mobile"][0]
    assert Expert.objects.count() == before
    assert not AuditEntry.objects.filter(action="expert.create").exists()


def test_project_form_missing_summary_and_bad_investment_at_once(secretariat: Any, make_org: Any) -> None:
    lead = make_org("青岛人力资源服务产业园")
    response = client_for(secretariat).post(
        reverse("library:project-create"),
        {
            "name": "人才飞地",
            "summary": "",
            "lead_organization": lead.pk,
            "cities": ["370200"],
            "planned_investment": "很多",
        },
    )
    errors = field_errors(response.content.decode())
    assert "summary" in errors
    assert "数字" in errors["planned_investment"][0]
    assert not Project.objects.exists()


def test_project_edit_reports_both_kinds_of_error(secretariat: Any, make_org: Any, make_project: Any) -> None:
    lead = make_org("青岛人力资源服务产业园")
    project = make_project("人才飞地", lead=lead)
    response = client_for(secretariat).post(
        reverse("library:project-edit", args=[project.pk]),
        {
            "name": "",
            "summary": "简介",
            "lead_organization": lead.pk,
            "cities": ["370200"],
            "planned_investment": "abc",
            "version": project.version,
        },
    )
    errors = field_errors(response.content.decode())
    assert "name" in errors and "planned_investment" in errors
    project.refresh_from_db()
    assert project.name == "人才飞地"


def test_landing_form_missing_city_and_bad_investment_at_once(
    secretariat: Any, make_org: Any, make_project: Any
) -> None:
    project = make_project("人才飞地", lead=make_org("青岛人力资源服务产业园"))
    project.stage = "incubating"
    project.save(update_fields=["stage"])
    page = client_for(secretariat).get(reverse("library:project-landing", args=[project.pk])).content.decode()
    assert 'type="number" name="jobs"' in page  # a count is a number input
    response = client_for(secretariat).post(
        reverse("library:project-landing", args=[project.pk]),
        {"city": "", "date": timezone.localdate().isoformat(), "investment": "一百"},
    )
    errors = field_errors(response.content.decode())
    assert "city" in errors and "investment" in errors
    assert not Landing.objects.exists()


def test_achievement_missing_title_bad_year_and_fake_file_at_once(contact: Any) -> None:
    fake = SimpleUploadedFile("报告.pdf", b"<html>not a pdf</html>", content_type="application/pdf")
    response = client_for(contact).post(
        reverse("library:achievement-create"),
        {
            "title": "",
            "kind": "research_report",
            "authors": "李明",
            "year": "一九",
            "visibility": "public",
            "attachments": [fake],
        },
    )
    errors = field_errors(response.content.decode())
    assert {"title", "year", "attachments"} <= set(errors)
    assert "报告.pdf" in errors["attachments"][0]
    assert not Achievement.objects.exists()


def test_achievement_files_kept_across_a_failed_submit_and_attached(contact: Any) -> None:
    client = client_for(contact)
    url = reverse("library:achievement-create")
    data = {"title": "", "kind": "research_report", "authors": "李明", "year": "2025", "visibility": "public"}
    first = client.post(
        url,
        {
            **data,
            "attachments": [
                SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf"),
                SimpleUploadedFile("b.pdf", PDF, content_type="application/pdf"),
            ],
        },
    )
    html = first.content.decode()
    assert set(field_errors(html)) == {"title"}
    assert "已上传：a.pdf、b.pdf（可更换）" in html
    tokens = re.findall(r'name="attachments__pending" value="([^"]+)"', html)
    assert len(tokens) == 2
    second = client.post(
        url, {**data, "title": "胶东人力资源报告", "attachments__pending": tokens}, follow=True
    )
    achievement = Achievement.objects.get()
    assert sorted(f.original_name for f in achievement.files.all()) == ["a.pdf", "b.pdf"]
    assert "附上 2 个文件" in second.content.decode()
    assert list((Path(settings.MEDIA_ROOT) / "pending").iterdir()) == []  # discarded once stored


def test_consultation_missing_question_past_date_and_kept_attachment(contact: Any) -> None:
    client = client_for(contact)
    url = reverse("library:consultation-create")
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    first = client.post(
        url,
        {
            "title": "人才政策咨询",
            "question": "",
            "urgency": "normal",
            "due_date": yesterday,
            "attachments": [SimpleUploadedFile("材料.pdf", PDF, content_type="application/pdf")],
        },
    )
    html = first.content.decode()
    errors = field_errors(html)
    assert "question" in errors and "不能早于今天" in errors["due_date"][0]
    assert "已上传：材料.pdf（可更换）" in html
    assert not Consultation.objects.exists()
    tokens = re.findall(r'name="attachments__pending" value="([^"]+)"', html)
    client.post(
        url,
        {
            "title": "人才政策咨询",
            "question": "请问人才公寓的申请条件？",
            "urgency": "normal",
            "attachments__pending": tokens,
        },
    )
    consultation = Consultation.objects.get()
    assert [a.original_name for a in consultation.attachments.all()] == ["材料.pdf"]


def test_import_file_kept_after_the_check_and_imported_without_choosing_it_again(secretariat: Any) -> None:
    client = client_for(secretariat)
    url = reverse("library:import", args=["achievements"])
    csv_text = "成果名称,成果类型,作者,年度\n园区报告,研究报告,甲,2025\n"
    upload = SimpleUploadedFile("成果.csv", csv_text.encode("utf-8-sig"), content_type="text/csv")
    checked = client.post(url, {"file": upload, "run": "0"}).content.decode()
    assert "全部通过检查" in checked and "已上传：成果.csv（可更换）" in checked
    assert "导入将按文件新建成果记录" in checked  # the import asks first
    assert not Achievement.objects.exists()
    token = re.search(r'name="file__pending" value="([^"]+)"', checked)
    assert token
    imported = client.post(url, {"file__pending": token.group(1), "run": "1"}, follow=True).content.decode()
    assert "已导入 1 行成果" in imported
    assert Achievement.objects.get().title == "园区报告"
    assert list((Path(settings.MEDIA_ROOT) / "pending").iterdir()) == []


def test_consultation_answer_errors_shown_on_the_field(
    contact: Any, secretariat: Any, make_expert: Any, make_user: Any
) -> None:
    from lianmeng.library import services
    from lianmeng.library.models import ConsultationAnswer

    user = make_user(Role.EXPERT)
    expert = make_expert("齐林", user=user)
    today = timezone.localdate()
    services.committee_appoint(
        expert=expert,
        cmd=CommitteeAppoint.build(
            post="member",
            term_start=today - datetime.timedelta(days=1),
            term_end=today + datetime.timedelta(days=700),
        ),
        actor=SYSTEM,
    )
    consultation = services.consultation_ask(
        cmd=ConsultationAsk.build(
            {"title": "平台用工咨询", "question": "外卖骑手的劳动关系如何认定？", "urgency": "normal"}
        ),
        actor=contact,
    )
    services.consultation_assign(
        consultation=consultation, cmd=ConsultationAssign.build(experts=[expert]), actor=secretariat
    )
    url = reverse("library:consultation", args=[consultation.pk])
    client = client_for(user)
    empty = field_errors(client.post(url, {"action": "answer", "text": ""}).content.decode())
    assert list(empty) == ["text"]
    short = field_errors(client.post(url, {"action": "answer", "text": "可以"}).content.decode())
    assert "至少 10 个字" in short["text"][0]
    assert not ConsultationAnswer.objects.exists()
    done = client.post(url, {"action": "answer", "text": "应按实际用工管理程度认定劳动关系。"}, follow=True)
    assert "答复已提交，已通知提问单位" in done.content.decode()


def test_achievement_edit_adds_the_chosen_files(contact: Any) -> None:
    from lianmeng.library import services

    achievement = services.achievement_create(
        cmd=AchievementCreate.build(
            {"title": "园区报告", "kind": "research_report", "authors": "李明", "year": "2025"}
        ),
        files=[SimpleUploadedFile("旧.pdf", PDF, content_type="application/pdf")],
        actor=contact,
    )
    url = reverse("library:achievement-edit", args=[achievement.pk])
    data = {
        "title": "园区报告（修订）",
        "kind": "research_report",
        "authors": "李明",
        "year": "2025",
        "visibility": "public",
        "version": achievement.version,
    }
    client = client_for(contact)
    failed = client.post(url, {**data, "year": "1800", "attachments": [SimpleUploadedFile("新.pdf", PDF)]})
    assert "year" in field_errors(failed.content.decode())
    assert achievement.files.count() == 1  # nothing stored while the form has errors
    token = re.findall(r'name="attachments__pending" value="([^"]+)"', failed.content.decode())
    done = client.post(url, {**data, "attachments__pending": token}, follow=True)
    assert "附上 1 个文件" in done.content.decode()
    assert sorted(f.original_name for f in achievement.files.all()) == ["新.pdf", "旧.pdf"]

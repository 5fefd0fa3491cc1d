"""The libraries' API: the project flow, personal data, files, consultations, problems."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from lianmeng.library import services
from lianmeng.library.commands import AchievementCreate, CommitteeAppoint, ConsultationAsk
from lianmeng.library.models import CommitteeMembership

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _post(client: Any, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def test_project_flow_through_the_api(make_org: Any, make_user: Any, secretariat: Any, api: Any) -> None:
    park = make_org("中国青岛人力资源服务产业园")
    yantai = make_org("中国烟台人力资源服务产业园", city="烟台")
    member = api(make_user("member_contact", organization=park))
    created = _post(
        member,
        "/api/v1/projects",
        {
            "name": "胶东人才聯盟平台",
            "summary": "七市协同招聘",
            "lead_organization": park.pk,
            "partner_organizations": [yantai.pk],
            "cities": ["370200"],
            "strategy_tags": ["一带一路"],
            "integration_tags": ["technology"],
        },
    )
    assert created.status_code == 201, created.content
    pid = created.json()["id"]
    assert created.json()["stage"] == "proposed"
    refused = _post(member, f"/api/v1/projects/{pid}/transition", {"to": "evaluating"})
    assert refused.status_code == 403
    assert refused["Content-Type"].startswith("application/problem+json")
    office = api(secretariat)
    for to in ("evaluating", "incubating"):
        assert _post(office, f"/api/v1/projects/{pid}/transition", {"to": to}).status_code == 200
    bad = _post(
        office, f"/api/v1/projects/{pid}/landings", {"city": "370600", "park": park.pk, "date": "2026-02-30"}
    )
    assert bad.status_code == 422
    assert set(bad.json()["errors"]) == {"date"}  # the body's own checks come first (the command)
    elsewhere = _post(
        office, f"/api/v1/projects/{pid}/landings", {"city": "370600", "park": park.pk, "date": "2026-02-28"}
    )
    assert elsewhere.status_code == 422
    assert set(elsewhere.json()["errors"]) == {"park"}  # then the rules that need the database
    for city, org in (("370200", park), ("370600", yantai)):
        ok = _post(
            office,
            f"/api/v1/projects/{pid}/landings",
            {"city": city, "park": org.pk, "date": "2026-03-01", "investment": "100", "jobs": 5},
        )
        assert ok.status_code == 201
    detail = _post(office, f"/api/v1/projects/{pid}/transition", {"to": "landed"}).json()
    assert detail["stage"] == "landed"
    assert [h["to_stage"] for h in detail["history"]] == ["proposed", "evaluating", "incubating", "landed"]
    assert detail["history"][-1]["actor"] == "王秘书"
    by_city = {r["city"]: r["projects"] for r in api(None).get("/api/v1/landings/by-city").json()}
    assert by_city["370200"] == 1 and by_city["370600"] == 1
    public = api(None).get("/api/v1/projects").json()["items"]
    assert [p["id"] for p in public] == [pid]


def test_expert_personal_data_only_for_secretariat_and_self(
    make_expert: Any, make_user: Any, secretariat: Any, api: Any
) -> None:
    user = make_user("expert")
    expert = make_expert(
        "刘教授", user=user, mobile="13800001111", publish_consent=True, biography="海洋人才"
    )
    hidden = make_expert("张专家", publish_consent=False)
    anonymous = api(None).get(f"/api/v1/experts/{expert.pk}").json()
    assert anonymous["mobile"] is None and anonymous["biography"] == "海洋人才"
    assert api(None).get(f"/api/v1/experts/{hidden.pk}").status_code == 404
    member = api(make_user("member_contact")).get(f"/api/v1/experts/{hidden.pk}").json()
    assert member["mobile"] is None and member["biography"] == ""
    assert api(user).get(f"/api/v1/experts/{expert.pk}").json()["mobile"] == "13800001111"
    assert api(secretariat).get(f"/api/v1/experts/{expert.pk}").json()["mobile"] == "13800001111"
    patched = api(user).patch(
        f"/api/v1/experts/{expert.pk}", json.dumps({"title": "junior"}), content_type="application/json"
    )
    assert patched.status_code == 422
    assert patched.json()["errors"]["title"] == ["只有秘书处可以修改此项"]


def test_export_masks_personal_data(make_expert: Any, make_user: Any, secretariat: Any, api: Any) -> None:
    make_expert("刘教授", mobile="13800001111", email="liu@example.cn", publish_consent=True)
    member_csv = api(make_user("member_contact")).get("/api/v1/exports/experts.csv")
    assert member_csv.status_code == 200
    assert member_csv.content.startswith(b"\xef\xbb\xbf")
    text = member_csv.content.decode("utf-8-sig")
    assert "138****1111" in text and "13800001111" not in text and "l***@example.cn" in text
    office = api(secretariat).get("/api/v1/exports/experts.csv").content.decode("utf-8-sig")
    assert "13800001111" in office
    xlsx = api(secretariat).get("/api/v1/exports/experts.xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert api(None).get("/api/v1/exports/experts.csv").status_code == 401


def test_achievement_files_checked_by_content_and_served_by_permission(
    make_org: Any, make_user: Any, api: Any
) -> None:
    org = make_org("青岛大学", kind="university")
    contact = make_user("member_contact", organization=org)
    a = services.achievement_create(
        cmd=AchievementCreate.build(
            {
                "kind": "paper",
                "title": "园区研究",
                "authors": "甲、乙、丙、丁",
                "year": 2026,
                "visibility": "private",
                "publisher": "人力资源研究",
            }
        ),
        actor=contact,
    )
    fake = SimpleUploadedFile("report.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    refused = api(contact).post(f"/api/v1/achievements/{a.pk}/files", {"file": fake})
    assert refused.status_code == 422
    assert "按文件内容判断" in refused.json()["errors"]["file"][0]
    ok = api(contact).post(
        f"/api/v1/achievements/{a.pk}/files", {"file": SimpleUploadedFile("报告.pdf", PDF)}
    )
    assert ok.status_code == 201
    url = ok.json()["url"]
    assert api(contact).get(url).status_code == 200
    assert api(None).get(url).status_code == 404
    assert api(make_user("member_contact")).get(url).status_code == 404
    citation = api(contact).get(f"/api/v1/achievements/{a.pk}/citation").content.decode()
    assert citation.strip() == "甲, 乙, 丙, 等. 园区研究[J]. 人力资源研究, 2026."
    bib = api(contact).get(f"/api/v1/achievements/{a.pk}/citation?format=bibtex").content.decode()
    assert bib.startswith("@article{jia2026_") and "author = {甲 and 乙 and 丙 and 丁}" in bib


def test_consultation_flow_excludes_conflicts(
    make_org: Any, make_user: Any, make_expert: Any, make_project: Any, secretariat: Any, api: Any
) -> None:
    asking = make_org("中国青岛人力资源服务产业园")
    contact = make_user("member_contact", organization=asking)
    same_org = make_expert("本单位专家", organization=asking)
    conflicted = make_expert("回避专家", declared_conflicts=[asking.pk], fields=["劳动关系"])
    expert_user = make_user("expert")
    good = make_expert("刘教授", user=expert_user, fields=["劳动关系"], keywords="平台用工")
    for e in (same_org, conflicted, good):
        CommitteeMembership.objects.create(
            expert=e, post="member", term_start=datetime.date(2025, 1, 1), term_end=datetime.date(2030, 1, 1)
        )
    member = api(contact)
    created = _post(
        member,
        "/api/v1/consultations",
        {"title": "平台用工风险", "question": "平台用工如何认定劳动关系？", "field": "劳动关系"},
    )
    assert created.status_code == 201, created.content
    cid = created.json()["id"]
    suggestions = api(secretariat).get(f"/api/v1/consultations/{cid}/suggestions").json()
    assert [s["name"] for s in suggestions] == ["刘教授"]
    refused = _post(
        api(secretariat), f"/api/v1/consultations/{cid}/assign", {"experts": [conflicted.pk, same_org.pk]}
    )
    assert refused.status_code == 422
    assert len(refused.json()["errors"]["experts"]) == 2
    assert (
        _post(api(secretariat), f"/api/v1/consultations/{cid}/assign", {"experts": [good.pk]}).json()[
            "status"
        ]
        == "assigned"
    )
    project = make_project("平台项目", lead=asking)
    answered = _post(
        api(expert_user),
        f"/api/v1/consultations/{cid}/answer",
        {"text": "建议区分管理强度，依法签订协议并参加职业伤害保障。"},
    )
    assert answered.status_code == 200, answered.content
    answer_id = answered.json()["answers"][0]["id"]
    attached = _post(member, f"/api/v1/projects/{project.pk}/evaluations", {"answer": answer_id})
    assert attached.status_code == 201, attached.content
    assert project.evaluations.count() == 1
    assert _post(member, f"/api/v1/consultations/{cid}/rate", {"rating": 6}).status_code == 422
    rated = _post(member, f"/api/v1/consultations/{cid}/rate", {"rating": 5, "comment": "很有帮助"})
    assert rated.json()["status"] == "rated"
    assert _post(member, f"/api/v1/consultations/{cid}/rate", {"rating": 4}).status_code == 422


def test_overdue_consultations_are_reminded_once_a_day(
    make_org: Any, make_user: Any, secretariat: Any, mailoutbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from lianmeng.library.models import Consultation
    from lianmeng.library.tasks import remind_overdue_consultations

    org = make_org("园区")
    contact = make_user("member_contact", organization=org)
    c = services.consultation_ask(
        cmd=ConsultationAsk.build({"title": "逾期问题", "question": "请尽快答复"}), actor=contact
    )
    Consultation.objects.filter(pk=c.pk).update(due_date=datetime.date(2020, 1, 1))
    with django_capture_on_commit_callbacks(execute=True):
        result = remind_overdue_consultations.enqueue()
    assert result.return_value == 1
    assert remind_overdue_consultations.enqueue().return_value == 0
    assert any("已逾期" in m.subject for m in mailoutbox)


def test_expert_list_and_committee(make_expert: Any, secretariat: Any, api: Any) -> None:
    chair = make_expert("甲主任", publish_consent=True, mobile="13800002222", fields=["劳动关系"])
    make_expert("乙委员", publish_consent=True)
    make_expert("丙未公开", publish_consent=False)
    services.committee_appoint(
        expert=chair,
        cmd=CommitteeAppoint.build(
            post="chair", term_start=datetime.date(2025, 1, 1), term_end=datetime.date(2030, 1, 1)
        ),
        actor=secretariat,
    )
    public = api(None).get("/api/v1/experts").json()
    assert public["count"] == 2
    assert all(item["mobile"] is None for item in public["items"])
    office = api(secretariat).get("/api/v1/experts", {"q": "主任"}).json()
    assert [item["name"] for item in office["items"]] == ["甲主任"]
    assert office["items"][0]["mobile"] == "13800002222"
    committee = api(None).get("/api/v1/committee").json()
    assert [(c["name"], c["post_label"]) for c in committee] == [("甲主任", "主任")]


def test_expert_count_stops_at_the_cap(make_expert: Any, api: Any, monkeypatch: Any) -> None:
    """Every API list counts at most COUNT_CAP rows (a COUNT of 200,000 projects took 0.5 s at national
    scale): above it `count` is the cap and `count_capped` says there are more."""
    from lianmeng.core import pagination

    monkeypatch.setattr(pagination, "COUNT_CAP", 2)
    for name in ("甲专家", "乙专家", "丙专家"):
        make_expert(name, publish_consent=True)
    body = api(None).get("/api/v1/experts").json()
    assert (body["count"], body["count_capped"], len(body["items"])) == (2, True, 3)
    body = api(None).get("/api/v1/experts", {"q": "乙专家"}).json()
    assert (body["count"], body["count_capped"]) == (1, False)

"""The API a secretariat, members and experts use, end to end, with problem+json on bad input."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from lianmeng.library.models import Achievement
from lianmeng.research.commands import ObjectionAnswer
from lianmeng.research.models import SelectionRound

from .conftest import ROUND_DATA, end_publicity

pytestmark = pytest.mark.django_db


def test_round_through_the_api(
    api: Callable[..., Any],
    secretariat: Any,
    make_org: Callable[..., Any],
    contact_for: Callable[..., Any],
    make_expert: Callable[..., Any],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    sec = api(secretariat)
    bad = sec.post(
        "/api/v1/selections",
        {**ROUND_DATA, "criteria": [{"name": "创新性", "weight": 40}]},
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert bad["Content-Type"].startswith("application/problem+json")
    assert "权重之和应为 100%" in bad.json()["errors"]["criteria"][0]
    assert SelectionRound.objects.count() == 0  # nothing half-saved
    created = sec.post("/api/v1/selections", ROUND_DATA, content_type="application/json")
    assert created.status_code == 201, created.content
    rid = created.json()["id"]
    assert created.json()["status"] == "entries"
    orgs = [make_org(f"接口园区{i}", city=c) for i, c in enumerate(("青岛", "潍坊", "威海"))]
    for i, org in enumerate(orgs):
        r = api(contact_for(org)).post(
            f"/api/v1/selections/{rid}/entries",
            {"title": f"案例{i}", "authors": f"作者{i}", "summary": "园区服务实践", "keywords": "园区运营"},
            content_type="application/json",
        )
        assert r.status_code == 201, r.content
        again = api(contact_for(org)).post(
            f"/api/v1/selections/{rid}/entries",
            {"title": "第二项", "authors": "某", "summary": "再报一项"},
            content_type="application/json",
        )
        assert again.status_code == 422 and "限报一项" in again.json()["detail"]
        sec.post(
            f"/api/v1/selections/{rid}/entries/{r.json()['id']}/transition",
            {"action": "accept"},
            content_type="application/json",
        )
    assert (
        sec.post(
            f"/api/v1/selections/{rid}/transition",
            {"action": "start_review"},
            content_type="application/json",
        ).status_code
        == 200
    )
    experts = [make_expert(city=c, keywords="园区运营") for c in ("烟台", "日照", "滨州")]
    with django_capture_on_commit_callbacks(execute=True):  # the worker's part runs at the commit
        started = sec.post(
            f"/api/v1/selections/{rid}/assignment", {"mode": "fair"}, content_type="application/json"
        )
    assert started.status_code == 202 and started.json()["status"] == "queued"
    job = sec.get(started.json()["status_url"]).json()
    assert job["status"] == "done" and job["figures"]["mode"] == "fair"
    assert job["ceiling"] >= job["best_worst"] and job["gap"] is not None
    assert not SelectionRound.objects.get(pk=rid).assignments.exists()  # nothing applied yet
    result = sec.post(f"{started.json()['status_url']}/apply").json()
    assert len(result["pairs"]) == 6 and result["figures"]["mode"] == "fair"
    assert all(p["explanation"] for p in result["pairs"])
    assert sec.post(f"/api/v1/selections/{rid}/invite").json() == {"invited": 6}
    for n, expert in enumerate(experts):
        client = api(expert.user)
        for review in client.get("/api/v1/reviews").json():
            scores = {
                str(s["criterion"]): {"score": 9 - n, "comment": "好"} for s in review["scores"]
            } or None
            if scores is None:
                crit = SelectionRound.objects.get(pk=rid).criteria.all()
                scores = {str(c.pk): {"score": 9 - n, "comment": "好"} for c in crit}
            saved = client.put(
                f"/api/v1/reviews/{review['id']}", {"scores": scores}, content_type="application/json"
            )
            assert saved.status_code == 200 and saved.json()["status"] == "draft"
            done = client.post(f"/api/v1/reviews/{review['id']}/submit")
            assert done.status_code == 200 and done.json()["status"] == "submitted"
            locked = client.put(
                f"/api/v1/reviews/{review['id']}", {"scores": scores}, content_type="application/json"
            )
            assert locked.status_code == 422 and "锁定" in locked.json()["detail"]
    assert (
        sec.post(
            f"/api/v1/selections/{rid}/transition", {"action": "publish"}, content_type="application/json"
        ).status_code
        == 200
    )
    public = api(None).get(f"/api/v1/selections/{rid}/results").json()
    assert [r["rank"] for r in public] == [1, 2, 3]
    assert public[0]["award_label"] == "一等奖"
    objection = api(None).post(
        f"/api/v1/selections/{rid}/objections",
        {"name": "王五", "contact": "13900000000", "reasons": "对第一名的评审过程有疑问，请说明。"},
        content_type="application/json",
    )
    assert objection.status_code == 201
    end_publicity(SelectionRound.objects.get(pk=rid))
    refused = sec.post(f"/api/v1/selections/{rid}/finalise")
    assert refused.status_code == 422 and "异议" in refused.json()["detail"]
    from lianmeng.research.models import Objection
    from lianmeng.research.services import objection_respond

    objection_respond(
        objection=Objection.objects.get(),
        cmd=ObjectionAnswer.build(outcome="dismissed", response="评审过程符合规则。"),
        actor=secretariat,
    )
    final = sec.post(f"/api/v1/selections/{rid}/finalise").json()
    assert final["status"] == "final" and len(final["achievements"]) == 2
    assert Achievement.objects.filter(pk__in=final["achievements"], source="selection").count() == 2


def test_topics_through_the_api(
    api: Callable[..., Any], secretariat: Any, make_org: Callable[..., Any], contact_for: Callable[..., Any]
) -> None:
    sec = api(secretariat)
    call = sec.post(
        "/api/v1/topics/calls",
        {
            "year": 2026,
            "title": "2026年度课题指南",
            "opens_on": "2026-01-01",
            "deadline": "2099-12-31",
            "topics": [{"title": "园区评价研究", "keywords": "园区评价", "max_budget": "8"}],
        },
        content_type="application/json",
    )
    assert call.status_code == 201 and call.json()["status"] == "open"
    topic = call.json()["topics"][0]["id"]
    org = make_org("申报园区")
    member = api(contact_for(org))
    proposal = {"topic": topic, "title": "评价研究", "leader": "张三", "team": "张三、李四", "plan": "调研"}
    over = member.post(
        "/api/v1/topics/proposals", {**proposal, "budget": "9"}, content_type="application/json"
    )
    assert over.status_code == 422 and "资助上限" in over.json()["errors"]["budget"][0]
    ok = member.post(
        "/api/v1/topics/proposals", {**proposal, "budget": "7.5"}, content_type="application/json"
    )
    assert ok.status_code == 201
    pid = ok.json()["id"]
    assert (
        member.post(
            f"/api/v1/topics/proposals/{pid}/transition",
            {"action": "approve"},
            content_type="application/json",
        ).status_code
        == 403
    )
    approved = sec.post(
        f"/api/v1/topics/proposals/{pid}/transition", {"action": "approve"}, content_type="application/json"
    )
    assert approved.json()["status"] == "approved" and approved.json()["approved_on"]
    early = sec.post(
        f"/api/v1/topics/proposals/{pid}/transition", {"action": "complete"}, content_type="application/json"
    )
    assert early.status_code == 422
    assert [p["id"] for p in member.get("/api/v1/topics/proposals").json()["items"]] == [pid]
    assert api(contact_for(make_org("别家"))).get("/api/v1/topics/proposals").json()["items"] == []

"""Pages: what each role sees, bad input at the field, bounded queries per page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from lianmeng.research import services
from lianmeng.research.commands import ReviewSave
from lianmeng.research.models import AssignmentStatus, Review

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def reviewing(
    round_with_entries: Callable[..., Any], make_expert: Callable[..., Any], secretariat: Any
) -> Any:
    selection, entries = round_with_entries(5, max_load=4)
    experts = [make_expert(city=c, keywords="零工市场、人才飞地") for c in ("烟台", "日照", "滨州", "东营")]
    services.assignment_compute(selection=selection, mode="total", actor=secretariat)
    services.assignment_invite(selection=selection, actor=secretariat)
    return selection, entries, experts


def test_expert_scores_on_the_review_page(reviewing: Any) -> None:
    selection, _entries, experts = reviewing
    a = selection.assignments.filter(expert=experts[0]).first()
    c = _client(experts[0].user)
    page = c.get(f"/research/reviews/start/{a.pk}/", follow=True)
    assert "提交评审意见" in page.content.decode()
    review = Review.objects.get(assignment=a)
    criteria = list(selection.criteria.all())
    bad = c.post(f"/research/reviews/{review.pk}/", {f"score_{criteria[0].pk}": "12", "action": "submit"})
    body = bad.content.decode()
    assert "创新性应在 0 到 10 之间" in body
    assert "请填写实用性" in body
    review.refresh_from_db()
    assert review.status == "draft"
    draft = {f"score_{criteria[0].pk}": "8.5", "action": "draft"}
    assert c.post(f"/research/reviews/{review.pk}/", draft).status_code == 302
    full = {"action": "submit"}
    for crit in criteria:
        full[f"score_{crit.pk}"] = "8"
        full[f"comment_{crit.pk}"] = "材料扎实"
    assert c.post(f"/research/reviews/{review.pk}/", full).status_code == 302
    review.refresh_from_db()
    assert review.status == "submitted" and review.weighted_score == 80
    assert "评审意见已提交并锁定" in c.get(f"/research/reviews/{review.pk}/").content.decode()


def test_decline_on_the_page_brings_a_new_reviewer(reviewing: Any, make_expert: Callable[..., Any]) -> None:
    selection, _entries, experts = reviewing
    make_expert("后备专家", city="威海", keywords="零工市场")
    a = selection.assignments.filter(expert=experts[1]).first()
    response = _client(experts[1].user).post(
        f"/research/reviews/start/{a.pk}/", {"action": "decline", "reason": "时间冲突"}
    )
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.status == AssignmentStatus.DECLINED
    assert selection.assignments.filter(entry=a.entry).exclude(status="declined").count() == 2


def test_pages_render_with_bounded_queries(
    reviewing: Any, secretariat: Any, django_assert_max_num_queries: Any
) -> None:
    selection, _entries, experts = reviewing
    sec = _client(secretariat)
    for url in (
        f"/research/rounds/{selection.pk}/",
        f"/research/rounds/{selection.pk}/assignment/",
        "/research/",
        "/desk/",
    ):
        with django_assert_max_num_queries(60):
            assert sec.get(url).status_code == 200
    expert = _client(experts[0].user)
    for url in ("/research/reviews/", "/research/", "/desk/"):
        with django_assert_max_num_queries(60):
            assert expert.get(url).status_code == 200


def test_assignment_page_shows_figures_and_reasons(reviewing: Any, secretariat: Any) -> None:
    selection, _entries, _experts = reviewing
    body = _client(secretariat).get(f"/research/rounds/{selection.pk}/assignment/").content.decode()
    assert "总匹配度" in body and "最差项目匹配度" in body
    assert "零工市场（完全匹配）" in body


def test_public_results_and_objection_form(reviewing: Any, secretariat: Any) -> None:
    selection, _entries, _experts = reviewing
    for a in selection.assignments.filter(status="invited").select_related("expert__user"):
        review = services.review_open(assignment=a, actor=a.expert.user)
        services.review_save(
            review=review,
            cmd=ReviewSave.build(
                {"scores": {c.pk: {"score": 7, "comment": "好"} for c in selection.criteria.all()}}
            ),
            actor=a.expert.user,
            submit=True,
        )
    services.round_transition(selection=selection, action="publish", actor=secretariat)
    public = Client()
    body = public.get(f"/research/results/{selection.pk}/").content.decode()
    assert "一等奖" in body and "提出异议" in body
    bad = public.post(
        f"/research/results/{selection.pk}/",
        {"action": "object", "name": "张", "contact": "", "reasons": "短"},
    )
    assert 'data-field-error="contact"' in bad.content.decode()
    assert selection.objections.count() == 0
    ok = public.post(
        f"/research/results/{selection.pk}/",
        {
            "action": "object",
            "name": "张先生",
            "contact": "13912345678",
            "reasons": "第一名的数据需要核实，请说明来源。",
        },
    )
    assert ok.status_code == 302 and selection.objections.count() == 1
    home = public.get("/").content.decode()
    assert selection.title in home
    assert selection.title in Client().get("/research/results/").content.decode()

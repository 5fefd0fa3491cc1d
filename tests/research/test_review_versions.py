"""Two tabs on the same draft review: the second save is refused, the scores typed there are kept."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from lianmeng.research import services
from lianmeng.research.models import Review

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(round_with_entries: Callable[..., Any], make_expert: Callable[..., Any], secretariat: Any) -> Any:
    selection, _entries = round_with_entries(3, max_load=3)
    experts = [make_expert(city=c) for c in ("烟台", "日照", "滨州")]
    services.assignment_compute(selection=selection, mode="total", actor=secretariat)
    services.assignment_invite(selection=selection, actor=secretariat)
    a = selection.assignments.filter(expert=experts[0]).first()
    review = services.review_open(assignment=a, actor=experts[0].user)
    return review, experts[0], list(selection.criteria.all())


def test_second_tab_of_a_review_is_refused_and_keeps_the_scores(draft: Any) -> None:
    review, expert, criteria = draft
    c = Client()
    c.force_login(expert.user)
    url = f"/research/reviews/{review.pk}/"
    assert f'name="version" value="{review.version}"' in c.get(url).content.decode()
    tab1 = {"version": "1", "action": "draft", "overall_comment": "材料扎实，案例可推广。"}
    tab2 = {
        "version": "1",
        "action": "draft",
        "overall_comment": "另一个标签页的意见",
        f"score_{criteria[0].pk}": "7",
    }
    assert c.post(url, tab1).status_code == 302
    refused = c.post(url, tab2)
    assert refused.status_code == 200
    page = refused.content.decode()
    assert "此记录已被" in page and "总体意见" in page and "请核对后再保存" in page
    assert "另一个标签页的意见" in page and 'value="7"' in page, "the second tab's input is kept"
    assert 'name="version" value="2"' in page, "saving again after checking goes through"
    fresh = Review.objects.get(pk=review.pk)
    assert fresh.overall_comment == "材料扎实，案例可推广。" and fresh.version == 2
    assert c.post(url, {**tab2, "version": "2"}).status_code == 302
    assert Review.objects.get(pk=review.pk).overall_comment == "另一个标签页的意见"


def test_stale_review_put_is_409(draft: Any, api: Any) -> None:
    review, expert, criteria = draft
    client = api(expert.user)
    body = {"scores": {str(criteria[0].pk): {"score": 8, "comment": "好"}}, "version": 1}
    first = client.put(f"/api/v1/reviews/{review.pk}", json.dumps(body), content_type="application/json")
    assert first.status_code == 200 and first.json()["version"] == 2
    stale = client.put(
        f"/api/v1/reviews/{review.pk}",
        json.dumps({**body, "overall_comment": "晚到的意见"}),
        content_type="application/json",
    )
    assert stale.status_code == 409 and "scores" in stale.json()["changed_fields"]
    assert Review.objects.get(pk=review.pk).overall_comment == ""

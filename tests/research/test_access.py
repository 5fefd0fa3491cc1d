"""Authorization: an expert cannot read an unassigned entry, a conflicted entry or another expert's
review — through the pages, the API or a file download — and conflicts are checked at every write."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from lianmeng.library.commands import ExpertUpdate
from lianmeng.research import services
from lianmeng.research.commands import ReviewSave
from lianmeng.research.models import Entry

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def assigned(
    round_with_entries: Callable[..., Any], make_expert: Callable[..., Any], secretariat: Any
) -> dict[str, Any]:
    selection, _entries = round_with_entries(2, reviewers_per_entry=1, max_load=1)
    a = make_expert("甲专家", city="烟台")
    b = make_expert("乙专家", city="日照")
    services.assignment_compute(selection=selection, mode="total", actor=secretariat)
    services.assignment_invite(selection=selection, actor=secretariat)
    mine = selection.assignments.get(expert=a)
    other = selection.assignments.get(expert=b)
    from lianmeng.research.models import EntryFile

    item = EntryFile(entry=other.entry, original_name="材料.pdf", content_type="application/pdf")
    item.file.save("m.pdf", SimpleUploadedFile("m.pdf", PDF), save=True)
    return {
        "round": selection,
        "a": a,
        "b": b,
        "mine": mine,
        "other": other,
        "other_file": item,
        "other_review": services.review_open(assignment=other, actor=b.user),
    }


def test_expert_cannot_read_an_unassigned_entry(assigned: dict[str, Any], api: Callable[..., Client]) -> None:
    a, other = assigned["a"], assigned["other"]
    c = _client(a.user)
    assert c.get(f"/research/entries/{assigned['mine'].entry_id}/").status_code == 200
    assert c.get(f"/research/entries/{other.entry_id}/").status_code == 404
    assert c.get(f"/research/entries/files/{assigned['other_file'].pk}/").status_code == 404
    listed = api(a.user).get(f"/api/v1/selections/{assigned['round'].pk}/entries").json()
    assert [e["id"] for e in listed] == [assigned["mine"].entry_id]


def test_expert_cannot_read_another_experts_review(
    assigned: dict[str, Any], api: Callable[..., Client]
) -> None:
    a = assigned["a"]
    review = assigned["other_review"]
    assert _client(a.user).get(f"/research/reviews/{review.pk}/").status_code == 404
    response = api(a.user).put(
        f"/api/v1/reviews/{review.pk}", {"scores": {}}, content_type="application/json"
    )
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/problem+json")
    with pytest.raises(PermissionDenied):
        services.review_save(review=review, cmd=ReviewSave.build({"scores": {}}), actor=a.user)
    own = [r["id"] for r in api(a.user).get("/api/v1/reviews").json()]
    assert review.pk not in own and len(own) == 1


def test_a_conflict_declared_later_hides_the_entry_everywhere(
    assigned: dict[str, Any], api: Callable[..., Client]
) -> None:
    from lianmeng.library.services import expert_update

    a, mine = assigned["a"], assigned["mine"]
    review = services.review_open(assignment=mine, actor=a.user)
    expert_update(
        expert=a, cmd=ExpertUpdate.build(declared_conflicts=[mine.entry.organization_id]), actor=a.user
    )
    c = _client(a.user)
    assert c.get(f"/research/entries/{mine.entry_id}/").status_code == 404
    assert c.get(f"/research/reviews/{review.pk}/").status_code == 404
    assert c.get("/research/reviews/").content.decode().count(mine.entry.title) == 0
    assert api(a.user).get("/api/v1/reviews").json() == []
    with pytest.raises(PermissionDenied):
        services.review_save(review=review, cmd=ReviewSave.build({"scores": {}}), actor=a.user)


def test_manual_adjustment_refuses_a_conflicted_expert(
    assigned: dict[str, Any], make_expert: Callable[..., Any], secretariat: Any
) -> None:
    entry = assigned["mine"].entry
    same_org = make_expert("同单位专家", organization=entry.organization, city="潍坊")
    services.assignment_remove(assignment=assigned["mine"], actor=secretariat)
    with pytest.raises(ValidationError) as exc:
        services.assignment_add(entry=entry, expert=same_org, actor=secretariat)
    assert "同一单位" in str(exc.value)
    same_city = make_expert("同城专家", city=entry.organization.city.name)
    with pytest.raises(ValidationError) as exc:
        services.assignment_add(entry=entry, expert=same_city, actor=secretariat)
    assert "同城回避" in str(exc.value)


def test_authors_are_never_assigned(
    round_with_entries: Callable[..., Any], make_expert: Callable[..., Any], secretariat: Any
) -> None:
    selection, _entries = round_with_entries(1, reviewers_per_entry=1)
    author = make_expert("作者1甲", city="烟台", keywords="零工市场")  # an author of entry 1, best match
    make_expert("旁人", city="烟台")
    services.assignment_compute(selection=selection, mode="total", actor=secretariat)
    assert not selection.assignments.filter(expert=author).exists()


def test_too_few_experts_is_explained(
    round_with_entries: Callable[..., Any], make_expert: Callable[..., Any], secretariat: Any
) -> None:
    selection, entries = round_with_entries(1, reviewers_per_entry=2)
    make_expert(city="烟台")
    make_expert(city="青岛")  # same city as the entry: excluded
    with pytest.raises(ValidationError) as exc:
        services.assignment_compute(selection=selection, mode="total", actor=secretariat)
    assert entries[0].title in str(exc.value)


def test_members_see_only_their_own_entries(
    round_with_entries: Callable[..., Any], contact_for: Callable[..., Any]
) -> None:
    _selection, entries = round_with_entries(2)
    contact = contact_for(entries[0].organization)
    c = _client(contact)
    assert c.get(f"/research/entries/{entries[0].pk}/").status_code == 200
    assert c.get(f"/research/entries/{entries[1].pk}/").status_code == 404
    assert Entry.objects.count() == 2

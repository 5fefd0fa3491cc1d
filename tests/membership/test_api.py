"""The membership API for every role, including forbidden cases and problem+json errors."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lianmeng.accounts.models import Role
from lianmeng.core.demo_support import make_uscc
from lianmeng.membership.models import MembershipApplication, Organization
from tests.queries import counted

from .test_services import PDF, application_data

pytestmark = pytest.mark.django_db


def post_json(client: Any, url: str, data: Any) -> Any:
    return client.post(url, data=json.dumps(data), content_type="application/json")


def patch_json(client: Any, url: str, data: Any) -> Any:
    return client.patch(url, data=json.dumps(data), content_type="application/json")


def test_cities_in_alliance_order(api: Any, cities: Any) -> None:
    body = api(None).get("/api/v1/cities").json()
    assert [c["name"] for c in body] == ["青岛", "烟台", "潍坊", "威海", "日照", "滨州", "东营"]
    assert body[0]["code"] == "370200"


def test_directory_search_filters_and_pagination(api: Any, make_org: Any) -> None:
    make_org("中国青岛人力资源服务产业园")
    make_org("烟台大学", city="烟台", kind="university")
    make_org("暂停中的青岛单位", status="suspended")
    client = api(None)
    body = client.get("/api/v1/organizations", {"q": "qd"}).json()
    assert body["count"] == 0  # 中国青岛… starts with zg, the suspended one is hidden from the public
    body = client.get("/api/v1/organizations", {"q": "青岛"}).json()
    assert [o["name"] for o in body["items"]] == ["中国青岛人力资源服务产业园"]
    body = client.get("/api/v1/organizations", {"city": "370600", "kind": "university"}).json()
    assert body["count"] == 1 and body["items"][0]["city"] == "370600"
    for i in range(25):
        make_org(f"分页单位{i:02d}", city="东营")
    page2 = client.get("/api/v1/organizations", {"city": "370500", "page": 2}).json()
    assert page2["count"] == 25 and len(page2["items"]) == 5


def test_secretariat_sees_suspended_members(api: Any, make_org: Any, secretariat: Any) -> None:
    org = make_org("暂停中的单位", status="suspended")
    assert api(None).get(f"/api/v1/organizations/{org.pk}").status_code == 404
    assert api(secretariat).get(f"/api/v1/organizations/{org.pk}").json()["status"] == "suspended"


def test_patch_own_organization_only(api: Any, make_org: Any, make_user: Any, secretariat: Any) -> None:
    mine, other = make_org("我的园区"), make_org("别人的园区")
    contact = make_user(Role.MEMBER_CONTACT, organization=mine)
    client = api(contact)
    response = patch_json(
        client, f"/api/v1/organizations/{mine.pk}", {"description": "介绍", "website": "bad url"}
    )
    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/problem+json")
    assert "website" in response.json()["errors"]
    mine.refresh_from_db()
    assert mine.description == ""  # nothing half-saved
    assert (
        patch_json(client, f"/api/v1/organizations/{mine.pk}", {"description": "介绍"}).json()["description"]
        == "介绍"
    )
    assert patch_json(client, f"/api/v1/organizations/{other.pk}", {"description": "x"}).status_code == 403
    assert patch_json(client, f"/api/v1/organizations/{mine.pk}", {"tier": "council"}).status_code == 422
    assert patch_json(api(None), f"/api/v1/organizations/{mine.pk}", {"description": "x"}).status_code == 401
    assert (
        patch_json(api(secretariat), f"/api/v1/organizations/{mine.pk}", {"tier": "council"}).json()["tier"]
        == "council"
    )


def test_application_flow_through_the_api(api: Any, cities: Any, secretariat: Any, make_user: Any) -> None:
    public = api(None)
    response = post_json(public, "/api/v1/applications", application_data())
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["tracking_url"].endswith("/")
    application = MembershipApplication.objects.get(pk=created["id"])
    token = application.tracking_token
    assert token in created["tracking_url"]

    staff = api(secretariat)
    response = post_json(staff, f"/api/v1/applications/{created['id']}/review", {"action": "forward"})
    assert response.status_code == 422 and "letter" in response.json()["errors"]

    bad = public.post(
        f"/api/v1/applications/{created['id']}/letter?token={token}",
        {"letter": SimpleUploadedFile("a.pdf", b"plain text")},
    )
    assert bad.status_code == 422 and "letter" in bad.json()["errors"]
    wrong_token = public.post(
        f"/api/v1/applications/{created['id']}/letter?token=nope",
        {"letter": SimpleUploadedFile("a.pdf", PDF)},
    )
    assert wrong_token.status_code == 404
    ok = public.post(
        f"/api/v1/applications/{created['id']}/letter?token={token}",
        {"letter": SimpleUploadedFile("a.pdf", PDF)},
    )
    assert ok.status_code == 200

    member = make_user(Role.MEMBER_CONTACT)
    assert api(member).get("/api/v1/applications").status_code == 403
    assert (
        post_json(
            api(member), f"/api/v1/applications/{created['id']}/review", {"action": "forward"}
        ).status_code
        == 403
    )
    assert public.get("/api/v1/applications").status_code == 401

    listed = staff.get("/api/v1/applications", {"status": "submitted"}).json()
    assert listed["count"] == 1 and listed["items"][0]["has_letter"] is True
    assert (
        post_json(staff, f"/api/v1/applications/{created['id']}/review", {"action": "forward"}).json()[
            "status"
        ]
        == "forwarded"
    )
    admitted = post_json(staff, f"/api/v1/applications/{created['id']}/review", {"action": "admit"}).json()
    assert admitted["status"] == "admitted"
    org = Organization.objects.get(pk=admitted["organization"])
    assert public.get(f"/api/v1/organizations/{org.pk}").json()["name"] == application.name

    again = post_json(public, "/api/v1/applications", application_data())
    assert again.status_code == 422
    assert "已属于成员单位" in again.json()["errors"]["uscc"][0]


def test_application_validation_names_fields(api: Any, cities: Any) -> None:
    response = post_json(
        api(None), "/api/v1/applications", application_data(contact_mobile="021-1234", uscc="123")
    )
    assert response.status_code == 422
    problem = response.json()
    assert problem["status"] == 422 and {"contact_mobile", "uscc"} <= set(problem["errors"])
    missing = post_json(api(None), "/api/v1/applications", {"name": "x"})
    assert missing.status_code == 422 and "uscc" in missing.json()["errors"]


def test_review_rejects_unknown_action(api: Any, cities: Any, secretariat: Any) -> None:
    created = post_json(api(None), "/api/v1/applications", application_data()).json()
    response = post_json(
        api(secretariat), f"/api/v1/applications/{created['id']}/review", {"action": "delete"}
    )
    assert response.status_code == 422 and "action" in response.json()["errors"]


def test_english_messages_with_accept_language(api: Any, cities: Any) -> None:
    response = api(None).post(
        "/api/v1/applications",
        data=json.dumps(application_data(contact_mobile="1")),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "11-digit" in response.json()["errors"]["contact_mobile"][0]


@pytest.mark.parametrize("query", ["", "青岛", "qd", "青"])
def test_directory_query_count_does_not_grow(client: Any, make_org: Any, query: str) -> None:
    def count_for() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/members/", {"q": query}).status_code == 200
            assert client.get("/api/v1/organizations", {"q": query}).status_code == 200
        return counted(ctx.captured_queries)

    make_org("青岛第一单位")
    small = count_for()
    for i in range(30):
        make_org(f"青岛批量单位{i}", city="青岛" if i % 2 else "烟台")
    assert count_for() == small
    assert small <= 12


def test_uscc_generator_makes_valid_codes() -> None:
    from stdnum.cn import uscc

    assert uscc.is_valid(make_uscc("x", division="370200", kind="park"))


def test_counts_stop_at_the_cap(api: Any, client: Any, make_org: Any, monkeypatch: Any) -> None:
    from lianmeng.core import pagination

    monkeypatch.setattr(pagination, "COUNT_CAP", 5)
    for i in range(7):
        make_org(f"青岛封顶测试{i}")
    body = api(None).get("/api/v1/organizations", {"q": "青岛"}).json()
    assert body["count"] == 5 and body["count_capped"] is True
    page = client.get("/members/", {"q": "青岛"}).content.decode()
    assert "超过 5 家单位" in page
    body = api(None).get("/api/v1/organizations", {"q": "青岛封顶测试1"}).json()
    assert body == {**body, "count": 1, "count_capped": False}


def test_directory_exports_the_filtered_list_to_excel(client: Any, make_org: Any, make_user: Any) -> None:
    import io

    from openpyxl import load_workbook

    make_org("青岛导出测试园区")
    make_org("烟台导出测试园区", city="烟台")
    member = make_user("member_contact", username="exporter")
    assert 'id="export-xlsx"' not in client.get("/members/").content.decode()
    client.force_login(member)
    page = client.get("/members/", {"city": "370200"}).content.decode()
    assert 'id="export-xlsx"' in page
    href = page.split('id="export-xlsx" href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    response = client.get(href)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    names = [row[0].value for row in sheet.iter_rows(min_row=2)]
    assert names == ["青岛导出测试园区"]


def test_application_list_query_count_does_not_grow(api: Any, secretariat: Any, cities: Any) -> None:
    # Each row shows its council motion: fetched for the page at once, not once per row.
    from lianmeng.membership import services
    from lianmeng.membership.commands import ApplicationSubmit

    client = api(secretariat)

    def add(n: int) -> None:
        for _ in range(n):
            name = f"申请单位{MembershipApplication.objects.count()}"
            services.application_submit(
                cmd=ApplicationSubmit.build(application_data(name)),
                letter=SimpleUploadedFile("letter.pdf", PDF),
            )

    def count_for() -> int:
        with CaptureQueriesContext(connection) as ctx:
            body = client.get("/api/v1/applications").json()
        assert body["count"] == MembershipApplication.objects.count()
        return counted(ctx.captured_queries)

    add(2)
    count_for()  # the first request of a session also loads what later ones find cached
    small = count_for()
    add(10)
    assert count_for() == small

"""Portal pages: Chinese by default, English after the switch, the alliance's cities in its order."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from lianmeng.core.models import AuditEntry
from lianmeng.membership.commands import OrganizationUpdate

pytestmark = pytest.mark.django_db


def test_home_is_chinese_even_for_an_english_browser(cities: Any, make_org: Any) -> None:
    make_org("中国青岛人力资源服务产业园")
    page = Client().get("/", HTTP_ACCEPT_LANGUAGE="en-US").content.decode()
    assert "成员名录" in page and "最新入盟" in page
    assert page.index("青岛") < page.index("烟台") < page.index("东营")
    assert "中国青岛人力资源服务产业园" in page


def test_language_switch_gives_complete_english(cities: Any) -> None:
    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/").content.decode()
    assert "Members" in page and "Newest members" in page and "Qingdao" in page and "About" in page
    assert "成员名录" not in page
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert "成员名录" in client.get("/").content.decode()


def test_about_lists_cities_with_codes(cities: Any) -> None:
    page = Client().get("/about/").content.decode()
    for code in ("370200", "370500", "370600", "370700", "371000", "371100", "371600"):
        assert code in page


def test_audit_log_only_for_the_secretariat(make_user: Any, secretariat: Any, make_org: Any) -> None:
    from lianmeng.membership.services import organization_update

    org = make_org("审计测试单位")
    organization_update(
        organization=org, cmd=OrganizationUpdate.build({"description": "改过的简介"}), actor=secretariat
    )
    member = make_user("member_contact", organization=org)
    client = Client()
    client.force_login(member)
    assert client.get("/audit/").status_code == 403
    client.force_login(secretariat)
    page = client.get("/audit/", {"action": "organization.update"}).content.decode()
    assert "审计测试单位" in page and "改过的简介" in page
    entry = AuditEntry.objects.get(action="organization.update")
    assert entry.old == {"description": ""} and entry.new == {"description": "改过的简介"}


def test_static_assets_are_local(cities: Any) -> None:
    page = Client().get("/").content.decode()
    assert "/static/vendor/bootstrap/bootstrap.min.css" in page
    assert "cdn" not in page.lower()


def test_admin_pages_for_the_administrator(make_user: Any, make_org: Any) -> None:
    from lianmeng.accounts.models import RoleAssignment

    admin = make_user("administrator", username="root-admin", is_staff=True, is_superuser=True)
    org = make_org("管理后台单位")
    client = Client()
    client.force_login(admin)
    for url in (
        "/admin/",
        "/admin/membership/organization/",
        f"/admin/membership/organization/{org.pk}/change/",
        "/admin/core/auditentry/",
        "/admin/accounts/user/",
    ):
        assert client.get(url).status_code == 200, url
    user = make_user(username="to-grant")
    response = client.post(
        f"/admin/accounts/user/{user.pk}/change/",
        {
            "username": "to-grant",
            "display_name": "",
            "mobile": "",
            "email": "",
            "is_active": "on",
            "date_joined_0": "2026-11-27",
            "date_joined_1": "10:00:00",
            "initial-date_joined_0": "2026-11-27",
            "initial-date_joined_1": "10:00:00",
            "roles-TOTAL_FORMS": "1",
            "roles-INITIAL_FORMS": "0",
            "roles-MIN_NUM_FORMS": "0",
            "roles-MAX_NUM_FORMS": "1000",
            "roles-0-role": "city_coordinator",
            "roles-0-city": "370200",
            "roles-0-organization": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert RoleAssignment.objects.filter(user=user, role="city_coordinator", city_id="370200").exists()
    assert AuditEntry.objects.filter(action="role.grant", target_id=str(user.pk)).exists()


def test_not_found_and_forbidden_pages_are_in_the_site_layout(settings: Any, make_user: Any) -> None:
    settings.DEBUG = False
    client = Client()
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode() and 'id="error-page"' in response.content.decode()
    client.force_login(make_user("member_contact", username="nosy"))
    response = client.get("/audit/")
    assert response.status_code == 403 and "无权访问" in response.content.decode()

"""Settings and roles edited in the Django admin go through services: audited, administrators only."""

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from lianmeng.accounts import services as account_services
from lianmeng.accounts.models import RoleAssignment
from lianmeng.core import services
from lianmeng.core.models import AuditEntry, City

pytestmark = pytest.mark.django_db


def _admin(make_user: Any) -> Client:
    client = Client()
    client.force_login(make_user("administrator", username="root-admin", is_staff=True, is_superuser=True))
    return client


def test_a_city_edited_in_the_admin_is_audited_with_old_and_new(make_user: Any, cities: Any) -> None:
    city = cities["青岛"]
    client = _admin(make_user)
    response = client.post(
        f"/admin/core/city/{city.pk}/change/",
        {
            "code": city.code,
            "name": city.name,
            "name_en": "Tsingtao",
            "position": city.position,
            "is_member": "on" if city.is_member else "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:1500]
    entry = AuditEntry.objects.get(action="core.city.update")
    assert entry.old == {"name_en": city.name_en} and entry.new == {"name_en": "Tsingtao"}
    assert entry.actor is not None and entry.actor.username == "root-admin"


def test_only_administrators_save_settings(make_user: Any, cities: Any) -> None:
    city = City.objects.get(pk=cities["青岛"].pk)
    city.name_en = "Changed"
    with pytest.raises(PermissionDenied):
        services.settings_save(obj=city, actor=make_user("secretariat", username="office"))
    assert not AuditEntry.objects.filter(action="core.city.update").exists()


def test_a_role_revoked_in_the_admin_is_audited(make_user: Any, make_org: Any) -> None:
    org = make_org("联络单位")
    contact = make_user("member_contact", organization=org, username="contact-1")
    assignment = RoleAssignment.objects.get(user=contact, role="member_contact")
    client = _admin(make_user)
    page = client.get(f"/admin/accounts/user/{contact.pk}/change/")
    form = page.context["adminform"].form
    data = {
        k: v for k, v in form.initial.items() if isinstance(v, str | int | bool) and v not in (None, False)
    }
    data.update(
        {
            "username": contact.username,
            "is_active": "on",
            "date_joined_0": contact.date_joined.strftime("%Y-%m-%d"),
            "date_joined_1": contact.date_joined.strftime("%H:%M:%S"),
            "roles-TOTAL_FORMS": "1",
            "roles-INITIAL_FORMS": "1",
            "roles-MIN_NUM_FORMS": "0",
            "roles-MAX_NUM_FORMS": "1000",
            "roles-0-id": str(assignment.pk),
            "roles-0-user": str(contact.pk),
            "roles-0-role": "member_contact",
            "roles-0-organization": str(org.pk),
            "roles-0-city": "",
            "roles-0-DELETE": "on",
        }
    )
    data.pop("password", None)
    data.pop("last_login", None)
    response = client.post(f"/admin/accounts/user/{contact.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:1500]
    assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()
    entry = AuditEntry.objects.get(action="role.revoke", target_id=str(contact.pk))
    assert entry.old == {"role": "member_contact", "organization": org.pk, "city": None}


def test_roles_are_managed_by_administrators_only(make_user: Any) -> None:
    user = make_user(username="someone")
    with pytest.raises(PermissionDenied):
        account_services.role_grant(
            user=user, role="expert", actor=make_user("secretariat", username="office")
        )
    assert not RoleAssignment.objects.filter(user=user).exists()

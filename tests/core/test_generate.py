"""`lianmeng generate --scale`: consistent bulk data across mechanisms, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from lianmeng.activities.models import Event, Registration
from lianmeng.core.management.commands.generate import GENERATED_EMAIL_DOMAIN, scale_counts
from lianmeng.core.search import pinyin_initials
from lianmeng.library.models import Achievement, Consultation, Expert, Project
from lianmeng.library.selectors import expert_list, project_list
from lianmeng.matchmaking.models import Resource
from lianmeng.matchmaking.selectors import resource_market
from lianmeng.matchmaking.services import resource_index
from lianmeng.membership.models import Organization, OrganizationStatus
from lianmeng.membership.selectors import organization_directory

pytestmark = pytest.mark.django_db(transaction=False)


def _check_foreign_keys() -> None:
    """Every foreign key of every table points at a row that exists (the database's own check)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA foreign_key_check")
            assert cursor.fetchall() == []
        else:
            # PostgreSQL enforces them on commit; make the deferred checks run now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def test_scale_test_makes_the_declared_counts_consistently(cities: Any) -> None:
    call_command("generate", "--scale", "test", "--factor", "2", "--no-progress", stdout=None)
    counts = scale_counts("test", 2)
    generated = Organization.objects.filter(email__endswith="@" + GENERATED_EMAIL_DOMAIN)
    assert generated.count() == counts["organizations"] == 20
    assert Expert.objects.count() == counts["experts"] == 40
    assert Project.objects.count() == counts["projects"]
    assert Achievement.objects.count() == counts["achievements"]
    assert Consultation.objects.count() == counts["consultations"]
    assert Project.objects.count() + Achievement.objects.count() + Consultation.objects.count() == 200
    assert Event.objects.count() == counts["events"]
    assert Registration.objects.count() == counts["registrations"] == 200
    assert Resource.objects.count() == counts["resources"] == 20
    _check_foreign_keys()

    org_ids = set(generated.values_list("id", flat=True))
    # 3 in 5 experts agree to be listed publicly: the public list is not empty.
    assert Expert.objects.filter(publish_consent=True).count() == 24
    # Experts work in generated organizations, in the organization's city.
    for expert in Expert.objects.select_related("organization"):
        assert expert.organization_id in org_ids
        assert expert.city_id == expert.organization.city_id
    # Registrations are for generated events, no more than their capacity, one mobile per event.
    for event in Event.objects.all():
        registered = event.registrations.count()
        assert event.capacity is not None and registered <= event.capacity
        assert event.organizer_id in org_ids
        assert event.registrations.values("mobile").distinct().count() == registered
    assert len(set(Registration.objects.values_list("code", flat=True))) == counts["registrations"]
    # Posts are by active generated organizations and serve their city.
    for resource in Resource.objects.prefetch_related("cities"):
        assert resource.organization_id in org_ids
        assert [c.pk for c in resource.cities.all()] == [resource.organization.city_id]
    for project in Project.objects.all():
        assert project.lead_organization_id in org_ids
        assert project.cities.count() == 1


def test_search_finds_generated_rows_by_pinyin_initials_and_words(cities: Any, secretariat: Any) -> None:
    call_command("generate", "--scale", "test", "--no-progress", stdout=None)
    org = Organization.objects.filter(status=OrganizationStatus.ACTIVE).order_by("id").first()
    assert org is not None and org.name_initials == pinyin_initials(org.name)
    found = organization_directory(viewer=None, q=org.name_initials[:6])
    assert org in found
    assert org in organization_directory(viewer=None, q=org.name[2:6])
    expert = Expert.objects.order_by("id").first()
    assert expert is not None and expert in expert_list(viewer=secretariat, q=expert.name)
    project = Project.objects.order_by("id").first()
    assert project is not None and project in project_list(viewer=secretariat, q=project.name_initials[:5])
    resource = Resource.objects.order_by("id").first()
    assert resource is not None and resource in resource_market(viewer=None, q=resource.title)
    stored = resource.search_text
    resource_index(resource)  # what the service would store for it
    assert resource.search_text == stored


def test_refuses_to_run_twice(cities: Any) -> None:
    call_command("generate", "--scale", "test", "--no-progress", stdout=None)
    before = Organization.objects.count()
    with pytest.raises(CommandError, match="already holds generated data"):
        call_command("generate", "--scale", "test", "--no-progress", stdout=None)
    assert Organization.objects.count() == before


def test_organizations_option_still_appends(cities: Any) -> None:
    """bench/directory.py's `--organizations N` keeps working (and may be run again to add more)."""
    call_command("generate", "--organizations", "7", stdout=None)
    call_command("generate", "--organizations", "3", stdout=None)
    assert Organization.objects.count() == 10
    # the planner's statistics were refreshed (without them a national database ran 5-10x slower)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = 'membership_organization'")
            assert cursor.fetchall()
        else:
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'membership_organization'")
            assert cursor.fetchone()[0] >= 10
    assert not Organization.objects.filter(email__endswith="@" + GENERATED_EMAIL_DOMAIN).exists()

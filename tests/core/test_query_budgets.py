"""Query budgets: the number of queries of each main page and API list does not grow with the data.

Each page is rendered on a quarter of the generator's test scale (``lianmeng generate --scale test
--factor 0.25``: fewer rows than a page holds) and again after four times as much was added (×5, pages
full); the counts must not grow. A page that runs one query per row on
it (N+1) shows more queries at ×5, where its page is fuller. docs/scale.md lists the pages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from lianmeng.activities.models import Event
from lianmeng.core.management.commands.generate import generate_scale, scale_counts
from lianmeng.library.selectors import projects_visible
from lianmeng.membership.models import Organization, OrganizationStatus
from tests.queries import counted

from ..conftest import api_client_for

pytestmark = pytest.mark.django_db


def _first_event() -> str:
    return str(Event.objects.order_by("id").values_list("id", flat=True)[0])


def _first_project() -> str:
    return str(projects_visible(None).order_by("id").values_list("id", flat=True)[0])


def _first_org() -> Organization:
    org = Organization.objects.filter(status=OrganizationStatus.ACTIVE).order_by("id").first()
    assert org is not None
    return org


def _initials() -> str:
    return _first_org().name_initials[:2]


def _city() -> str:
    """A city name: generated organizations, experts, projects, events and posts all carry one."""
    return _first_org().city.name


# (name, viewer, path or a function giving it); viewer "public" is anonymous, "secretariat" is signed in.
# Search terms every generated row of the kind holds: 成果 in achievement abstracts, 合作 in project
# summaries, the city in organization names and expert affiliations.
PAGES: list[tuple[str, str, Callable[[], str] | str]] = [
    ("portal home", "public", "/"),
    ("directory list", "public", "/members/"),
    ("directory search by initials", "public", lambda: f"/members/?q={_initials()}"),
    ("directory search by words", "public", lambda: f"/members/?q={_city()}"),
    ("event calendar", "public", "/events/"),
    ("event detail", "public", lambda: f"/events/{_first_event()}/"),
    ("event detail (secretariat)", "secretariat", lambda: f"/events/{_first_event()}/"),
    ("library search achievements", "public", "/library/search/?q=成果&type=achievement"),
    ("library search projects", "public", "/library/search/?q=合作&type=project"),
    ("library search experts", "secretariat", lambda: f"/library/search/?q={_city()}&type=expert"),
    ("project list", "public", "/library/projects/"),
    ("project detail", "public", lambda: f"/library/projects/{_first_project()}/"),
    ("achievement list", "public", "/library/achievements/"),
    ("expert list", "secretariat", "/library/experts/"),
    ("consultation list", "secretariat", "/library/consultations/"),
    ("market list", "public", "/resources/"),
    ("secretariat workbench", "secretariat", "/desk/"),
    ("API organizations", "api", "/api/v1/organizations"),
    ("API projects", "api", "/api/v1/projects"),
    ("API achievements", "api", "/api/v1/achievements"),
    ("API experts", "api", "/api/v1/experts"),
    ("API consultations", "api", "/api/v1/consultations"),
    ("API events", "api", "/api/v1/events"),
    ("API resources", "api", "/api/v1/resources"),
]


def _count(client: Client, path: str) -> int:
    cache.clear()
    first = client.get(path)  # warm: sessions, per-process lookups
    assert first.status_code == 200, (path, first.status_code)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return counted(queries.captured_queries)


@pytest.mark.parametrize(("name", "viewer", "path"), PAGES, ids=[p[0] for p in PAGES])
def test_queries_do_not_grow_with_data(
    name: str, viewer: str, path: Callable[[], str] | str, cities: Any, secretariat: Any
) -> None:
    # Searches need a hit in every section at both sizes (an empty section skips its queries).
    base = 1.0 if "search" in name else 0.25
    generate_scale(scale_counts("test", base), out=lambda line: None, progress=False)
    if viewer == "api":
        client = api_client_for(secretariat)
    else:
        client = Client()
        if viewer == "secretariat":
            client.force_login(secretariat)
    url = path() if callable(path) else path
    small = _count(client, url)
    generate_scale(scale_counts("test", base * 4), seed=7, out=lambda line: None, progress=False)
    large = _count(client, url)
    assert large == small, f"{name}: {small} queries at ×1, {large} at ×5 ({url})"


def test_mixed_library_search_stays_within_a_fixed_budget(cities: Any) -> None:
    """A mixed search page lists the first types that fill it, so which types' rows (and facets) are
    queried depends on the counts; the total stays under a constant (7 counts, then per type on the page
    one page query, its prefetches and its facets)."""
    generate_scale(scale_counts("test", 1), out=lambda line: None, progress=False)
    url = f"/library/search/?q={_city()}"
    small = _count(Client(), url)
    generate_scale(scale_counts("test", 4), seed=7, out=lambda line: None, progress=False)
    large = _count(Client(), url)
    assert max(small, large) <= 30, (small, large)

"""Every link a page shows can be opened by the person who sees it.

For each demo role, a breadth-first crawl of same-site ``<a href>`` links from the portal home and the
workbench: every link found is fetched (following redirects) as that role, and the test fails listing each
(role, page, link) whose answer is 403, 404 or 5xx. Links are checked, never skipped for what they answer;
the crawl is bounded only by shape: after eight URLs of one URL pattern and query shape, further ones of
that shape are taken as represented; ``?page=`` beyond 2, /admin/, sign-out and language switching are not
followed. Run time on two cores: see docs/DEVELOPING.md ("Links follow the policies").
"""

from __future__ import annotations

import collections
import os
import time
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, urljoin, urlsplit

import pytest
from django.urls import Resolver404, resolve

from tests.core.conftest import DEMO_ROLES, World

pytestmark = pytest.mark.django_db

START = ("/", "/desk/")
MAX_PAGES = 400  # fetched URLs per role
PER_SHAPE = 8  # URLs fetched per (URL pattern, query keys) before one is taken to represent the rest
SKIP_PREFIXES = ("/admin/", "/accounts/logout/", "/i18n/", "/static/", "/api/")
PARSE_LIMIT = 1_000_000  # bytes: larger answers (downloads) are checked but not read for links


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def _same_site(base: str, href: str) -> str | None:
    href = href.strip()
    if href.startswith(("#", "mailto:", "tel:", "javascript:", "data:")):
        return None
    parts = urlsplit(urljoin("http://testserver" + base, href))
    if parts.scheme not in ("http", "https") or parts.netloc != "testserver":
        return None
    if parts.path.startswith(SKIP_PREFIXES):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _shape(url: str) -> tuple[str, tuple[str, ...]]:
    parts = urlsplit(url)
    try:
        route = resolve(parts.path).route
    except Resolver404:
        route = parts.path
    return route, tuple(sorted({k for k, _v in parse_qsl(parts.query, keep_blank_values=True)}))


def _page_number(url: str) -> int:
    for key, value in parse_qsl(urlsplit(url).query):
        if key == "page":
            return int(value) if value.isdigit() else 1
    return 1


def crawl(world: World, role: str) -> tuple[list[tuple[str, str, int]], dict[str, int]]:
    """The (page, link, status) of every broken link the role is shown, and each fetched URL's status."""
    client = world.page_client(role)
    client.raise_request_exception = (
        False  # a crash is a finding (500) like any other, not the end of the crawl
    )
    status: dict[str, int] = {}
    found_on: dict[str, list[str]] = collections.defaultdict(list)
    shapes: collections.Counter[tuple[str, tuple[str, ...]]] = collections.Counter()
    queue = collections.deque((url, "(start)") for url in START)
    for url in START:
        shapes[_shape(url)] += 1
    queued = set(START)
    fetched = 0
    while queue and fetched < MAX_PAGES:
        url, _referrer = queue.popleft()
        response: Any = client.get(url, follow=True)
        fetched += 1
        status[url] = response.status_code
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        if getattr(response, "streaming", False) or len(response.content) > PARSE_LIMIT:
            continue
        final = response.redirect_chain[-1][0] if response.redirect_chain else url
        parser = _Links()
        parser.feed(response.content.decode("utf-8", "replace"))
        for href in parser.hrefs:
            link = _same_site(final, href)
            if link is None:
                continue
            found_on[link].append(url)
            if link in queued or _page_number(link) > 2:
                continue
            shape = _shape(link)
            if shapes[shape] >= PER_SHAPE:
                continue
            shapes[shape] += 1
            queued.add(link)
            queue.append((link, url))
    broken = [
        (page, link, code)
        for link, code in status.items()
        if code in (403, 404) or code >= 500
        for page in sorted(set(found_on[link]))[:3]
    ]
    return broken, status


@pytest.fixture(autouse=True)
def _media_root(settings: Any, authz_world: World) -> None:
    settings.MEDIA_ROOT = authz_world.media_root


@pytest.mark.parametrize("username", DEMO_ROLES)
def test_every_link_shown_can_be_opened(authz_world: World, username: str) -> None:
    started = time.monotonic()
    broken, status = crawl(authz_world, DEMO_ROLES[username])
    elapsed = time.monotonic() - started
    print(f"{username}: {len(status)} URLs in {elapsed:.1f} s")
    if os.environ.get("LINK_CRAWL_LIST"):
        print("\n".join(f"  {code} {url}" for url, code in status.items()))
    assert len(status) > 50, f"{username}: the crawl reached only {len(status)} URLs"
    assert not broken, f"{username} is shown links that do not open:\n" + "\n".join(
        f"  on {page}: {link} -> {code}" for page, link, code in broken
    )


# ---- the fixes the crawl found, each proved on its own page (same demo world) ----


def _page(world: World, role: str, url: str) -> str:
    response = world.page_client(role).get(url)
    assert response.status_code == 200, (role, url, response.status_code)
    return response.content.decode()


def test_resolution_page_links_only_motions_and_tasks_the_viewer_may_open(authz_world: World) -> None:
    from lianmeng.governance import policies
    from lianmeng.governance.models import Resolution, Task

    resolution = Resolution.objects.filter(tasks__isnull=False).select_related("motion").first()
    assert resolution is not None
    tasks = list(Task.objects.filter(resolution=resolution))
    url = resolution.get_absolute_url()
    member = authz_world.users["member_a"]
    page = _page(authz_world, "member_a", url)
    assert resolution.motion.get_absolute_url() not in page  # members do not see council papers
    hidden = [t for t in tasks if not policies.can_view_task(member, t)]
    assert hidden, "the demo should hold a task of this resolution that the member does not own"
    for task in tasks:
        assert (f'href="{task.get_absolute_url()}"' in page) is policies.can_view_task(member, task)
        assert task.title in page  # named either way
    staff = _page(authz_world, "secretariat", url)
    assert resolution.motion.get_absolute_url() in staff
    assert all(f'href="{t.get_absolute_url()}"' in staff for t in tasks)
    council = _page(authz_world, "council", url)
    assert resolution.motion.get_absolute_url() in council


def _contact_of(organization: Any, username: str) -> Any:
    from lianmeng.accounts.models import Role, RoleAssignment, User

    user = User.objects.create_user(username=username, email=f"{username}@example.cn", display_name=username)
    RoleAssignment.objects.create(user=user, role=Role.MEMBER_CONTACT, organization=organization)
    return user


def test_request_page_names_each_post_from_the_viewers_side(authz_world: World) -> None:
    from django.test import Client

    from lianmeng.matchmaking.models import MatchRequest

    req = (
        MatchRequest.objects.filter(from_resource__isnull=False)
        .select_related("resource", "from_resource")
        .order_by("pk")
        .first()
    )
    assert req is not None and req.from_resource is not None
    kind = {"supply": "资源", "demand": "需求"}
    asked, offered = kind[req.resource.direction], kind[req.from_resource.direction]
    expected = {
        "owner": (f"我方{asked}", f"对方{offered}"),
        "requester": (f"对方{asked}", f"我方{offered}"),
        "secretariat": (f"发布方{asked}", f"发起方{offered}"),
    }
    viewers = {
        "owner": _contact_of(req.resource.organization, "links-owner"),
        "requester": _contact_of(req.requester_organization, "links-requester"),
    }
    for side, (asked_label, offered_label) in expected.items():
        if side == "secretariat":
            page = _page(authz_world, "secretariat", req.get_absolute_url())
        else:
            client = Client()
            client.force_login(viewers[side])
            page = client.get(req.get_absolute_url()).content.decode()
        assert f'id="resource-label">{asked_label}<' in page, side
        assert f'<dt class="col-sm-3">{offered_label}</dt>' in page, side


def test_session_page_links_only_the_viewers_own_requests(authz_world: World) -> None:
    from lianmeng.matchmaking import policies
    from lianmeng.matchmaking.models import SessionSlot

    slots = list(SessionSlot.objects.select_related("request__resource").order_by("pk"))
    event_id = slots[0].event_id
    member = authz_world.users["member_a"]
    page = _page(authz_world, "member_a", f"/resources/sessions/{event_id}/")
    shown = [s for s in slots if s.event_id == event_id]
    assert any(not policies.can_view_request(member, s.request) for s in shown)
    for slot in shown:
        linked = f'href="{slot.request.get_absolute_url()}"' in page
        assert linked is policies.can_view_request(member, slot.request)
        assert slot.request.resource.title in page


def test_ask_an_expert_is_offered_only_to_who_may_ask(authz_world: World) -> None:
    from lianmeng.matchmaking.models import Resource

    org_a = authz_world.objects["org_a"]
    button = 'href="/library/consultations/new/"'
    for resource in Resource.objects.filter(organization=org_a).order_by("pk"):
        member_page = _page(authz_world, "member_a", resource.get_absolute_url())
        if button in member_page:
            break
    else:
        pytest.fail("no post of organization A suggests an expert to its member")
    assert button not in _page(authz_world, "secretariat", resource.get_absolute_url())
    assert authz_world.page_client("secretariat").get("/library/consultations/new/").status_code == 403


def test_can_tag_names_a_policy_and_refuses_unknown_ones() -> None:
    from django.template import Context, Template, TemplateSyntaxError

    from lianmeng.governance.models import Motion

    tpl = '{% load policies %}{% can "governance.view_motion" user motion as ok %}{{ ok }}'
    motion = Motion(status="open", proposer_id=None)
    assert Template(tpl).render(Context({"user": None, "motion": motion})) == "False"
    with pytest.raises(TemplateSyntaxError):
        Template('{% load policies %}{% can "governance.fly" user %}').render(Context({"user": None}))

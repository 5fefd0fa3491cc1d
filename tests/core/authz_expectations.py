"""Who may reach what: the expected answer of every page and API operation for every role.

Read by tests/core/test_authorization_matrix.py. Keys are URL names (``app:name``) and OpenAPI operation
ids. A row maps each role to an answer class:

- ``200`` shown; ``LOGIN`` redirected to the sign-in page; ``REDIRECT`` redirected elsewhere;
- ``AUTH``: the answer to someone not signed in (``LOGIN`` for pages, ``401`` problem+json for the API);
- ``403`` forbidden (the object is known to exist); ``404`` the same answer as a missing object;
- ``405`` method not allowed (GET on a POST-only endpoint); ``OK`` an authorised write, not exercised.

``get`` is the row for GET; ``write`` the row for the unsafe method (the operation's own, POST for pages);
a page without ``write`` must refuse POST from every role its ``get`` row refuses (or answer 405).
``args`` fill the path: a string names an object of the matrix's world (tests/core/conftest.py), ``L(x)``
is the literal ``x``. Roles: see ``ROLES`` in tests/core/conftest.py.
"""

from __future__ import annotations

import dataclasses
from typing import Any

LOGIN = "login"
REDIRECT = "redirect"
AUTH = "auth"
OK = "ok"
ALLOWED = {200, 201, 204, OK, REDIRECT}

ROLES = (
    "anonymous",
    "member_a",
    "member_b",
    "coordinator_x",
    "coordinator_y",
    "council",
    "expert_assigned",
    "expert_unassigned",
    "expert_conflicted",
    "secretariat",
    "administrator",
)
MEMBERS = ("member_a", "member_b")
COORDINATORS = ("coordinator_x", "coordinator_y")
EXPERTS = ("expert_assigned", "expert_unassigned", "expert_conflicted")
OFFICE = ("secretariat", "administrator")

Row = dict[str, Any]


class W(str):
    """The primary key of a world object, inside a request body or a query (``{name}`` in a query):
    ids differ between databases and runs, so bodies never hard-code them."""


@dataclasses.dataclass(frozen=True)
class L:
    """A literal path argument."""

    value: Any


def row(default: Any, **cells: Any) -> Row:
    """Every role answers ``default`` except those named (``office=200`` names both secretariat roles)."""
    result = dict.fromkeys(ROLES, default)
    groups = {"members": MEMBERS, "coordinators": COORDINATORS, "experts": EXPERTS, "office": OFFICE}
    for name, value in cells.items():
        for role in groups.get(name, (name,)):
            assert role in result, name
            result[role] = value
    return result


@dataclasses.dataclass(frozen=True)
class Entry:
    get: Row | None = None
    write: Row | None = None
    args: dict[str, Any] = dataclasses.field(default_factory=dict)
    body: Any = None
    query: str = ""

    def but(self, **changes: Any) -> Entry:
        return dataclasses.replace(self, **changes)


def E(
    get: Row | None = None, write: Row | None = None, body: Any = None, query: str = "", **args: Any
) -> Entry:
    return Entry(get=get, write=write, args=args, body=body, query=query)


# Role groups ------------------------------------------------------------------------------------------
PUBLIC = row(200)
SIGNED_IN = row(200, anonymous=AUTH)
SECRETARIAT_ONLY = row(403, anonymous=AUTH, office=200)
SECRETARIAT_ONLY_404 = row(404, anonymous=AUTH, office=200)
POST_ONLY = row(405)
POST_ONLY_SIGNED_IN = row(405, anonymous=AUTH)
ADMIN_SITE = row(LOGIN, administrator=200)
# Writes
ANY_WRITE = row(OK)
SIGNED_IN_WRITE = row(OK, anonymous=AUTH)
SECRETARIAT_WRITE = row(403, anonymous=AUTH, office=OK)
SECRETARIAT_WRITE_404 = row(404, anonymous=AUTH, office=OK)


PAGES: dict[str, Entry] = {
    # core
    "core:home": E(get=PUBLIC),
    "core:about": E(get=PUBLIC),
    "core:desk": E(get=SIGNED_IN),
    "core:audit": E(get=row(403, office=200, anonymous=AUTH)),
    "core:picker": E(get=SIGNED_IN, source=L("membership.organizations"), query="q=qd"),
    "core:tasks": E(get=row(403, administrator=200, anonymous=AUTH)),
    "core:task-retry": E(
        get=POST_ONLY_SIGNED_IN,
        write=row(403, anonymous=AUTH, administrator=OK),
        task_id=L("00000000-0000-4000-8000-000000000000"),
    ),
    "core:task-mail-retry": E(
        get=POST_ONLY_SIGNED_IN, write=row(403, anonymous=AUTH, administrator=OK), pk="notification_a"
    ),
    "set_language": E(get=row(REDIRECT)),
    # probes (lianmeng.core.health): no login; /metrics is off (404) until METRICS_TOKEN or METRICS_ALLOWED_IPS
    "healthz": E(get=PUBLIC),
    "readyz": E(get=PUBLIC),
    "metrics": E(get=row(404)),
    "admin:*": E(get=row(REDIRECT, administrator=200)),
    # accounts
    "accounts:login": E(get=row(REDIRECT, anonymous=200)),
    "accounts:logout": E(get=POST_ONLY, write=ANY_WRITE),
    "accounts:profile": E(get=SIGNED_IN),
    "accounts:token-revoke": E(
        get=POST_ONLY_SIGNED_IN, write=row(404, anonymous=AUTH, member_a=OK), pk="token_a"
    ),
    "accounts:password_change": E(get=SIGNED_IN),
    "accounts:password_reset": E(get=PUBLIC),
    "accounts:password_reset_done": E(get=PUBLIC),
    "accounts:password_reset_confirm": E(get=PUBLIC, uidb64=L("MQ"), token=L("set-password")),
    "accounts:password_reset_complete": E(get=PUBLIC),
    # membership
    "membership:directory": E(get=PUBLIC),
    "membership:organization": E(get=PUBLIC, pk="org_a"),
    "membership:organization-edit": E(get=row(403, office=200, anonymous=AUTH, member_a=200), pk="org_a"),
    "membership:organization-status": E(
        get=POST_ONLY_SIGNED_IN, write=row(403, office=OK, anonymous=AUTH), pk="org_a", change=L("suspend")
    ),
    "membership:apply": E(get=PUBLIC),
    "membership:apply-check": E(get=POST_ONLY, write=ANY_WRITE, field=L("uscc")),
    "membership:application-track": E(get=PUBLIC, token="application_token"),
    "membership:application-letter-token": E(get=PUBLIC, token="application_token"),
    "membership:applications": E(get=row(403, office=200, anonymous=AUTH)),
    "membership:application-review": E(get=row(404, office=200, anonymous=AUTH), pk="application"),
    "membership:application-letter": E(get=row(404, office=200, anonymous=AUTH), pk="application"),
    # governance
    "governance:index": E(get=SIGNED_IN),
    "governance:presidency": E(get=PUBLIC),
    "governance:handover": E(get=POST_ONLY_SIGNED_IN, write=SIGNED_IN_WRITE),
    "governance:handover-motion": E(get=POST_ONLY_SIGNED_IN, write=SIGNED_IN_WRITE),
    "governance:charter": E(get=PUBLIC, write=row(403, office=OK)),
    "governance:rotation-change": E(get=row(403, office=200, anonymous=AUTH)),
    "governance:council": E(get=SIGNED_IN),
    "governance:seat": E(get=row(404, office=200, anonymous=AUTH, council=200), pk="seat"),
    "governance:meetings": E(get=row(403, office=200, anonymous=AUTH, council=200)),
    "governance:meeting-new": E(get=row(403, office=200, anonymous=AUTH)),
    "governance:meeting": E(get=row(404, office=200, anonymous=AUTH, council=200), pk="meeting"),
    "governance:meeting-edit": E(get=row(404, office=REDIRECT, anonymous=AUTH, council=403), pk="meeting"),
    "governance:meeting-paper": E(
        get=row(404, office=200, anonymous=AUTH, council=200), pk="meeting", paper_id="paper"
    ),
    "governance:motions": E(get=row(403, office=200, anonymous=AUTH, council=200)),
    "governance:motion-new": E(get=row(403, office=200, anonymous=AUTH, council=200)),
    "governance:motion": E(get=row(404, office=200, anonymous=AUTH, council=200), pk="motion"),
    "governance:motion-action": E(
        get=POST_ONLY_SIGNED_IN,
        write=row(404, office=OK, anonymous=AUTH, council=403),
        pk="motion",
        action=L("close"),
    ),
    "governance:resolutions": E(get=SIGNED_IN),
    "governance:resolution": E(get=SIGNED_IN, pk="resolution"),
    "governance:notices": E(get=SIGNED_IN),
    "governance:notice-new": E(get=row(403, office=200, anonymous=AUTH)),
    "governance:notice": E(get=row(404, office=200, anonymous=AUTH, member_a=200, council=200), pk="notice"),
    "governance:notice-attachment": E(
        get=row(404, office=200, anonymous=AUTH, member_a=200, council=200),
        pk="notice",
        attachment_id="notice_attachment",
    ),
    "governance:tasks": E(get=SIGNED_IN),
    "governance:task-new": E(get=row(403, office=200, anonymous=AUTH)),
    "governance:task": E(get=row(404, office=200, anonymous=AUTH, member_a=200, council=200), pk="task"),
    "governance:settings": E(get=row(403, anonymous=AUTH, administrator=200)),
    # activities
    "activities:calendar": E(get=PUBLIC),
    "activities:month": E(get=PUBLIC),
    "activities:create": E(get=row(200, experts=403, anonymous=AUTH, council=403)),
    "activities:manage": E(get=SIGNED_IN),
    "activities:mine": E(get=SIGNED_IN),
    "activities:compliance": E(get=PUBLIC),
    "activities:compliance-year": E(get=PUBLIC, year="year"),
    "activities:compliance-settings": E(get=row(403, office=200, anonymous=AUTH), year="year"),
    "activities:feed": E(get=PUBLIC),
    "activities:feed-city": E(get=PUBLIC, city_code="city_x"),
    "activities:feed-personal": E(get=PUBLIC, token="feed_token"),
    "activities:event": E(get=PUBLIC, pk="event"),
    "activities:event-ics": E(get=PUBLIC, pk="event"),
    "activities:edit": E(
        get=row(403, office=200, anonymous=AUTH, member_a=200, coordinator_x=200), pk="event"
    ),
    "activities:hold": E(
        get=row(403, office=200, anonymous=AUTH, member_a=200, coordinator_x=200), pk="event"
    ),
    "activities:register": E(get=row(REDIRECT), pk="event"),
    "activities:checkin": E(
        get=row(403, office=200, anonymous=AUTH, member_a=200, coordinator_x=200), pk="event"
    ),
    "activities:action": E(
        get=POST_ONLY_SIGNED_IN,
        write=row(403, office=OK, anonymous=AUTH, member_a=OK, coordinator_x=OK),
        pk="event",
        action=L("cancel"),
    ),
    "activities:photo": E(get=PUBLIC, pk="photo"),
    "activities:ticket": E(get=PUBLIC, token="ticket_token"),
    "activities:ticket-cancel": E(get=POST_ONLY, write=ANY_WRITE, token="ticket_token"),
    "activities:registration-cancel": E(
        get=POST_ONLY_SIGNED_IN,
        write=row(404, office=OK, anonymous=AUTH, member_a=OK, coordinator_x=OK),
        pk="registration",
    ),
    # library
    "library:home": E(get=PUBLIC),
    "library:search": E(get=PUBLIC),
    "library:experts": E(get=PUBLIC),
    "library:expert-create": E(get=row(403, office=200, anonymous=AUTH)),
    "library:expert": E(get=PUBLIC, pk="expert"),
    "library:expert-edit": E(get=row(403, office=200, anonymous=AUTH, expert_assigned=200), pk="expert"),
    "library:committee": E(get=PUBLIC),
    "library:projects": E(get=PUBLIC),
    "library:project-create": E(get=row(403, office=200, members=200, anonymous=AUTH)),
    "library:project": E(get=PUBLIC, pk="project"),
    "library:project-edit": E(get=row(403, office=200, anonymous=AUTH, member_a=200), pk="project"),
    "library:project-transition": E(get=POST_ONLY_SIGNED_IN, write=SIGNED_IN_WRITE, pk="project"),
    "library:project-landing": E(get=row(403, office=200, coordinators=200, anonymous=AUTH), pk="project"),
    "library:landed": E(get=PUBLIC),
    "library:landed-city": E(get=PUBLIC, code="city_x"),
    "library:achievements": E(get=PUBLIC),
    "library:achievement-create": E(get=row(403, office=200, members=200, anonymous=AUTH)),
    "library:achievement": E(get=PUBLIC, pk="achievement"),
    "library:achievement-edit": E(get=row(403, office=200, anonymous=AUTH, member_a=200), pk="achievement"),
    "library:achievement-showcase": E(
        get=POST_ONLY_SIGNED_IN, write=row(403, office=OK, anonymous=AUTH), pk="achievement"
    ),
    "library:achievement-file": E(get=PUBLIC, pk="achievement", file_id="achievement_file"),
    "library:achievement-citation": E(get=PUBLIC, pk="achievement", fmt=L("bib")),
    "library:showcase": E(get=PUBLIC),
    "library:showcase-year": E(get=PUBLIC, year="year"),
    "library:consultations": E(get=SIGNED_IN),
    "library:consultation-create": E(get=row(403, members=200, anonymous=AUTH)),
    "library:consultation": E(
        get=row(404, office=200, anonymous=AUTH, member_a=200, expert_assigned=200), pk="consultation"
    ),
    "library:consultation-file": E(
        get=row(404, office=200, anonymous=AUTH, member_a=200, expert_assigned=200),
        pk="consultation",
        file_id="consultation_file",
    ),
    "library:import": E(get=row(403, office=200, anonymous=AUTH), kind=L("experts")),
    "library:export": E(get=SIGNED_IN, kind=L("organizations"), fmt=L("xlsx")),
    # research
    "research:index": E(get=SIGNED_IN),
    "research:call-new": E(get=row(403, office=200, anonymous=AUTH)),
    "research:call": E(get=PUBLIC, pk="call"),
    "research:proposal-new": E(get=row(403, members=200, anonymous=AUTH), pk="call"),
    "research:proposals": E(get=SIGNED_IN),
    "research:proposal": E(get=row(404, office=200, anonymous=AUTH), pk="proposal"),
    "research:proposal-file": E(get=row(404, office=200, anonymous=AUTH), pk="proposal_file"),
    "research:round-new": E(get=row(403, office=200, anonymous=AUTH)),
    "research:round": E(get=row(200, anonymous=404), pk="round"),
    "research:entry-new": E(get=row(403, members=200, anonymous=AUTH), pk="round"),
    "research:assignment": E(get=row(403, office=200, anonymous=AUTH), pk="round"),
    "research:assignment-job": E(get=row(403, office=200, anonymous=AUTH), pk="round", job="assignment_job"),
    "research:entry": E(get=row(404, office=200, expert_assigned=200), pk="entry"),
    "research:entry-file": E(get=row(404, office=200, anonymous=AUTH, expert_assigned=200), pk="entry_file"),
    "research:my-reviews": E(get=SIGNED_IN),
    "research:review-start": E(
        get=row(404, office=403, anonymous=AUTH, expert_assigned=REDIRECT), pk="assignment"
    ),
    "research:review": E(get=row(404, office=200, anonymous=AUTH, expert_assigned=200), pk="review"),
    "research:results": E(get=PUBLIC),
    "research:result": E(get=PUBLIC, pk="final_round"),
    # matchmaking
    "matchmaking:market": E(get=PUBLIC),
    "matchmaking:resource-new": E(get=row(403, office=200, members=200, anonymous=AUTH)),
    "matchmaking:session": E(get=PUBLIC, event_id="session_event"),
    "matchmaking:resource": E(get=PUBLIC, pk="resource"),
    "matchmaking:resource-edit": E(get=row(403, office=200, anonymous=AUTH, member_b=200), pk="resource"),
    "matchmaking:resource-request": E(
        get=POST_ONLY_SIGNED_IN, write=row(403, anonymous=AUTH, member_a=OK), pk="resource"
    ),
    "matchmaking:resource-status": E(
        get=POST_ONLY_SIGNED_IN,
        write=row(403, office=OK, anonymous=AUTH, member_b=OK),
        pk="resource",
        action=L("close"),
    ),
    "matchmaking:requests": E(get=SIGNED_IN),
    "matchmaking:request": E(get=row(404, office=200, anonymous=AUTH, member_a=200), pk="match_request"),
    "matchmaking:request-meeting": E(
        get=POST_ONLY_SIGNED_IN, write=row(404, office=OK, anonymous=AUTH, member_a=OK), pk="match_request"
    ),
    "matchmaking:request-outcome": E(
        get=POST_ONLY_SIGNED_IN, write=row(404, office=OK, anonymous=AUTH, member_a=OK), pk="match_request"
    ),
    "matchmaking:request-slot": E(
        get=POST_ONLY_SIGNED_IN, write=row(404, office=OK, anonymous=AUTH, member_a=OK), pk="match_request"
    ),
    "matchmaking:slot-cancel": E(
        get=POST_ONLY_SIGNED_IN,
        write=row(404, office=OK, anonymous=AUTH, member_a=OK),
        pk="slot_request",
        slot_pk="slot",
    ),
    "matchmaking:request-answer": E(
        get=POST_ONLY_SIGNED_IN,
        write=row(404, office=403, anonymous=AUTH, member_a=403),
        pk="match_request",
        action=L("accept"),
    ),
    # publicity
    "publicity:articles": E(get=PUBLIC),
    "publicity:article-new": E(get=row(403, office=200, members=200, anonymous=AUTH)),
    "publicity:workbench": E(get=row(403, office=200, members=200, anonymous=AUTH)),
    "publicity:article": E(get=PUBLIC, pk="article"),
    "publicity:article-cover": E(get=row(404), pk="article"),
    "publicity:article-edit": E(get=row(403, office=200, anonymous=AUTH), pk="article"),
    "publicity:article-action": E(
        get=POST_ONLY_SIGNED_IN,
        write=row(403, office=OK, anonymous=AUTH),
        pk="article",
        action=L("unpublish"),
    ),
    "publicity:feed-rss": E(get=PUBLIC),
    "publicity:feed-atom": E(get=PUBLIC),
    "publicity:feed-kind-rss": E(get=PUBLIC, kind=L("news")),
    "publicity:feed-kind-atom": E(get=PUBLIC, kind=L("news")),
    "publicity:sitemap": E(get=PUBLIC),
    # reporting
    "reporting:dashboard": E(get=SIGNED_IN),
    "reporting:city": E(get=SIGNED_IN, code="city_x"),
    "reporting:annual-pdf": E(get=row(403, office=200, anonymous=AUTH, council=200), year="year"),
    "reporting:annual-xlsx": E(get=row(403, office=200, anonymous=AUTH, council=200), year="year"),
    "reporting:annual-status": E(
        get=row(403, office=200, anonymous=AUTH, council=200), year="year", kind=L("pdf")
    ),
    "accounts:two-factor-codes": E(get=row(REDIRECT, anonymous=AUTH)),
    "accounts:two-factor-disable": E(get=row(REDIRECT, anonymous=AUTH)),
    "accounts:two-factor-regenerate": E(get=POST_ONLY_SIGNED_IN, write=SIGNED_IN_WRITE),
    "accounts:two-factor-setup": E(get=SIGNED_IN),
    "accounts:two-factor-verify": E(get=row(REDIRECT, anonymous=AUTH)),
    "privacy:erasures": E(get=row(403, office=200, anonymous=AUTH)),
    "privacy:my-data": E(get=SIGNED_IN),
    "privacy:my-data-download": E(get=SIGNED_IN),
    # notifications: a person's own; another's notification is the same 404 as a missing one
    "notifications:list": E(get=SIGNED_IN),
    "notifications:bell": E(get=SIGNED_IN),
    "notifications:preferences": E(get=SIGNED_IN),
    "notifications:read-all": E(get=POST_ONLY_SIGNED_IN, write=SIGNED_IN_WRITE),
    "notifications:open": E(
        get=POST_ONLY_SIGNED_IN, write=row(404, anonymous=AUTH, member_a=REDIRECT), pk="notification_a"
    ),
}

# Path parameters of the API, by name (an entry's ``args`` override them).
API_ARGS: dict[str, Any] = {
    "token_id": "token_a",
    "org_id": "org_a",
    "application_id": "application",
    "seat_id": "seat",
    "meeting_id": "meeting",
    "paper_id": "paper",
    "motion_id": "motion",
    "notice_id": "notice",
    "attachment_id": "notice_attachment",
    "task_id": "task",
    "event_id": "event",
    "registration_id": "registration",
    "year": "year",
    "city_code": "city_x",
    "expert_id": "expert",
    "project_id": "project",
    "achievement_id": "achievement",
    "file_id": "achievement_file",
    "consultation_id": "consultation",
    "kind": L("organizations"),
    "proposal_id": "proposal",
    "round_id": "round",
    "job_id": "assignment_job",
    "entry_id": "entry",
    "review_id": "review",
    "resource_id": "resource",
    "request_id": "match_request",
    "article_id": "article",
}

API: dict[str, Entry] = {
    "lianmeng_accounts_api_me": E(get=SIGNED_IN),
    "lianmeng_accounts_api_token_list": E(get=SIGNED_IN),
    "lianmeng_accounts_api_token_obtain": E(write=ANY_WRITE),
    "lianmeng_accounts_api_token_revoke": E(write=row(404, anonymous=AUTH, member_a=OK)),
    "lianmeng_activities_api_calendar_city_ics": E(get=PUBLIC),
    "lianmeng_activities_api_calendar_ics": E(get=PUBLIC),
    "lianmeng_activities_api_checkin": E(
        write=row(403, office=OK, anonymous=AUTH, member_a=OK, coordinator_x=OK)
    ),
    "lianmeng_activities_api_compliance": E(get=PUBLIC),
    "lianmeng_activities_api_event_cancel": E(
        write=row(403, office=OK, anonymous=AUTH, member_a=OK, coordinator_x=OK)
    ),
    "lianmeng_activities_api_event_create": E(write=row(OK, experts=403, anonymous=AUTH, council=403)),
    "lianmeng_activities_api_event_detail": E(get=PUBLIC),
    "lianmeng_activities_api_event_hold": E(
        write=row(403, office=OK, anonymous=AUTH, member_a=OK, coordinator_x=OK)
    ),
    "lianmeng_activities_api_event_list": E(get=PUBLIC),
    "lianmeng_activities_api_event_patch": E(
        write=row(403, office=OK, anonymous=AUTH, member_a=OK, coordinator_x=OK)
    ),
    "lianmeng_activities_api_event_publish": E(
        write=row(403, office=OK, anonymous=AUTH, member_a=OK, coordinator_x=OK)
    ),
    "lianmeng_activities_api_event_summary_update": E(
        write=row(403, office=OK, anonymous=AUTH, member_a=OK, coordinator_x=OK)
    ),
    "lianmeng_activities_api_registration_cancel": E(
        write=row(404, office=OK, anonymous=AUTH, member_a=OK, coordinator_x=OK)
    ),
    "lianmeng_activities_api_registration_create": E(write=ANY_WRITE),
    "lianmeng_activities_api_registration_list": E(get=SIGNED_IN),
    "lianmeng_core_api_city_list": E(get=PUBLIC),
    "lianmeng_governance_api_meeting_create": E(
        write=row(403, office=OK, anonymous=AUTH),
        body={
            "kind": "ordinary",
            "title": "测试会议",
            "starts_at": "2030-12-20T09:00:00+08:00",
            "place": "青岛",
        },
    ),
    "lianmeng_governance_api_meeting_detail": E(get=row(404, office=200, anonymous=AUTH, council=200)),
    "lianmeng_governance_api_meeting_list": E(get=row(403, office=200, anonymous=AUTH, council=200)),
    "lianmeng_governance_api_meeting_paper_delete": E(write=row(404, office=OK, anonymous=AUTH, council=403)),
    "lianmeng_governance_api_meeting_paper_file": E(get=row(404, office=200, anonymous=AUTH, council=200)),
    "lianmeng_governance_api_meeting_paper_upload": E(write=row(404, office=OK, anonymous=AUTH, council=403)),
    "lianmeng_governance_api_meeting_papers": E(get=row(404, office=200, anonymous=AUTH, council=200)),
    "lianmeng_governance_api_meeting_patch": E(write=row(404, office=OK, anonymous=AUTH, council=403)),
    "lianmeng_governance_api_motion_close": E(write=row(404, office=OK, anonymous=AUTH, council=403)),
    "lianmeng_governance_api_motion_create": E(write=row(403, office=OK, anonymous=AUTH, council=OK)),
    "lianmeng_governance_api_motion_detail": E(get=row(404, office=200, anonymous=AUTH, council=200)),
    "lianmeng_governance_api_motion_list": E(get=row(403, office=200, anonymous=AUTH, council=200)),
    "lianmeng_governance_api_motion_open": E(write=row(404, office=OK, anonymous=AUTH, council=403)),
    "lianmeng_governance_api_motion_vote": E(write=row(404, office=403, anonymous=AUTH, council=OK)),
    "lianmeng_governance_api_notice_attach": E(
        write=row(404, office=OK, anonymous=AUTH, member_a=403, council=403)
    ),
    "lianmeng_governance_api_notice_attachment_delete": E(
        write=row(404, office=OK, anonymous=AUTH, member_a=403, council=403)
    ),
    "lianmeng_governance_api_notice_attachment_file": E(
        get=row(404, office=200, anonymous=AUTH, member_a=200, council=200)
    ),
    "lianmeng_governance_api_notice_create": E(write=row(403, office=OK, anonymous=AUTH)),
    "lianmeng_governance_api_notice_detail": E(
        get=row(404, office=200, anonymous=AUTH, member_a=200, council=200)
    ),
    "lianmeng_governance_api_notice_list": E(get=SIGNED_IN),
    "lianmeng_governance_api_notice_read": E(
        write=row(404, office=403, anonymous=AUTH, member_a=OK, council=OK)
    ),
    "lianmeng_governance_api_presidency_change": E(write=row(403, office=OK, anonymous=AUTH)),
    "lianmeng_governance_api_presidency_current": E(get=PUBLIC),
    # The demo's handover into term 2 is recorded (with its resolution) and term 3 has not begun: no
    # handover is due, so everyone signed in is refused with 422 "目前没有待办理的轮值交接" and nothing is
    # written (who may record one is tested in tests/governance/test_handover_and_charter.py).
    "lianmeng_governance_api_presidency_handover": E(write=row(422, anonymous=AUTH)),
    # Likewise no handover is due to put to the council: 422 for everyone signed in.
    "lianmeng_governance_api_presidency_handover_motion": E(write=row(422, anonymous=AUTH)),
    "lianmeng_governance_api_charter_versions": E(get=PUBLIC),
    "lianmeng_governance_api_charter_revise": E(write=row(403, anonymous=AUTH, office=OK)),
    "lianmeng_governance_api_presidency_plan": E(get=PUBLIC),
    "lianmeng_governance_api_presidency_terms": E(get=PUBLIC),
    "lianmeng_governance_api_seat_create": E(write=row(403, office=OK, anonymous=AUTH)),
    "lianmeng_governance_api_seat_detail": E(get=row(404, office=200, anonymous=AUTH, council=200)),
    "lianmeng_governance_api_seat_list": E(get=row(403, office=200, anonymous=AUTH, council=200)),
    "lianmeng_governance_api_seat_representative": E(
        write=row(404, office=OK, anonymous=AUTH, council=403),
        body={"representative": W("user_member_b"), "on": "2026-12-01"},
    ),
    "lianmeng_governance_api_task_create": E(
        write=row(403, office=OK, anonymous=AUTH),
        body={"title": "测试任务", "due_on": "2030-12-01", "owner_user": W("user_member_b")},
    ),
    "lianmeng_governance_api_task_list": E(get=SIGNED_IN),
    "lianmeng_governance_api_task_patch": E(
        write=row(404, office=OK, anonymous=AUTH, member_a=OK, council=OK)
    ),
    "lianmeng_library_api_achievement_citation": E(get=PUBLIC),
    "lianmeng_library_api_achievement_create": E(write=row(422, office=OK, anonymous=AUTH)),
    "lianmeng_library_api_achievement_detail": E(get=PUBLIC),
    "lianmeng_library_api_achievement_file": E(get=PUBLIC),
    "lianmeng_library_api_achievement_file_upload": E(write=row(403, office=OK, anonymous=AUTH, member_a=OK)),
    "lianmeng_library_api_achievement_list": E(get=PUBLIC),
    "lianmeng_library_api_achievement_patch": E(write=row(403, office=OK, anonymous=AUTH, member_a=OK)),
    "lianmeng_library_api_committee": E(get=PUBLIC),
    "lianmeng_library_api_consultation_answer": E(
        write=row(404, office=403, anonymous=AUTH, member_a=403, expert_assigned=OK)
    ),
    "lianmeng_library_api_consultation_assign": E(
        write=row(404, office=OK, anonymous=AUTH, member_a=403, expert_assigned=403)
    ),
    "lianmeng_library_api_consultation_create": E(write=row(403, members=OK, anonymous=AUTH)),
    "lianmeng_library_api_consultation_detail": E(
        get=row(404, office=200, anonymous=AUTH, member_a=200, expert_assigned=200)
    ),
    "lianmeng_library_api_consultation_list": E(get=SIGNED_IN),
    "lianmeng_library_api_consultation_rate": E(
        write=row(404, office=403, anonymous=AUTH, member_a=OK, expert_assigned=403)
    ),
    "lianmeng_library_api_consultation_suggestions": E(
        get=row(404, office=200, anonymous=AUTH, member_a=403, expert_assigned=403)
    ),
    "lianmeng_library_api_expert_create": E(write=row(403, office=OK, anonymous=AUTH)),
    "lianmeng_library_api_expert_detail": E(get=PUBLIC),
    "lianmeng_library_api_expert_list": E(get=PUBLIC),
    "lianmeng_library_api_expert_patch": E(write=row(403, office=OK, anonymous=AUTH, expert_assigned=OK)),
    "lianmeng_library_api_export_csv": E(get=SIGNED_IN),
    "lianmeng_library_api_export_xlsx": E(get=SIGNED_IN),
    "lianmeng_library_api_import_file": E(write=row(403, office=OK, anonymous=AUTH)),
    "lianmeng_library_api_landed_by_city": E(get=PUBLIC),
    "lianmeng_library_api_project_create": E(write=row(422, office=OK, anonymous=AUTH)),
    "lianmeng_library_api_project_detail": E(get=PUBLIC),
    "lianmeng_library_api_project_evaluation": E(write=row(404, office=OK, anonymous=AUTH)),
    "lianmeng_library_api_project_landing": E(write=row(422, office=OK, anonymous=AUTH)),
    "lianmeng_library_api_project_list": E(get=PUBLIC),
    "lianmeng_library_api_project_patch": E(write=row(403, office=OK, anonymous=AUTH, member_a=OK)),
    "lianmeng_library_api_project_transition": E(write=row(422, office=OK, anonymous=AUTH)),
    "lianmeng_library_api_search": E(get=PUBLIC),
    "lianmeng_matchmaking_api_match_request_accept": E(
        write=row(404, office=403, anonymous=AUTH, member_a=403)
    ),
    "lianmeng_matchmaking_api_match_request_create": E(
        write=row(403, anonymous=AUTH, member_a=OK, member_b=403),
        body={"resource": W("resource"), "message": "测试"},
    ),
    "lianmeng_matchmaking_api_match_request_decline": E(
        write=row(404, office=403, anonymous=AUTH, member_a=403)
    ),
    "lianmeng_matchmaking_api_match_request_detail": E(
        get=row(404, office=200, anonymous=AUTH, member_a=200)
    ),
    "lianmeng_matchmaking_api_match_request_list": E(get=SIGNED_IN),
    "lianmeng_matchmaking_api_match_request_meeting": E(
        write=row(404, office=OK, anonymous=AUTH, member_a=OK)
    ),
    "lianmeng_matchmaking_api_match_request_outcome": E(
        write=row(404, office=OK, anonymous=AUTH, member_a=OK)
    ),
    "lianmeng_matchmaking_api_match_request_slot": E(write=row(404, office=OK, anonymous=AUTH, member_a=OK)),
    "lianmeng_matchmaking_api_match_request_withdraw": E(
        write=row(404, office=403, anonymous=AUTH, member_a=OK)
    ),
    "lianmeng_matchmaking_api_match_session_list": E(get=PUBLIC),
    "lianmeng_matchmaking_api_match_session_statistics": E(get=PUBLIC, event_id="session_event"),
    "lianmeng_matchmaking_api_resource_create": E(write=row(403, office=OK, members=OK, anonymous=AUTH)),
    "lianmeng_matchmaking_api_resource_detail": E(get=PUBLIC),
    "lianmeng_matchmaking_api_resource_list": E(get=PUBLIC),
    "lianmeng_matchmaking_api_resource_matches": E(get=row(404, office=200, anonymous=AUTH, member_b=200)),
    "lianmeng_matchmaking_api_resource_patch": E(write=row(403, office=OK, anonymous=AUTH, member_b=OK)),
    "lianmeng_membership_api_application_create": E(write=ANY_WRITE),
    "lianmeng_membership_api_application_detail": E(get=row(404, office=200, anonymous=AUTH)),
    "lianmeng_membership_api_application_letter": E(write=ANY_WRITE),
    "lianmeng_membership_api_application_list": E(get=row(403, office=200, anonymous=AUTH)),
    "lianmeng_membership_api_application_review": E(write=row(403, office=OK, anonymous=AUTH)),
    "lianmeng_membership_api_organization_detail": E(get=PUBLIC),
    "lianmeng_membership_api_organization_list": E(get=PUBLIC),
    "lianmeng_membership_api_organization_patch": E(write=row(403, office=OK, anonymous=AUTH, member_a=OK)),
    "lianmeng_privacy_api_erasure_create": E(write=row(403, office=OK, anonymous=AUTH)),
    "lianmeng_privacy_api_erasure_list": E(get=row(403, office=200, anonymous=AUTH)),
    "lianmeng_privacy_api_erasure_preview": E(
        get=row(403, office=200, anonymous=AUTH), query="subject=user%3A{user_member_b}"
    ),
    "lianmeng_privacy_api_my_data": E(get=SIGNED_IN),
    "lianmeng_privacy_api_people": E(get=row(403, office=200, anonymous=AUTH), query="q=%E7%8E%8B"),
    "lianmeng_notifications_api_notification_list": E(get=SIGNED_IN, query="unread=true"),
    "lianmeng_notifications_api_notification_read": E(
        write=row(404, anonymous=AUTH, member_a=200), notification_id="notification_a"
    ),
    "lianmeng_notifications_api_notification_read_all": E(write=SIGNED_IN_WRITE),
    "lianmeng_notifications_api_notification_preferences": E(get=SIGNED_IN),
    "lianmeng_notifications_api_notification_preferences_update": E(
        write=SIGNED_IN_WRITE, body={"preferences": [{"kind": "task_assigned", "channel": "in_app"}]}
    ),
    "lianmeng_publicity_api_article_create": E(write=row(403, office=OK, members=OK, anonymous=AUTH)),
    "lianmeng_publicity_api_article_detail": E(get=PUBLIC),
    "lianmeng_publicity_api_article_list": E(get=PUBLIC),
    "lianmeng_publicity_api_article_publish": E(write=row(403, office=OK, anonymous=AUTH)),
    "lianmeng_publicity_api_article_return": E(write=row(403, office=OK, anonymous=AUTH)),
    "lianmeng_publicity_api_article_submit": E(write=row(403, office=OK, anonymous=AUTH)),
    "lianmeng_publicity_api_article_unpublish": E(write=row(403, office=OK, anonymous=AUTH)),
    "lianmeng_publicity_api_article_update": E(write=row(403, office=OK, anonymous=AUTH)),
    "lianmeng_reporting_api_report_annual_pdf": E(get=row(403, office=200, anonymous=AUTH, council=200)),
    "lianmeng_reporting_api_report_annual_xlsx": E(get=row(403, office=200, anonymous=AUTH, council=200)),
    "lianmeng_reporting_api_report_figures": E(get=PUBLIC),
    "lianmeng_research_api_assignment": E(write=row(403, office=OK, anonymous=AUTH)),
    "lianmeng_research_api_assignment_apply": E(write=row(403, office=OK, anonymous=AUTH)),
    "lianmeng_research_api_assignment_cancel": E(write=row(403, office=OK, anonymous=AUTH)),
    "lianmeng_research_api_assignment_job": E(get=row(403, office=200, anonymous=AUTH)),
    "lianmeng_research_api_call_create": E(
        write=row(403, office=OK, anonymous=AUTH),
        body={
            "year": 2026,
            "title": "测试指南",
            "opens_on": "2026-01-01",
            "deadline": "2026-12-31",
            "topics": [{"title": "测试课题"}],
        },
    ),
    "lianmeng_research_api_call_list": E(get=PUBLIC),
    "lianmeng_research_api_entry_create": E(write=row(403, members=OK, anonymous=AUTH)),
    "lianmeng_research_api_entry_list": E(get=SIGNED_IN),
    "lianmeng_research_api_entry_transition": E(
        write=row(404, office=OK, anonymous=AUTH, expert_assigned=403)
    ),
    "lianmeng_research_api_finalise": E(write=row(403, office=OK, anonymous=AUTH)),
    "lianmeng_research_api_invite": E(write=row(403, office=OK, anonymous=AUTH)),
    "lianmeng_research_api_objection_create": E(write=ANY_WRITE),
    "lianmeng_research_api_proposal_create": E(
        write=row(403, members=OK, anonymous=AUTH),
        body={"topic": 1, "title": "测试申报", "leader": "张三", "team": "张三", "plan": "计划", "budget": 1},
    ),
    "lianmeng_research_api_proposal_list": E(get=SIGNED_IN),
    "lianmeng_research_api_proposal_transition": E(write=row(404, office=OK, anonymous=AUTH)),
    "lianmeng_research_api_results": E(get=row(403, office=200, anonymous=404)),
    "lianmeng_research_api_review_list": E(get=SIGNED_IN),
    "lianmeng_research_api_review_submit": E(write=row(404, office=403, anonymous=AUTH, expert_assigned=OK)),
    "lianmeng_research_api_review_update": E(write=row(404, office=403, anonymous=AUTH, expert_assigned=OK)),
    "lianmeng_research_api_round_create": E(
        write=row(403, office=OK, anonymous=AUTH),
        body={
            "kind": "typical_case",
            "year": 2026,
            "title": "测试评选",
            "entries_close_on": "2099-12-31",
            "review_due_on": "2099-12-31",
            "criteria": [{"name": "创新性", "weight": 100}],
            "tiers": [{"level": "first", "quota_percent": 10}],
        },
    ),
    "lianmeng_research_api_round_list": E(get=PUBLIC),
    "lianmeng_research_api_round_transition": E(write=row(403, office=OK, anonymous=AUTH)),
}


def entry_for_page(name: str) -> Entry | None:
    if name in PAGES:
        return PAGES[name]
    if name.startswith("admin:"):
        return PAGES.get("admin:*")
    return None

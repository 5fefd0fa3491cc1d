"""Reads of the market, suggestions and requests, filtered by what the viewer may see."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from lianmeng.core import cache
from lianmeng.core.models import City
from lianmeng.core.search import search_filter

from . import integrations, models, policies
from .matching import Suggestion, library_suggestions_for, suggestions_for

PUBLIC_STATUSES = (models.ResourceStatus.OPEN, models.ResourceStatus.MATCHED)


def _with_cities(qs: QuerySet[models.Resource]) -> QuerySet[models.Resource]:
    return qs.select_related("organization", "organization__city").prefetch_related(
        Prefetch("cities", queryset=City.objects.order_by("position"))
    )


def resource_market(
    *,
    viewer: Any,
    q: str | None = None,
    direction: str | None = None,
    category: str | None = None,
    city: str | None = None,
    organization: int | None = None,
    status: str | None = None,
    mine: bool = False,
) -> QuerySet[models.Resource]:
    """The market, newest first. Everyone sees open and matched posts; a member also sees all of their
    own organization's posts (``mine``); the secretariat sees every status."""
    qs = models.Resource.objects.all()
    own = policies.contact_org_ids(viewer)
    if mine:
        qs = qs.filter(organization_id__in=own)
        if status:
            qs = qs.filter(status=status)
    elif policies.can_view_market_admin(viewer):
        if status:
            qs = qs.filter(status=status)
    else:
        visible = status if status in PUBLIC_STATUSES else None
        qs = qs.filter(status=visible) if visible else qs.filter(status__in=PUBLIC_STATUSES)
        if status and not visible:
            qs = qs.none()
    if direction:
        qs = qs.filter(direction=direction)
    if category:
        qs = qs.filter(category=category)
    if city:
        qs = qs.filter(cities__code=city)
    if organization:
        qs = qs.filter(organization_id=organization)
    qs = search_filter(qs, q)
    return _with_cities(qs).order_by("-created_at", "-id")


def resource_get(*, viewer: Any, pk: int) -> models.Resource:
    """One post as the viewer may see it; missing and hidden give the same 404."""
    resource = _with_cities(models.Resource.objects.filter(pk=pk)).first()
    if resource is None:
        raise Http404
    if not policies.can_view_resource(viewer, resource):
        raise Http404
    return resource


def resource_suggestions(
    *,
    viewer: Any,
    resource: models.Resource,
    limit: int = 10,
    per_kind: int = 3,
    posts: bool = True,
    library: bool = True,
) -> tuple[list[Suggestion], list[Suggestion]]:
    """(posts of the other side, library items) suggested for a post, for its own organization and the
    secretariat; both read in one go (one settings read, one versions query, one cache round trip)."""
    if not policies.can_view_suggestions(viewer, resource):
        raise Http404
    config = models.MatchmakingSettings.current()
    today = timezone.localdate().isoformat()
    entries: list[tuple[str, tuple[str, ...], tuple[Any, ...], Callable[[], list[Suggestion]]]] = []
    if posts:
        # the same for everyone allowed to see them: cached per post, limit and day (scores count the days
        # left) until the market, an organization or a city changes (56-63 ms at 100,000 posts)
        entries.append(
            (
                "resource-matches",
                ("matchmaking", "membership", "core"),
                (resource.pk, limit, config.min_score, today),
                lambda: suggestions_for(resource, limit=limit, min_score=config.min_score),
            )
        )
    if library:
        # what of the libraries the viewer may see depends on who they are: one copy per viewer and roles
        entries.append(
            (
                "resource-library-matches",
                ("matchmaking", "library", "membership", "core"),
                (resource.pk, per_kind, config.min_score, today, *cache.viewer_parts(viewer)),
                lambda: library_suggestions_for(
                    resource, viewer=viewer, per_kind=per_kind, min_score=config.min_score
                ),
            )
        )
    found = cache.cached_each(entries)
    return (found.pop(0) if posts else []), (found.pop(0) if library else [])


def new_suggestion_counts(*, viewer: Any, limit_posts: int = 5) -> list[tuple[models.Resource, int]]:
    """The viewer's organizations' newest open posts with how many suggestions appeared this period."""
    orgs = policies.contact_org_ids(viewer)
    if not orgs:
        return []
    config = models.MatchmakingSettings.current()
    since = timezone.now() - datetime.timedelta(days=config.digest_days)
    posts = models.Resource.objects.filter(
        organization_id__in=orgs, status=models.ResourceStatus.OPEN, valid_until__gte=timezone.localdate()
    ).order_by("-created_at")[:limit_posts]
    out = []
    for post in posts:
        found = suggestions_for(post, limit=50, min_score=config.min_score, since=since)
        out.append((post, len(found)))
    return out


def _requests() -> QuerySet[models.MatchRequest]:
    return models.MatchRequest.objects.select_related(
        "resource", "resource__organization", "requester_organization", "from_resource"
    )


def request_list(
    *, viewer: Any, box: str = "all", status: str | None = None
) -> QuerySet[models.MatchRequest]:
    """Requests the viewer may see: ``incoming`` (to my posts), ``outgoing`` (sent by my organization),
    or ``all`` (both; the secretariat sees every request)."""
    orgs = policies.contact_org_ids(viewer)
    qs = _requests()
    incoming = Q(resource__organization_id__in=orgs)
    outgoing = Q(requester_organization_id__in=orgs)
    if box == "incoming":
        qs = qs.filter(incoming)
    elif box == "outgoing":
        qs = qs.filter(outgoing)
    elif not policies.is_secretariat(viewer):
        qs = qs.filter(incoming | outgoing)
    if not policies.signed_in(viewer):
        qs = qs.none()
    if status:
        qs = qs.filter(status=status)
    return qs.annotate(meeting_count=Count("meetings")).order_by("-last_activity_at", "-id")


def request_get(*, viewer: Any, pk: int) -> models.MatchRequest:
    request = (
        _requests()
        .prefetch_related(Prefetch("meetings", queryset=models.Meeting.objects.order_by("held_at", "id")))
        .filter(pk=pk)
        .first()
    )
    if request is None or not policies.can_view_request(viewer, request):
        raise Http404
    return request


def requests_waiting_for(*, viewer: Any) -> QuerySet[models.MatchRequest]:
    """Pending requests to the viewer's organizations' posts: the desk's "waiting for my answer"."""
    orgs = policies.contact_org_ids(viewer)
    return (
        _requests()
        .filter(resource__organization_id__in=orgs, status=models.RequestStatus.PENDING)
        .order_by("created_at", "id")
    )


def my_active_request_for(*, viewer: Any, resource: models.Resource) -> models.MatchRequest | None:
    orgs = policies.contact_org_ids(viewer)
    if not orgs:
        return None
    return (
        models.MatchRequest.objects.filter(
            resource=resource, requester_organization_id__in=orgs, status__in=models.ACTIVE_REQUEST_STATUSES
        )
        .order_by("-id")
        .first()
    )


def requested_resource_ids(*, viewer: Any, resource_ids: list[int]) -> set[int]:
    """Which of these posts the viewer's organizations already have an active request for (one query)."""
    orgs = policies.contact_org_ids(viewer)
    if not orgs or not resource_ids:
        return set()
    return set(
        models.MatchRequest.objects.filter(
            resource_id__in=resource_ids,
            requester_organization_id__in=orgs,
            status__in=models.ACTIVE_REQUEST_STATUSES,
        ).values_list("resource_id", flat=True)
    )


def outcome_figures() -> dict[str, Any]:
    """Counts for statistics and the portal: requests, meetings, outcomes by kind, agreement amount."""
    from django.db.models import Sum

    requests = models.MatchRequest.objects.aggregate(
        total=Count("id"),
        accepted=Count(
            "id", filter=Q(status__in=[models.RequestStatus.ACCEPTED, models.RequestStatus.CONCLUDED])
        ),
        success=Count("id", filter=Q(outcome__in=models.SUCCESS_OUTCOMES)),
        projects=Count("id", filter=Q(outcome="project_created")),
        amount=Sum("outcome_amount", filter=Q(outcome__in=models.SUCCESS_OUTCOMES)),
    )
    requests["meetings"] = models.Meeting.objects.count()
    requests["open_posts"] = models.Resource.objects.filter(status=models.ResourceStatus.OPEN).count()
    return requests


# Matchmaking sessions (events of kind 对接会) ------------------------------------------------------


def sessions_statistics(event_ids: list[int]) -> dict[int, dict[str, Any]]:
    """What each matchmaking session led to, from the slots booked and meetings recorded at it: slots
    booked, meetings held, the requests they belong to (accepted: accepted or concluded), the
    organizations on either side, outcomes by kind, agreement amounts (万元), projects created and talent
    placed. Three queries whatever the number or size of the sessions."""
    from decimal import Decimal

    slots: list[tuple[int, int]] = list(
        models.SessionSlot.objects.filter(event_id__in=event_ids).values_list("event_id", "request_id")
    )
    meetings: list[tuple[int, int]] = [
        (int(e), r)
        for e, r in models.Meeting.objects.filter(event_id__in=event_ids).values_list(
            "event_id", "request_id"
        )
        if e is not None
    ]
    by_event: dict[int, set[int]] = {pk: set() for pk in event_ids}
    for event_id, request_id in [*slots, *meetings]:
        by_event[event_id].add(request_id)
    requests = {
        r[0]: r
        for r in models.MatchRequest.objects.filter(
            pk__in={rid for ids in by_event.values() for rid in ids}
        ).values_list(
            "pk",
            "status",
            "outcome",
            "outcome_amount",
            "outcome_count",
            "resource__organization_id",
            "requester_organization_id",
        )
    }
    labels = dict(models.Outcome.choices)
    out: dict[int, dict[str, Any]] = {}
    for event_id, request_ids in by_event.items():
        by_outcome = dict.fromkeys(models.Outcome.values, 0)
        accepted = placed = 0
        amount = Decimal(0)
        orgs: set[int] = set()
        for rid in request_ids:
            _pk, status, outcome, outcome_amount, outcome_count, org_a, org_b = requests[rid]
            orgs.update([org_a, org_b])
            if status in (models.RequestStatus.ACCEPTED, models.RequestStatus.CONCLUDED):
                accepted += 1
            if outcome:
                by_outcome[outcome] += 1
            if outcome == models.Outcome.AGREEMENT:
                amount += outcome_amount or 0
            if outcome == models.Outcome.TALENT_PLACED:
                placed += outcome_count or 0
        out[event_id] = {
            "slots_booked": sum(1 for e, _r in slots if e == event_id),
            "meetings_held": sum(1 for e, _r in meetings if e == event_id),
            "requests": len(request_ids),
            "requests_accepted": accepted,
            "organizations": len(orgs),
            "outcomes": [{"outcome": k, "label": str(labels[k]), "count": v} for k, v in by_outcome.items()],
            "successful": sum(by_outcome[k] for k in models.SUCCESS_OUTCOMES),
            "agreements": by_outcome[models.Outcome.AGREEMENT],
            "agreement_amount": amount,
            "projects_created": by_outcome[models.Outcome.PROJECT_CREATED],
            "talent_placed": placed,
        }
    return out


def session_statistics(*, event_id: int) -> dict[str, Any]:
    """One session's figures (``sessions_statistics``)."""
    return sessions_statistics([event_id])[event_id]


def sessions_overview(*, viewer: Any, limit: int = 20) -> list[tuple[Any, dict[str, Any]]]:
    """The newest matchmaking sessions the viewer may see (published or held), each with its figures:
    for the secretariat's 对接 page and ``GET /match-sessions``. Four queries."""
    events = integrations.sessions_visible(viewer=viewer, limit=limit)
    stats = sessions_statistics([e.pk for e in events])
    return [(e, stats[e.pk]) for e in events]


def session_schedule(*, event_id: int) -> list[Any]:
    """The session's booked slots with both sides, for its organizers and the secretariat."""
    return list(
        models.SessionSlot.objects.filter(event_id=event_id)
        .select_related("request__resource__organization", "request__requester_organization")
        .order_by("starts_at", "table", "id")
    )

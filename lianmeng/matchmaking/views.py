from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lianmeng.core import cache
from lianmeng.core.errors import error_dict
from lianmeng.core.forms import submit_form
from lianmeng.core.models import City
from lianmeng.core.pagination import CappedPaginator
from lianmeng.core.types import AuthedRequest

from . import commands, integrations, machines, policies, selectors, services
from .forms import AnswerForm, MeetingForm, OutcomeForm, RequestForm, ResourceForm, SlotForm
from .models import (
    CATEGORY_CHAR,
    Category,
    Direction,
    MatchRequest,
    RequestStatus,
    Resource,
    ResourceStatus,
)

PAGE_SIZE = 20


def _flash_errors(request: HttpRequest, exc: ValidationError) -> None:
    for msgs in error_dict(exc).values():
        for m in msgs:
            messages.error(request, m)


def _flash_form_errors(request: HttpRequest, form: Any) -> None:
    for msgs in form.errors.values():
        for m in msgs:
            messages.error(request, str(m))


def market(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    filters: dict[str, Any] = {
        k: request.GET.get(k, "").strip() or None for k in ("direction", "category", "city", "status")
    }
    own = sorted(policies.contact_org_ids(request.user))
    mine = request.GET.get("mine") == "1" and bool(own)
    admin = policies.can_view_market_admin(request.user)
    context = {
        "q": q,
        "filters": filters,
        "mine": mine,
        "categories": [(v, label, CATEGORY_CHAR[v]) for v, label in Category.choices],  # type: ignore[index]
        "directions": Direction.choices,
        "statuses": ResourceStatus.choices,
        "cities": City.objects.filter(is_member=True),
        "can_post": policies.can_post_resource(request.user),
        "is_member": bool(own),
        "show_status": mine or admin,
    }

    def content() -> str:
        qs = selectors.resource_market(viewer=request.user, q=q, mine=mine, **filters)
        page = CappedPaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        return render_to_string(
            "matchmaking/_market_list.html", {**context, "page_obj": page}, request=request
        )

    # The count, the page of posts and the pager are the same for every viewer of one reach: the public
    # and members browsing the market share a copy per query; the secretariat (every status) and "mine"
    # (the organizations' own posts) have their own. Until a post, an organization or a city changes,
    # and per day (the "valid until" dates). 42 ms to render at 100,000 posts, one cache read when cached.
    html = cache.cached(
        "market-list",
        apps=("matchmaking", "membership", "core"),
        parts=(
            admin,
            tuple(own) if mine else (),
            context["can_post"],
            request.GET.urlencode(),
            timezone.localdate().isoformat(),
        ),
        build=content,
    )
    return render(
        request,
        "matchmaking/market.html",
        {**context, "list_html": mark_safe(html)},  # noqa: S308 - rendered template
    )


@login_required
def resource_new(request: AuthedRequest) -> HttpResponse:
    if not policies.can_post_resource(request.user):
        raise PermissionDenied
    orgs = request.user.contact_organizations
    initial = {
        "direction": request.GET.get("direction") or Direction.DEMAND,
        "category": request.GET.get("category", ""),
        "contact_name": request.user.display_name,
        "contact_phone": request.user.mobile,
        "contact_email": request.user.email,
        "cities": [orgs[0].city_id] if orgs else [],
    }
    form = ResourceForm(request.POST or None, initial=initial, organizations=orgs)

    def create(cmd: commands.ResourceCreate) -> Resource:
        if cmd.organization is None and len(orgs) == 1:
            cmd = cmd.model_copy(update={"organization": orgs[0].pk})
        return services.resource_create(cmd=cmd, actor=request.user)

    if request.method == "POST":
        resource = submit_form(form, create, command=commands.ResourceCreate)
        if resource is not None:
            messages.success(request, _("资源已发布，下方是为您推荐的对接方"))
            return redirect(resource)
    return render(request, "matchmaking/resource_form.html", {"form": form, "resource": None})


# Stands in the cached suggestions for the CSRF token of their forms; never a token (those are 64
# letters and digits), replaced by the request's own token each time the page is served.
CSRF_PLACEHOLDER = "lm-csrf-placeholder"


def _suggestions_html(request: HttpRequest, resource: Resource) -> str:
    """The post's two kinds of suggestions as HTML. Rendering them (ten cards with a request form each,
    the library's cards) was a third of the page (10 of 28 ms at national scale), so the HTML is cached
    per post, day and viewer (``viewer_parts``: which posts they already asked, what of the libraries
    they may see) until the market, the libraries, an organization or a city changes. Cached HTML never
    holds a CSRF token: the forms carry a placeholder, replaced here by this request's token."""

    def build() -> str:
        posts, items = selectors.resource_suggestions(viewer=request.user, resource=resource)
        context = {
            "resource": resource,
            "suggestions": posts,
            "library_suggestions": items,
            "requested": selectors.requested_resource_ids(
                viewer=request.user, resource_ids=[s.resource.pk for s in posts]
            ),
            "csrf_token": CSRF_PLACEHOLDER,
        }
        return render_to_string("matchmaking/_suggestions.html", context, request=request)

    html = cache.cached(
        "resource-suggestions-html",
        apps=("matchmaking", "library", "membership", "core"),
        parts=(resource.pk, timezone.localdate().isoformat(), *cache.viewer_parts(request.user)),
        build=build,
    )
    return mark_safe(html.replace(CSRF_PLACEHOLDER, get_token(request)))  # noqa: S308 - our own template


def resource_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _resource_page(request, selectors.resource_get(viewer=request.user, pk=pk))


def _resource_page(
    request: HttpRequest, resource: Resource, request_form: RequestForm | None = None
) -> HttpResponse:
    can_edit = policies.can_edit_resource(request.user, resource)
    existing = selectors.my_active_request_for(viewer=request.user, resource=resource)
    can_request = (
        policies.can_request(request.user, resource)
        and resource.is_open_for_requests()
        and existing is None
        and not can_edit
    )
    received = (
        resource.requests.select_related("requester_organization").order_by("-created_at")[:20]
        if can_edit
        else []
    )
    return render(
        request,
        "matchmaking/resource_detail.html",
        {
            "resource": resource,
            "can_edit": can_edit,
            "can_view_contact": policies.can_view_contact(request.user, resource),
            "suggestions_html": _suggestions_html(request, resource) if can_edit else "",
            "can_request": can_request,
            "existing_request": existing,
            "request_form": request_form or RequestForm(),
            "received": received,
            "status_actions": [
                a for a in ("match", "reopen", "close") if a in machines.RESOURCE.actions(resource.status)
            ]
            if can_edit
            else [],
        },
    )


@login_required
def resource_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    resource = selectors.resource_get(viewer=request.user, pk=pk)
    if not policies.can_edit_resource(request.user, resource):
        raise PermissionDenied
    initial = {
        "direction": resource.direction,
        "category": resource.category,
        "title": resource.title,
        "description": resource.description,
        "cities": [c.pk for c in resource.cities.all()],
        "tags": " ".join(resource.tags or []),
        "strategy_tags": resource.strategy_tags,
        "valid_until": resource.valid_until.isoformat(),
        "contact_name": resource.contact_name,
        "contact_phone": resource.contact_phone,
        "contact_email": resource.contact_email,
        "version": resource.version,
    }
    form = ResourceForm(request.POST or None, initial=initial)
    if request.method == "POST":
        saved = submit_form(
            form,
            lambda cmd: services.resource_update(resource=resource, cmd=cmd, actor=request.user),
            command=commands.ResourceUpdate,
        )
        if saved is not None:
            messages.success(request, _("资源已保存"))
            return redirect(saved)
    return render(request, "matchmaking/resource_form.html", {"form": form, "resource": resource})


@login_required
@require_POST
def resource_status(request: AuthedRequest, pk: int, action: str) -> HttpResponse:
    resource = selectors.resource_get(viewer=request.user, pk=pk)
    try:
        services.resource_change_status(
            resource=resource, action=action, reason=request.POST.get("reason", ""), actor=request.user
        )
    except ValidationError as exc:
        _flash_errors(request, exc)
    else:
        resource.refresh_from_db(fields=["status"])
        messages.success(
            request,
            _("《%(title)s》已改为“%(status)s”")
            % {"title": resource.title, "status": resource.get_status_display()},
        )
    return redirect(resource)


@login_required
@require_POST
def resource_request(request: AuthedRequest, pk: int) -> HttpResponse:
    """Send a matchmaking request for post ``pk`` (from its page, or from a suggestion on my post)."""
    resource = selectors.resource_get(viewer=request.user, pk=pk)
    form = RequestForm(request.POST)
    form.is_valid()
    from_resource: Resource | None = None
    if form.cleaned_data.get("from_resource"):
        from_resource = selectors.resource_get(viewer=request.user, pk=form.cleaned_data["from_resource"])
    match_request = submit_form(
        form,
        lambda cmd: services.match_request_create(
            cmd=cmd, score=form.cleaned_data.get("score"), actor=request.user
        ),
        command=commands.MatchRequestCreate,
        extra={"resource": resource.pk},
    )
    if match_request is None:
        if from_resource is None and "message" in form.errors:  # the typed message stays, the error on it
            return _resource_page(request, resource, request_form=form)
        _flash_form_errors(request, form)
        return redirect(from_resource or resource)
    messages.success(request, _("对接请求已发送，对方答复后会通知您"))
    return redirect(match_request)


@login_required
def request_list(request: AuthedRequest) -> HttpResponse:
    box = request.GET.get("box", "incoming" if policies.contact_org_ids(request.user) else "all")
    if box not in ("incoming", "outgoing", "all"):
        box = "all"
    status = request.GET.get("status", "") or None
    qs = selectors.request_list(viewer=request.user, box=box, status=status)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "matchmaking/request_list.html",
        {
            "page_obj": page,
            "box": box,
            "status": status or "",
            "statuses": RequestStatus.choices,
            "is_member": bool(policies.contact_org_ids(request.user)),
            "figures": selectors.outcome_figures() if policies.is_secretariat(request.user) else None,
            "sessions": selectors.sessions_overview(viewer=request.user, limit=10)
            if policies.is_secretariat(request.user)
            else [],
        },
    )


def _post_label(resource: Resource, side: str) -> str:
    """A post named from the viewer's side: 我方资源, 对方需求, 发起方资源… (supply = 资源, demand = 需求)."""
    supply = resource.direction == Direction.SUPPLY
    labels = {
        "ours": (_("我方资源"), _("我方需求")),
        "theirs": (_("对方资源"), _("对方需求")),
        "requester": (_("发起方资源"), _("发起方需求")),
        "owner": (_("发布方资源"), _("发布方需求")),
    }
    return labels[side][0 if supply else 1]


def request_side_labels(user: Any, match_request: MatchRequest) -> tuple[str, str]:
    """(label of the requested post, label of the post the requester offered), from the viewer's side."""
    if policies.can_withdraw_request(user, match_request):  # the requester
        sides = ("theirs", "ours")
    elif policies.can_answer_request(user, match_request):  # the post owner
        sides = ("ours", "theirs")
    else:  # the secretariat, on neither side
        sides = ("owner", "requester")
    offered = match_request.from_resource
    return (
        _post_label(match_request.resource, sides[0]),
        _post_label(offered, sides[1]) if offered is not None else "",
    )


def _request_page(request: AuthedRequest, match_request: MatchRequest, **forms: Any) -> HttpResponse:
    sessions = integrations.matchmaking_sessions()
    allowed = machines.REQUEST.actions(match_request.status)
    can_answer = policies.can_answer_request(request.user, match_request) and "accept" in allowed
    can_follow_up = policies.can_follow_up_request(request.user, match_request) and "conclude" in allowed
    resource_label, from_resource_label = request_side_labels(request.user, match_request)
    return render(
        request,
        "matchmaking/request_detail.html",
        {
            "req": match_request,
            "resource_label": resource_label,
            "from_resource_label": from_resource_label,
            "can_answer": can_answer,
            "can_withdraw": policies.can_withdraw_request(request.user, match_request)
            and "withdraw" in allowed,
            "can_follow_up": can_follow_up,
            "answer_form": forms.get("answer_form") or AnswerForm(),
            "meeting_form": forms.get("meeting_form") or MeetingForm(sessions=sessions),
            "outcome_form": forms.get("outcome_form") or OutcomeForm(),
            "slot_form": forms.get("slot_form") or SlotForm(sessions=sessions),
            "slots": match_request.slots.select_related("event").all(),
            "can_book": can_follow_up and bool(sessions),
            "project_url": integrations.project_url(match_request.project_id),
            "sessions": sessions,
        },
    )


@login_required
def request_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return _request_page(request, selectors.request_get(viewer=request.user, pk=pk))


@login_required
@require_POST
def request_answer(request: AuthedRequest, pk: int, action: str) -> HttpResponse:
    match_request = selectors.request_get(viewer=request.user, pk=pk)
    form = AnswerForm(request.POST)
    answered = submit_form(
        form,
        lambda cmd: services.match_request_answer(request=match_request, cmd=cmd, actor=request.user),
        command=commands.MatchRequestAnswer,
        extra={"action": action},
    )
    if answered is None:
        if "message" not in form.errors:
            _flash_form_errors(request, form)
            return redirect(match_request)
        return _request_page(request, match_request, answer_form=form)
    requester, owner = match_request.requester_organization.name, match_request.resource.organization.name
    done = {
        "accept": _("已接受 %(org)s 的对接请求，已通知对方，请约定洽谈") % {"org": requester},
        "decline": _("已婉拒 %(org)s 的对接请求，已通知对方") % {"org": requester},
        "withdraw": _("已撤回发给 %(org)s 的对接请求") % {"org": owner},
    }
    messages.success(request, done.get(action, _("操作已完成")))
    return redirect(match_request)


@login_required
@require_POST
def request_meeting(request: AuthedRequest, pk: int) -> HttpResponse:
    match_request = selectors.request_get(viewer=request.user, pk=pk)
    form = MeetingForm(request.POST, sessions=integrations.matchmaking_sessions())
    meeting = submit_form(
        form,
        lambda cmd: services.meeting_record(request=match_request, cmd=cmd, actor=request.user),
        command=commands.MeetingRecord,
    )
    if meeting is not None:
        messages.success(request, _("洽谈记录已保存"))
        return redirect(match_request)
    return _request_page(request, match_request, meeting_form=form)


@login_required
@require_POST
def request_outcome(request: AuthedRequest, pk: int) -> HttpResponse:
    match_request = selectors.request_get(viewer=request.user, pk=pk)
    form = OutcomeForm(request.POST)
    concluded = submit_form(
        form,
        lambda cmd: services.match_request_conclude(request=match_request, cmd=cmd, actor=request.user),
        command=commands.OutcomeRecord,
    )
    if concluded is not None:
        messages.success(
            request, _("对接结果已登记：%(outcome)s") % {"outcome": concluded.get_outcome_display()}
        )
        return redirect(match_request)
    return _request_page(request, match_request, outcome_form=form)


@login_required
@require_POST
def request_slot(request: AuthedRequest, pk: int) -> HttpResponse:
    match_request = selectors.request_get(viewer=request.user, pk=pk)
    form = SlotForm(request.POST, sessions=integrations.matchmaking_sessions())
    slot = submit_form(
        form,
        lambda cmd: services.slot_book(request=match_request, cmd=cmd, actor=request.user),
        command=commands.SlotBook,
    )
    if slot is None:
        return _request_page(request, match_request, slot_form=form)
    messages.success(request, _("洽谈时段已预约"))
    return redirect(match_request)


@login_required
@require_POST
def slot_cancel(request: AuthedRequest, pk: int, slot_pk: int) -> HttpResponse:
    match_request = selectors.request_get(viewer=request.user, pk=pk)
    slot = match_request.slots.filter(pk=slot_pk).first()
    if slot is None:
        raise Http404
    services.slot_cancel(slot=slot, actor=request.user)
    messages.success(request, _("已取消该洽谈时段"))
    return redirect(match_request)


def session_page(request: HttpRequest, event_id: int) -> HttpResponse:
    """A matchmaking session's results (everyone who may see the event) and, for its organizers and
    the secretariat, the schedule of booked meetings."""
    event = integrations.session_for_viewer(viewer=request.user, event_id=event_id)
    manager = integrations.can_manage_session(request.user, event)
    return render(
        request,
        "matchmaking/session.html",
        {
            "event": event,
            "stats": selectors.session_statistics(event_id=event.pk),
            "schedule": selectors.session_schedule(event_id=event.pk) if manager else [],
            "manager": manager,
        },
    )

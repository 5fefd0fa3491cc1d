from __future__ import annotations

import calendar as pycalendar
import datetime
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lianmeng.accounts.models import User
from lianmeng.core import cache
from lianmeng.core.errors import error_dict
from lianmeng.core.files import file_response
from lianmeng.core.forms import submit_form
from lianmeng.core.models import City
from lianmeng.core.nav import object_sections
from lianmeng.core.pagination import CappedPaginator
from lianmeng.core.pending_uploads import discard_pending
from lianmeng.core.security import permissions_policy
from lianmeng.core.templatetags.lianmeng import datetime_cn
from lianmeng.core.types import AuthedRequest

from . import commands, ical, machines, policies, selectors, services
from .compliance import ComplianceStatus, compliance_for_year, viewer_scope
from .forms import (
    ActivitySettingsForm,
    CalendarFilterForm,
    CancelForm,
    CheckInForm,
    EventForm,
    PhotoForm,
    RegistrationForm,
    SummaryForm,
)
from .models import (
    ActivitySettings,
    CalendarFeedToken,
    Event,
    EventKind,
    EventPhoto,
    EventStatus,
    RegistrationStatus,
)

PAGE_SIZE = 20


def _flash_errors(request: HttpRequest, exc: ValidationError) -> None:
    for msgs in error_dict(exc).values():
        for message in msgs:
            messages.error(request, message)


def _filters(request: HttpRequest) -> dict[str, Any]:
    form = CalendarFilterForm(request.GET)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    return {
        "q": (data.get("q") or "").strip(),
        "city": data.get("city") or None,
        "kind": data.get("kind") or None,
        "organizer": data.get("organizer") or None,
    }


def _calendar_context(request: HttpRequest, filters: dict[str, Any]) -> dict[str, Any]:
    return {
        "filters": filters,
        "cities": City.objects.filter(is_member=True),
        "kinds": EventKind.choices,
        "can_create": policies.can_create_event(request.user),
    }


def calendar_list(request: HttpRequest) -> HttpResponse:
    """The public calendar as a list: upcoming by default, past with ?when=past."""
    filters = _filters(request)
    past = request.GET.get("when") == "past"
    context = _calendar_context(request, filters)
    now = timezone.now()
    has_role = policies.has_any_role(request.user)

    def content() -> str:
        qs = selectors.event_calendar(viewer=request.user, **filters)
        qs = qs.filter(ends_at__lt=now).order_by("-starts_at", "-id") if past else qs.filter(ends_at__gte=now)
        page = CappedPaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        return render_to_string(
            "activities/_calendar_list.html",
            {**context, "page_obj": page, "past": past},
            request=request,
        )

    # The list is the same for every viewer of one reach (the public, or anyone with a role: invited
    # events) and query: one copy per minute (what "upcoming" means) until an event, an organization or
    # a city changes. Registrations have a version of their own and do not renew it (the list shows no
    # counts). 40-48 ms to render at 20,000 events, one cache read when cached.
    html = cache.cached(
        "calendar-list",
        apps=("activities", "membership", "core"),
        parts=(has_role, context["can_create"], request.GET.urlencode(), now.strftime("%Y%m%d%H%M")),
        build=content,
    )
    return render(
        request,
        "activities/calendar.html",
        {**context, "list_html": mark_safe(html), "view": "list"},  # noqa: S308 - rendered template
    )


def calendar_month(request: HttpRequest) -> HttpResponse:
    """The month view: a grid on wide screens, a list of days on phones."""
    filters = _filters(request)
    today = timezone.localdate()
    jumped_from: datetime.date | None = None
    try:
        year, month = (int(p) for p in request.GET.get("month", "").split("-", 1))
        datetime.date(year, month, 1)
    except ValueError:
        year, month = today.year, today.month
        # No month asked for and nothing this month: open on the next month that has events.
        start, end = selectors.month_bounds(year, month)
        calendar_qs = selectors.event_calendar(viewer=request.user, **filters)
        if not calendar_qs.filter(starts_at__gte=start, starts_at__lt=end).exists():
            upcoming = calendar_qs.filter(starts_at__gte=end).order_by("starts_at").first()
            if upcoming is not None:
                jumped_from = today.replace(day=1)
                first_day = timezone.localtime(upcoming.starts_at).date()
                year, month = first_day.year, first_day.month
    start, end = selectors.month_bounds(year, month)
    events = list(
        selectors.event_calendar(viewer=request.user, starts_after=start, starts_before=end, **filters)
    )
    by_day: dict[datetime.date, list[Any]] = {}
    for event in events:
        by_day.setdefault(timezone.localtime(event.starts_at).date(), []).append(event)
    weeks = [
        [(day, by_day.get(day, [])) for day in week]
        for week in pycalendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    ]
    first = datetime.date(year, month, 1)
    prev_month = (first - datetime.timedelta(days=1)).replace(day=1)
    next_month = (first + datetime.timedelta(days=32)).replace(day=1)
    return render(
        request,
        "activities/month.html",
        {
            **_calendar_context(request, filters),
            "weeks": weeks,
            "days": sorted(by_day.items()),
            "month": first,
            "prev_month": f"{prev_month:%Y-%m}",
            "next_month": f"{next_month:%Y-%m}",
            "today": today,
            "jumped_from": jumped_from,
            "view": "month",
            "weekday_names": [_("周一"), _("周二"), _("周三"), _("周四"), _("周五"), _("周六"), _("周日")],
        },
    )


def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_get(viewer=request.user, pk=pk)
    manager = policies.can_manage_event(request.user, event)
    form = None
    if event.status == EventStatus.PUBLISHED and policies.can_register(request.user, event):
        form = RegistrationForm(user=request.user, manager=manager)
    return _event_page(request, event, manager=manager, form=form)


def _event_page(
    request: HttpRequest, event: Any, *, manager: bool, form: Any = None, status: int = 200
) -> HttpResponse:
    registrations = (
        list(selectors.registrations_for(viewer=request.user, event=event))
        if (getattr(request.user, "is_authenticated", False))
        else []
    )
    window = event.registration_window_state()
    return render(
        request,
        "activities/event_detail.html",
        {
            "event": event,
            "manager": manager,
            "counts": selectors.event_counts(event),
            "by_organization": selectors.attendance_by_organization(event) if manager else [],
            "registrations": registrations,
            "show_mobile": policies.can_see_personal_data(request.user, event),
            "form": form,
            "window": window,
            "co_organizers": list(event.co_organizers.all()),
            "partners": list(event.partners.all()),
            "photos": list(event.photos.all()) if event.status == EventStatus.HELD else [],
            "actions": machines.EVENT.actions(event.status) if manager else [],
            "cancel_form": CancelForm(),
            "sections": object_sections(request, "event", event),
            "projects": selectors.event_projects(viewer=request.user, event=event)
            if event.status == EventStatus.HELD
            else [],
        },
        status=status,
    )


@login_required
def event_create(request: AuthedRequest) -> HttpResponse:
    if not policies.can_create_event(request.user):
        raise PermissionDenied
    initial: dict[str, Any] = {"kind": request.GET.get("kind", "")}
    if len(request.user.contact_organization_ids) == 1 and not request.user.coordinated_city_codes:
        initial["organizer"] = next(iter(request.user.contact_organization_ids))
    form = EventForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST":
        event = submit_form(
            form, lambda cmd: services.event_create(cmd=cmd, actor=request.user), command=commands.EventCreate
        )
        if event is not None:
            messages.success(request, _("活动已保存为草稿，确认无误后请发布"))
            return redirect(event)
    return render(request, "activities/event_form.html", {"form": form, "event": None})


def _local_input(value: Any) -> str:
    return f"{timezone.localtime(value):%Y-%m-%dT%H:%M}" if value else ""


@login_required
def event_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    event = selectors.event_get(viewer=request.user, pk=pk)
    if not policies.can_manage_event(request.user, event):
        raise PermissionDenied
    initial: dict[str, Any] = {
        f: getattr(event, f)
        for f in ("title", "kind", "venue", "address", "online_url", "audience", "description")
    }
    initial.update(
        organizer=event.organizer_id,
        capacity="" if event.capacity is None else event.capacity,
        co_organizers=[o.pk for o in event.co_organizers.all()],
        partners=[o.pk for o in event.partners.all()],
        **{
            f: _local_input(getattr(event, f))
            for f in ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at")
        },
        version=event.version,
    )
    form = EventForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST":
        updated = submit_form(
            form,
            lambda cmd: services.event_update(event=event, cmd=cmd, actor=request.user),
            command=commands.EventUpdate,
        )
        if updated is not None:
            messages.success(request, _("活动信息已保存"))
            return redirect(event)
    return render(request, "activities/event_form.html", {"form": form, "event": event})


@login_required
@require_POST
def event_action(request: AuthedRequest, pk: int, action: str) -> HttpResponse:
    event = selectors.event_get(viewer=request.user, pk=pk)
    try:
        if action == "publish":
            services.event_publish(event=event, actor=request.user)
            messages.success(
                request, _("活动已发布：《%(title)s》已出现在活动日历中") % {"title": event.title}
            )
        elif action == "cancel":
            form = CancelForm(request.POST)
            form.is_valid()
            counts = selectors.event_counts(event)
            cmd = commands.EventCancel.build(reason=form.cleaned_data.get("reason"))
            services.event_cancel(event=event, cmd=cmd, actor=request.user)
            messages.success(
                request,
                _("活动已取消：《%(title)s》已从日历撤下，已通知 %(n)d 位报名者和 %(w)d 位候补者")
                % {"title": event.title, "n": counts["registered"], "w": counts["waitlisted"]},
            )
        else:
            raise Http404
    except ValidationError as exc:
        _flash_errors(request, exc)
    return redirect(event)


@login_required
def event_hold(request: AuthedRequest, pk: int) -> HttpResponse:
    """File the summary (marks a published event held) or correct it; add photos once held."""
    event = selectors.event_get(viewer=request.user, pk=pk)
    if not policies.can_manage_event(request.user, event):
        raise PermissionDenied
    initial: dict[str, Any] = (
        {f: getattr(event, f) for f in services.SUMMARY_FIELDS} if event.status == EventStatus.HELD else {}
    )
    initial["projects"] = [p.pk for p in selectors.event_projects(viewer=request.user, event=event)]
    initial["version"] = event.version
    choices = selectors.project_choices(
        viewer=request.user, event=event, include=request.POST.getlist("projects")
    )
    form = SummaryForm(request.POST or None, initial=initial, project_choices=choices)
    photo_form = PhotoForm()
    user = request.user
    if request.method == "POST" and request.POST.get("form") != "photo" and "image" not in request.FILES:
        if event.status == EventStatus.HELD:
            saved = submit_form(
                form,
                lambda cmd: services.event_summary_update(event=event, cmd=cmd, actor=user),
                command=commands.SummaryUpdate,
            )
        else:
            saved = submit_form(
                form,
                lambda cmd: services.event_hold(event=event, cmd=cmd, actor=user),
                command=commands.EventSummary,
            )
        if saved is not None:
            if event.status == EventStatus.HELD:  # a correction of a filed summary
                messages.success(request, _("活动总结已保存：《%(title)s》") % {"title": saved.title})
            else:
                messages.success(
                    request,
                    _("活动总结已保存：《%(title)s》已标记为已举办，计入 %(year)d 年度 1+7+N 完成情况")
                    % {"title": saved.title, "year": timezone.localtime(saved.starts_at).year},
                )
            return redirect(event)
    elif request.method == "POST":
        form = SummaryForm(initial=initial, project_choices=choices)
        photo_form = PhotoForm(request.POST, request.FILES)
        photo = submit_form(  # the image is the form's: a file is no command field
            photo_form,
            lambda cmd: services.event_photo_add(
                event=event, image=photo_form.cleaned_data["image"], cmd=cmd, actor=user
            ),
            validate=lambda cmd: services.event_photo_validate(
                event=event, image=photo_form.cleaned_data.get("image"), cmd=cmd, actor=user
            ),
            command=commands.EventPhotoAdd,
        )
        if photo is not None:
            discard_pending(photo_form, "image")
            messages.success(request, _("照片已上传到《%(title)s》") % {"title": event.title})
            return redirect("activities:hold", pk=event.pk)
    return render(
        request,
        "activities/hold_form.html",
        {
            "event": event,
            "form": form,
            "photo_form": photo_form,
            "photos": list(event.photos.all()),
            "attended": selectors.event_counts(event)["attended"],
        },
    )


def event_photo(request: HttpRequest, pk: int) -> FileResponse:
    photo = get_object_or_404(EventPhoto.objects.select_related("event"), pk=pk)
    if not policies.can_view_event(request.user, photo.event):
        raise Http404
    return file_response(photo.image, name=f"event-{photo.event_id}-photo-{photo.pk}", inline_image=True)


def event_register(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_get(viewer=request.user, pk=pk)
    if request.method != "POST":
        return redirect(event)
    manager = policies.can_manage_event(request.user, event)
    if not policies.can_register(request.user, event):
        raise PermissionDenied
    form = RegistrationForm(request.POST, user=request.user, manager=manager)
    registration = submit_form(
        form,
        lambda cmd: services.registration_create(event=event, cmd=cmd, actor=request.user),
        command=commands.RegistrationCreate,
    )
    if (
        registration is None
        and "mobile" not in form.errors
        and services.mobile_taken(event, str(form.data.get("mobile") or ""))
    ):  # one submit says everything: the place already taken with the form's other errors
        form.add_error("mobile", _("该手机号已报名本活动"))
    if registration is not None:
        said = selectors.registration_message(registration)
        if registration.status == RegistrationStatus.WAITLISTED:
            messages.warning(request, said)
        else:
            messages.success(request, said)
        if getattr(request.user, "is_authenticated", False):
            return redirect(reverse("activities:event", args=[event.pk]) + "#registrations")
        return redirect(registration)
    return _event_page(request, event, manager=manager, form=form, status=422)


def ticket(request: HttpRequest, token: str) -> HttpResponse:
    """The registrant's ticket: QR code and typed code; the secret link also allows cancelling."""
    registration = selectors.registration_by_token(token)
    qr = segno.make(registration.code, error="m")
    return render(
        request,
        "activities/ticket.html",
        {
            "registration": registration,
            "event": registration.event,
            "qr_svg": qr.svg_inline(scale=8, border=2, title=_("签到二维码")),
            "mail_on_promotion": bool(selectors.registration_mail_recipients(registration)),
            "can_cancel": "cancel" in machines.REGISTRATION.actions(registration.status)
            and registration.event.status == EventStatus.PUBLISHED,
        },
    )


@require_POST
def ticket_cancel(request: HttpRequest, token: str) -> HttpResponse:
    registration = selectors.registration_by_token(token)
    try:
        services.registration_cancel(registration=registration, actor=request.user, token=token)
    except ValidationError as exc:
        _flash_errors(request, exc)
    else:
        messages.success(request, _("报名已取消"))
    return redirect("activities:ticket", token=token)


@login_required
@require_POST
def registration_cancel(request: AuthedRequest, pk: int) -> HttpResponse:
    registration = selectors.registration_get(viewer=request.user, pk=pk)
    try:
        services.registration_cancel(registration=registration, actor=request.user)
    except ValidationError as exc:
        _flash_errors(request, exc)
    else:
        messages.success(request, _("已取消 %(name)s 的报名") % {"name": registration.name})
    return redirect(reverse("activities:event", args=[registration.event_id]) + "#registrations")


@login_required
@permissions_policy(camera=["self"])
def checkin(request: AuthedRequest, pk: int) -> HttpResponse:
    """The phone check-in page: camera scan (html5-qrcode) or typed code. JSON for the page's script."""
    event = selectors.event_get(viewer=request.user, pk=pk)
    if not policies.can_check_in(request.user, event):
        raise PermissionDenied
    result: dict[str, Any] | None = None
    timing = selectors.checkin_timing(event)
    if request.method == "POST":
        form = CheckInForm(request.POST)
        form.is_valid()
        code = form.cleaned_data.get("code", "")
        if timing and code.strip() and request.POST.get("confirm") != "1":
            # Outside the event's day(s): ask first, check nobody in until confirmed.
            result = {
                "ok": False,
                "confirm": True,
                "code": code,
                "level": "warning",
                "message": f"{_checkin_timing_text(event, timing)} {_('确定仍要签到吗？')}",
            }
        else:
            result = _check_in(event, code, request.user)
        counts = selectors.event_counts(event)
        result["attended"] = counts["attended"]
        result["registered"] = counts["registered"]
        if request.headers.get("Accept", "").startswith("application/json"):
            return JsonResponse(result, status=200 if result["ok"] or result.get("confirm") else 422)
    counts = selectors.event_counts(event)
    return render(
        request,
        "activities/checkin.html",
        {
            "event": event,
            "counts": counts,
            "result": result,
            "timing_text": _checkin_timing_text(event, timing) if timing else "",
        },
    )


def _check_in(event: Event, code: str, user: User) -> dict[str, Any]:
    try:
        cmd = commands.RegistrationCheckIn.build(code=code)
        outcome = services.registration_check_in(event=event, cmd=cmd, actor=user)
    except ValidationError as exc:
        errors = error_dict(exc)
        messages_ = errors.get("code", []) or [m for msgs in errors.values() for m in msgs]
        return {"ok": False, "level": "danger", "message": " ".join(messages_)}
    reg = outcome.registration
    who = f"{reg.name}（{reg.organization_label}）" if reg.organization_label else reg.name
    if outcome.already:
        local = timezone.localtime(reg.checked_in_at) if reg.checked_in_at else None
        return {
            "ok": True,
            "level": "warning",
            "message": _("%(who)s 已于 %(time)s 签到过，无需重复签到")
            % {"who": who, "time": f"{local:%H:%M}" if local else ""},
        }
    return {"ok": True, "level": "success", "message": _("签到成功：%(who)s") % {"who": who}}


def _checkin_timing_text(event: Any, timing: str) -> str:
    """Said on the check-in page and in the confirmation outside the event's day(s)."""
    if timing == "before":
        return _("活动尚未开始（%(start)s 开始）。") % {"start": datetime_cn(event.starts_at)}
    return _("活动已于 %(end)s 结束。") % {"end": datetime_cn(event.ends_at)}


@login_required
def manage(request: AuthedRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    qs = selectors.events_managed(
        viewer=request.user, status=status or None, q=request.GET.get("q", "").strip()
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "activities/manage.html",
        {
            "page_obj": page,
            "statuses": EventStatus.choices,
            "status": status,
            "can_create": policies.can_create_event(request.user),
            "is_secretariat": policies.is_secretariat(request.user),
        },
    )


@login_required
def my_registrations(request: AuthedRequest) -> HttpResponse:
    if request.method == "POST":
        services.calendar_feed_token(actor=request.user, reset=True)
        messages.success(request, _("已生成新的订阅地址，旧地址已失效"))
        return redirect("activities:mine")
    feed = services.calendar_feed_token(actor=request.user)
    return render(
        request,
        "activities/mine.html",
        {
            "registrations": selectors.my_registrations(viewer=request.user),
            "feed_url": request.build_absolute_uri(reverse("activities:feed-personal", args=[feed.token])),
        },
    )


def compliance(request: HttpRequest, year: int | None = None) -> HttpResponse:
    today = timezone.localdate()
    year = year or today.year
    if not 2000 <= year <= 2100:
        raise Http404
    city = request.GET.get("city") or None
    only_gaps = request.GET.get("gaps") == "1"

    def content() -> str:
        report = compliance_for_year(year=year, viewer=request.user, city=city)
        parks = report.parks
        if only_gaps:
            parks = [p for p in parks if p.status in (ComplianceStatus.AT_RISK, ComplianceStatus.MISSING)]
        city_names = {c.code: c.display_name for c in City.objects.filter(is_member=True)}
        page = Paginator(parks, 100).get_page(request.GET.get("page"))
        return render_to_string(
            "activities/_compliance_content.html",
            {
                "report": report,
                "parks": page,
                "page_obj": page,
                "city_names": city_names,
                "city": city,
                "only_gaps": only_gaps,
                "years": [year - 1, year, year + 1],
                "is_secretariat": policies.is_secretariat(request.user),
                "statuses": ComplianceStatus,
            },
            request=request,
        )

    # The page's content, cached with the view's own key (scope, year, minute) plus the query string: the
    # secretariat's view holds every park (thousands at national scale), and reading the whole view back
    # from the cache to show 100 of them took 60 ms per request; the page is one cache read.
    minute = timezone.now().replace(second=0, microsecond=0)
    html = cache.cached(
        "compliance-page",
        apps=("activities", "membership", "core"),
        parts=(year, minute.isoformat(), *viewer_scope(request.user), request.GET.urlencode()),
        build=content,
    )
    return render(
        request,
        "activities/compliance.html",
        {"content": mark_safe(html), "year": year},  # noqa: S308 - rendered template
    )


@login_required
def compliance_settings(request: AuthedRequest, year: int) -> HttpResponse:
    if not policies.is_secretariat(request.user):
        raise PermissionDenied
    row = ActivitySettings.for_year(year)
    initial = {
        f: getattr(row, f)
        for f in ("themed_quota", "city_kinds", "park_kinds", "reminder_month", "reminder_day")
    }
    initial["version"] = row.version
    form = ActivitySettingsForm(request.POST or None, initial=initial)
    if request.method == "POST":
        saved = submit_form(
            form,
            lambda cmd: services.activity_settings_update(year=year, cmd=cmd, actor=request.user),
            command=commands.ActivitySettingsUpdate,
        )
        if saved is not None:
            messages.success(request, _("%(year)d 年度设置已保存") % {"year": year})
            return redirect("activities:compliance-year", year=year)
    return render(request, "activities/settings_form.html", {"form": form, "year": year})


# ---------------------------------------------------------------- iCal


def calendar_ics(request: HttpRequest) -> HttpResponse:
    events = selectors.event_calendar(viewer=None)
    return ical.ics_response(ical.calendar_for(events, name=ical.feed_name()), filename="events.ics")


def city_ics(request: HttpRequest, city_code: str) -> HttpResponse:
    city = get_object_or_404(City, pk=city_code)
    events = selectors.event_calendar(viewer=None, city=city.code)
    name = ical.feed_name(f" · {city.name}")
    return ical.ics_response(ical.calendar_for(events, name=name), filename=f"events-{city.code}.ics")


def event_ics(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_get(viewer=request.user, pk=pk)
    return ical.ics_response(ical.calendar_for([event], name=event.title), filename=f"event-{event.pk}.ics")


def personal_ics(request: HttpRequest, token: str) -> HttpResponse:
    feed = CalendarFeedToken.objects.select_related("user").filter(token=token).first()
    if feed is None or not feed.user.is_active:
        raise Http404
    events = selectors.personal_feed_events(feed.user)
    return ical.ics_response(
        ical.calendar_for(events, name=ical.feed_name(_(" · 我的活动"))), filename="my-events.ics"
    )

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lianmeng.accounts.throttle import client_ip
from lianmeng.core import cache
from lianmeng.core.files import file_response
from lianmeng.core.forms import submit_form
from lianmeng.core.inline_checks import check_response
from lianmeng.core.models import City
from lianmeng.core.pagination import CappedPaginator
from lianmeng.core.pending_uploads import discard_pending
from lianmeng.core.search import parse_query
from lianmeng.core.types import AuthedRequest
from lianmeng.core.validators import clean_mobile

from . import policies, selectors, services
from .commands import ApplicationDecision, ApplicationSubmit, OrganizationUpdate, StatusChange
from .forms import ApplicationForm, OrganizationAdminForm, OrganizationForm, ReviewForm, StatusChangeForm
from .models import ApplicationStatus, MembershipApplication, OrganizationKind, OrganizationStatus, Tier

PAGE_SIZE = 20


DIRECTORY_APPS = ("membership", "core")  # organizations, their cities


def directory(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    filters = {k: request.GET.get(k, "").strip() or None for k in ("city", "kind", "tier", "status")}
    page_number = request.GET.get("page")

    def content() -> str:
        qs = selectors.organization_directory(viewer=request.user, q=q, **filters)
        paginator = CappedPaginator(qs, PAGE_SIZE)
        page = paginator.get_page(page_number)
        return render_to_string(
            "membership/_directory_content.html",
            {
                "page_obj": page,
                "count_capped": paginator.capped,
                "q": q,
                "filters": filters,
                "searched": not parse_query(q).empty,
                "cities": City.objects.filter(is_member=True),
                "kinds": OrganizationKind.choices,
                "tiers": Tier.choices,
                "statuses": OrganizationStatus.choices,
                "is_secretariat": policies.is_secretariat(request.user),
            },
            request=request,
        )

    # One copy per reach (anonymous visitors; signed-in people, who also get the export buttons; the
    # secretariat, who also sees suspended and withdrawn members), query, filters and page (the links keep
    # the query string). A signed-in search used to be built every time: 110-230 ms for 青岛, 人才 or 咨询
    # at 100,000 organizations on PostgreSQL, the slowest requests of the load benchmark.
    is_signed_in = bool(getattr(request.user, "is_authenticated", False))
    html = cache.cached(
        "directory",
        apps=DIRECTORY_APPS,
        build=content,
        parts=(
            is_signed_in,
            policies.is_secretariat(request.user),
            q,
            tuple(filters.items()),
            page_number,
            request.GET.urlencode(),
        ),
    )
    return render(request, "membership/directory.html", {"content": mark_safe(html)})  # noqa: S308 - rendered template


def organization_detail(request: HttpRequest, pk: int) -> HttpResponse:
    org = selectors.organization_get(viewer=request.user, pk=pk)
    can_edit = policies.can_edit_organization(request.user, org)
    return render(
        request,
        "membership/organization_detail.html",
        {
            "org": org,
            "can_edit": can_edit,
            "can_change_status": policies.can_change_membership_status(request.user, org),
            "history": org.membership_events.all()[:20] if can_edit else [],
            "contacts": [
                a.user for a in org.role_assignments.select_related("user").filter(role="member_contact")
            ]
            if can_edit
            else [],
        },
    )


@login_required
def organization_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    org = selectors.organization_get(viewer=request.user, pk=pk)
    if not policies.can_edit_organization(request.user, org):
        raise PermissionDenied
    form_class = OrganizationAdminForm if policies.is_secretariat(request.user) else OrganizationForm
    initial = {name: getattr(org, name) for name in form_class.base_fields if name != "city"}
    initial["city"] = org.city_id
    initial["version"] = org.version
    form = form_class(request.POST or None, initial=initial)
    if request.method == "POST":
        saved = submit_form(
            form,
            lambda cmd: services.organization_update(organization=org, cmd=cmd, actor=request.user),
            command=OrganizationUpdate,
        )
        if saved is not None:
            messages.success(request, _("单位信息已保存：%(name)s") % {"name": saved.name})
            return redirect(org)
    return render(request, "membership/organization_form.html", {"org": org, "form": form})


@login_required
@require_POST
def organization_status(request: AuthedRequest, pk: int, change: str) -> HttpResponse:
    org = selectors.organization_get(viewer=request.user, pk=pk)
    form = StatusChangeForm(request.POST)
    form.is_valid()
    try:
        cmd = StatusChange.build(change=change, reason=form.cleaned_data.get("reason", ""))
        services.organization_change_status(organization=org, cmd=cmd, actor=request.user)
    except ValidationError as exc:
        for msgs in exc.message_dict.values():
            for m in msgs:
                messages.error(request, m)
    else:
        done = {
            "suspend": _("已暂停“%(name)s”的成员资格，已记入入盟记录"),
            "reinstate": _("已恢复“%(name)s”的成员资格"),
            "withdraw": _("“%(name)s”已退出联盟，已记入入盟记录"),
        }.get(change, _("成员状态已更新"))
        messages.success(request, done % {"name": org.name})
    return redirect(org)


def apply(request: HttpRequest) -> HttpResponse:
    form = ApplicationForm(request.POST or None, request.FILES or None, inline_checks=True)
    if request.method == "POST":
        # One submit reports every error: the form's own, the command's and the service's (USCC
        # duplicates, the letter's real type), even when the form alone already failed.
        def letter() -> Any:
            return form.cleaned_data.get("letter")

        application = submit_form(
            form,
            lambda cmd: services.application_submit(cmd=cmd, letter=letter(), ip=client_ip(request)),
            command=ApplicationSubmit,
            validate=lambda cmd: services.application_validate(cmd=cmd, letter=letter()),
        )
        if application is not None:
            discard_pending(form, "letter")
            return redirect("membership:application-track", token=application.tracking_token)
    return render(request, "membership/apply.html", {"form": form})


def application_track(request: HttpRequest, token: str) -> HttpResponse:
    application = selectors.application_by_token(token)
    form = None
    if application.status == ApplicationStatus.RETURNED:
        initial: dict[str, Any] = {
            f: getattr(application, f) for f in services.APPLICATION_FIELDS if f != "city"
        }
        initial["city"] = application.city_id
        form = ApplicationForm(
            request.POST or None, request.FILES or None, initial=initial, letter_required=False
        )
        if request.method == "POST":

            def letter() -> Any:
                return form.cleaned_data.get("letter") if form is not None else None

            done = submit_form(
                form,
                lambda cmd: services.application_resubmit(application=application, cmd=cmd, letter=letter()),
                command=ApplicationSubmit,
                validate=lambda cmd: services.application_validate(
                    cmd=cmd, letter=letter(), exclude_application=application.pk
                ),
            )
            if done is not None:
                discard_pending(form, "letter")
                messages.success(request, _("申请已重新提交，秘书处将尽快审核"))
                return redirect("membership:application-track", token=token)
    return render(
        request,
        "membership/application_track.html",
        {
            "application": application,
            "form": form,
            "reviews": application.reviews.select_related("actor").all(),
            "tracking_url": request.build_absolute_uri(application.get_tracking_url()),
        },
    )


def _letter_response(application: MembershipApplication) -> FileResponse:
    return file_response(application.letter, name=f"{application.uscc}-commitment")


def application_letter_by_token(request: HttpRequest, token: str) -> FileResponse:
    return _letter_response(selectors.application_by_token(token))


@login_required
def application_letter(request: HttpRequest, pk: int) -> FileResponse:
    return _letter_response(selectors.application_get(viewer=request.user, pk=pk))


@login_required
def application_list(request: HttpRequest) -> HttpResponse:
    if not policies.can_review_application(request.user):
        raise PermissionDenied
    status = request.GET.get("status", "")
    qs = selectors.application_list(
        viewer=request.user, status=status or None, q=request.GET.get("q", "").strip()
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "membership/application_list.html",
        {"page_obj": page, "statuses": ApplicationStatus.choices, "status": status},
    )


def _review_done(action: str, application: MembershipApplication) -> str:
    """What a review action did, to whom."""
    names = {
        "name": application.name,
        "contact": application.contact_name,
        "email": application.contact_email,
    }
    if action == "admit":
        return (
            _("已批准“%(name)s”入盟：成员单位已创建，%(contact)s（%(email)s）为联络员，通知邮件已排队发送")
            % names
        )
    if action == "reject":
        return _("已不予通过“%(name)s”的申请，已通知 %(contact)s（%(email)s）") % names
    if action == "return":
        return _("已退回“%(name)s”的申请，%(contact)s（%(email)s）会收到修改链接") % names
    return _("审核操作已完成")


@login_required
def application_review(request: AuthedRequest, pk: int) -> HttpResponse:
    application = selectors.application_get(viewer=request.user, pk=pk)
    form = ReviewForm(request.POST or None)
    if request.method == "POST":
        action = request.POST.get("action", "")
        done = submit_form(
            form,
            lambda cmd: services.application_review(application=application, cmd=cmd, actor=request.user),
            command=ApplicationDecision,
            extra={"action": action},
        )
        if done is not None:
            messages.success(request, _review_done(action, application))
            return redirect("membership:application-review", pk=application.pk)
    return render(
        request,
        "membership/application_review.html",
        {
            "application": application,
            "form": form,
            "actions": services.application_actions(application),
            "reviews": application.reviews.select_related("actor").all(),
            "needs_council": services.admission_needs_council(application),
            **_council_context(request.user, application),
        },
    )


def _council_context(viewer: Any, application: MembershipApplication) -> dict[str, Any]:
    """The council motion deciding the application, and links only where the viewer may open them."""
    from lianmeng.governance import (
        selectors as governance_selectors,  # cycle: governance builds on membership
    )

    motion = services.council_motion(application)
    if motion is None:
        return {"motion": None}
    resolution = getattr(motion, "resolution", None) if motion.status == "passed" else None
    return {
        "motion": motion,
        "motion_url": motion.get_absolute_url()
        if governance_selectors.motion_list(viewer=viewer).filter(pk=motion.pk).exists()
        else "",
        "motion_voted": motion.votes.count(),
        "resolution": resolution,
        "resolution_url": resolution.get_absolute_url()
        if resolution is not None
        and governance_selectors.resolution_list(viewer=viewer).filter(pk=resolution.pk).exists()
        else "",
    }


@require_POST
def apply_check(request: HttpRequest, field: str) -> HttpResponse:
    """The application form's checks as the user types (htmx): the service's own validators."""
    checks = {
        "uscc": (services.uscc_check, _("统一社会信用代码有效，尚未入盟或申请")),
        "contact_mobile": (lambda v: clean_mobile(v, "contact_mobile"), _("手机号码格式正确")),
    }
    if field not in checks:
        raise Http404
    check, ok = checks[field]
    return check_response(request, field, check, ok=ok)

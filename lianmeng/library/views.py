"""Pages of the libraries: search, experts and committee, projects and landings, achievements and the
showcase, consultations, imports and exports. Every write goes through ``services``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from lianmeng.core.concurrency import StaleVersion
from lianmeng.core.errors import apply_to_form, error_dict
from lianmeng.core.forms import submit_form
from lianmeng.core.models import City
from lianmeng.core.pagination import CappedPaginator
from lianmeng.core.params import MAX_PAGE, int_param, year_param
from lianmeng.core.pending_uploads import discard_pending
from lianmeng.core.search import search as run_search
from lianmeng.core.selectors import member_cities
from lianmeng.core.types import AuthedRequest

from . import citations, commands, machines, policies, selectors, services, tabular
from .api import citation_response, export_response, file_response
from .forms import (
    AchievementForm,
    AnswerForm,
    AssignForm,
    ConsultationForm,
    ExpertForm,
    ImportForm,
    LandingForm,
    ProjectForm,
    RateForm,
)
from .models import (
    AchievementKind,
    ConsultationStatus,
    Expert,
    ExpertiseField,
    ExpertTitle,
    IntegrationTag,
    Project,
    ProjectStage,
    StrategyTag,
    Visibility,
)
from .services.experts import EXPERT_FIELDS

PAGE_SIZE = 20


def _page(request: HttpRequest, qs: Any) -> Any:
    return CappedPaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _get(request: HttpRequest, *names: str) -> dict[str, Any]:
    return {n: (request.GET.get(n, "").strip() or None) for n in names}


@contextmanager
def _renamed_errors(names: dict[str, str]) -> Iterator[None]:
    """A service's ValidationError with its keys renamed to the form's field names."""
    try:
        yield
    except StaleVersion:
        raise  # the form shows the edit conflict itself (includes/form_errors.html)
    except ValidationError as exc:
        raise ValidationError({names.get(k, k): v for k, v in error_dict(exc).items()}) from exc


def _flash_errors(request: HttpRequest, exc: ValidationError) -> None:
    for msgs in error_dict(exc).values():
        for m in msgs:
            messages.error(request, m)


# Hub and search --------------------------------------------------------------------------------


def home(request: HttpRequest) -> HttpResponse:
    viewer = request.user
    return render(
        request,
        "library/home.html",
        {
            "counts": {
                "projects": selectors.projects_visible(viewer).count(),
                "experts": selectors.experts_visible(viewer).count(),
                "achievements": selectors.achievements_visible(viewer).count(),
                "consultations": selectors.consultations_visible(viewer).count(),
            },
            "landed": selectors.landed_by_city(viewer=viewer),
            "signed_in": policies.signed_in(viewer),
            "is_secretariat": policies.is_secretariat(viewer),
        },
    )


def search_page(request: HttpRequest) -> HttpResponse:
    params = _get(request, "q", "type", "city", "kind", "tag")
    year_text = request.GET.get("year", "")
    year = year_param(request.GET)
    page = int_param(request.GET, "page", default=1, max_value=MAX_PAGE) or 1
    result = run_search(
        viewer=request.user,
        q=params["q"],
        type=params["type"],
        city=params["city"],
        year=year,
        kind=params["kind"],
        tag=params["tag"],
        page=page,
    )
    return render(request, "library/search.html", {"result": result, "params": {**params, "year": year_text}})


# Experts ---------------------------------------------------------------------------------------


def expert_list(request: HttpRequest) -> HttpResponse:
    filters = _get(request, "q", "city", "field", "title")
    int_param(request.GET, "field")  # 400 naming the field for ?field=abc
    committee = request.GET.get("committee") == "1"
    qs = selectors.expert_list(viewer=request.user, committee=committee, **filters)
    return render(
        request,
        "library/expert_list.html",
        {
            "page_obj": _page(request, qs),
            "filters": filters,
            "committee": committee,
            "cities": member_cities(),
            "fields": ExpertiseField.objects.filter(is_active=True),
            "titles": ExpertTitle.choices,
            "can_manage": policies.can_manage_experts(request.user),
            "can_export": policies.can_export(request.user),
        },
    )


def expert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    expert = selectors.expert_get(viewer=request.user, pk=pk)
    return render(
        request,
        "library/expert_detail.html",
        {
            "expert": expert,
            "personal": policies.can_view_expert_personal_data(request.user, expert),
            "show_bio": policies.can_view_expert_biography(request.user, expert),
            "can_edit": policies.can_edit_expert(request.user, expert),
            "terms": expert.committee_terms.all(),
        },
    )


@login_required
def expert_form(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    expert = selectors.expert_get(viewer=request.user, pk=pk) if pk else None
    if expert is None and not policies.can_manage_experts(request.user):
        raise PermissionDenied
    if expert is not None and not policies.can_edit_expert(request.user, expert):
        raise PermissionDenied
    self_service = expert is not None and not policies.can_manage_experts(request.user)
    initial: dict[str, Any] = {}
    if expert is not None:
        # the expert's plain fields (the references are set below; status and ID number are not on the form)
        plain = [f for f in EXPERT_FIELDS if f not in ("organization", "city", "status", "id_number")]
        initial = {name: getattr(expert, name) for name in plain}
        initial.update(
            organization=expert.organization_id,
            city=expert.city_id,
            fields=[f.name for f in expert.fields.all()],
            version=expert.version,
        )
    form = ExpertForm(request.POST or None, initial=initial, self_service=self_service)

    def save(data: dict[str, Any]) -> Expert:
        data = dict(data)
        if "expertise" in data:
            data["fields"] = data.pop("expertise")
        with _renamed_errors({"fields": "expertise"}):  # the command names the expertise "fields"
            if expert is None:
                return services.expert_create(cmd=commands.ExpertCreate.build(data), actor=request.user)
            return services.expert_update(
                expert=expert, cmd=commands.ExpertUpdate.build(data), actor=request.user
            )

    if request.method == "POST":
        saved = submit_form(form, save)
        if saved is not None:
            messages.success(request, _("专家信息已保存：%(name)s") % {"name": saved.name})
            return redirect(saved)
    return render(
        request,
        "library/form.html",
        {
            "form": form,
            "title": _("编辑专家") if expert else _("新增专家"),
            "back": expert.get_absolute_url() if expert else "/library/experts/",
        },
    )


def committee(request: HttpRequest) -> HttpResponse:
    return render(
        request, "library/committee.html", {"terms": selectors.committee_current(viewer=request.user)}
    )


# Projects --------------------------------------------------------------------------------------


def project_list(request: HttpRequest) -> HttpResponse:
    filters = _get(request, "q", "stage", "city", "strategy", "integration")
    qs = selectors.project_list(viewer=request.user, **filters)
    return render(
        request,
        "library/project_list.html",
        {
            "page_obj": _page(request, qs),
            "filters": filters,
            "stages": ProjectStage.choices,
            "cities": member_cities(),
            "strategies": StrategyTag.objects.filter(is_active=True),
            "integrations": IntegrationTag.choices,
            "can_submit": policies.is_secretariat(request.user)
            or bool(policies.contact_org_ids(request.user)),
            "can_export": policies.can_export(request.user),
        },
    )


@login_required
def project_create(request: AuthedRequest) -> HttpResponse:
    if policies.is_secretariat(request.user):
        lead_choices = None
    else:
        lead_choices = [(o.pk, o.name) for o in request.user.contact_organizations]
        if not lead_choices:
            raise PermissionDenied
    # A contact of one organization leads with it: the picker starts filled in.
    initial = {"lead_organization": lead_choices[0][0]} if lead_choices and len(lead_choices) == 1 else {}
    form = ProjectForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST":
        project = submit_form(
            form,
            lambda cmd: services.project_create(cmd=cmd, actor=request.user),
            command=commands.ProjectCreate,
        )
        if project is not None:
            messages.success(request, _("项目已提交，秘书处将组织评估"))
            return redirect(project)
    return render(
        request, "library/form.html", {"form": form, "title": _("提交共建项目"), "back": "/library/projects/"}
    )


def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = selectors.project_get(viewer=request.user, pk=pk)
    next_stages = services.project_next_stages(project, request.user)
    return render(
        request,
        "library/project_detail.html",
        {
            "project": project,
            "next_stages": [(s, ProjectStage(s).label) for s in next_stages],
            "landings": project.landings.select_related("city", "park"),
            "history": project.stage_changes.select_related("actor"),
            "evaluations": project.evaluations.select_related("answer__expert", "answer__consultation"),
            "can_edit": policies.can_edit_project(request.user, project),
            "can_land": policies.can_open_landing_form(request.user, project),
        },
    )


@login_required
def project_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    project = selectors.project_get(viewer=request.user, pk=pk)
    if not policies.can_edit_project(request.user, project):
        raise PermissionDenied
    initial = {
        "name": project.name,
        "summary": project.summary,
        "lead_organization": project.lead_organization_id,
        "partner_organizations": [o.pk for o in project.partner_organizations.all()],
        "cities": [c.code for c in project.cities.all()],
        "strategy_tags": [t.name for t in project.strategy_tags.all()],
        "integration_tags": project.integration_tag_list,
        "planned_investment": project.planned_investment or "",
        "version": project.version,
    }
    form = ProjectForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST":
        saved = submit_form(
            form,
            lambda cmd: services.project_update(project=project, cmd=cmd, actor=request.user),
            command=commands.ProjectUpdate,
        )
        if saved is not None:
            messages.success(request, _("项目已保存"))
            return redirect(saved)
    return render(
        request,
        "library/form.html",
        {"form": form, "title": _("编辑项目"), "back": project.get_absolute_url()},
    )


@login_required
@require_POST
def project_transition(request: AuthedRequest, pk: int) -> HttpResponse:
    project = selectors.project_get(viewer=request.user, pk=pk)
    try:
        cmd = commands.ProjectTransition.build(
            to=request.POST.get("to", ""), reason=request.POST.get("reason", "")
        )
        services.project_transition(project=project, cmd=cmd, actor=request.user)
    except ValidationError as exc:
        _flash_errors(request, exc)
    else:
        project.refresh_from_db(fields=["stage"])
        messages.success(
            request,
            _("项目《%(name)s》已转为“%(stage)s”")
            % {"name": project.name, "stage": project.get_stage_display()},
        )
    return redirect(project)


@login_required
def project_landing(request: AuthedRequest, pk: int) -> HttpResponse:
    project = selectors.project_get(viewer=request.user, pk=pk)
    if not policies.can_open_landing_form(request.user, project):
        raise PermissionDenied
    form = LandingForm(request.POST or None, initial={"date": timezone.localdate().isoformat()})
    if request.method == "POST":
        landing = submit_form(
            form,
            lambda cmd: services.landing_record(project=project, cmd=cmd, actor=request.user),
            command=commands.LandingRecord,
        )
        if landing is not None:
            messages.success(request, _("落地记录已登记"))
            return redirect(project)
    return render(
        request,
        "library/form.html",
        {
            "form": form,
            "title": _("登记落地：%(name)s") % {"name": project.name},
            "back": project.get_absolute_url(),
        },
    )


def landed(request: HttpRequest) -> HttpResponse:
    year = year_param(request.GET)
    return render(
        request,
        "library/landed.html",
        {
            "by_city": selectors.landed_by_city(viewer=request.user, year=year),
            "by_year": selectors.landed_by_year(viewer=request.user),
            "year": year,
        },
    )


def landed_city(request: HttpRequest, code: str) -> HttpResponse:
    city = City.objects.filter(pk=code, is_member=True).first()
    if city is None:
        raise Http404
    year = year_param(request.GET)
    qs = selectors.city_landings(viewer=request.user, city=code, year=year)
    return render(
        request, "library/landed_city.html", {"city": city, "page_obj": _page(request, qs), "year": year}
    )


# Achievements ----------------------------------------------------------------------------------


def achievement_list(request: HttpRequest) -> HttpResponse:
    filters = _get(request, "q", "kind", "year", "visibility")
    qs = selectors.achievement_list(viewer=request.user, **filters)
    return render(
        request,
        "library/achievement_list.html",
        {
            "page_obj": _page(request, qs),
            "filters": filters,
            "kinds": AchievementKind.choices,
            "visibilities": Visibility.choices,
            "signed_in": policies.signed_in(request.user),
            "can_submit": policies.is_secretariat(request.user)
            or bool(policies.contact_org_ids(request.user)),
            "can_export": policies.can_export(request.user),
        },
    )


def achievement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    achievement = selectors.achievement_get(viewer=request.user, pk=pk)
    return render(
        request,
        "library/achievement_detail.html",
        {
            "a": achievement,
            "gbt7714": citations.gbt7714(achievement),
            "bibtex": citations.bibtex(achievement),
            "can_edit": policies.can_edit_achievement(request.user, achievement),
            "can_showcase": policies.can_set_showcase(request.user),
        },
    )


@login_required
def achievement_form(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    achievement = selectors.achievement_get(viewer=request.user, pk=pk) if pk else None
    if achievement is not None and not policies.can_edit_achievement(request.user, achievement):
        raise PermissionDenied
    if achievement is None and not (
        policies.is_secretariat(request.user) or policies.contact_org_ids(request.user)
    ):
        raise PermissionDenied
    initial: dict[str, Any] = {"year": timezone.localdate().year, "visibility": Visibility.PUBLIC}
    if achievement is not None:
        initial = {
            name: getattr(achievement, name)
            for name in (
                "title",
                "kind",
                "authors",
                "year",
                "abstract",
                "keywords",
                "visibility",
                "awards",
                "source",
                "source_reference",
                "application_scenarios",
                "publisher",
                "identifier",
            )
        }
        initial["organizations"] = [o.pk for o in achievement.organizations.all()]
        initial["version"] = achievement.version
    form = AchievementForm(request.POST or None, request.FILES or None, initial=initial)

    command = commands.AchievementCreate if achievement is None else commands.AchievementUpdate

    def validate(data: dict[str, Any]) -> Any:
        """The command's checks, the references and the files at once; writes nothing."""
        errors: dict[str, list[str]] = {}
        cmd = None
        try:
            cmd = command.build(data)
        except ValidationError as exc:
            errors.update(error_dict(exc))
        try:
            with _renamed_errors({"files": "attachments"}):  # the service names the files "files"
                services.achievement_validate(
                    cmd=cmd, files=data.get("attachments") or [], achievement=achievement
                )
        except ValidationError as exc:
            for key, messages in error_dict(exc).items():
                errors.setdefault(key, []).extend(messages)
        if errors:
            raise ValidationError(errors)
        return cmd

    def save(data: dict[str, Any]) -> Any:
        files = data.get("attachments") or []
        if achievement is None:
            with _renamed_errors({"files": "attachments"}):
                cmd = commands.AchievementCreate.build(data)
                return services.achievement_create(cmd=cmd, files=files, actor=request.user)
        update = validate(data)  # every field and file checked before anything is stored
        with transaction.atomic():
            saved = services.achievement_update(achievement=achievement, cmd=update, actor=request.user)
            for upload in files:
                services.achievement_add_file(achievement=saved, upload=upload, actor=request.user)
        return saved

    if request.method == "POST":
        saved = submit_form(form, save, validate=validate)
        if saved is not None:
            discard_pending(form, "attachments")
            count = len(form.cleaned_data.get("attachments") or [])
            messages.success(
                request,
                _("成果已保存：《%(title)s》") % {"title": saved.title}
                if not count
                else ngettext(
                    "成果已保存：《%(title)s》，附上 %(n)d 个文件",
                    "成果已保存：《%(title)s》，附上 %(n)d 个文件",
                    count,
                )
                % {"title": saved.title, "n": count},
            )
            return redirect(saved)
    return render(
        request,
        "library/form.html",
        {
            "form": form,
            "title": _("编辑成果") if achievement else _("提交成果"),
            "back": "/library/achievements/",
            "multipart": True,
        },
    )


def achievement_file(request: HttpRequest, pk: int, file_id: int) -> FileResponse:
    achievement = selectors.achievement_get(viewer=request.user, pk=pk)
    item = achievement.files.filter(pk=file_id).first()
    if item is None:
        raise Http404
    return file_response(item)


def achievement_citation(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    return citation_response(selectors.achievement_get(viewer=request.user, pk=pk), bibtex=fmt == "bib")


@login_required
@require_POST
def achievement_showcase(request: AuthedRequest, pk: int) -> HttpResponse:
    achievement = selectors.achievement_get(viewer=request.user, pk=pk)
    try:
        cmd = commands.ShowcaseSet.build(
            showcase=request.POST.get("showcase") == "1", showcase_year=request.POST.get("year") or None
        )
        services.achievement_set_showcase(achievement=achievement, cmd=cmd, actor=request.user)
    except ValidationError as exc:
        _flash_errors(request, exc)
    else:
        achievement.refresh_from_db(fields=["showcase", "showcase_year"])
        messages.success(
            request,
            _("《%(title)s》已入选 %(year)s 年度成果展示")
            % {"title": achievement.title, "year": achievement.showcase_year}
            if achievement.showcase
            else _("《%(title)s》已撤出年度成果展示") % {"title": achievement.title},
        )
    return redirect(achievement)


def showcase(request: HttpRequest, year: int | None = None) -> HttpResponse:
    years = selectors.showcase_years()
    if year is None:
        year = years[0] if years else timezone.localdate().year
    items = list(selectors.showcase(year=year))
    groups: dict[str, list[Any]] = {}
    for item in items:
        groups.setdefault(str(item.get_kind_display()), []).append(item)
    return render(
        request,
        "library/showcase.html",
        {"year": year, "years": years, "groups": groups, "count": len(items)},
    )


# Consultations ---------------------------------------------------------------------------------


@login_required
def consultation_list(request: AuthedRequest) -> HttpResponse:
    status = request.GET.get("status", "").strip() or None
    mine = request.GET.get("mine") == "1"
    qs = selectors.consultation_list(viewer=request.user, status=status, mine=mine)
    return render(
        request,
        "library/consultation_list.html",
        {
            "page_obj": _page(request, qs),
            "status": status,
            "mine": mine,
            "statuses": ConsultationStatus.choices,
            "can_ask": policies.can_open_consultation_form(request.user),
            "today": timezone.localdate(),
        },
    )


@login_required
def consultation_create(request: AuthedRequest) -> HttpResponse:
    if not policies.can_open_consultation_form(request.user):
        raise PermissionDenied
    form = ConsultationForm(request.POST or None, request.FILES or None)
    if request.method == "POST":

        def validate(data: dict[str, Any]) -> None:
            """The command's checks, the field of expertise and the attachments at once."""
            errors: dict[str, list[str]] = {}
            cmd = None
            try:
                cmd = commands.ConsultationAsk.build(data)
            except ValidationError as exc:
                errors.update(error_dict(exc))
            try:
                services.consultation_validate(cmd=cmd, attachments=data.get("attachments") or [])
            except ValidationError as exc:
                for key, messages in error_dict(exc).items():
                    errors.setdefault(key, []).extend(messages)
            if errors:
                raise ValidationError(errors)

        consultation = submit_form(
            form,
            lambda data: services.consultation_ask(
                cmd=commands.ConsultationAsk.build(data),
                attachments=data.get("attachments") or [],
                actor=request.user,
            ),
            validate=validate,
        )
        if consultation is not None:
            discard_pending(form, "attachments")
            messages.success(request, _("咨询已提交，秘书处将分派专家"))
            return redirect(consultation)
    return render(
        request,
        "library/form.html",
        {
            "form": form,
            "title": _("向专家咨询委员会提问"),
            "back": "/library/consultations/",
            "multipart": True,
        },
    )


@login_required
def consultation_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    consultation = selectors.consultation_get(viewer=request.user, pk=pk)
    user = request.user
    action = request.POST.get("action") if request.method == "POST" else None
    answer_form = AnswerForm(request.POST if action == "answer" else None)
    rate_form = RateForm(request.POST if action == "rate" else None)
    assign_form = AssignForm(request.POST if action == "assign" else None, user=user)
    if request.method == "POST":
        done: str | None = None
        try:
            if action == "assign":
                assign = commands.ConsultationAssign.build(experts=request.POST.getlist("experts"))
                services.consultation_assign(consultation=consultation, cmd=assign, actor=user)
                names = Expert.objects.filter(pk__in=assign.experts).values_list("name", flat=True)
                done = _("已分派给 %(names)s，已通知专家答复") % {"names": _("、").join(names)}
            elif action == "answer":
                answer = submit_form(
                    answer_form,
                    lambda cmd: services.consultation_answer(consultation=consultation, cmd=cmd, actor=user),
                    command=commands.ConsultationAnswer,
                )
                done = _("答复已提交，已通知提问单位") if answer is not None else None
            elif action == "rate":
                rated = submit_form(
                    rate_form,
                    lambda cmd: services.consultation_rate(consultation=consultation, cmd=cmd, actor=user),
                    command=commands.ConsultationRate,
                )
                done = _("感谢您的评价") if rated is not None else None
            elif action == "attach":
                answer = consultation.answers.filter(pk=int_param(request.POST, "answer", default=0)).first()
                project = selectors.project_get(viewer=user, pk=int_param(request.POST, "project", default=0))
                if answer is None:
                    raise Http404
                services.evaluation_attach(answer=answer, project=project, actor=user)
                done = _("答复已作为评估意见关联到项目《%(name)s》") % {"name": project.name}
            elif action == "close":
                close = commands.ConsultationClose.build(reason=request.POST.get("reason", ""))
                services.consultation_close(consultation=consultation, cmd=close, actor=user)
                done = _("咨询已关闭：《%(title)s》不再等待专家答复") % {"title": consultation.title}
            else:
                raise ValidationError({"action": _("请检查填写的内容")})
        except ValidationError as exc:
            if action == "assign":
                apply_to_form(assign_form, exc)
            _flash_errors(request, exc)
        if done is not None:
            messages.success(request, done)
            return redirect(consultation)
    can_assign = policies.can_assign_consultation(user, consultation)
    allowed = machines.CONSULTATION.allowed(consultation.status, actor=user, obj=consultation)
    suggestions = services.consultation_suggest_experts(consultation=consultation) if can_assign else []
    orgs = policies.contact_org_ids(user)
    projects = (
        Project.objects.all()
        if policies.is_secretariat(user)
        else Project.objects.filter(lead_organization_id__in=orgs)
    ).order_by("name_sort")[:50]
    return render(
        request,
        "library/consultation_detail.html",
        {
            "c": consultation,
            "assignments": consultation.assignments.select_related("expert__organization"),
            "answers": consultation.answers.select_related("expert"),
            "attachments": consultation.attachments.all(),
            "can_assign": "assign" in allowed,
            "can_answer": "answer" in allowed,
            "can_rate": "rate" in allowed,
            "can_close": "close" in allowed,
            "suggestions": suggestions,
            "answer_form": answer_form,
            "rate_form": rate_form,
            "assign_form": assign_form,
            "projects": projects,
        },
    )


@login_required
def consultation_attachment(request: AuthedRequest, pk: int, file_id: int) -> FileResponse:
    consultation = selectors.consultation_get(viewer=request.user, pk=pk)
    item = consultation.attachments.filter(pk=file_id).first()
    if item is None:
        raise Http404
    return file_response(item)


# Imports and exports ---------------------------------------------------------------------------


@login_required
def import_page(request: AuthedRequest, kind: str) -> HttpResponse:
    if not policies.can_import(request.user):
        raise PermissionDenied
    if kind not in tabular.KINDS:
        raise Http404
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST":
        report = submit_form(
            form,
            lambda data: tabular.import_run(
                kind=kind,
                content=data["file"].read(),
                filename=data["file"].name or "",
                actor=request.user,
                dry_run=request.POST.get("run") != "1",
            ),
        )
        if report is not None and report.saved:
            discard_pending(form, "file")
            form = ImportForm()  # imported: the next import starts with a new file
            messages.success(
                request,
                _("已导入 %(n)d 行%(kind)s") % {"n": report.saved, "kind": tabular.KIND_LABELS[kind]},
            )
    return render(
        request,
        "library/import.html",
        {
            "form": form,
            "report": report,
            "kind": kind,
            "kind_label": tabular.KIND_LABELS[kind],
            "columns": tabular.COLUMNS[kind],
        },
    )


@login_required
def export(request: AuthedRequest, kind: str, fmt: str) -> HttpResponse:
    if kind not in tabular.KINDS or fmt not in ("xlsx", "csv"):
        raise Http404
    return export_response(request, kind, fmt, template=request.GET.get("template") == "1")

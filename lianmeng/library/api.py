"""The libraries' API (mounted under /api/v1/): experts, committee, projects, landings, achievements,
consultations, the one search, imports and exports."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from lianmeng.core import files
from lianmeng.core.api_support import AUTH, OPTIONAL_AUTH, signed_in
from lianmeng.core.pagination import PageNumberPagination
from lianmeng.core.params import Id, Page, Year
from lianmeng.core.search import search as run_search

from . import citations, policies, selectors, services, tabular
from .commands import (
    AchievementCreate,
    AchievementUpdate,
    ConsultationAnswer,
    ConsultationAsk,
    ConsultationAssign,
    ConsultationRate,
    ExpertCreate,
    ExpertUpdate,
    LandingRecord,
    ProjectCreate,
    ProjectTransition,
    ProjectUpdate,
)
from .models import Achievement, CommitteeMembership, Consultation, Expert, Landing, Project
from .models import ConsultationAnswer as Answer

router = Router(tags=["library"])


# Experts ---------------------------------------------------------------------------------------


class ExpertOut(Schema):
    id: int
    name: str
    organization: int | None = Field(alias="organization_id")
    organization_name: str = Field(alias="affiliation")
    city: str = Field(alias="city_id")
    city_name: str = Field(alias="city.name")
    title: str
    title_label: str = Field(alias="get_title_display")
    position: str
    fields: list[str]
    keywords: list[str] = Field(alias="keyword_list")
    biography: str
    availability: str
    publish_consent: bool
    committee_post: str | None = None
    # Personal data: null unless the viewer is the secretariat or the expert (PIPL).
    mobile: str | None
    email: str | None
    id_number: str | None
    version: int

    @staticmethod
    def resolve_fields(obj: Expert) -> list[str]:
        return [f.name for f in obj.fields.all()]

    # What the viewer may not see is null (personal data) or empty (a biography without consent).
    @staticmethod
    def resolve_mobile(obj: Expert, context: dict[str, Any]) -> str | None:
        return obj.mobile if _personal(context, obj) else None

    @staticmethod
    def resolve_email(obj: Expert, context: dict[str, Any]) -> str | None:
        return obj.email if _personal(context, obj) else None

    @staticmethod
    def resolve_id_number(obj: Expert, context: dict[str, Any]) -> str | None:
        return obj.id_number if _personal(context, obj) else None

    @staticmethod
    def resolve_biography(obj: Expert, context: dict[str, Any]) -> str:
        return obj.biography if policies.can_view_expert_biography(context["request"].user, obj) else ""


def _personal(context: dict[str, Any], expert: Expert) -> bool:
    return policies.can_view_expert_personal_data(context["request"].user, expert)


class ExpertFilters(Schema):
    q: str | None = None
    city: str | None = None
    field: Id | None = None
    title: str | None = None
    committee: bool = False


@router.get("/experts", response=list[ExpertOut], auth=OPTIONAL_AUTH)
@paginate(PageNumberPagination, page_size=20)
def expert_list(request: HttpRequest, filters: Query[ExpertFilters]) -> Any:
    """The expert library. The public sees experts who consented to publish; personal data only for
    the secretariat and the expert themselves."""
    return selectors.expert_list(viewer=request.user, **filters.dict())


@router.post("/experts", response={201: ExpertOut}, auth=AUTH)
def expert_create(request: HttpRequest, payload: ExpertCreate) -> Status[Any]:
    if not policies.can_manage_experts(request.user):
        raise PermissionDenied
    expert = services.expert_create(cmd=payload, actor=signed_in(request))
    return Status(201, selectors.expert_get(viewer=request.user, pk=expert.pk))


@router.get("/experts/{expert_id}", response=ExpertOut, auth=OPTIONAL_AUTH)
def expert_detail(request: HttpRequest, expert_id: int) -> Expert:
    return selectors.expert_get(viewer=request.user, pk=expert_id)


@router.patch("/experts/{expert_id}", response=ExpertOut, auth=AUTH)
def expert_patch(request: HttpRequest, expert_id: int, payload: ExpertUpdate) -> Expert:
    expert = selectors.expert_get(viewer=request.user, pk=expert_id)
    services.expert_update(expert=expert, cmd=payload, actor=signed_in(request))
    return selectors.expert_get(viewer=request.user, pk=expert_id)


class CommitteeOut(Schema):
    post: str
    post_label: str = Field(alias="get_post_display")
    term_start: date
    term_end: date
    expert: int = Field(alias="expert_id")
    name: str = Field(alias="expert.name")
    organization_name: str = Field(alias="expert.affiliation")
    title_label: str = Field(alias="expert.get_title_display")


@router.get("/committee", response=list[CommitteeOut], auth=OPTIONAL_AUTH)
def committee(request: HttpRequest) -> list[CommitteeMembership]:
    """The current advisory committee: 主任, 副主任, then 委员 by pinyin."""
    return selectors.committee_current(viewer=request.user)


# Projects --------------------------------------------------------------------------------------


class LandingOut(Schema):
    id: int
    city: str = Field(alias="city_id")
    city_name: str = Field(alias="city.name")
    park: int | None = Field(alias="park_id")
    park_name: str = Field(alias="park_display")
    date: date
    investment: Decimal
    jobs: int
    notes: str


class StageChangeOut(Schema):
    from_stage: str
    to_stage: str
    date: date
    actor: str
    note: str


class ProjectOut(Schema):
    id: int
    name: str
    summary: str
    lead_organization: int = Field(alias="lead_organization_id")
    lead_organization_name: str = Field(alias="lead_organization.name")
    partner_organizations: list[int]
    cities: list[str]
    strategy_tags: list[str]
    integration_tags: list[str] = Field(alias="integration_tag_list")
    planned_investment: Decimal | None
    stage: str
    stage_label: str = Field(alias="get_stage_display")
    closed_reason: str
    created_at: datetime

    @staticmethod
    def resolve_partner_organizations(obj: Project) -> list[int]:
        return [o.pk for o in obj.partner_organizations.all()]

    @staticmethod
    def resolve_cities(obj: Project) -> list[str]:
        return [c.code for c in obj.cities.all()]

    @staticmethod
    def resolve_strategy_tags(obj: Project) -> list[str]:
        return [t.name for t in obj.strategy_tags.all()]


class ProjectDetailOut(ProjectOut):
    landings: list[LandingOut]
    history: list[StageChangeOut]
    next_stages: list[str] = []
    version: int

    @staticmethod
    def resolve_landings(obj: Project) -> list[Landing]:
        return list(obj.landings.select_related("city", "park"))

    @staticmethod
    def resolve_history(obj: Project) -> list[dict[str, Any]]:
        return [
            {
                "from_stage": c.from_stage,
                "to_stage": c.to_stage,
                "date": c.date,
                "actor": str(c.actor) if c.actor else "",
                "note": c.note,
            }
            for c in obj.stage_changes.select_related("actor")
        ]


class ProjectFilters(Schema):
    q: str | None = None
    stage: str | None = None
    city: str | None = None
    strategy: Id | None = None
    integration: str | None = None
    organization: Id | None = None


def _project_detail(request: HttpRequest, pk: int) -> Project:
    project = selectors.project_get(viewer=request.user, pk=pk)
    project.next_stages = [str(s) for s in services.project_next_stages(project, request.user)]  # type: ignore[attr-defined]
    return project


@router.get("/projects", response=list[ProjectOut], auth=OPTIONAL_AUTH)
@paginate(PageNumberPagination, page_size=20)
def project_list(request: HttpRequest, filters: Query[ProjectFilters]) -> Any:
    """The project library. The public sees landed and operating projects."""
    return selectors.project_list(viewer=request.user, **filters.dict())


@router.post("/projects", response={201: ProjectDetailOut}, auth=AUTH)
def project_create(request: HttpRequest, payload: ProjectCreate) -> Status[Any]:
    """A member contact submits a project led by their organization; it starts as proposed."""
    project = services.project_create(cmd=payload, actor=signed_in(request))
    return Status(201, _project_detail(request, project.pk))


@router.get("/projects/{project_id}", response=ProjectDetailOut, auth=OPTIONAL_AUTH)
def project_detail(request: HttpRequest, project_id: int) -> Project:
    return _project_detail(request, project_id)


@router.patch("/projects/{project_id}", response=ProjectDetailOut, auth=AUTH)
def project_patch(request: HttpRequest, project_id: int, payload: ProjectUpdate) -> Project:
    project = selectors.project_get(viewer=request.user, pk=project_id)
    services.project_update(project=project, cmd=payload, actor=signed_in(request))
    return _project_detail(request, project_id)


@router.post("/projects/{project_id}/transition", response=ProjectDetailOut, auth=AUTH)
def project_transition(request: HttpRequest, project_id: int, payload: ProjectTransition) -> Project:
    """Move the project to another stage (`to`); `reason` is required when closing."""
    project = selectors.project_get(viewer=request.user, pk=project_id)
    services.project_transition(project=project, cmd=payload, actor=signed_in(request))
    return _project_detail(request, project_id)


@router.post("/projects/{project_id}/landings", response={201: LandingOut}, auth=AUTH)
def project_landing(request: HttpRequest, project_id: int, payload: LandingRecord) -> Status[Any]:
    """Record a landing in a city: park (an organization id) or park_name, date, investment (万元), jobs."""
    project = selectors.project_get(viewer=request.user, pk=project_id)
    landing = services.landing_record(project=project, cmd=payload, actor=signed_in(request))
    return Status(201, landing)


class LandedCityOut(Schema):
    city: str
    city_name: str
    projects: int
    investment: Decimal
    jobs: int


@router.get("/landings/by-city", response=list[LandedCityOut], auth=OPTIONAL_AUTH)
def landed_by_city(request: HttpRequest, year: Year | None = None) -> list[dict[str, Any]]:
    """Projects landed per member city (alliance order), optionally in one year."""
    return [
        {
            "city": r["city"].code,
            "city_name": r["city"].name,
            "projects": r["projects"],
            "investment": r["investment"],
            "jobs": r["jobs"],
        }
        for r in selectors.landed_by_city(viewer=request.user, year=year)
    ]


# Achievements ----------------------------------------------------------------------------------


class FileOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    url: str


class AchievementOut(Schema):
    id: int
    kind: str
    kind_label: str = Field(alias="get_kind_display")
    title: str
    authors: list[str] = Field(alias="author_list")
    organizations: list[int]
    owner_organization: int | None = Field(alias="owner_organization_id")
    year: int
    abstract: str
    keywords: list[str] = Field(alias="keyword_list")
    visibility: str
    awards: str
    source: str
    source_reference: str
    application_scenarios: str
    showcase: bool
    showcase_year: int | None
    publisher: str
    identifier: str

    @staticmethod
    def resolve_organizations(obj: Achievement) -> list[int]:
        return [o.pk for o in obj.organizations.all()]


class AchievementDetailOut(AchievementOut):
    files: list[FileOut]
    citation_gbt7714: str
    citation_bibtex: str
    version: int

    @staticmethod
    def resolve_files(obj: Achievement) -> list[dict[str, Any]]:
        return [
            {
                "id": f.pk,
                "name": f.original_name,
                "content_type": f.content_type,
                "size": f.size,
                "url": f"/api/v1/achievements/{obj.pk}/files/{f.pk}",
            }
            for f in obj.files.all()
        ]

    @staticmethod
    def resolve_citation_gbt7714(obj: Achievement) -> str:
        return citations.gbt7714(obj)

    @staticmethod
    def resolve_citation_bibtex(obj: Achievement) -> str:
        return citations.bibtex(obj)


class AchievementFilters(Schema):
    q: str | None = None
    kind: str | None = None
    year: Year | None = None
    visibility: str | None = None
    showcase: bool | None = None
    organization: Id | None = None


@router.get("/achievements", response=list[AchievementOut], auth=OPTIONAL_AUTH)
@paginate(PageNumberPagination, page_size=20)
def achievement_list(request: HttpRequest, filters: Query[AchievementFilters]) -> Any:
    return selectors.achievement_list(viewer=request.user, **filters.dict())


@router.post("/achievements", response={201: AchievementDetailOut}, auth=AUTH)
def achievement_create(request: HttpRequest, payload: AchievementCreate) -> Status[Any]:
    """Add an achievement (files: POST the form endpoint /achievements/{id}/files)."""
    achievement = services.achievement_create(cmd=payload, actor=signed_in(request))
    return Status(201, selectors.achievement_get(viewer=request.user, pk=achievement.pk))


@router.get("/achievements/{achievement_id}", response=AchievementDetailOut, auth=OPTIONAL_AUTH)
def achievement_detail(request: HttpRequest, achievement_id: int) -> Achievement:
    return selectors.achievement_get(viewer=request.user, pk=achievement_id)


@router.patch("/achievements/{achievement_id}", response=AchievementDetailOut, auth=AUTH)
def achievement_patch(request: HttpRequest, achievement_id: int, payload: AchievementUpdate) -> Achievement:
    achievement = selectors.achievement_get(viewer=request.user, pk=achievement_id)
    services.achievement_update(achievement=achievement, cmd=payload, actor=signed_in(request))
    return selectors.achievement_get(viewer=request.user, pk=achievement_id)


@router.post("/achievements/{achievement_id}/files", response={201: FileOut}, auth=AUTH)
def achievement_file_upload(
    request: HttpRequest, achievement_id: int, file: File[UploadedFile]
) -> Status[Any]:
    """Attach a file (PDF, Word, Excel, PowerPoint, JPEG, PNG; checked by content; at most 20 MB)."""
    achievement = selectors.achievement_get(viewer=request.user, pk=achievement_id)
    item = services.achievement_add_file(achievement=achievement, upload=file, actor=signed_in(request))
    return Status(
        201,
        {
            "id": item.pk,
            "name": item.original_name,
            "content_type": item.content_type,
            "size": item.size,
            "url": f"/api/v1/achievements/{achievement_id}/files/{item.pk}",
        },
    )


@router.get("/achievements/{achievement_id}/files/{file_id}", auth=OPTIONAL_AUTH)
def achievement_file(request: HttpRequest, achievement_id: int, file_id: int) -> FileResponse:
    """The file, only if the viewer may see the achievement (same rule as the page)."""
    achievement = selectors.achievement_get(viewer=request.user, pk=achievement_id)
    item = achievement.files.filter(pk=file_id).first()
    if item is None:
        raise Http404
    return file_response(item)


def file_response(item: Any) -> FileResponse:
    """An achievement file or consultation attachment, typed and named by its content (core.files)."""
    return files.file_response(item.file, name=item.original_name)


@router.get("/achievements/{achievement_id}/citation", auth=OPTIONAL_AUTH)
def achievement_citation(request: HttpRequest, achievement_id: int, format: str = "gbt7714") -> HttpResponse:
    """Citation as GB/T 7714-2015 text (`format=gbt7714`) or BibTeX (`format=bibtex`)."""
    return citation_response(
        selectors.achievement_get(viewer=request.user, pk=achievement_id), bibtex=format == "bibtex"
    )


def citation_response(achievement: Achievement, *, bibtex: bool) -> HttpResponse:
    """GB/T 7714-2015 plain text, or a BibTeX file to download (the API and the page)."""
    if bibtex:
        response = HttpResponse(
            citations.bibtex(achievement), content_type="application/x-bibtex; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{citations.bibtex_key(achievement)}.bib"'
        return response
    return HttpResponse(citations.gbt7714(achievement) + "\n", content_type="text/plain; charset=utf-8")


# Consultations ---------------------------------------------------------------------------------


class AnswerOut(Schema):
    id: int
    expert: int = Field(alias="expert_id")
    expert_name: str = Field(alias="expert.name")
    text: str
    created_at: datetime


class ConsultationOut(Schema):
    id: int
    organization: int = Field(alias="organization_id")
    organization_name: str = Field(alias="organization.name")
    title: str
    question: str
    field: str | None
    urgency: str
    due_date: date
    status: str
    status_label: str = Field(alias="get_status_display")
    experts: list[int]
    answers: list[AnswerOut]
    rating: int | None
    rating_comment: str
    project: int | None = Field(alias="project_id")
    created_at: datetime

    @staticmethod
    def resolve_field(obj: Consultation) -> str | None:
        return obj.field.name if obj.field else None

    @staticmethod
    def resolve_experts(obj: Consultation) -> list[int]:
        return [a.expert_id for a in obj.assignments.all()]


class SuggestionOut(Schema):
    expert: int
    name: str
    organization_name: str
    score: int
    reasons: list[str]


@router.get("/consultations", response=list[ConsultationOut], auth=AUTH)
@paginate(PageNumberPagination, page_size=20)
def consultation_list(request: HttpRequest, status: str | None = None, mine: bool = False) -> Any:
    """Consultations the viewer may see: their organization's, those assigned to them, or all (secretariat)."""
    return selectors.consultation_list(viewer=request.user, status=status, mine=mine)


@router.post("/consultations", response={201: ConsultationOut}, auth=AUTH)
def consultation_create(request: HttpRequest, payload: ConsultationAsk) -> Status[Any]:
    consultation = services.consultation_ask(cmd=payload, actor=signed_in(request))
    return Status(201, selectors.consultation_get(viewer=request.user, pk=consultation.pk))


@router.get("/consultations/{consultation_id}", response=ConsultationOut, auth=AUTH)
def consultation_detail(request: HttpRequest, consultation_id: int) -> Consultation:
    return selectors.consultation_get(viewer=request.user, pk=consultation_id)


@router.get("/consultations/{consultation_id}/suggestions", response=list[SuggestionOut], auth=AUTH)
def consultation_suggestions(request: HttpRequest, consultation_id: int) -> list[dict[str, Any]]:
    """Committee experts suggested by expertise match, conflicts already excluded (secretariat)."""
    consultation = selectors.consultation_get(viewer=request.user, pk=consultation_id)
    if not policies.can_assign_consultation(request.user, consultation):
        raise PermissionDenied
    return [
        {
            "expert": s.expert.pk,
            "name": s.expert.name,
            "organization_name": s.expert.affiliation,
            "score": s.score,
            "reasons": s.reasons,
        }
        for s in services.consultation_suggest_experts(consultation=consultation)
    ]


@router.post("/consultations/{consultation_id}/assign", response=ConsultationOut, auth=AUTH)
def consultation_assign(
    request: HttpRequest, consultation_id: int, payload: ConsultationAssign
) -> Consultation:
    consultation = selectors.consultation_get(viewer=request.user, pk=consultation_id)
    services.consultation_assign(consultation=consultation, cmd=payload, actor=signed_in(request))
    return selectors.consultation_get(viewer=request.user, pk=consultation_id)


@router.post("/consultations/{consultation_id}/answer", response=ConsultationOut, auth=AUTH)
def consultation_answer(
    request: HttpRequest, consultation_id: int, payload: ConsultationAnswer
) -> Consultation:
    """An assigned expert answers in the platform (attach it to a project with POST /projects/{id}/evaluations)."""
    consultation = selectors.consultation_get(viewer=request.user, pk=consultation_id)
    services.consultation_answer(consultation=consultation, cmd=payload, actor=signed_in(request))
    return selectors.consultation_get(viewer=request.user, pk=consultation_id)


@router.post("/consultations/{consultation_id}/rate", response=ConsultationOut, auth=AUTH)
def consultation_rate(request: HttpRequest, consultation_id: int, payload: ConsultationRate) -> Consultation:
    consultation = selectors.consultation_get(viewer=request.user, pk=consultation_id)
    services.consultation_rate(consultation=consultation, cmd=payload, actor=signed_in(request))
    return selectors.consultation_get(viewer=request.user, pk=consultation_id)


class EvaluationIn(Schema):
    answer: Id


@router.post("/projects/{project_id}/evaluations", response={201: dict[str, int]}, auth=AUTH)
def project_evaluation(request: HttpRequest, project_id: int, payload: EvaluationIn) -> Status[Any]:
    """Attach a consultation answer to the project as an expert evaluation."""
    project = selectors.project_get(viewer=request.user, pk=project_id)
    answer = Answer.objects.select_related("consultation").filter(pk=payload.answer).first()
    if answer is None or not policies.can_view_consultation(request.user, answer.consultation):
        raise Http404
    evaluation = services.evaluation_attach(answer=answer, project=project, actor=signed_in(request))
    return Status(201, {"id": evaluation.pk})


# Search ----------------------------------------------------------------------------------------


class SearchHitOut(Schema):
    type: str
    type_label: str
    id: int
    title: str
    url: str
    snippet: str
    meta: str


class FacetValueOut(Schema):
    value: str
    label: str
    count: int
    capped: bool = False  # type facet: more than `count` matches (count_cap reached)


class SearchOut(Schema):
    q: str
    total: int
    count_capped: bool  # total is a lower bound: a selected type has more than count_cap matches
    count_cap: int
    facets_capped: bool  # city/year/kind/tag facets left out: too many matches to count quickly
    page: int
    pages: int
    results: list[SearchHitOut]
    facets: dict[str, list[FacetValueOut]]


@router.get("/search", response=SearchOut, auth=OPTIONAL_AUTH)
def search(
    request: HttpRequest,
    q: str = "",
    type: str | None = None,
    city: str | None = None,
    year: Year | None = None,
    kind: str | None = None,
    tag: str | None = None,
    page: Page = 1,
) -> dict[str, Any]:
    """One search over organizations, experts, projects, achievements, events, resources and news,
    filtered by what the viewer may see. `title` and `snippet` are HTML with matches in `<mark>`.
    Each type counts at most `count_cap` matches (`count_capped`: the total is a lower bound, and a
    capped type is listed newest first); facets other than type are counted only for narrower
    searches (`facets_capped`)."""
    result = run_search(
        viewer=request.user, q=q, type=type, city=city, year=year, kind=kind, tag=tag, page=page
    )
    return {
        "q": result.q,
        "total": result.total,
        "count_capped": result.count_capped,
        "count_cap": result.cap,
        "facets_capped": result.facets_capped,
        "page": result.page,
        "pages": result.pages,
        "results": [
            {
                "type": h.type,
                "type_label": h.type_label,
                "id": h.id,
                "title": str(h.title),
                "url": h.url,
                "snippet": str(h.snippet),
                "meta": h.meta,
            }
            for h in result.hits
        ],
        "facets": {
            name: [
                {
                    "value": v,
                    "label": label,
                    "count": n,
                    "capped": name == "type" and v in result.capped_types,
                }
                for v, label, n in values
            ]
            for name, values in result.facets.items()
        },
    }


# Imports and exports ---------------------------------------------------------------------------


class RowErrorOut(Schema):
    row: int
    column: str
    message: str


class ImportOut(Schema):
    kind: str
    dry_run: bool
    rows: int
    saved: int
    ok: bool
    bad_rows: list[int]
    errors: list[RowErrorOut]


@router.post("/imports/{kind}", response=ImportOut, auth=AUTH)
def import_file(
    request: HttpRequest, kind: str, file: File[UploadedFile], dry_run: bool = True
) -> dict[str, Any]:
    """Import xlsx or CSV (columns of the export; template at /exports/{kind}.xlsx?template=1).
    The dry run lists every bad row; a real run saves all rows or none (secretariat)."""
    report = tabular.import_run(
        kind=kind, content=file.read(), filename=file.name or "", actor=signed_in(request), dry_run=dry_run
    )
    return {
        "kind": report.kind,
        "dry_run": report.dry_run,
        "rows": report.rows,
        "saved": report.saved,
        "ok": report.ok,
        "bad_rows": report.bad_rows,
        "errors": [{"row": e.row, "column": e.column, "message": e.message} for e in report.errors],
    }


def export_response(request: HttpRequest, kind: str, fmt: str, template: bool = False) -> HttpResponse:
    filters = {k: v for k, v in request.GET.items() if k not in ("template", "page")}
    rows = (
        tabular.template_rows(kind)
        if template
        else tabular.export_rows(kind, viewer=request.user, filters=filters)
    )
    name = f"{kind}-template" if template else f"{kind}-{date.today():%Y%m%d}"
    if fmt == "csv":
        response = HttpResponse(tabular.to_csv(rows), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            tabular.to_xlsx(rows, str(tabular.KIND_LABELS.get(kind, kind))),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    response["Cache-Control"] = "private, no-store"
    return response


@router.get("/exports/{kind}.xlsx", auth=AUTH)
def export_xlsx(request: HttpRequest, kind: str, template: bool = False) -> HttpResponse:
    """The filtered list as Excel (same filters as the list endpoint); personal data masked unless the
    viewer may see it. `template=1` gives the empty import template."""
    tabular._check_kind(kind)
    return export_response(request, kind, "xlsx", template)


@router.get("/exports/{kind}.csv", auth=AUTH)
def export_csv(request: HttpRequest, kind: str, template: bool = False) -> HttpResponse:
    """The filtered list as CSV (UTF-8 with BOM)."""
    tabular._check_kind(kind)
    return export_response(request, kind, "csv", template)

"""Organizations and membership applications: /api/v1/organizations, /api/v1/applications."""

from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from lianmeng.accounts.models import User
from lianmeng.accounts.throttle import client_ip
from lianmeng.core.api_support import AUTH, OPTIONAL_AUTH, signed_in
from lianmeng.core.pagination import PageNumberPagination

from . import policies, selectors, services
from .commands import ApplicationDecision, ApplicationSubmit, OrganizationUpdate
from .models import MembershipApplication, Organization

router = Router(tags=["membership"])


class OrganizationOut(Schema):
    id: int
    name: str
    short_name: str
    uscc: str
    kind: str
    kind_label: str = Field(alias="get_kind_display")
    city: str = Field(alias="city_id")
    city_name: str = Field(alias="city.name")
    tier: str
    status: str
    address: str
    website: str
    phone: str
    email: str
    description: str
    services: str
    joined_on: date | None
    version: int


class OrganizationFilters(Schema):
    q: str | None = None
    city: str | None = None
    kind: str | None = None
    tier: str | None = None
    status: str | None = None


class ApplicationCreated(Schema):
    id: int
    status: str
    tracking_url: str


class ApplicationMotionOut(Schema):
    """The council motion deciding an application (when the alliance puts admission to the council)."""

    id: int
    title: str
    status: str = Field(description="draft, open, passed, rejected or no_quorum")
    status_label: str
    votes_for: int
    votes_against: int
    votes_abstain: int
    closes_at: datetime
    resolution_number: str | None = Field(None, description="the resolution's number once the motion passed")


class ApplicationOut(Schema):
    id: int
    name: str
    short_name: str
    uscc: str
    kind: str
    city: str = Field(alias="city_id")
    address: str
    website: str
    description: str
    contact_name: str
    contact_mobile: str
    contact_email: str
    status: str
    has_letter: bool
    submitted_at: datetime | None
    decided_at: datetime | None
    organization: int | None = Field(alias="organization_id")
    requested_tier: str
    resolution_number: str
    motion: ApplicationMotionOut | None = Field(
        None, description="the council motion on this application (the latest one), if any"
    )

    @staticmethod
    def resolve_motion(obj: MembershipApplication) -> dict[str, Any] | None:
        motion = services.council_motion(obj)
        if motion is None:
            return None
        resolution = getattr(motion, "resolution", None) if motion.status == "passed" else None
        return {
            "id": motion.pk,
            "title": motion.title,
            "status": motion.status,
            "status_label": str(motion.get_status_display()),
            "votes_for": motion.votes_for,
            "votes_against": motion.votes_against,
            "votes_abstain": motion.votes_abstain,
            "closes_at": motion.closes_at,
            "resolution_number": resolution.number if resolution is not None else None,
        }

    @staticmethod
    def resolve_has_letter(obj: MembershipApplication) -> bool:
        return bool(obj.letter)


def _visitor(request: HttpRequest) -> services.Visitor:
    user = request.user
    return user if isinstance(user, User) else None


def _tracking_url(application: MembershipApplication) -> str:
    return settings.SITE_URL.rstrip("/") + application.get_tracking_url()


@router.get("/organizations", response=list[OrganizationOut], auth=OPTIONAL_AUTH)
@paginate(PageNumberPagination, page_size=20)
def organization_list(request: HttpRequest, filters: Query[OrganizationFilters]) -> Any:
    """The member directory (public: active members only). `q` is searched the Chinese-aware way.

    `count` stops at 10,000 (`count_capped` is then true)."""
    return selectors.organization_directory(viewer=request.user, **filters.dict())


@router.get("/organizations/{org_id}", response=OrganizationOut, auth=OPTIONAL_AUTH)
def organization_detail(request: HttpRequest, org_id: int) -> Organization:
    return selectors.organization_get(viewer=request.user, pk=org_id)


@router.patch("/organizations/{org_id}", response=OrganizationOut, auth=AUTH)
def organization_patch(request: HttpRequest, org_id: int, payload: OrganizationUpdate) -> Organization:
    """Contacts edit their own organization's profile; the secretariat also uscc, kind, city, tier."""
    org = selectors.organization_get(viewer=request.user, pk=org_id)
    return services.organization_update(organization=org, cmd=payload, actor=signed_in(request))


@router.post("/applications", response={201: ApplicationCreated}, auth=OPTIONAL_AUTH)
def application_create(request: HttpRequest, payload: ApplicationSubmit) -> Status[Any]:
    """Public: apply to join. Attach the commitment letter with POST /applications/{id}/letter."""
    application = services.application_submit(cmd=payload, ip=client_ip(request), actor=_visitor(request))
    return Status(
        201,
        {
            "id": application.pk,
            "status": application.status,
            "tracking_url": _tracking_url(application),
        },
    )


@router.post("/applications/{application_id}/letter", response=ApplicationCreated, auth=OPTIONAL_AUTH)
def application_letter(
    request: HttpRequest, application_id: int, token: str, letter: File[UploadedFile]
) -> dict[str, Any]:
    """Attach the commitment letter (PDF/JPEG/PNG, at most 10 MB). `token` is the tracking token."""
    application = selectors.application_by_token(token)
    if application.pk != application_id:
        raise PermissionDenied
    application = services.application_attach_letter(
        application=application, letter=letter, actor=_visitor(request)
    )
    return {"id": application.pk, "status": application.status, "tracking_url": _tracking_url(application)}


@router.get("/applications", response=list[ApplicationOut], auth=AUTH)
@paginate(PageNumberPagination, page_size=20)
def application_list(request: HttpRequest, status: str | None = None, q: str | None = None) -> Any:
    if not policies.can_review_application(request.user):
        raise PermissionDenied
    # Each row shows its council motion (and resolution): fetched for the page at once, not per row.
    return selectors.application_list(viewer=request.user, status=status, q=q).prefetch_related(
        "admission_motions", "admission_motions__resolution"
    )


@router.get("/applications/{application_id}", response=ApplicationOut, auth=AUTH)
def application_detail(request: HttpRequest, application_id: int) -> MembershipApplication:
    return selectors.application_get(viewer=request.user, pk=application_id)


@router.post("/applications/{application_id}/review", response=ApplicationOut, auth=AUTH)
def application_review(
    request: HttpRequest, application_id: int, payload: ApplicationDecision
) -> MembershipApplication:
    if not policies.can_review_application(request.user):
        raise PermissionDenied
    application = selectors.application_get(viewer=request.user, pk=application_id)
    return services.application_review(application=application, cmd=payload, actor=signed_in(request))

"""Personal data: a person's own download; the secretariat's search, preview and erasure."""

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from ninja import Router, Schema, Status

from lianmeng.core.api_support import AUTH
from lianmeng.core.types import AuthedRequest

from . import policies, selectors, services
from .models import Erasure
from .views import zip_response

router = Router(tags=["privacy"])


class PrivacyPersonOut(Schema):
    subject: str
    label: str
    detail: str
    has_account: bool


class PrivacyPreviewLineOut(Schema):
    model: str
    label: str
    rows: int
    fields: list[str]
    files: int
    deleted: bool


class PrivacyPreviewOut(Schema):
    subject: str
    label: str
    can_erase: bool
    lines: list[PrivacyPreviewLineOut]


class PrivacyErasureIn(Schema):
    subject: str
    reason: str


class PrivacyErasureOut(Schema):
    id: int
    pseudonym: str
    reason: str
    counts: dict[str, int]
    created_at: datetime


@router.get("/privacy/my-data", auth=AUTH)
def my_data(request: AuthedRequest) -> HttpResponse:
    """The caller's personal data: a ZIP with data.json and the files they uploaded."""
    return zip_response(request.user)


def _require_secretariat(request: AuthedRequest) -> None:
    if not policies.can_erase_people(request.user):
        raise PermissionDenied


@router.get("/privacy/people", response=list[PrivacyPersonOut], auth=AUTH)
def people(request: AuthedRequest, q: str) -> list[dict[str, Any]]:
    """Find a person by account, name, mobile or e-mail (secretariat)."""
    _require_secretariat(request)
    return [
        {"subject": c.key, "label": c.label, "detail": c.detail, "has_account": c.has_account}
        for c in selectors.find_people(viewer=request.user, q=q[:100])
    ]


@router.get("/privacy/erasures/preview", response=PrivacyPreviewOut, auth=AUTH)
def erasure_preview(request: AuthedRequest, subject: str) -> dict[str, Any]:
    """What erasing ``subject`` (user:12, mobile:…, email:…) would change, per model (secretariat)."""
    _require_secretariat(request)
    person = selectors.subject_from_key(subject[:300])
    return {
        "subject": person.key,
        "label": person.label,
        "can_erase": policies.can_erase_person(request.user, person.user),
        "lines": [line.__dict__ for line in selectors.preview(person)],
    }


@router.get("/privacy/erasures", response=list[PrivacyErasureOut], auth=AUTH)
def erasure_list(request: AuthedRequest) -> Any:
    """The latest 100 erasures (secretariat)."""
    _require_secretariat(request)
    return Erasure.objects.all()[:100]


@router.post("/privacy/erasures", response={201: PrivacyErasureOut}, auth=AUTH)
def erasure_create(request: AuthedRequest, payload: PrivacyErasureIn) -> Status[Any]:
    """Erase a person on request, with the reason recorded (secretariat)."""
    _require_secretariat(request)
    person = selectors.subject_from_key(payload.subject[:300])
    erasure = services.erase_person(subject=person, reason=payload.reason, actor=request.user)
    return Status(201, erasure)

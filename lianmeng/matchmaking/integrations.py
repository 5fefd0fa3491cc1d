"""The boundary to other mechanisms: the project library (a "project created" outcome) and the
activities app (matchmaking sessions). Only their public service and selector functions are called
here, never their tables, so that each app keeps its own rules.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any


def _module(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name != name:
            raise
        return None


def _library_services() -> ModuleType | None:
    module = _module("lianmeng.library.services")
    return module if module is not None and hasattr(module, "project_create") else None


def available() -> bool:
    """Whether the project library can take a project created by matchmaking."""
    return _library_services() is not None


def project_create_for_request(*, request: Any, name: str, actor: Any) -> int:
    """Create the project of a "project created" outcome in the project library; returns its id.

    The lead is the post's organization, the requester a partner; the cities are those the post serves.
    Runs inside the caller's transaction, so a failure leaves nothing half saved.
    """
    services = _library_services()
    if services is None:
        raise RuntimeError("the project library is not installed")
    resource = request.resource
    project = services.project_create(
        data={
            "name": name,
            "lead_organization": resource.organization_id,
            "partner_organizations": [request.requester_organization_id],
            "cities": list(resource.cities.values_list("pk", flat=True)),
            "description": resource.description,
            "strategy_tags": list(resource.strategy_tags or []),
            "source": "matchmaking",
            "source_id": request.pk,
        },
        actor=actor,
    )
    return int(project.pk)


def project_url(project_id: int | None) -> str:
    if not project_id:
        return ""
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse("library:project", args=[project_id])
    except NoReverseMatch:
        return ""


def matchmaking_session_exists(event_id: int) -> bool:
    """Whether ``event_id`` is a published (or held) event of kind "matchmaking session"."""
    sessions = matchmaking_sessions()
    return any(pk == event_id for pk, _label in sessions)


def matchmaking_sessions() -> list[tuple[int, str]]:
    """(id, label) of matchmaking sessions that meetings and slots may refer to."""
    models = _module("lianmeng.activities.models")
    if models is None or not hasattr(models, "Event"):
        return []
    event_model: Any = models.Event
    qs = event_model.objects.filter(kind="matchmaking").exclude(status__in=["draft", "cancelled"])
    return [(e.pk, str(e)) for e in qs.order_by("-pk")[:50]]

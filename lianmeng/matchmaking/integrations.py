"""The boundary to other mechanisms: the project library (a "project created" outcome) and the
activities app (matchmaking sessions). Only their public service and selector functions are called
here, never their tables, so that each app keeps its own rules.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lianmeng.core.actors import Actor

    from .models import MatchRequest


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


def project_create_for_request(*, request: MatchRequest, name: str, actor: Actor) -> int:
    """Create the project of a "project created" outcome in the project library; returns its id.

    The lead is the side the recording user speaks for (the post's organization when the secretariat
    records it), the other side is a partner; the cities are those the post serves. Runs inside the
    caller's transaction, so a refusal by the library leaves nothing half saved. Library field errors
    come back under ``project_name`` (the one project field the outcome form asks for).
    """
    from django.core.exceptions import ValidationError

    services = _library_services()
    if services is None:
        raise RuntimeError("the project library is not installed")
    resource = request.resource
    sides = [resource.organization_id, request.requester_organization_id]
    own = set(getattr(actor, "contact_organization_ids", set()) or set())
    lead = next((org for org in sides if org in own), resource.organization_id)
    partner = next(org for org in sides if org != lead)
    summary = f"{resource.title}\n\n{resource.description}\n\n{request.message}".strip()
    commands = importlib.import_module("lianmeng.library.commands")
    try:
        project = services.project_create(
            cmd=commands.ProjectCreate.build(
                {
                    "name": name,
                    "summary": summary[:4000],
                    "lead_organization": lead,
                    "partner_organizations": [partner],
                    "cities": list(resource.cities.values_list("pk", flat=True)),
                }
            ),
            actor=actor,
        )
    except ValidationError as exc:
        messages = (
            [m for msgs in exc.message_dict.values() for m in msgs]
            if hasattr(exc, "error_dict")
            else exc.messages
        )
        raise ValidationError({"project_name": messages}) from exc
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


def session_get(event_id: int) -> Any | None:
    """The published matchmaking session ``event_id`` (read only), or None."""
    models = _module("lianmeng.activities.models")
    if models is None or not hasattr(models, "Event"):
        return None
    event_model: Any = models.Event
    return event_model.objects.filter(pk=event_id, kind="matchmaking", status="published").first()


def session_for_viewer(*, viewer: Any, event_id: int) -> Any:
    """The matchmaking session ``event_id`` as ``viewer`` may see it (activities' own visibility rules);
    a missing, hidden or other kind of event raises Http404."""
    from django.http import Http404

    selectors = _module("lianmeng.activities.selectors")
    if selectors is None:
        raise Http404
    event = selectors.event_get(viewer=viewer, pk=event_id)
    if event.kind != "matchmaking":
        raise Http404
    return event


def can_manage_session(viewer: Any, event: Any) -> bool:
    policies = _module("lianmeng.activities.policies")
    return bool(policies is not None and policies.can_manage_event(viewer, event))


def sessions_visible(*, viewer: Any, limit: int = 20) -> list[Any]:
    """Published or held matchmaking sessions the viewer may see (activities' rules), newest first."""
    models = _module("lianmeng.activities.models")
    policies = _module("lianmeng.activities.policies")
    if models is None or policies is None:
        return []
    event_model: Any = models.Event
    qs = event_model.objects.filter(kind="matchmaking", status__in=["published", "held"]).order_by(
        "-starts_at", "-id"
    )
    return [e for e in qs[: limit * 2] if policies.can_view_event(viewer, e)][:limit]

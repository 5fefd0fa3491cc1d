"""The alliance's charter (章程): its versions, each revision decided by a council resolution."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from lianmeng.core import audit
from lianmeng.core.cleaning import text_value as text

from .. import policies
from ..models import CharterVersion, MotionKind, MotionStatus, Resolution, ResolutionStatus
from ._common import date_value, raise_if

CHARTER_MAX = 60_000


def charter_current() -> CharterVersion | None:
    return CharterVersion.objects.select_related("resolution").order_by("-number").first()


def charter_resolutions_available() -> list[Resolution]:
    """Resolutions in force on charter motions that no version records yet (what a revision may cite)."""
    return list(
        Resolution.objects.filter(
            motion__kind=MotionKind.CHARTER,
            motion__status=MotionStatus.PASSED,
            status=ResolutionStatus.IN_FORCE,
            charter_version__isnull=True,
        ).order_by("-adopted_on", "-id")
    )


def _resolution_refusal(resolution: Resolution | None) -> str | None:
    if resolution is None:
        return _("章程修改须依据理事会通过的章程修改决议；请先提交章程修改议案并经表决通过")
    if resolution.motion.kind != MotionKind.CHARTER:
        return _("决议%(number)s不是章程修改决议（议案类型为“%(kind)s”）") % {
            "number": resolution.number,
            "kind": resolution.motion.get_kind_display(),
        }
    if resolution.status != ResolutionStatus.IN_FORCE:
        return _("决议%(number)s尚未生效（待轮值主席签发）") % {"number": resolution.number}
    if CharterVersion.objects.filter(resolution=resolution).exists():
        return _("决议%(number)s已用于一次章程修订") % {"number": resolution.number}
    return None


def _clean(data: dict[str, Any], errors: dict[str, list[str]]) -> tuple[str, str, datetime.date | None]:
    body = text(data, "text", _("章程全文"), errors, required=True, max_length=CHARTER_MAX)
    summary = text(data, "summary", _("修订说明"), errors, required=False, max_length=4000)
    day = date_value(data, "effective_on", _("施行日期"), errors, required=True)
    return body, summary, day


@transaction.atomic
def charter_revise(*, resolution: Resolution | None, data: dict[str, Any], actor: Any) -> CharterVersion:
    """Record a new version of the charter (the secretariat), citing the council's charter resolution in
    force; the version and the resolution link to each other. Every problem is reported at once."""
    if not policies.can_revise_charter(actor):
        raise PermissionDenied
    if resolution is not None:
        resolution = Resolution.objects.select_for_update().select_related("motion").get(pk=resolution.pk)
    errors: dict[str, list[str]] = {}
    refusal = _resolution_refusal(resolution)
    if refusal:
        errors["resolution"] = [refusal]
    body, summary, day = _clean(data, errors)
    current = charter_current()
    if current is not None and body and body.strip() == current.text.strip():
        errors.setdefault("text", []).append(_("修订后的章程与现行第 %(n)s 版相同") % {"n": current.number})
    if day and resolution is not None and day < resolution.adopted_on:
        errors.setdefault("effective_on", []).append(
            _("施行日期不能早于决议通过日期（%(d)s）") % {"d": resolution.adopted_on.isoformat()}
        )
    raise_if(errors)
    assert day is not None
    assert resolution is not None
    number = (CharterVersion.objects.select_for_update().aggregate(n=Max("number"))["n"] or 0) + 1
    version = CharterVersion.objects.create(
        number=number, text=body, summary=summary, effective_on=day, resolution=resolution, recorded_by=actor
    )
    audit.record(
        actor=actor,
        action="charter.revise",
        target=version,
        new={"number": number, "effective_on": day, "resolution": resolution.number, "summary": summary},
    )
    return version


@transaction.atomic
def charter_found(*, data: dict[str, Any], actor: Any) -> CharterVersion:
    """Record the founding charter (adopted by the founding assembly, before the council existed): only
    while no version is on file; every later version goes through ``charter_revise``."""
    if not policies.can_revise_charter(actor) and actor is not None:
        raise PermissionDenied
    if CharterVersion.objects.select_for_update().exists():
        raise ValidationError({"resolution": _("章程已有版本；修订须依据理事会的章程修改决议")})
    errors: dict[str, list[str]] = {}
    body, summary, day = _clean(data, errors)
    raise_if(errors)
    assert day is not None
    version = CharterVersion.objects.create(
        number=1, text=body, summary=summary, effective_on=day, recorded_by=actor
    )
    audit.record(actor=actor, action="charter.found", target=version, new={"number": 1, "effective_on": day})
    return version

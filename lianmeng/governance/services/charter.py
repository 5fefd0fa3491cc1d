"""The alliance's charter (章程): its versions, each revision decided by a council resolution."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from lianmeng.accounts.models import User
from lianmeng.core import audit
from lianmeng.core.actors import Actor

from .. import policies
from ..commands import CHARTER_MAX, CharterFound, CharterRevise
from ..models import CharterVersion, MotionKind, MotionStatus, Resolution, ResolutionStatus

__all__ = [
    "CHARTER_MAX",
    "charter_current",
    "charter_found",
    "charter_resolutions_available",
    "charter_revise",
]


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


@transaction.atomic
def charter_revise(*, cmd: CharterRevise, actor: User) -> CharterVersion:
    """Record a new version of the charter (the secretariat), citing the council's charter resolution in
    force; the version and the resolution link to each other. Every problem is reported at once."""
    if not policies.can_revise_charter(actor):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    resolution = None
    if cmd.resolution is not None:
        resolution = (
            Resolution.objects.select_for_update().select_related("motion").filter(pk=cmd.resolution).first()
        )
        if resolution is None:
            errors["resolution"] = [_("决议不存在")]
    refusal = None if errors else _resolution_refusal(resolution)
    if refusal:
        errors["resolution"] = [refusal]
    current = charter_current()
    if current is not None and cmd.text.strip() == current.text.strip():
        errors["text"] = [_("修订后的章程与现行第 %(n)s 版相同") % {"n": current.number}]
    if resolution is not None and cmd.effective_on < resolution.adopted_on:
        errors["effective_on"] = [
            _("施行日期不能早于决议通过日期（%(d)s）") % {"d": resolution.adopted_on.isoformat()}
        ]
    if errors:
        raise ValidationError(errors)
    assert resolution is not None
    number = (CharterVersion.objects.select_for_update().aggregate(n=Max("number"))["n"] or 0) + 1
    version = CharterVersion.objects.create(
        number=number,
        text=cmd.text,
        summary=cmd.summary,
        effective_on=cmd.effective_on,
        resolution=resolution,
        recorded_by=actor,
    )
    audit.record(
        actor=actor,
        action="charter.revise",
        target=version,
        new={
            "number": number,
            "effective_on": cmd.effective_on,
            "resolution": resolution.number,
            "summary": cmd.summary,
        },
    )
    return version


@transaction.atomic
def charter_found(*, cmd: CharterFound, actor: Actor) -> CharterVersion:
    """Record the founding charter (adopted by the founding assembly, before the council existed): only
    while no version is on file; every later version goes through ``charter_revise``."""
    if not policies.can_found_charter(actor):
        raise PermissionDenied
    if CharterVersion.objects.select_for_update().exists():
        raise ValidationError({"resolution": _("章程已有版本；修订须依据理事会的章程修改决议")})
    version = CharterVersion.objects.create(
        number=1,
        text=cmd.text,
        summary=cmd.summary,
        effective_on=cmd.effective_on,
        recorded_by=actor if isinstance(actor, User) else None,
    )
    audit.record(
        actor=actor,
        action="charter.found",
        target=version,
        new={"number": 1, "effective_on": cmd.effective_on},
    )
    return version

"""Pages where a council decision and what it decided meet: the charter (章程) with its versions, and
putting a pending presidency handover to the council (docs/governance.md, "Decisions link both ways")."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lianmeng.core.api_support import signed_in
from lianmeng.core.errors import error_dict
from lianmeng.core.forms import submit_form
from lianmeng.core.types import AuthedRequest

from . import policies, services
from .commands import CharterRevise
from .forms import CharterRevisionForm
from .models import CharterVersion, MotionKind, MotionStatus


def charter(request: HttpRequest) -> HttpResponse:
    """Public: the charter in force and every version, each with the resolution it was revised by; the
    secretariat records a revision here, citing a charter resolution in force."""
    user = request.user
    versions = list(CharterVersion.objects.select_related("resolution").order_by("-number"))
    current = versions[0] if versions else None
    form: CharterRevisionForm | None = None
    if policies.can_revise_charter(user):
        form = CharterRevisionForm(
            request.POST or None,
            initial={"effective_on": timezone.localdate(), "text": current.text if current else ""},
        )
        if request.method == "POST":
            version = submit_form(
                form,
                lambda cmd: services.charter_revise(cmd=cmd, actor=signed_in(request)),
                command=CharterRevise,
            )
            if version is not None:
                messages.success(
                    request,
                    _("章程已修订为第 %(n)s 版，依据决议%(number)s，自%(date)s起施行")
                    % {
                        "n": version.number,
                        "number": version.resolution.number if version.resolution else "",
                        "date": version.effective_on.isoformat(),
                    },
                )
                return redirect(version.get_absolute_url())
    elif request.method == "POST":
        raise PermissionDenied
    return render(
        request,
        "governance/charter.html",
        {
            "current": current,
            "versions": versions,
            "form": form,
            "may_view_resolutions": policies.signed_in(user),
            "no_resolution": form is not None and not form.fields["resolution"].queryset.exists(),  # type: ignore[attr-defined]
            "may_propose": policies.can_propose_motion(user),
            "charter_kind": MotionKind.CHARTER,
        },
        status=400 if form is not None and form.is_bound and form.errors else 200,
    )


@login_required
@require_POST
def handover_motion(request: AuthedRequest) -> HttpResponse:
    """Put the pending handover to the council: the secretariat opens the motion, the outgoing
    president leaves a draft for the secretariat to open."""
    try:
        motion = services.handover_motion_open(actor=request.user)
    except ValidationError as exc:
        for errors in error_dict(exc).values():
            for e in errors:
                messages.error(request, e)
        return redirect("governance:presidency")
    if motion.status == MotionStatus.OPEN:
        messages.success(request, _("已提请理事会表决：《%(title)s》已开始表决") % {"title": motion.title})
    elif motion.status == MotionStatus.DRAFT:
        messages.success(
            request, _("交接议案《%(title)s》已保存为草稿，待秘书处提请表决") % {"title": motion.title}
        )
    else:
        messages.info(
            request,
            _("交接议案《%(title)s》%(status)s")
            % {"title": motion.title, "status": motion.get_status_display()},
        )
    target: Any = motion if policies.can_view_motion(request.user, motion) else "governance:presidency"
    return redirect(target)

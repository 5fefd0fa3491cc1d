from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lianmeng.core import audit
from lianmeng.core.forms import submit_form
from lianmeng.core.types import AuthedRequest

from . import policies, selectors, services
from .forms import ErasureForm
from .models import Erasure


def zip_response(user: Any) -> HttpResponse:
    """The signed-in person's data as a ZIP download (audited)."""
    if not policies.can_download_own_data(user):
        raise PermissionDenied
    content, files = selectors.my_data_zip(user)
    audit.record(
        actor=user, action="privacy.download", target=user, new={"bytes": len(content), "files": files}
    )
    response = HttpResponse(content, content_type="application/zip")
    name = f"my-data-{timezone.localdate():%Y%m%d}.zip"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def my_data(request: AuthedRequest) -> HttpResponse:
    subject = selectors.subject_for_user(request.user)
    matches = [m for m in selectors.collect(subject) if m.rows and m.entry.model != "core.AuditEntry"]
    return render(
        request,
        "privacy/my_data.html",
        {
            "matches": matches,
            "can_erase": policies.can_erase_people(request.user),
        },
    )


@login_required
def my_data_download(request: AuthedRequest) -> HttpResponse:
    return zip_response(request.user)


@login_required
def erasures(request: AuthedRequest) -> HttpResponse:
    if not policies.can_erase_people(request.user):
        raise PermissionDenied
    q = request.GET.get("q", "").strip()[:100]
    key = request.POST.get("subject") or request.GET.get("subject", "")
    candidates = selectors.find_people(viewer=request.user, q=q) if q else []
    subject = None
    lines: list[selectors.PreviewLine] = []
    form = ErasureForm(request.POST or None, initial={"subject": key})
    blocked = ""
    if key:
        try:
            subject = selectors.subject_from_key(key)
        except (ValidationError, Http404):
            messages.error(request, _("未找到该人员，请重新搜索"))
            return redirect(reverse("privacy:erasures"))
        lines = selectors.preview(subject)
        if not policies.can_erase_person(request.user, subject.user):
            blocked = _("不能删除自己的信息；管理员账号只能由管理员删除")
    if request.method == "POST" and subject is not None:
        erased = subject
        erasure = submit_form(
            form,
            lambda d: services.erase_person(subject=erased, reason=d["reason"], actor=request.user),
            validate=lambda d: services.erasure_validate(reason=d.get("reason", "")),
        )
        if erasure is not None:
            messages.success(
                request, _("已删除该人员的个人信息，记录为“%(name)s”") % {"name": erasure.pseudonym}
            )
            return redirect(reverse("privacy:erasures"))
    return render(
        request,
        "privacy/erasures.html",
        {
            "q": q,
            "candidates": candidates,
            "subject": subject,
            "lines": lines,
            "form": form,
            "blocked": blocked,
            "recent": Erasure.objects.select_related("actor")[:20],
        },
    )

"""Two-factor sign-in pages: the second step after the password, set-up, recovery codes, switching off."""

from __future__ import annotations

import django_otp
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from lianmeng.core.errors import apply_to_form
from lianmeng.core.types import AuthedRequest

from . import two_factor
from .forms import OtpForm, OtpSetupForm

SHOW_CODES_KEY = "lianmeng_recovery_codes"


def _next_url(request: AuthedRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("core:desk")


def _with_next(name: str, next_url: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


def _is_verified(request: AuthedRequest) -> bool:
    return bool(getattr(request.user, "is_verified", lambda: False)())


def _show_codes(request: AuthedRequest, codes: list[str], next_url: str) -> HttpResponse:
    request.session[SHOW_CODES_KEY] = {"codes": codes, "next": next_url}
    return redirect("accounts:two-factor-codes")


@login_required
def verify(request: AuthedRequest) -> HttpResponse:
    """The second step of signing in: a code from the authenticator app, or a recovery code."""
    user = request.user
    next_url = _next_url(request)
    if _is_verified(request) or not two_factor.needs_verification(user):
        return redirect(next_url)
    if not two_factor.is_enabled(user):
        return redirect(_with_next("accounts:two-factor-setup", next_url))
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["otp"]
        try:
            device = two_factor.verify(user, code)
        except ValidationError as exc:
            apply_to_form(form, exc)
        else:
            if device is None:
                form.add_error("otp", _("验证码不正确或已使用过，请输入认证应用中当前显示的 6 位数字"))
            else:
                request.session.cycle_key()
                django_otp.login(request, device)
                if not two_factor.is_totp_code(two_factor.normalize(code)):
                    left = two_factor.recovery_codes_left(user)
                    messages.warning(
                        request,
                        ngettext(
                            "您使用了一个恢复码，还剩 %(count)s 个。可在“我的账户”中重新生成。",
                            "您使用了一个恢复码，还剩 %(count)s 个。可在“我的账户”中重新生成。",
                            left,
                        )
                        % {"count": left},
                    )
                return redirect(next_url)
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": next_url})


@login_required
def setup(request: AuthedRequest) -> HttpResponse:
    """Set up (or replace) the authenticator app: scan the QR code, type the code it shows."""
    user = request.user
    next_url = _next_url(request)
    enabled = two_factor.is_enabled(user)
    if enabled and not _is_verified(request):
        # A password alone must never be enough to put a new device in place of the old one.
        return redirect(_with_next("accounts:two-factor-verify", next_url))
    device = two_factor.enrolment_device(user)
    form = OtpSetupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = two_factor.two_factor_enable(
                user=user, device=device, code=form.cleaned_data["otp"], actor=user
            )
        except ValidationError as exc:
            apply_to_form(form, exc)
        else:
            django_otp.login(request, device)
            messages.success(request, _("两步验证已启用"))
            return _show_codes(request, codes, next_url)
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "next": next_url,
            "qr_svg": two_factor.qr_svg(device),
            "secret": two_factor.secret_base32(device),
            "replacing": enabled,
            "required": two_factor.is_required(user),
        },
    )


@login_required
def codes(request: AuthedRequest) -> HttpResponse:
    """The recovery codes, shown once right after they were made."""
    shown = request.session.pop(SHOW_CODES_KEY, None)
    if not shown:
        return redirect("accounts:profile")
    return render(
        request,
        "accounts/two_factor_codes.html",
        {"codes": [two_factor.format_code(c) for c in shown["codes"]], "next": shown["next"]},
    )


@login_required
@require_POST
def regenerate(request: AuthedRequest) -> HttpResponse:
    try:
        new_codes = two_factor.recovery_codes_regenerate(user=request.user, actor=request.user)
    except ValidationError:
        messages.error(request, _("请先启用两步验证"))
        return redirect("accounts:profile")
    messages.success(request, _("已生成新的恢复码，旧的恢复码已失效"))
    return _show_codes(request, new_codes, reverse("accounts:profile"))


@login_required
def disable(request: AuthedRequest) -> HttpResponse:
    user = request.user
    if not two_factor.is_enabled(user):
        return redirect("accounts:profile")
    form = OtpForm(request.POST or None)
    if two_factor.is_required(user):
        messages.error(request, _("秘书处和管理员账号必须使用两步验证，不能关闭"))
        return redirect("accounts:profile")
    if request.method == "POST" and form.is_valid():
        try:
            two_factor.two_factor_disable(user=user, code=form.cleaned_data["otp"], actor=user)
        except ValidationError as exc:
            apply_to_form(form, exc)
        else:
            messages.success(request, _("两步验证已关闭"))
            return redirect("accounts:profile")
    return render(request, "accounts/two_factor_disable.html", {"form": form})

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from lianmeng.core.forms import submit_form
from lianmeng.core.types import AuthedRequest

from . import services, throttle, two_factor
from .commands import TokenIssue
from .forms import (
    LianmengPasswordChangeForm,
    LianmengPasswordResetForm,
    LianmengSetPasswordForm,
    LoginForm,
    TokenForm,
)
from .models import ApiToken

# Pages that are no destination after signing in: the portal home (the top bar's 登录 link sends its
# own path as ``next``) and the sign-in pages themselves. People land on their workbench instead.
NOT_A_DESTINATION = ("/", "/accounts/login/", "/accounts/logout/")


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_redirect_url(self, *args: Any) -> str:  # the stubs add a request argument Django 5.2 lacks
        """The safe ``next`` the person came for, unless it is the portal home: then the workbench."""
        target = super().get_redirect_url(*args)
        if target.split("?", 1)[0] in NOT_A_DESTINATION:
            return ""
        return target


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = LianmengPasswordChangeForm
    template_name = "accounts/password_form.html"
    success_url = reverse_lazy("accounts:profile")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        user = form.user
        revoked = services.password_changed(user=user, actor=user, reason="change")
        messages.success(self.request, _("密码已修改"))
        if revoked:
            messages.info(
                self.request,
                ngettext(
                    "您的 %(count)s 个 API 令牌已随之吊销，请按需重新创建",
                    "您的 %(count)s 个 API 令牌已随之吊销，请按需重新创建",
                    revoked,
                )
                % {"count": revoked},
            )
        return response


class PasswordResetView(auth_views.PasswordResetView):
    form_class = LianmengPasswordResetForm
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/message.html"
    extra_context = {
        "title": _("邮件已发送"),
        "text": _("如果该邮箱对应一个账号，您会收到一封包含重置链接的邮件。"),
    }


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = LianmengSetPasswordForm
    template_name = "accounts/password_form.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        services.password_changed(user=form.user, actor=form.user, reason="reset")
        throttle.unlock(form.user.get_username())  # the mailbox proved who it is: no waiting for the lock
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/message.html"
    extra_context = {"title": _("密码已设置"), "text": _("现在可以用新密码登录了。"), "show_login": True}


@login_required
def profile(request: AuthedRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    new_key = None
    if request.method == "POST":
        issued = submit_form(
            form,
            lambda cmd: services.token_issue(user=request.user, cmd=cmd, actor=request.user),
            command=TokenIssue,
        )
        if issued is not None:
            new_key = issued[1]
            form = TokenForm()
    user = request.user
    return render(
        request,
        "accounts/profile.html",
        {
            "form": form,
            "new_key": new_key,
            "tokens": user.api_tokens.select_related("user").all(),
            "two_factor_enabled": two_factor.is_enabled(user),
            "two_factor_required": two_factor.is_required(user),
            "recovery_codes_left": two_factor.recovery_codes_left(user),
        },
    )


@login_required
@require_POST
def token_revoke(request: AuthedRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    services.token_revoke(token=token, actor=request.user)
    messages.success(
        request,
        _("令牌已吊销：“%(name)s”（%(prefix)s…）不能再访问 API")
        % {"name": token.name or token.key_prefix, "prefix": token.key_prefix},
    )
    return redirect("accounts:profile")

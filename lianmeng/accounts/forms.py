from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from typing import Any

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
)
from django.utils.translation import gettext_lazy as _

from lianmeng.core.forms import BootstrapFormMixin

from . import services, throttle
from .models import User


class LoginForm(BootstrapFormMixin, AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("用户名或密码不正确。连续失败多次后账号会被暂时锁定。"),
    }

    def clean(self) -> dict[str, Any]:
        """Django's check, plus why a sign-in was refused (lock-out) and when to try again."""
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            note = throttle.LoginNote()
            self.user_cache = authenticate(
                self.request, username=username, password=password, login_note=note
            )
            if note.locked is not None:
                raise forms.ValidationError(note.locked.message, code="locked")
            if self.user_cache is None:
                errors = [self.get_invalid_login_error()]
                if note.locked_now is not None:
                    errors.append(forms.ValidationError(note.locked_now.message, code="locked"))
                raise forms.ValidationError(errors)
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class RulesOnNewPasswordMixin:
    """A broken password rule is reported on the new password itself (Django puts it on the
    confirmation field); a mismatch stays on the confirmation."""

    user: Any

    def clean(self) -> dict[str, Any] | None:
        self.validate_passwords("new_password1", "new_password2")  # type: ignore[attr-defined]
        self.validate_password_for_user(self.user, "new_password1")  # type: ignore[attr-defined]
        return forms.Form.clean(self)  # type: ignore[arg-type]


class LianmengPasswordChangeForm(RulesOnNewPasswordMixin, BootstrapFormMixin, PasswordChangeForm):
    pass


class LianmengPasswordResetForm(BootstrapFormMixin, PasswordResetForm):
    """Django's reset form, with two changes.

    - Accounts without a usable password yet (contacts created on admission) get the mail too:
      the link is how they set their first password.
    - The mail is sent by the worker, and its link is built from SITE_URL, never from the Host
      header of the request (which an attacker chooses).
    """

    def get_users(self, email: str) -> Iterator[Any]:
        wanted = unicodedata.normalize("NFKC", email).casefold()
        for user in User.objects.filter(email__iexact=email, is_active=True):
            if unicodedata.normalize("NFKC", user.email or "").casefold() == wanted:
                yield user

    def save(self, *args: Any, **kwargs: Any) -> None:
        for user in self.get_users(self.cleaned_data["email"]):
            services.password_reset_mail(user.pk)


class LianmengSetPasswordForm(RulesOnNewPasswordMixin, BootstrapFormMixin, SetPasswordForm):
    pass


TOKEN_LIFETIMES = [
    ("30", _("30 天")),
    ("90", _("90 天")),
    ("365", _("1 年")),
    ("", _("长期有效")),
]


class TokenForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(
        label=_("令牌名称"), max_length=80, required=False, help_text=_("例如：数据对接脚本")
    )
    expires_in_days = forms.TypedChoiceField(
        label=_("有效期"),
        choices=TOKEN_LIFETIMES,
        coerce=int,
        empty_value=None,
        required=False,
        initial="90",
        widget=forms.Select(attrs={"aria-label": _("有效期")}),
    )


class OtpForm(BootstrapFormMixin, forms.Form):
    otp = forms.CharField(
        label=_("验证码"),
        max_length=24,
        help_text=_("认证应用中显示的 6 位数字；手机不在身边时可输入一个恢复码"),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "text",
                "autofocus": True,
                "spellcheck": "false",
            }
        ),
    )


class OtpSetupForm(BootstrapFormMixin, forms.Form):
    otp = forms.CharField(
        label=_("认证应用中的 6 位验证码"),
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

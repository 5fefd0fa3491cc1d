from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
)
from django.utils.translation import gettext_lazy as _

from lianmeng.core.forms import BootstrapFormMixin

from . import throttle


class LoginForm(BootstrapFormMixin, AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("用户名或密码不正确。连续失败多次后账号会被暂时锁定。"),
        "locked": _("登录失败次数过多，已暂时锁定，请 15 分钟后再试或联系秘书处"),
    }

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        if throttle.is_locked(username, throttle.client_ip(self.request)):
            raise forms.ValidationError(self.error_messages["locked"], code="locked")
        return super().clean()


class LianmengPasswordChangeForm(BootstrapFormMixin, PasswordChangeForm):
    pass


class LianmengPasswordResetForm(BootstrapFormMixin, PasswordResetForm):
    pass


class LianmengSetPasswordForm(BootstrapFormMixin, SetPasswordForm):
    pass


class TokenForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(
        label=_("令牌名称"), max_length=80, required=False, help_text=_("例如：数据对接脚本")
    )

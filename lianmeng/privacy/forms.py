"""Parsing only: the erasure confirmation (the service checks the reason)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ErasureForm(forms.Form):
    subject = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("删除依据"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        help_text=_("例如：本人于 2026 年 11 月 3 日书面申请删除其个人信息。将记入审计日志。"),
    )
    confirm = forms.BooleanField(
        label=_("我已核对上方清单，确认删除（不可恢复）"),
        error_messages={"required": _("请勾选确认后再删除")},
    )

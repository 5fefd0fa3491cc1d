"""Forms parse input only; the rules live in services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from lianmeng.core.forms import BootstrapFormMixin

from .models import ArticleKind


class ArticleForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("类别"), choices=ArticleKind.choices)
    title = forms.CharField(label=_("标题"), max_length=200)
    summary = forms.CharField(
        label=_("摘要"),
        required=False,
        max_length=600,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("不填则取正文开头"),
    )
    body = forms.CharField(
        label=_("正文"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_("可直接粘贴文字（空行分段），也可使用段落、加粗、列表、链接、图片等 HTML；脚本会被清除"),
    )
    tags = forms.CharField(label=_("标签"), required=False, max_length=300, help_text=_("用逗号或空格分隔"))
    outlet = forms.CharField(label=_("媒体名称"), required=False, max_length=160, help_text=_("媒体报道必填"))
    source_url = forms.CharField(label=_("原文链接"), required=False, max_length=500)
    cover = forms.FileField(
        label=_("封面图"),
        required=False,
        help_text=_("JPEG 或 PNG，不超过 5 MB；用于列表和分享卡片"),
        widget=forms.ClearableFileInput(attrs={"accept": ".jpg,.jpeg,.png"}),
    )


class TransitionForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(label=_("意见或原因"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    publish_at = forms.CharField(
        label=_("定时发布"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=_("留空则立即发布"),
    )

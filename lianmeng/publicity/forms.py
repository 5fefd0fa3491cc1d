"""Forms parse input only; the rules live in services."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lianmeng.activities.models import Event
from lianmeng.core.concurrency import VersionedFormMixin
from lianmeng.core.forms import BootstrapFormMixin
from lianmeng.core.pending_uploads import PendingUploadsMixin, UploadField

from .models import ArticleKind


class ArticleForm(PendingUploadsMixin, VersionedFormMixin, BootstrapFormMixin, forms.Form):
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
    cover = UploadField(
        label=_("封面图"),
        required=False,
        help_text=_("JPEG 或 PNG，不超过 5 MB；用于列表和分享卡片"),
        allowed=("image/jpeg", "image/png"),
        max_bytes=5 * 1024 * 1024,
    )
    events = forms.TypedMultipleChoiceField(
        label=_("相关活动"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("本文报道或预告的活动（可勾选多个，最近的在前）；活动页面会列出本文"),
    )

    def __init__(self, *args: Any, linked_events: list[int] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["events"].choices = event_choices(linked_events or [])  # type: ignore[attr-defined]
        self.fields["events"].widget.attrs["class"] = "form-check-input"


def event_choices(linked: list[int]) -> list[tuple[int, str]]:
    """Published, held or cancelled events of the last year and ahead (newest first), plus those
    already linked."""
    since = timezone.now() - datetime.timedelta(days=366)
    events = (
        Event.objects.filter(status__in=["published", "held", "cancelled"])
        .filter(Q(starts_at__gte=since) | Q(pk__in=linked))
        .order_by("-starts_at", "-id")[:200]
    )
    return [(e.pk, f"{timezone.localtime(e.starts_at):%Y-%m-%d} {e.title}") for e in events]


class TransitionForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(label=_("意见或原因"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    publish_at = forms.CharField(
        label=_("定时发布"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=_("留空则立即发布"),
    )

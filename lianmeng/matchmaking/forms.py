"""Forms parse input only; the rules live in services (errors come back with apply_to_form)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from lianmeng.core.concurrency import VersionedFormMixin
from lianmeng.core.forms import BootstrapFormMixin
from lianmeng.core.models import City

from .models import Category, Direction, MatchmakingSettings, Meeting, Outcome


class ResourceForm(VersionedFormMixin, BootstrapFormMixin, forms.Form):
    direction = forms.ChoiceField(label=_("供需方向"), choices=Direction.choices, widget=forms.RadioSelect)
    category = forms.ChoiceField(label=_("资源类别"), choices=[("", _("请选择")), *Category.choices])
    title = forms.CharField(label=_("标题"), max_length=200)
    description = forms.CharField(
        label=_("详细说明"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("写清能提供或需要什么、规模、时间和合作方式，推荐会据此匹配"),
    )
    cities = forms.MultipleChoiceField(
        label=_("服务城市"), choices=(), widget=forms.CheckboxSelectMultiple, required=False
    )
    tags = forms.CharField(
        label=_("标签"),
        required=False,
        max_length=300,
        help_text=_("用逗号或空格分隔，最多 10 个，如：招聘 培训"),
    )
    strategy_tags = forms.MultipleChoiceField(
        label=_("国家战略"), choices=(), widget=forms.CheckboxSelectMultiple, required=False
    )
    valid_until = forms.CharField(
        label=_("有效期至"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("不填则按默认有效期；到期后自动下架，可续期"),
    )
    contact_name = forms.CharField(label=_("联系人"), max_length=100)
    contact_phone = forms.CharField(
        label=_("联系电话"), max_length=40, required=False, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    contact_email = forms.CharField(
        label=_("联系邮箱"),
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"inputmode": "email"}),
    )

    def __init__(self, *args: Any, organizations: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cities = [(c.code, c.display_name) for c in City.objects.filter(is_member=True)]
        self.fields["cities"].choices = cities  # type: ignore[attr-defined]
        config = MatchmakingSettings.current()
        self.fields["strategy_tags"].choices = [(t, t) for t in config.strategy_tags]  # type: ignore[attr-defined]
        for name in ("direction", "cities", "strategy_tags"):
            self.fields[name].widget.attrs["class"] = "form-check-input"
        if organizations and len(organizations) > 1:
            self.fields["organization"] = forms.ChoiceField(
                label=_("发布单位"), choices=[(o.pk, o.name) for o in organizations]
            )
            self.fields["organization"].widget.attrs["class"] = "form-select"
            self.order_fields(["organization"])


class RequestForm(BootstrapFormMixin, forms.Form):
    message = forms.CharField(
        label=_("对接留言"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("说明贵单位的合作意向和希望的洽谈方式"),
    )
    from_resource = forms.IntegerField(required=False, widget=forms.HiddenInput)
    score = forms.IntegerField(required=False, widget=forms.HiddenInput)


class AnswerForm(BootstrapFormMixin, forms.Form):
    message = forms.CharField(
        label=_("答复"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("婉拒时请填写原因"),
    )


class MeetingForm(BootstrapFormMixin, forms.Form):
    mode = forms.ChoiceField(label=_("洽谈方式"), choices=Meeting.Mode.choices)
    held_at = forms.CharField(
        label=_("时间"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    place = forms.CharField(label=_("地点或链接"), max_length=300, required=False)
    event = forms.ChoiceField(label=_("对接会"), required=False, choices=())
    notes = forms.CharField(label=_("纪要"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, sessions: list[tuple[int, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["event"].choices = [("", _("不在对接会上")), *(sessions or [])]  # type: ignore[attr-defined]


class OutcomeForm(BootstrapFormMixin, forms.Form):
    outcome = forms.ChoiceField(label=_("对接结果"), choices=[("", _("请选择")), *Outcome.choices])
    amount = forms.CharField(
        label=_("协议金额（万元）"), required=False, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    count = forms.CharField(
        label=_("对接人才数"), required=False, widget=forms.NumberInput(attrs={"min": 1, "step": 1})
    )
    project_name = forms.CharField(
        label=_("项目名称"),
        required=False,
        max_length=200,
        help_text=_("结果为“形成共建项目”时填写，默认用资源标题"),
    )
    note = forms.CharField(label=_("结果说明"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class SlotForm(BootstrapFormMixin, forms.Form):
    event = forms.ChoiceField(label=_("对接会"), choices=(), required=False)
    starts_at = forms.CharField(
        label=_("洽谈时段"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local", "step": "60"}),
    )
    table = forms.CharField(label=_("洽谈桌"), required=False, max_length=80)

    def __init__(self, *args: Any, sessions: list[tuple[int, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["event"].choices = [("", _("请选择")), *(sessions or [])]  # type: ignore[attr-defined]

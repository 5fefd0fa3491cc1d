"""Forms parse input only; the rules live in services (errors come back with apply_to_form)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from lianmeng.core.concurrency import VersionedFormMixin
from lianmeng.core.forms import BootstrapFormMixin
from lianmeng.core.models import City
from lianmeng.core.pending_uploads import PendingUploadsMixin, UploadField
from lianmeng.core.pickers import (
    PickerChoiceField,
    PickerMultipleChoiceField,
    PickerSelectMultiple,
    bind_pickers,
)

from .models import Audience, EventKind

DATETIME_WIDGET = {"type": "datetime-local"}


class EventForm(VersionedFormMixin, BootstrapFormMixin, forms.Form):
    title = forms.CharField(label=_("活动名称"), max_length=200)
    kind = forms.ChoiceField(label=_("活动类型"), choices=[("", _("请选择")), *EventKind.choices])
    organizer = PickerChoiceField(
        label=_("主办单位"),
        source="activities.organizers",
        help_text=_("活动所在城市随主办单位确定；输入名称或拼音首字母（如 qd）搜索"),
    )
    co_organizers = PickerMultipleChoiceField(
        label=_("协办单位"), source="membership.organizations", required=False
    )
    partners = PickerMultipleChoiceField(
        label=_("合作单位"),
        source="activities.partners",
        required=False,
        help_text=_("科研院所、学术团体、标准协会、高校、行业协会"),
    )
    starts_at = forms.CharField(label=_("开始时间"), widget=forms.DateTimeInput(attrs=DATETIME_WIDGET))
    ends_at = forms.CharField(label=_("结束时间"), widget=forms.DateTimeInput(attrs=DATETIME_WIDGET))
    venue = forms.CharField(label=_("地点"), max_length=200, required=False, help_text=_("线下活动必填"))
    address = forms.CharField(label=_("详细地址"), max_length=200, required=False)
    online_url = forms.CharField(label=_("线上链接"), max_length=300, required=False)
    capacity = forms.CharField(
        label=_("名额"),
        required=False,
        widget=forms.NumberInput(attrs={"min": 1, "step": 1, "inputmode": "numeric"}),
        help_text=_("留空表示不限"),
    )
    audience = forms.ChoiceField(label=_("面向对象"), choices=Audience.choices, initial=Audience.PUBLIC)
    registration_opens_at = forms.CharField(
        label=_("报名开始"), required=False, widget=forms.DateTimeInput(attrs=DATETIME_WIDGET)
    )
    registration_closes_at = forms.CharField(
        label=_("报名截止"),
        required=False,
        widget=forms.DateTimeInput(attrs=DATETIME_WIDGET),
        help_text=_("留空表示活动开始前均可报名"),
    )
    description = forms.CharField(
        label=_("活动简介"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bind_pickers(self, user)


class CancelForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(label=_("取消原因"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class SummaryForm(VersionedFormMixin, BootstrapFormMixin, forms.Form):
    summary = forms.CharField(label=_("活动总结"), widget=forms.Textarea(attrs={"rows": 5}), required=False)
    attendance = forms.CharField(
        label=_("实到人数"),
        required=False,
        widget=forms.NumberInput(attrs={"min": 0, "step": 1, "inputmode": "numeric"}),
        help_text=_("留空则按签到人数计"),
    )
    outcomes = forms.CharField(label=_("活动成果"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    agreements_signed = forms.CharField(
        label=_("签约协议数"),
        required=False,
        initial=0,
        widget=forms.NumberInput(attrs={"min": 0, "step": 1, "inputmode": "numeric"}),
    )
    projects_started = forms.CharField(
        label=_("启动项目数"),
        required=False,
        initial=0,
        widget=forms.NumberInput(attrs={"min": 0, "step": 1, "inputmode": "numeric"}),
    )
    projects = forms.TypedMultipleChoiceField(
        label=_("相关项目"),
        required=False,
        coerce=int,
        widget=PickerSelectMultiple(source="activities.projects"),
        help_text=_("活动签约或启动的项目库项目：输入项目名称或拼音首字母查找，可选多个；活动页面会列出"),
    )

    def __init__(
        self, *args: Any, project_choices: list[tuple[int, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["projects"].choices = project_choices or []  # type: ignore[attr-defined]


class PhotoForm(PendingUploadsMixin, BootstrapFormMixin, forms.Form):
    image = UploadField(
        label=_("活动照片"),
        help_text=_("JPEG 或 PNG，不超过 10 MB"),
        allowed=("image/jpeg", "image/png"),
    )
    caption = forms.CharField(label=_("照片说明"), max_length=200, required=False)


class RegistrationForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=60)
    mobile = forms.CharField(
        label=_("手机号码"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    organization = forms.ChoiceField(label=_("所在单位"), choices=(), required=False)
    organization_name = forms.CharField(label=_("单位名称"), max_length=120, required=False)
    role = forms.CharField(label=_("职务"), max_length=60, required=False)
    email = forms.CharField(
        label=_("电子邮箱"),
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"inputmode": "email"}),
        help_text=_("用于接收候补转正和活动提醒"),
    )

    def __init__(self, *args: Any, user: Any, manager: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        other = ("", _("其他单位（请在下方填写）"))
        if manager:  # every member organization: typed, not picked from a long list; blank = another
            field = self.fields["organization"]
            self.fields["organization"] = PickerChoiceField(
                label=field.label,
                source="membership.organizations",
                choices=[other],
                required=False,
                help_text=_("不是成员单位的，请在下方填写单位名称"),
            )
            bind_pickers(self, user)
            return
        orgs: list[Any] = list(user.contact_organizations) if getattr(user, "is_authenticated", False) else []
        if orgs:
            self.fields["organization"].choices = [other] + [(o.pk, o.name) for o in orgs]  # type: ignore[attr-defined]
            if len(orgs) == 1:
                self.fields["organization"].initial = orgs[0].pk
        else:
            del self.fields["organization"]


class CheckInForm(forms.Form):
    code = forms.CharField(label=_("签到码"), max_length=40, required=False)


class CalendarFilterForm(forms.Form):
    q = forms.CharField(required=False)
    city = forms.ChoiceField(required=False, choices=())
    kind = forms.ChoiceField(required=False, choices=[("", _("全部类型")), *EventKind.choices])
    organizer = forms.IntegerField(required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["city"].choices = [("", _("全部城市"))] + [  # type: ignore[attr-defined]
            (c.code, c.display_name) for c in City.objects.filter(is_member=True)
        ]


class ActivitySettingsForm(VersionedFormMixin, BootstrapFormMixin, forms.Form):
    themed_quota = forms.IntegerField(label=_("每个产业园的主题活动场次（N）"), min_value=0, max_value=100)
    city_kinds = forms.MultipleChoiceField(
        label=_("计入“7”的活动类型"), choices=EventKind.choices, widget=forms.CheckboxSelectMultiple
    )
    park_kinds = forms.MultipleChoiceField(
        label=_("计入“N”的活动类型"), choices=EventKind.choices, widget=forms.CheckboxSelectMultiple
    )
    reminder_month = forms.IntegerField(label=_("提醒开始月份"), min_value=1, max_value=12)
    reminder_day = forms.IntegerField(label=_("提醒开始日"), min_value=1, max_value=31)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("city_kinds", "park_kinds"):
            self.fields[name].widget.attrs["class"] = "form-check-input"

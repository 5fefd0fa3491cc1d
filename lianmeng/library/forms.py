"""Parsing only; the rules live in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from lianmeng.core.concurrency import VersionedFormMixin
from lianmeng.core.forms import BootstrapFormMixin
from lianmeng.core.models import City
from lianmeng.core.pending_uploads import MultiUploadField, PendingUploadsMixin, UploadField
from lianmeng.core.pickers import PickerChoiceField, PickerMultipleChoiceField, bind_pickers
from lianmeng.core.validators import PDF_OR_IMAGE
from lianmeng.membership.models import Organization, OrganizationKind

from .models import (
    AchievementKind,
    AchievementSource,
    Availability,
    ExpertiseField,
    ExpertTitle,
    IntegrationTag,
    ProjectStage,
    StrategyTag,
    Urgency,
    Visibility,
)
from .services.achievements import OFFICE_PDF_IMAGES as ACHIEVEMENT_FILE_TYPES


class LibraryFormMixin(BootstrapFormMixin):
    """Bootstrap classes, with checkbox groups styled as check inputs."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, forms.CheckboxSelectMultiple):
                field.widget.attrs["class"] = "form-check-input"


def _set_choices(field: forms.Field, choices: Any) -> None:
    field.choices = choices  # type: ignore[attr-defined]


def _cities() -> list[tuple[str, Any]]:
    return [(c.code, c.display_name) for c in City.objects.filter(is_member=True)]


def _orgs(**filters: Any) -> list[tuple[int, str]]:
    return list(
        Organization.objects.filter(status="active", **filters)
        .order_by("name_sort")
        .values_list("pk", "name")
    )


class ProjectForm(VersionedFormMixin, LibraryFormMixin, forms.Form):
    name = forms.CharField(label=_("项目名称"), max_length=120)
    summary = forms.CharField(label=_("项目简介"), widget=forms.Textarea(attrs={"rows": 4}))
    lead_organization = PickerChoiceField(label=_("牵头单位"), coerce=int, source="library.project-leads")
    partner_organizations = PickerMultipleChoiceField(
        label=_("合作单位"), coerce=int, required=False, source="membership.organizations"
    )
    cities = forms.MultipleChoiceField(label=_("所在城市"), choices=(), widget=forms.CheckboxSelectMultiple)
    strategy_tags = forms.MultipleChoiceField(
        label=_("国家战略"), choices=(), required=False, widget=forms.CheckboxSelectMultiple
    )
    integration_tags = forms.MultipleChoiceField(
        label=_("融合方向"),
        choices=IntegrationTag.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    planned_investment = forms.CharField(
        label=_("计划投资（万元）"), required=False, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bind_pickers(self, user)  # the lead: any active member for the secretariat, else the user's own
        _set_choices(self.fields["cities"], _cities())
        _set_choices(
            self.fields["strategy_tags"],
            [(t.name, t.name) for t in StrategyTag.objects.filter(is_active=True)],
        )


class TransitionForm(LibraryFormMixin, forms.Form):
    to = forms.ChoiceField(choices=ProjectStage.choices)
    reason = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class LandingForm(LibraryFormMixin, forms.Form):
    city = forms.ChoiceField(label=_("落地城市"), choices=())
    park = forms.TypedChoiceField(
        label=_("落地园区"), coerce=int, choices=(), required=False, empty_value=None
    )
    park_name = forms.CharField(label=_("园区名称（不在名录中时填写）"), max_length=120, required=False)
    date = forms.CharField(label=_("落地日期"), widget=forms.DateInput(attrs={"type": "date"}))
    investment = forms.CharField(
        label=_("投资额（万元）"), required=False, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    jobs = forms.CharField(
        label=_("带动就业（人）"), required=False, widget=forms.NumberInput(attrs={"min": 0, "step": 1})
    )
    notes = forms.CharField(label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self.fields["city"], [("", _("请选择")), *_cities()])
        _set_choices(self.fields["park"], [("", _("请选择")), *_orgs(kind=OrganizationKind.PARK)])


class ExpertForm(VersionedFormMixin, LibraryFormMixin, forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=60)
    organization = PickerChoiceField(
        label=_("所在单位"), coerce=int, required=False, empty_value=None, source="membership.organizations"
    )
    organization_name = forms.CharField(
        label=_("单位名称（非成员单位时填写）"), max_length=120, required=False
    )
    city = forms.ChoiceField(label=_("所在城市"), choices=())
    title = forms.ChoiceField(label=_("职称"), choices=ExpertTitle.choices)
    position = forms.CharField(label=_("职务"), max_length=60, required=False)
    expertise = forms.MultipleChoiceField(
        label=_("专业领域"), choices=(), required=False, widget=forms.CheckboxSelectMultiple
    )
    keywords = forms.CharField(
        label=_("关键词"), max_length=300, required=False, help_text=_("用逗号或顿号分隔")
    )
    biography = forms.CharField(label=_("个人简介"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    availability = forms.ChoiceField(label=_("咨询状态"), choices=Availability.choices)
    mobile = forms.CharField(
        label=_("手机号码"), max_length=20, required=False, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    email = forms.CharField(label=_("电子邮箱"), max_length=254, required=False)
    publish_consent = forms.BooleanField(label=_("同意在门户公开个人简介"), required=False)

    SELF_FIELDS = (
        "position",
        "expertise",
        "keywords",
        "biography",
        "availability",
        "mobile",
        "email",
        "publish_consent",
    )

    def __init__(self, *args: Any, self_service: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self.fields["city"], _cities())
        _set_choices(
            self.fields["expertise"],
            [(f.name, f.name) for f in ExpertiseField.objects.filter(is_active=True)],
        )
        if self_service:
            for name in list(self.fields):
                if name not in self.SELF_FIELDS:
                    del self.fields[name]


class AchievementForm(PendingUploadsMixin, VersionedFormMixin, LibraryFormMixin, forms.Form):
    title = forms.CharField(label=_("成果名称"), max_length=200)
    kind = forms.ChoiceField(label=_("成果类型"), choices=AchievementKind.choices)
    authors = forms.CharField(label=_("作者"), max_length=300, help_text=_("多位作者用逗号或顿号分隔"))
    organizations = PickerMultipleChoiceField(
        label=_("完成单位"), coerce=int, required=False, source="membership.organizations"
    )
    year = forms.CharField(label=_("年度"), widget=forms.NumberInput(attrs={"min": 1949, "step": 1}))
    abstract = forms.CharField(label=_("摘要"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    keywords = forms.CharField(label=_("关键词"), max_length=300, required=False)
    visibility = forms.ChoiceField(label=_("公开范围"), choices=Visibility.choices)
    awards = forms.CharField(label=_("获奖情况"), max_length=300, required=False)
    source = forms.ChoiceField(label=_("来源"), choices=AchievementSource.choices, required=False)
    source_reference = forms.CharField(label=_("来源说明"), max_length=200, required=False)
    application_scenarios = forms.CharField(
        label=_("应用场景"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    publisher = forms.CharField(label=_("出版或发布单位"), max_length=200, required=False)
    identifier = forms.CharField(label=_("编号"), max_length=80, required=False)
    attachments = MultiUploadField(
        label=_("文件"),
        required=False,
        help_text=_("可一次选择多个：PDF、Word、Excel、PowerPoint 或图片，每个不超过 20 MB，最多 10 个"),
        allowed=ACHIEVEMENT_FILE_TYPES,
        max_bytes=20 * 1024 * 1024,
        max_files=10,
    )


class ConsultationForm(PendingUploadsMixin, LibraryFormMixin, forms.Form):
    title = forms.CharField(label=_("咨询主题"), max_length=120)
    question = forms.CharField(label=_("问题描述"), widget=forms.Textarea(attrs={"rows": 5}))
    field = forms.ChoiceField(label=_("所属领域"), choices=(), required=False)
    urgency = forms.ChoiceField(label=_("紧急程度"), choices=Urgency.choices)
    due_date = forms.CharField(
        label=_("期望答复日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    attachments = MultiUploadField(
        label=_("附件"),
        required=False,
        help_text=_("可一次选择多个：PDF 或图片，每个不超过 10 MB"),
        allowed=PDF_OR_IMAGE,
        max_bytes=10 * 1024 * 1024,
        max_files=10,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(
            self.fields["field"],
            [("", _("请选择")), *[(f.pk, f.name) for f in ExpertiseField.objects.filter(is_active=True)]],
        )


class AssignForm(LibraryFormMixin, forms.Form):
    """The secretariat assigns experts to a consultation: the suggested ones are checkboxes in the
    page; any other committee member is found by typing (name, pinyin initials, field, organization)."""

    experts = PickerMultipleChoiceField(
        label=_("其他委员"),
        coerce=int,
        required=False,
        source="library.committee",
        help_text=_("输入姓名、拼音首字母、单位或领域查找本届委员"),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bind_pickers(self, user)


class AnswerForm(LibraryFormMixin, forms.Form):
    text = forms.CharField(label=_("答复意见"), widget=forms.Textarea(attrs={"rows": 6}))


class RateForm(LibraryFormMixin, forms.Form):
    rating = forms.ChoiceField(label=_("评分"), choices=[(str(i), f"{i} ★") for i in range(5, 0, -1)])
    comment = forms.CharField(label=_("评价意见"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class TabularUploadField(UploadField):
    """An xlsx or CSV file: its content is checked by the import itself (CSV has no signature to detect),
    here only its size. Kept after 检查 so 导入 needs no second choice of the same file."""

    def clean(self, data: Any, initial: Any = None) -> Any:
        upload: Any = forms.FileField.clean(self, data, initial)
        if upload and not hasattr(upload, "pending_token") and (upload.size or 0) > self.max_bytes:
            raise forms.ValidationError(
                _("文件不能超过 %(max)s，当前为 %(size)s")
                % {"max": filesizeformat(self.max_bytes), "size": filesizeformat(upload.size)}
            )
        return upload


class ImportForm(PendingUploadsMixin, LibraryFormMixin, forms.Form):
    file = TabularUploadField(label=_("文件（xlsx 或 CSV）"), max_bytes=20 * 1024 * 1024)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ".xlsx,.csv"

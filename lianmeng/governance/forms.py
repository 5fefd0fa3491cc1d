"""Form parsing only; the rules live in the services (their ValidationErrors land on these fields)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from lianmeng.accounts.models import User
from lianmeng.core.concurrency import VersionedFormMixin
from lianmeng.core.forms import BootstrapFormMixin
from lianmeng.core.models import City
from lianmeng.core.pending_uploads import MultiUploadField, PendingUploadsMixin, UploadField
from lianmeng.core.pickers import PickerSelect, PickerSelectMultiple
from lianmeng.membership.models import (
    ApplicationStatus,
    MembershipApplication,
    Organization,
    OrganizationStatus,
    Tier,
)

from .models import (
    AttendanceStatus,
    Ballot,
    GovernanceSettings,
    MeetingKind,
    MotionKind,
    NoticeAudience,
    Resolution,
    ResolutionStatus,
    RotationChangeKind,
    VoteChoice,
)
from .services import charter_resolutions_available
from .services.presidency import SETTINGS_FIELDS

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _organizations() -> Any:
    return Organization.objects.filter(status=OrganizationStatus.ACTIVE).order_by("name_sort")


class MotionForm(BootstrapFormMixin, forms.Form):
    title = forms.CharField(label=_("议案标题"), max_length=200)
    text = forms.CharField(label=_("议案正文"), widget=forms.Textarea(attrs={"rows": 6}))
    kind = forms.ChoiceField(label=_("议案类型"), choices=MotionKind.choices)
    ballot = forms.ChoiceField(label=_("表决方式"), choices=Ballot.choices)
    opens_at = forms.DateTimeField(
        label=_("表决开始"), widget=DATETIME, required=False, help_text=_("留空表示立即开始")
    )
    closes_at = forms.DateTimeField(
        label=_("表决截止"), widget=DATETIME, required=False, help_text=_("留空按默认表决期")
    )
    application = forms.ModelChoiceField(
        label=_("入盟申请"),
        queryset=MembershipApplication.objects.none(),
        required=False,
        help_text=_("入盟事项由理事会表决时选择"),
    )
    open_now = forms.BooleanField(label=_("保存后立即开始表决"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["application"].queryset = MembershipApplication.objects.filter(  # type: ignore[attr-defined]
            status=ApplicationStatus.FORWARDED
        ).order_by("name")


class VoteForm(forms.Form):
    choice = forms.ChoiceField(label=_("表决意见"), choices=VoteChoice.choices, widget=forms.RadioSelect)


class MeetingForm(VersionedFormMixin, BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("会议类型"), choices=MeetingKind.choices)
    title = forms.CharField(label=_("会议名称"), max_length=120)
    starts_at = forms.DateTimeField(label=_("会议时间"), widget=DATETIME)
    place = forms.CharField(label=_("地点"), max_length=200, required=False)
    online_link = forms.CharField(label=_("线上会议链接"), max_length=200, required=False)
    agenda = forms.CharField(
        label=_("议程"), widget=forms.Textarea(attrs={"rows": 4}), required=False, help_text=_("每行一项")
    )


class MinutesForm(VersionedFormMixin, BootstrapFormMixin, forms.Form):
    minutes = forms.CharField(label=_("会议纪要"), widget=forms.Textarea(attrs={"rows": 6}))


class ApproveMinutesForm(BootstrapFormMixin, forms.Form):
    at_meeting = forms.IntegerField(label=_("批准纪要的会议"), widget=forms.Select)

    def __init__(self, *args: Any, meetings: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["at_meeting"].widget.choices = [(m.pk, f"{m.title}") for m in meetings]


class PaperForm(PendingUploadsMixin, BootstrapFormMixin, forms.Form):
    title = forms.CharField(label=_("材料名称"), max_length=200, required=False)
    file = UploadField(label=_("文件"), help_text=_("PDF 或图片（JPEG、PNG），不超过 10 MB"))


class AttendanceForm(BootstrapFormMixin, forms.Form):
    """One status field and one proxy field per seat valid on the meeting date."""

    def __init__(
        self, *args: Any, seats: Any = (), current: dict[int, Any] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        current = current or {}
        self.seat_rows = []
        for seat in seats:
            row = current.get(seat.pk)
            status_name, proxy_name = f"seat_{seat.pk}", f"proxy_{seat.pk}"
            self.fields[status_name] = forms.ChoiceField(
                label=str(seat.organization),
                choices=AttendanceStatus.choices,
                initial=row.status if row else "present",
            )
            self.fields[proxy_name] = forms.CharField(
                label=_("受托人"),
                max_length=60,
                required=False,
                initial=row.proxy_name if row else "",
                widget=forms.TextInput(attrs={"placeholder": _("受托人（委托出席时填写）")}),
            )
            self.fields[status_name].widget.attrs["aria-label"] = _("%(org)s出席情况") % {
                "org": seat.organization
            }
            self.fields[proxy_name].widget.attrs["aria-label"] = _("%(org)s的受托人") % {
                "org": seat.organization
            }
            self.seat_rows.append((seat, self[status_name], self[proxy_name]))
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = css

    def entries(self) -> list[dict[str, Any]]:
        """One entry per seat whose status parsed (a failed form still gets the service's checks):
        ``commands.AttendanceEntry``'s fields."""
        cleaned = getattr(self, "cleaned_data", {})
        return [
            {
                "seat": seat.pk,
                "status": cleaned[f"seat_{seat.pk}"],
                "proxy_name": cleaned.get(f"proxy_{seat.pk}", ""),
            }
            for seat, _s, _p in self.seat_rows
            if f"seat_{seat.pk}" in cleaned
        ]


NOTICE_FILE_TYPES = ("application/pdf", "image/jpeg", "image/png")


class NoticeAttachmentsForm(PendingUploadsMixin, BootstrapFormMixin, forms.Form):
    attachments = MultiUploadField(
        allowed=NOTICE_FILE_TYPES,
        max_files=10,
        label=_("添加附件"),
        help_text=_("可选多个文件：PDF 或图片（JPEG、PNG），每个不超过 10 MB，最多 10 个"),
    )


class NoticeForm(PendingUploadsMixin, BootstrapFormMixin, forms.Form):
    title = forms.CharField(label=_("标题"), max_length=200)
    body = forms.CharField(label=_("正文"), widget=forms.Textarea(attrs={"rows": 8}))
    audience = forms.ChoiceField(label=_("发送范围"), choices=NoticeAudience.choices)
    audience_city = forms.ChoiceField(label=_("城市"), choices=(), required=False)
    audience_tier = forms.ChoiceField(
        label=_("成员类别"), choices=[("", "---------"), *Tier.choices], required=False
    )
    audience_organizations = forms.ModelMultipleChoiceField(
        label=_("指定单位"),
        queryset=Organization.objects.none(),
        required=False,
        widget=PickerSelectMultiple(source="membership.organizations"),
    )
    read_by = forms.DateField(
        label=_("阅读期限"), widget=DATE, required=False, help_text=_("到期仍未阅读的单位会收到提醒")
    )
    attachments = MultiUploadField(
        allowed=NOTICE_FILE_TYPES,
        max_files=10,
        label=_("附件"),
        required=False,
        help_text=_("可选多个文件：PDF 或图片（JPEG、PNG），每个不超过 10 MB，最多 10 个"),
    )
    publish = forms.BooleanField(label=_("立即发布"), required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["audience_city"].choices = [("", "---------")] + [  # type: ignore[attr-defined]
            (c.code, c.display_name) for c in City.objects.filter(is_member=True)
        ]
        self.fields["audience_organizations"].queryset = _organizations()  # type: ignore[attr-defined]


class TaskForm(BootstrapFormMixin, forms.Form):
    title = forms.CharField(label=_("任务名称"), max_length=200)
    description = forms.CharField(
        label=_("任务要求"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    owner_organization = forms.ModelChoiceField(
        label=_("责任单位"),
        queryset=Organization.objects.none(),
        required=False,
        widget=PickerSelect(source="membership.organizations"),
    )
    owner_user = forms.ModelChoiceField(label=_("责任人"), queryset=User.objects.none(), required=False)
    due_on = forms.DateField(label=_("完成期限"), widget=DATE)
    resolution = forms.ModelChoiceField(
        label=_("来源决议"), queryset=Resolution.objects.none(), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner_organization"].queryset = _organizations()  # type: ignore[attr-defined]
        self.fields["owner_user"].queryset = User.objects.filter(is_active=True).order_by("username")  # type: ignore[attr-defined]
        self.fields["resolution"].queryset = Resolution.objects.filter(  # type: ignore[attr-defined]
            status=ResolutionStatus.IN_FORCE
        ).order_by("-adopted_on")


class TaskProgressForm(BootstrapFormMixin, forms.Form):
    note = forms.CharField(label=_("进展说明"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class HandoverForm(BootstrapFormMixin, forms.Form):
    date = forms.DateField(label=_("交接日期"), widget=DATE)
    notes = forms.CharField(label=_("交接说明"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    documents = forms.CharField(
        label=_("移交文件"), widget=forms.Textarea(attrs={"rows": 3}), required=False, help_text=_("每行一项")
    )


class RotationChangeForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("变更类型"), choices=RotationChangeKind.choices)
    resolution = forms.ModelChoiceField(
        label=_("依据决议"),
        queryset=Resolution.objects.none(),
        required=False,
        help_text=_("须为已生效的理事会决议"),
    )
    organization = forms.ModelChoiceField(
        label=_("单位"),
        queryset=Organization.objects.none(),
        required=False,
        help_text=_("跳过或顺延时选择"),
        widget=PickerSelect(source="membership.organizations"),
    )
    order = forms.CharField(
        label=_("新顺序"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("调整顺序时填写：每行一个单位全称"),
    )
    term_months = forms.IntegerField(
        label=_("新任期（月）"), required=False, min_value=1, widget=forms.NumberInput(attrs={"min": 1})
    )
    reason = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["resolution"].queryset = Resolution.objects.filter(  # type: ignore[attr-defined]
            status=ResolutionStatus.IN_FORCE
        ).order_by("-adopted_on")
        self.fields["organization"].queryset = _organizations()  # type: ignore[attr-defined]

    def clean_order(self) -> list[Organization]:
        names = [line.strip() for line in (self.cleaned_data.get("order") or "").splitlines() if line.strip()]
        found = {o.name: o for o in Organization.objects.filter(name__in=names)}
        missing = [n for n in names if n not in found]
        if missing:
            raise forms.ValidationError(_("找不到这些单位：%(names)s") % {"names": "、".join(missing)})
        return [found[n] for n in names]


class SeatForm(BootstrapFormMixin, forms.Form):
    organization = forms.ModelChoiceField(
        label=_("理事单位"),
        queryset=Organization.objects.none(),
        widget=PickerSelect(source="membership.organizations"),
    )
    representative = forms.ModelChoiceField(label=_("理事"), queryset=User.objects.none(), required=False)
    starts_on = forms.DateField(label=_("起始日期"), widget=DATE)
    ends_on = forms.DateField(label=_("终止日期"), widget=DATE, required=False)
    post = forms.CharField(label=_("职务"), max_length=40, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = _organizations()  # type: ignore[attr-defined]
        self.fields["representative"].queryset = User.objects.filter(is_active=True).order_by("username")  # type: ignore[attr-defined]


class SeatRepresentativeForm(BootstrapFormMixin, forms.Form):
    representative = forms.ModelChoiceField(label=_("新任理事"), queryset=User.objects.none())
    on = forms.DateField(label=_("自何日起"), widget=DATE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["representative"].queryset = User.objects.filter(is_active=True).order_by("username")  # type: ignore[attr-defined]


class SettingsForm(VersionedFormMixin, BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = GovernanceSettings
        fields = list(SETTINGS_FIELDS)  # the fields the service audits


class CharterRevisionForm(BootstrapFormMixin, forms.Form):
    """A new charter version citing the council's charter resolution (``services.charter_revise``)."""

    resolution = forms.ModelChoiceField(
        label=_("依据决议"),
        queryset=Resolution.objects.none(),
        required=False,
        empty_label=_("请选择章程修改决议"),
        help_text=_("理事会通过并已生效、尚未用于修订的章程修改决议"),
    )
    effective_on = forms.DateField(label=_("施行日期"), widget=DATE)
    summary = forms.CharField(
        label=_("修订说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=4000
    )
    text = forms.CharField(label=_("章程全文"), widget=forms.Textarea(attrs={"rows": 14}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        available = [r.pk for r in charter_resolutions_available()]
        self.fields["resolution"].queryset = Resolution.objects.filter(pk__in=available).order_by(  # type: ignore[attr-defined]
            "-adopted_on", "-id"
        )

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from lianmeng.core.concurrency import VersionedFormMixin
from lianmeng.core.forms import BootstrapFormMixin
from lianmeng.core.inline_checks import inline_check
from lianmeng.core.models import City
from lianmeng.core.pending_uploads import PendingUploadsMixin, UploadField

from .models import REQUESTED_TIERS, OrganizationKind, Tier


def city_choices() -> list[tuple[str, Any]]:
    return [("", _("请选择"))] + [(c.code, c.display_name) for c in City.objects.filter(is_member=True)]


INLINE_CHECKED = ("uscc", "contact_mobile")


class ApplicationForm(PendingUploadsMixin, BootstrapFormMixin, forms.Form):
    """Parses the public application form; validation rules live in services.application_clean."""

    name = forms.CharField(label=_("单位名称"), max_length=120)
    short_name = forms.CharField(label=_("简称"), max_length=40, required=False)
    uscc = forms.CharField(
        label=_("统一社会信用代码"), max_length=24, help_text=_("18 位，见营业执照或登记证书")
    )
    kind = forms.ChoiceField(label=_("单位类型"), choices=[("", _("请选择")), *OrganizationKind.choices])
    requested_tier = forms.ChoiceField(
        label=_("申请类别"),
        choices=[(t.value, t.label) for t in REQUESTED_TIERS],
        initial=Tier.ORDINARY,
        help_text=_("申请成为理事单位的，经理事会表决通过后入盟"),
    )
    city = forms.ChoiceField(label=_("所在城市"), choices=())
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    website = forms.CharField(label=_("网站"), max_length=200, required=False)
    description = forms.CharField(
        label=_("单位简介"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    contact_name = forms.CharField(label=_("联系人姓名"), max_length=60)
    contact_mobile = forms.CharField(
        label=_("联系人手机"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    contact_email = forms.CharField(
        label=_("联系人邮箱"), max_length=254, widget=forms.EmailInput(attrs={"inputmode": "email"})
    )
    letter = UploadField(
        label=_("入盟承诺书"),
        help_text=_("PDF 或图片（JPEG、PNG），不超过 10 MB"),
    )

    def __init__(
        self, *args: Any, letter_required: bool = True, inline_checks: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["city"].choices = city_choices()  # type: ignore[attr-defined]
        self.fields["letter"].required = letter_required
        if inline_checks:  # the new application: USCC checksum and duplicates, mobile, as typed
            for name in INLINE_CHECKED:
                url = reverse("membership:apply-check", args=[name])
                self.fields[name].widget.attrs.update(inline_check(url, name))


class ReviewForm(BootstrapFormMixin, forms.Form):
    message = forms.CharField(
        label=_("审核意见"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("退回或不予通过时必填，申请单位会看到这条意见"),
    )


class OrganizationForm(VersionedFormMixin, BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=_("单位名称"), max_length=120)
    short_name = forms.CharField(label=_("简称"), max_length=40, required=False)
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    website = forms.CharField(label=_("网站"), max_length=200, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=40, required=False)
    email = forms.CharField(label=_("公开邮箱"), max_length=254, required=False)
    description = forms.CharField(
        label=_("单位简介"), widget=forms.Textarea(attrs={"rows": 5}), required=False
    )
    services = forms.CharField(label=_("主要业务"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class OrganizationAdminForm(OrganizationForm):
    """The secretariat also edits the identifying fields."""

    uscc = forms.CharField(label=_("统一社会信用代码"), max_length=24)
    kind = forms.ChoiceField(label=_("单位类型"), choices=OrganizationKind.choices)
    city = forms.ChoiceField(label=_("所在城市"), choices=())
    tier = forms.ChoiceField(label=_("成员类别"), choices=Tier.choices)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["city"].choices = city_choices()  # type: ignore[attr-defined]


class StatusChangeForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

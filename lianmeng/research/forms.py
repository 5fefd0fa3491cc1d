"""Form parsing for research pages; the rules live in the commands (lianmeng.research.commands) and the
services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from lianmeng.core.forms import BootstrapFormMixin
from lianmeng.core.pending_uploads import MultiUploadField, PendingUploadsMixin, UploadField
from lianmeng.membership.models import OrganizationKind

from .models import MilestoneKind, Normalisation, Objection, RoundKind

FILE_HELP = _("PDF 或图片（JPEG、PNG），每个不超过 20 MB，最多 5 个")


def attachments_field() -> MultiUploadField:
    """Up to 5 files of 20 MB (research.services._common.clean_files), kept across a failed submit."""
    return MultiUploadField(
        label=_("附件"),
        required=False,
        help_text=FILE_HELP,
        allowed=("application/pdf", "image/jpeg", "image/png"),
        max_bytes=20 * 1024 * 1024,
        max_files=5,
    )


class CallForm(BootstrapFormMixin, forms.Form):
    year = forms.IntegerField(label=_("年度"))
    title = forms.CharField(label=_("指南名称"), max_length=200)
    description = forms.CharField(
        label=_("指南说明"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    opens_on = forms.CharField(label=_("申报开始"), widget=forms.DateInput(attrs={"type": "date"}))
    deadline = forms.CharField(label=_("申报截止"), widget=forms.DateInput(attrs={"type": "date"}))
    topics = forms.CharField(
        label=_("课题"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("每行一个课题：课题名称｜关键词（顿号分隔）｜资助上限（万元）"),
    )

    def clean(self) -> dict[str, Any]:
        """The topics' lines as rows for the command (CallCreate.topics)."""
        cleaned = super().clean() or {}
        if "topics" in cleaned:
            cleaned["topics"] = self.topic_rows(cleaned["topics"])
        return cleaned

    @staticmethod
    def topic_rows(text: str) -> list[dict[str, Any]]:
        rows = []
        for line in (text or "").splitlines():
            parts = [p.strip() for p in line.replace("|", "｜").split("｜")]
            if not parts or not parts[0]:
                continue
            rows.append(
                {
                    "title": parts[0],
                    "keywords": parts[1] if len(parts) > 1 else "",
                    "max_budget": parts[2] if len(parts) > 2 else "",
                }
            )
        return rows


class ProposalForm(PendingUploadsMixin, BootstrapFormMixin, forms.Form):
    topic = forms.ChoiceField(label=_("课题"), choices=())
    title = forms.CharField(label=_("项目名称"), max_length=200)
    leader = forms.CharField(label=_("负责人"), max_length=60)
    team = forms.CharField(label=_("课题组成员"), max_length=400, help_text=_("用逗号或顿号分隔"))
    plan = forms.CharField(label=_("研究计划"), widget=forms.Textarea(attrs={"rows": 6}))
    keywords = forms.CharField(label=_("关键词"), max_length=300, required=False)
    budget = forms.CharField(
        label=_("经费预算（万元）"), widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    attachments = attachments_field()

    def __init__(self, *args: Any, topics: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["topic"].choices = [("", _("请选择"))] + [(t.pk, f"{t.code} {t.title}") for t in topics]  # type: ignore[attr-defined]


class NoteForm(BootstrapFormMixin, forms.Form):
    note = forms.CharField(label=_("意见"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class MilestoneForm(PendingUploadsMixin, BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("节点"), choices=MilestoneKind.choices, widget=forms.HiddenInput)
    report = forms.CharField(label=_("报告摘要"), widget=forms.Textarea(attrs={"rows": 4}))
    file = UploadField(label=_("报告文件"), required=False, max_bytes=20 * 1024 * 1024)


PERCENT = forms.NumberInput(attrs={"min": 0, "max": 100, "step": "any", "inputmode": "decimal"})


class RoundForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("评选类型"), choices=[c for c in RoundKind.choices if c[0] != RoundKind.TOPIC_REVIEW]
    )
    year = forms.IntegerField(label=_("年度"))
    title = forms.CharField(label=_("评选名称"), max_length=200)
    description = forms.CharField(
        label=_("评选说明"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    entries_close_on = forms.CharField(label=_("申报截止"), widget=forms.DateInput(attrs={"type": "date"}))
    review_due_on = forms.CharField(label=_("评审截止"), widget=forms.DateInput(attrs={"type": "date"}))
    publicity_days = forms.IntegerField(label=_("公示天数"), initial=7)
    objection_contact = forms.CharField(label=_("异议受理联系人"), max_length=120, required=False)
    accepted_kinds = forms.MultipleChoiceField(
        label=_("接受的单位类型"),
        choices=OrganizationKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选则接受所有类型"),
    )
    require_good_standing = forms.BooleanField(
        label=_("仅限正常状态的成员单位"), required=False, initial=True
    )
    one_entry_per_organization = forms.BooleanField(label=_("每个单位限报一项"), required=False, initial=True)
    reviewers_per_entry = forms.IntegerField(label=_("每项评审专家数"), initial=3)
    max_load = forms.IntegerField(label=_("每位专家最多评审"), initial=6)
    min_load = forms.IntegerField(label=_("每位专家最少评审"), initial=0)
    same_city_conflict = forms.BooleanField(label=_("同城回避"), required=False, initial=True)
    normalisation = forms.ChoiceField(label=_("分数标准化"), choices=Normalisation.choices)
    criteria = forms.CharField(
        label=_("评审指标"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("每行一项：指标名称｜权重（%）｜满分，权重之和为 100"),
        initial="创新性｜30｜10\n实用性｜30｜10\n示范推广价值｜25｜10\n规范性｜15｜10",
    )
    first_percent = forms.CharField(label=_("一等奖比例（%）"), initial="10", required=False, widget=PERCENT)
    second_percent = forms.CharField(label=_("二等奖比例（%）"), initial="20", required=False, widget=PERCENT)
    third_percent = forms.CharField(label=_("三等奖比例（%）"), initial="30", required=False, widget=PERCENT)
    excellent_percent = forms.CharField(
        label=_("优秀奖比例（%）"), initial="", required=False, widget=PERCENT
    )

    def clean(self) -> dict[str, Any]:
        """The rubric's lines and the tiers' percentages as rows for the command (RoundCreate)."""
        data = super().clean() or {}
        criteria = []
        for line in (data.get("criteria") or "").splitlines():
            parts = [p.strip() for p in line.replace("|", "｜").split("｜")]
            if parts and parts[0]:
                criteria.append(
                    {
                        "name": parts[0],
                        "weight": parts[1] if len(parts) > 1 else "",
                        "max_score": parts[2] if len(parts) > 2 else 10,
                    }
                )
        tiers = []
        for level in ("first", "second", "third", "excellent"):
            value = str(data.get(f"{level}_percent") or "").strip()
            if value:
                tiers.append({"level": level, "quota_percent": value})
        if "criteria" in data:
            data["criteria"] = criteria
        data["tiers"] = tiers
        return data


class EntryForm(PendingUploadsMixin, BootstrapFormMixin, forms.Form):
    title = forms.CharField(label=_("申报名称"), max_length=200)
    authors = forms.CharField(label=_("作者或完成人"), max_length=300, help_text=_("用逗号或顿号分隔"))
    summary = forms.CharField(label=_("简介"), widget=forms.Textarea(attrs={"rows": 6}))
    keywords = forms.CharField(label=_("关键词"), max_length=300, required=False)
    achievement = forms.ChoiceField(label=_("关联成果库中的成果"), required=False, choices=())
    attachments = attachments_field()

    def __init__(self, *args: Any, achievements: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["achievement"].choices = [("", _("不关联（新成果）"))] + [  # type: ignore[attr-defined]
            (a.pk, a.title) for a in achievements
        ]


class ObjectionForm(BootstrapFormMixin, forms.Form):
    entry = forms.ChoiceField(label=_("异议对象"), required=False, choices=())
    name = forms.CharField(label=_("异议人"), max_length=60)
    contact = forms.CharField(label=_("联系方式"), max_length=120, help_text=_("手机号码或电子邮箱"))
    reasons = forms.CharField(label=_("异议理由"), widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, entries: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["entry"].choices = [("", _("评选整体"))] + [(e.pk, e.title) for e in entries]  # type: ignore[attr-defined]


class ObjectionResponseForm(BootstrapFormMixin, forms.Form):
    outcome = forms.ChoiceField(
        label=_("处理结果"), choices=[c for c in Objection.Outcome.choices if c[0]], widget=forms.RadioSelect
    )
    response = forms.CharField(label=_("秘书处答复"), widget=forms.Textarea(attrs={"rows": 3}))

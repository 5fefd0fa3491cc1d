"""The research writes' typed inputs (lianmeng.core.commands): the API's request bodies, what the forms
build from their cleaned data, what the services take. Rules that need the database (a topic's budget
ceiling, the call's period, one entry per organization, a criterion's maximum score) stay in the services.
"""

import re
from collections.abc import Collection, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, TypeVar

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pydantic import Field, ValidationInfo, field_validator

from lianmeng.core.cleaning import clean_text
from lianmeng.core.commands import Check, Choice, Command, Day, Integer, Label, Ref, Text, rule
from lianmeng.membership.models import OrganizationKind

from .models import AwardLevel, MilestoneKind, Normalisation, Objection, RoundKind

# ---------------------------------------------------------------------- field types of this app


def plain(number: Decimal) -> str:
    """A decimal as people write it: 90, 12.5 (never 9E+1 or 90.00)."""
    return format(number.normalize(), "f")


def Number(  # noqa: N802 - reads as a type in a class body
    label: Label,
    *,
    minimum: Decimal = Decimal(0),
    maximum: Decimal = Decimal("1e9"),
    places: str = "0.01",
    required: bool = True,
) -> Check:
    """A decimal between ``minimum`` and ``maximum`` (weights, quotas, budgets, scores), rounded to
    ``places``; thousands separators accepted. Empty is "请填写…" when required, None otherwise."""

    def check(value: Any) -> Decimal | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                raise rule(_("请填写%(label)s") % {"label": label})
            return None
        try:
            if isinstance(value, bool):
                raise InvalidOperation
            amount = Decimal(str(value).replace(",", "").strip())
        except (InvalidOperation, ValueError):
            raise rule(_("%(label)s应为数字") % {"label": label}) from None
        if not amount.is_finite() or amount < minimum or amount > maximum:
            raise rule(
                _("%(label)s应在 %(min)s 到 %(max)s 之间")
                % {"label": label, "min": plain(minimum), "max": plain(maximum)}
            )
        return amount.quantize(Decimal(places))

    schema = {"type": "number", "minimum": float(minimum), "maximum": float(maximum)}
    return Check(label, check, schema)


def split_names(value: Any) -> list[str]:
    """Names typed with commas, 顿号, semicolons or one per line (or given as a list)."""
    if value is None:
        return []
    parts = value if isinstance(value, list | tuple) else re.split(r"[,，、;；\n]+", str(value))
    return [name for name in (clean_text(p) for p in parts) if name]


def Names(label: Label, *, max_length: int = 300, required: bool = False) -> Check:  # noqa: N802
    """A list of names or keywords, stored joined with 顿号 ("张三、李四")."""

    def check(value: Any) -> str:
        if value is not None and not isinstance(value, str | list | tuple):
            raise rule(_("%(label)s须为文本") % {"label": label})
        joined = "、".join(split_names(value))
        if required and not joined:
            raise rule(_("请填写%(label)s") % {"label": label})
        if len(joined) > max_length:
            raise rule(_("%(label)s不能超过 %(n)d 个字") % {"label": label, "n": max_length})
        return joined

    schema: dict[str, Any] = {"type": "string", "maxLength": max_length}
    return Check(label, check, schema)


C = TypeVar("C", bound=Command)


def rows(cls: type[C], raw: Any, template: str, *, text_key: str | None = None) -> list[C]:
    """Each item of a list field built as ``cls``; every bad item is named ("第 2 项指标：…"), all at once.
    ``text_key``: a plain string item is that field (a topic given by its title)."""
    if raw is None:
        return []
    if not isinstance(raw, list | tuple):
        raise rule(_("须为列表"))
    out: list[C] = []
    problems: list[str] = []
    for n, item in enumerate(raw, start=1):
        if isinstance(item, cls):
            out.append(item)
            continue
        if isinstance(item, str) and text_key:
            item = {text_key: item}
        try:
            out.append(cls.build(item if isinstance(item, Mapping) else {}))
        except ValidationError as exc:
            problems += [template % {"n": n, "msg": m} for msgs in exc.message_dict.values() for m in msgs]
    if problems:
        raise rule("；".join(problems))
    return out


def values_of(cmd: Command, cls: type[Command], *, exclude: Collection[str] = ()) -> dict[str, Any]:
    """The values of ``cls``'s own fields in ``cmd`` (an API body subclassing ``cls`` adds fields the
    model has not: ``open``, ``organization``)."""
    return {name: getattr(cmd, name) for name in cls.model_fields if name not in exclude}


# ---------------------------------------------------------------------- topics (课题研究)


class TopicItem(Command):
    """One topic of a call (课题指南); an empty code becomes "<year>-<n>"."""

    code: Annotated[str, Text(gettext_lazy("编号"), max_length=20, required=False)] = ""
    title: Annotated[str, Text(gettext_lazy("课题名称"), max_length=200)]
    description: Annotated[str, Text(gettext_lazy("研究内容"), max_length=4000, required=False)] = ""
    keywords: Annotated[str, Names(gettext_lazy("关键词"))] = ""
    max_budget: Annotated[Decimal | None, Number(gettext_lazy("资助上限（万元）"), required=False)] = None


class CallCreate(Command):
    """A yearly call (课题指南) with its topics, saved as a draft."""

    year: Annotated[int, Integer(gettext_lazy("年度"), minimum=2000, maximum=2100)]
    title: Annotated[str, Text(gettext_lazy("指南名称"), max_length=200)]
    description: Annotated[str, Text(gettext_lazy("指南说明"), max_length=8000, required=False)] = ""
    opens_on: Annotated[date, Day(gettext_lazy("申报开始"))]
    deadline: Annotated[date, Day(gettext_lazy("申报截止"))]
    topics: list[TopicItem]

    @field_validator("deadline")
    @classmethod
    def _deadline_after_opening(cls, deadline: date, info: ValidationInfo) -> date:
        opens_on = info.data.get("opens_on")
        if opens_on and deadline < opens_on:
            raise rule(_("申报截止日期不能早于开始日期"))
        return deadline

    @field_validator("topics", mode="before")
    @classmethod
    def _topics(cls, raw: Any) -> list[TopicItem]:
        topics = rows(TopicItem, raw, _("第 %(n)d 个课题：%(msg)s"), text_key="title")
        if not topics:
            raise rule(_("请至少列出一个课题"))
        return topics


class ProposalSubmit(Command):
    """A member's proposal (课题申报) on one topic of an open call."""

    topic: Annotated[int | None, Ref(gettext_lazy("课题"))] = Field(None, validate_default=True)
    title: Annotated[str, Text(gettext_lazy("项目名称"), max_length=200)]
    leader: Annotated[str, Text(gettext_lazy("负责人"), max_length=60)]
    team: Annotated[str, Names(gettext_lazy("课题组成员"), max_length=400, required=True)]
    plan: Annotated[str, Text(gettext_lazy("研究计划"), max_length=20000)]
    keywords: Annotated[str, Names(gettext_lazy("关键词"))] = ""
    budget: Annotated[Decimal, Number(gettext_lazy("经费预算（万元）"), maximum=Decimal(100000))]

    @field_validator("topic")
    @classmethod
    def _topic_chosen(cls, topic: int | None) -> int | None:
        if topic is None:
            raise rule(_("请选择课题"))
        return topic


class MilestoneReport(Command):
    """The mid-term or completion report of an approved topic."""

    kind: Annotated[str, Choice(gettext_lazy("节点"), MilestoneKind)]
    report: Annotated[str, Text(gettext_lazy("报告摘要"), max_length=8000)]


# ---------------------------------------------------------------------- selection rounds (评选)


class CriterionItem(Command):
    name: Annotated[str, Text(gettext_lazy("指标名称"), max_length=60)]
    description: Annotated[str, Text(gettext_lazy("评分要点"), max_length=300, required=False)] = ""
    weight: Annotated[Decimal, Number(gettext_lazy("权重"), minimum=Decimal("0.01"), maximum=Decimal(100))]
    max_score: Annotated[int, Integer(gettext_lazy("满分"), minimum=1, maximum=100)] = 10


class TierItem(Command):
    level: Annotated[str, Choice(gettext_lazy("奖项"), AwardLevel)]
    quota_percent: Annotated[Decimal, Number(gettext_lazy("名额比例"), maximum=Decimal(100))]


class RoundCreate(Command):
    """A selection round (评选): rules, timeline, rubric (weights add up to 100%) and award tiers."""

    kind: Annotated[str, Choice(gettext_lazy("评选类型"), RoundKind)]
    year: Annotated[int, Integer(gettext_lazy("年度"), minimum=2000, maximum=2100)]
    title: Annotated[str, Text(gettext_lazy("评选名称"), max_length=200)]
    description: Annotated[str, Text(gettext_lazy("评选说明"), max_length=8000, required=False)] = ""
    require_good_standing: bool = True
    accepted_kinds: list[str] = Field(default_factory=list, description="organization kinds; empty: all")
    one_entry_per_organization: bool = True
    entries_close_on: Annotated[date, Day(gettext_lazy("申报截止"))]
    review_due_on: Annotated[date, Day(gettext_lazy("评审截止"))]
    publicity_days: Annotated[int, Integer(gettext_lazy("公示天数"), minimum=1, maximum=30)] = 7
    objection_contact: Annotated[
        str, Text(gettext_lazy("异议受理联系人"), max_length=120, required=False)
    ] = ""
    reviewers_per_entry: Annotated[int, Integer(gettext_lazy("每项评审专家数"), minimum=1, maximum=15)] = 3
    max_load: Annotated[int, Integer(gettext_lazy("每位专家最多评审"), minimum=1, maximum=200)] = 6
    min_load: Annotated[int, Integer(gettext_lazy("每位专家最少评审"), minimum=0, maximum=200)] = 0
    same_city_conflict: bool = True
    normalisation: Annotated[str, Choice(gettext_lazy("分数标准化"), Normalisation)] = Normalisation.NONE
    criteria: list[CriterionItem]
    tiers: list[TierItem]

    @field_validator("accepted_kinds", mode="before")
    @classmethod
    def _kinds(cls, raw: Any) -> list[str]:
        kinds = [k for k in raw.split(",") if k] if isinstance(raw, str) else list(raw or [])
        bad = [str(k) for k in kinds if k not in OrganizationKind.values]
        if bad:
            raise rule(_("单位类型“%(v)s”无效") % {"v": "、".join(bad)[:100]})
        return [str(k) for k in kinds]

    @field_validator("review_due_on")
    @classmethod
    def _review_after_entries(cls, review_due_on: date, info: ValidationInfo) -> date:
        close = info.data.get("entries_close_on")
        if close and review_due_on < close:
            raise rule(_("评审截止日期不能早于申报截止日期"))
        return review_due_on

    @field_validator("min_load")
    @classmethod
    def _min_not_above_max(cls, min_load: int, info: ValidationInfo) -> int:
        max_load = info.data.get("max_load")
        if max_load is not None and min_load > max_load:
            raise rule(_("最少评审数不能大于最多评审数"))
        return min_load

    @field_validator("criteria", mode="before")
    @classmethod
    def _criteria(cls, raw: Any) -> list[CriterionItem]:
        criteria = rows(CriterionItem, raw, _("第 %(n)d 项指标：%(msg)s"))
        if not criteria:
            raise rule(_("请至少设置一项评审指标"))
        total = sum((c.weight for c in criteria), Decimal(0))
        if total != Decimal(100):
            raise rule(_("各指标权重之和应为 100%%，当前为 %(t)s%%") % {"t": plain(total)})
        return criteria

    @field_validator("tiers", mode="before")
    @classmethod
    def _tiers(cls, raw: Any) -> list[TierItem]:
        tiers = rows(TierItem, raw, _("第 %(n)d 个奖项：%(msg)s"))
        if not tiers:
            raise rule(_("请至少设置一个奖项等级"))
        seen: set[str] = set()
        for n, tier in enumerate(tiers, start=1):
            if tier.level in seen:
                raise rule(_("第 %(n)d 个奖项：%(msg)s") % {"n": n, "msg": _("奖项重复")})
            seen.add(tier.level)
        total = sum((t.quota_percent for t in tiers), Decimal(0))
        if total > 100:
            raise rule(_("各奖项名额比例之和不能超过 100%%，当前为 %(t)s%%") % {"t": plain(total)})
        return tiers


class EntrySubmit(Command):
    """An organization's entry into a round (new, or from an achievement it owns)."""

    title: Annotated[str, Text(gettext_lazy("申报名称"), max_length=200)]
    authors: Annotated[str, Names(gettext_lazy("作者或完成人"), required=True)]
    summary: Annotated[str, Text(gettext_lazy("简介"), max_length=8000)]
    keywords: Annotated[str, Names(gettext_lazy("关键词"))] = ""
    achievement: Annotated[int | None, Ref(gettext_lazy("关联的成果"))] = None


# ---------------------------------------------------------------------- reviews


class ScoreItem(Command):
    """One criterion's score and comment (the criterion's maximum is checked by the service)."""

    score: Annotated[
        Decimal | None, Number(gettext_lazy("分数"), maximum=Decimal(1000), places="0.1", required=False)
    ] = None
    comment: Annotated[str, Text(gettext_lazy("评语"), max_length=2000, required=False)] = ""


class ReviewSave(Command):
    """A review's scores by criterion id, with the overall comment; ``version`` is the one loaded."""

    scores: dict[int, ScoreItem] = Field(default_factory=dict)
    overall_comment: Annotated[str, Text(gettext_lazy("总体意见"), max_length=4000, required=False)] = ""
    version: Annotated[int | None, Integer(gettext_lazy("版本"), minimum=0, maximum=2**31 - 1)] = None


# ---------------------------------------------------------------------- 公示 and objections


class ObjectionFile(Command):
    """An objection during 公示 (anyone, no sign-in needed): against the round or one awarded entry."""

    entry: Annotated[int | None, Ref(gettext_lazy("异议对象"))] = None
    name: Annotated[str, Text(gettext_lazy("异议人"), max_length=60)]
    contact: Annotated[str, Text(gettext_lazy("联系方式"), max_length=120)]
    reasons: Annotated[str, Text(gettext_lazy("异议理由"), max_length=4000)]

    @field_validator("reasons")
    @classmethod
    def _specific(cls, reasons: str) -> str:
        if len(reasons) < 10:
            raise rule(_("请具体说明异议理由（至少 10 个字）"))
        return reasons


class ObjectionAnswer(Command):
    """The secretariat's answer to an objection."""

    outcome: Annotated[
        str, Choice(gettext_lazy("处理结果"), [Objection.Outcome.UPHELD, Objection.Outcome.DISMISSED])
    ]
    response: Annotated[str, Text(gettext_lazy("秘书处答复"), max_length=4000)]

"""The library writes' typed inputs (lianmeng.core.commands): the API's request bodies, what the forms
build from their cleaned data, what an import builds for each row, what services take.

References by id (``Ref``/``Refs``) are resolved by the services; a city is its division code or its
name, an expertise field or strategy tag its name (or id), as the API has always taken them."""

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pydantic import Field, ValidationInfo, field_validator
from stdnum.cn import ric
from stdnum.exceptions import ValidationError as StdnumError

from lianmeng.core.commands import (
    Amount,
    Check,
    Choice,
    Command,
    Day,
    Email,
    Integer,
    Label,
    Mobile,
    Ref,
    Refs,
    Text,
    rule,
)
from lianmeng.core.concurrency import VERSION_HELP
from lianmeng.core.params import INT32_MAX

from .models import (
    AchievementKind,
    AchievementSource,
    Availability,
    CommitteePost,
    ExpertStatus,
    ExpertTitle,
    IntegrationTag,
    ProjectStage,
    Urgency,
    Visibility,
)

Version = Annotated[int | None, Field(None, ge=0, le=INT32_MAX, description=VERSION_HELP)]


def split_list(value: Any) -> list[str]:
    """Items of a list, or of text separated by commas, 、, semicolons or new lines."""
    if value is None:
        return []
    if isinstance(value, str):
        value = re.split(r"[,，、;；\n]+", value)
    elif not isinstance(value, list | tuple | set):
        value = [value]
    out: list[str] = []
    for item in value:
        text = str(getattr(item, "pk", item) if not isinstance(item, str) else item).strip()
        if text and text not in out:
            out.append(text)
    return out


def Names(label: Label, *, max_items: int = 50, max_length: int = 120) -> Check:  # noqa: N802
    """Names (or ids) of catalogue rows: a list, or text separated by commas or 、."""

    def check(value: Any) -> list[str]:
        names = split_list(value)
        if len(names) > max_items:
            raise rule(_("%(label)s最多 %(n)d 项") % {"label": label, "n": max_items})
        for name in names:
            if len(name) > max_length:
                raise rule(_("%(label)s不能超过 %(n)d 个字") % {"label": label, "n": max_length})
        return names

    schema = {"type": "array", "maxItems": max_items, "items": {"type": "string", "maxLength": max_length}}
    return Check(label, check, schema)


def CityRef(label: Label) -> Check:  # noqa: N802
    """A member city by division code or name; the service says when it is none."""

    def check(value: Any) -> str:
        code = str(getattr(value, "pk", value) or "").strip()
        if not code:
            raise rule(_("请选择联盟成员城市"))
        if len(code) > 20:
            raise rule(_("“%(value)s”不是联盟成员城市") % {"value": code[:20]})
        return code

    return Check(label, check, {"type": "string", "minLength": 1, "maxLength": 20})


_YES = {"1", "true", "yes", "y", "on", "是", "同意"}


def Flag(label: Label) -> Check:  # noqa: N802
    """Yes or no: a boolean, or 是/同意/1/true/yes/on (anything else, empty included, is no)."""

    def check(value: Any) -> bool:
        if isinstance(value, bool):
            return value
        return str(value or "").strip().lower() in _YES

    return Check(label, check, {"type": "boolean"})


def _joined(value: str | None) -> str | None:
    return None if value is None else "、".join(split_list(value))


# Experts ---------------------------------------------------------------------------------------


class _ExpertRules:
    @field_validator("keywords", check_fields=False)
    @classmethod
    def _keywords(cls, value: str | None) -> str | None:
        return _joined(value)

    @field_validator("id_number", check_fields=False)
    @classmethod
    def _id_number(cls, value: str | None) -> str | None:
        if not value:
            return value
        try:
            return str(ric.validate(value.strip().upper()))
        except StdnumError:
            raise rule(_("身份证号码不正确，请核对后重新填写")) from None


class ExpertCreate(_ExpertRules, Command):
    """An expert in the library (the secretariat); a member unit by id, another unit by name."""

    name: Annotated[str, Text(gettext_lazy("姓名"), max_length=60)]
    organization: Annotated[int | None, Ref(gettext_lazy("所在单位"))] = None
    organization_name: Annotated[str, Text(gettext_lazy("单位名称"), max_length=120, required=False)] = ""
    city: Annotated[str, CityRef(gettext_lazy("所在城市"))]
    title: Annotated[str, Choice(gettext_lazy("职称"), ExpertTitle)]
    position: Annotated[str, Text(gettext_lazy("职务"), max_length=60, required=False)] = ""
    fields: Annotated[list[str], Names(gettext_lazy("专业领域"))] = []
    keywords: Annotated[str, Text(gettext_lazy("关键词"), max_length=300, required=False)] = ""
    biography: Annotated[str, Text(gettext_lazy("个人简介"), max_length=4000, required=False)] = ""
    availability: Annotated[str, Choice(gettext_lazy("咨询状态"), Availability)] = Availability.AVAILABLE
    status: Annotated[str, Choice(gettext_lazy("状态"), ExpertStatus)] = ExpertStatus.ACTIVE
    mobile: Annotated[str, Mobile(gettext_lazy("手机号码"), required=False)] = ""
    email: Annotated[str, Email(gettext_lazy("电子邮箱"), required=False)] = ""
    id_number: Annotated[str, Text(gettext_lazy("身份证号码"), max_length=18, required=False)] = ""
    publish_consent: Annotated[bool, Flag(gettext_lazy("同意公开"))] = False
    declared_conflicts: Annotated[list[int], Refs(gettext_lazy("回避单位"))] = []


class ExpertUpdate(_ExpertRules, Command):
    """Changes to an expert: only the fields given (the expert changes their own profile's
    ``EXPERT_SELF_EDITABLE`` fields, the secretariat everything)."""

    name: Annotated[str | None, Text(gettext_lazy("姓名"), max_length=60)] = None
    organization: Annotated[int | None, Ref(gettext_lazy("所在单位"))] = None
    organization_name: Annotated[
        str | None, Text(gettext_lazy("单位名称"), max_length=120, required=False)
    ] = None
    city: Annotated[str | None, CityRef(gettext_lazy("所在城市"))] = None
    title: Annotated[str | None, Choice(gettext_lazy("职称"), ExpertTitle)] = None
    position: Annotated[str | None, Text(gettext_lazy("职务"), max_length=60, required=False)] = None
    fields: Annotated[list[str] | None, Names(gettext_lazy("专业领域"))] = None
    keywords: Annotated[str | None, Text(gettext_lazy("关键词"), max_length=300, required=False)] = None
    biography: Annotated[str | None, Text(gettext_lazy("个人简介"), max_length=4000, required=False)] = None
    availability: Annotated[str | None, Choice(gettext_lazy("咨询状态"), Availability)] = None
    status: Annotated[str | None, Choice(gettext_lazy("状态"), ExpertStatus)] = None
    mobile: Annotated[str | None, Mobile(gettext_lazy("手机号码"), required=False)] = None
    email: Annotated[str | None, Email(gettext_lazy("电子邮箱"), required=False)] = None
    id_number: Annotated[str | None, Text(gettext_lazy("身份证号码"), max_length=18, required=False)] = None
    publish_consent: Annotated[bool | None, Flag(gettext_lazy("同意公开"))] = None
    declared_conflicts: Annotated[list[int] | None, Refs(gettext_lazy("回避单位"))] = None
    version: Version = None


class CommitteeAppoint(Command):
    post: Annotated[str, Choice(gettext_lazy("委员会职务"), CommitteePost)]
    term_start: Annotated[dt.date, Day(gettext_lazy("任期开始"))]
    term_end: Annotated[dt.date, Day(gettext_lazy("任期结束"))]

    @field_validator("term_end")
    @classmethod
    def _end_after_start(cls, end: dt.date, info: ValidationInfo) -> dt.date:
        start = info.data.get("term_start")
        if start is not None and end < start:
            raise rule(_("任期结束日期不能早于开始日期"))
        return end


# Projects --------------------------------------------------------------------------------------

_INTEGRATION_BY_LABEL = {str(label): str(value) for value, label in IntegrationTag.choices}


class _ProjectRules:
    @field_validator("partner_organizations", check_fields=False)
    @classmethod
    def _partners(cls, partners: list[int] | None, info: ValidationInfo) -> list[int] | None:
        lead = info.data.get("lead_organization")
        if partners and lead is not None and lead in partners:
            raise rule(_("牵头单位不必再列为合作单位"))
        return partners

    @field_validator("cities", check_fields=False)
    @classmethod
    def _cities(cls, cities: list[str] | None) -> list[str] | None:
        if cities is not None and not cities:
            raise rule(_("请至少选择一个城市"))
        return cities

    @field_validator("integration_tags", check_fields=False)
    @classmethod
    def _integration(cls, values: list[str] | None) -> list[str] | None:
        if values is None:
            return None
        out: list[str] = []
        for value in values:
            code = value if value in IntegrationTag.values else _INTEGRATION_BY_LABEL.get(value)
            if code is None:
                raise rule(_("融合方向应为 科技、资本 或 产业，而不是“%(value)s”") % {"value": value})
            if code not in out:
                out.append(code)
        return sorted(out, key=IntegrationTag.values.index)


class ProjectCreate(_ProjectRules, Command):
    """A project submitted by a member contact for their organization (the secretariat for any)."""

    name: Annotated[str, Text(gettext_lazy("项目名称"), max_length=120)]
    summary: Annotated[str, Text(gettext_lazy("项目简介"), max_length=4000)]
    lead_organization: Annotated[int | None, Ref(gettext_lazy("牵头单位"))] = Field(
        None, validate_default=True
    )
    partner_organizations: Annotated[list[int], Refs(gettext_lazy("合作单位"))] = []
    cities: Annotated[list[str], Names(gettext_lazy("所在城市"), max_items=20, max_length=20)] = Field(
        [], validate_default=True
    )
    strategy_tags: Annotated[list[str], Names(gettext_lazy("国家战略"))] = []
    integration_tags: Annotated[list[str], Names(gettext_lazy("融合方向"), max_items=3)] = []
    planned_investment: Annotated[Decimal | None, Amount(gettext_lazy("计划投资"))] = None

    @field_validator("lead_organization")
    @classmethod
    def _lead(cls, lead: int | None) -> int | None:
        if lead is None:
            raise rule(_("请选择牵头单位"))
        return lead


class ProjectUpdate(_ProjectRules, Command):
    """Changes to a project: only the fields given (the stage changes by ``ProjectTransition``)."""

    name: Annotated[str | None, Text(gettext_lazy("项目名称"), max_length=120)] = None
    summary: Annotated[str | None, Text(gettext_lazy("项目简介"), max_length=4000)] = None
    lead_organization: Annotated[int | None, Ref(gettext_lazy("牵头单位"))] = None
    partner_organizations: Annotated[list[int] | None, Refs(gettext_lazy("合作单位"))] = None
    cities: Annotated[list[str] | None, Names(gettext_lazy("所在城市"), max_items=20, max_length=20)] = None
    strategy_tags: Annotated[list[str] | None, Names(gettext_lazy("国家战略"))] = None
    integration_tags: Annotated[list[str] | None, Names(gettext_lazy("融合方向"), max_items=3)] = None
    planned_investment: Annotated[Decimal | None, Amount(gettext_lazy("计划投资"))] = None
    version: Version = None


class ProjectTransition(Command):
    """Move a project to another stage; a reason is required when closing it."""

    to: Annotated[str, Choice(gettext_lazy("项目阶段"), ProjectStage)]
    reason: Annotated[str, Text(gettext_lazy("说明"), max_length=2000, required=False)] = Field(
        "", validate_default=True
    )

    @field_validator("reason")
    @classmethod
    def _reason_to_close(cls, reason: str, info: ValidationInfo) -> str:
        if info.data.get("to") == ProjectStage.CLOSED and not reason:
            raise rule(_("终止项目时请填写原因"))
        return reason


class LandingRecord(Command):
    """A landing in a city: a park of the directory (by id) or a park's name, the date, investment
    (万元) and jobs."""

    city: Annotated[str, CityRef(gettext_lazy("落地城市"))]
    park: Annotated[int | None, Ref(gettext_lazy("落地园区"))] = None
    park_name: Annotated[str, Text(gettext_lazy("园区名称"), max_length=120, required=False)] = Field(
        "", validate_default=True
    )
    date: Annotated[dt.date | None, Day(gettext_lazy("落地日期"))] = Field(None, validate_default=True)
    investment: Annotated[Decimal | None, Amount(gettext_lazy("投资额"))] = None
    jobs: Annotated[int | None, Integer(gettext_lazy("带动就业人数"), maximum=INT32_MAX)] = None
    notes: Annotated[str, Text(gettext_lazy("备注"), max_length=2000, required=False)] = ""

    @field_validator("park_name")
    @classmethod
    def _some_park(cls, park_name: str, info: ValidationInfo) -> str:
        if not park_name and info.data.get("park") is None and "park" in info.data:
            raise rule(_("请选择落地园区或填写园区名称"), "park")
        return park_name

    @field_validator("date")
    @classmethod
    def _past(cls, day: dt.date | None) -> dt.date | None:
        if day is None:
            raise rule(_("请填写落地日期"))
        if day > timezone.localdate():
            raise rule(_("落地日期不能晚于今天"))
        return day


# Achievements ----------------------------------------------------------------------------------

YEAR_FIRST = 1949


class _AchievementRules:
    @field_validator("authors", "keywords", check_fields=False)
    @classmethod
    def _listed(cls, value: str | None) -> str | None:
        return _joined(value)

    @field_validator("year", "showcase_year", check_fields=False)
    @classmethod
    def _not_future(cls, year: int | None, info: ValidationInfo) -> int | None:
        last = timezone.localdate().year + 1
        if year is not None and year > last:
            label = _("年度") if info.field_name == "year" else _("展示年度")
            raise rule(
                _("%(label)s应在 %(min)d 到 %(max)d 之间") % {"label": label, "min": YEAR_FIRST, "max": last}
            )
        return year


_SOURCES = [v for v in AchievementSource.values if v]


class AchievementCreate(_AchievementRules, Command):
    """An achievement of a member organization (files are added with the form or the files endpoint)."""

    kind: Annotated[str, Choice(gettext_lazy("成果类型"), AchievementKind)]
    title: Annotated[str, Text(gettext_lazy("成果名称"), max_length=200)]
    authors: Annotated[str, Text(gettext_lazy("作者"), max_length=300)]
    organizations: Annotated[list[int], Refs(gettext_lazy("完成单位"))] = []
    owner_organization: Annotated[int | None, Ref(gettext_lazy("提交单位"))] = None
    year: Annotated[int | None, Integer(gettext_lazy("年度"), minimum=YEAR_FIRST, maximum=2999)] = Field(
        None, validate_default=True
    )
    abstract: Annotated[str, Text(gettext_lazy("摘要"), max_length=8000, required=False)] = ""
    keywords: Annotated[str, Text(gettext_lazy("关键词"), max_length=300, required=False)] = ""
    visibility: Annotated[str, Choice(gettext_lazy("公开范围"), Visibility)] = Visibility.PUBLIC
    awards: Annotated[str, Text(gettext_lazy("获奖情况"), max_length=300, required=False)] = ""
    source: Annotated[str, Choice(gettext_lazy("来源"), _SOURCES, required=False)] = ""
    source_reference: Annotated[str, Text(gettext_lazy("来源说明"), max_length=200, required=False)] = ""
    application_scenarios: Annotated[str, Text(gettext_lazy("应用场景"), max_length=4000, required=False)] = (
        ""
    )
    publisher: Annotated[str, Text(gettext_lazy("出版或发布单位"), max_length=200, required=False)] = ""
    identifier: Annotated[str, Text(gettext_lazy("编号"), max_length=80, required=False)] = ""

    @field_validator("year")
    @classmethod
    def _year_given(cls, year: int | None) -> int | None:
        if year is None:
            raise rule(_("请填写年度"))
        return year


class AchievementUpdate(_AchievementRules, Command):
    """Changes to an achievement: only the fields given; ``showcase``/``showcase_year`` select it for
    the yearly showcase (the secretariat)."""

    kind: Annotated[str | None, Choice(gettext_lazy("成果类型"), AchievementKind)] = None
    title: Annotated[str | None, Text(gettext_lazy("成果名称"), max_length=200)] = None
    authors: Annotated[str | None, Text(gettext_lazy("作者"), max_length=300)] = None
    organizations: Annotated[list[int] | None, Refs(gettext_lazy("完成单位"))] = None
    owner_organization: Annotated[int | None, Ref(gettext_lazy("提交单位"))] = None
    year: Annotated[int | None, Integer(gettext_lazy("年度"), minimum=YEAR_FIRST, maximum=2999)] = None
    abstract: Annotated[str | None, Text(gettext_lazy("摘要"), max_length=8000, required=False)] = None
    keywords: Annotated[str | None, Text(gettext_lazy("关键词"), max_length=300, required=False)] = None
    visibility: Annotated[str | None, Choice(gettext_lazy("公开范围"), Visibility)] = None
    awards: Annotated[str | None, Text(gettext_lazy("获奖情况"), max_length=300, required=False)] = None
    source: Annotated[str | None, Choice(gettext_lazy("来源"), _SOURCES, required=False)] = None
    source_reference: Annotated[
        str | None, Text(gettext_lazy("来源说明"), max_length=200, required=False)
    ] = None
    application_scenarios: Annotated[
        str | None, Text(gettext_lazy("应用场景"), max_length=4000, required=False)
    ] = None
    publisher: Annotated[str | None, Text(gettext_lazy("出版或发布单位"), max_length=200, required=False)] = (
        None
    )
    identifier: Annotated[str | None, Text(gettext_lazy("编号"), max_length=80, required=False)] = None
    showcase: Annotated[bool | None, Flag(gettext_lazy("年度展示"))] = None
    showcase_year: Annotated[
        int | None, Integer(gettext_lazy("展示年度"), minimum=YEAR_FIRST, maximum=2999)
    ] = None
    version: Version = None


class ShowcaseSet(_AchievementRules, Command):
    """Select (or withdraw) an achievement for a year's showcase (the achievement's year by default)."""

    showcase: Annotated[bool, Flag(gettext_lazy("年度展示"))] = True
    showcase_year: Annotated[
        int | None, Integer(gettext_lazy("展示年度"), minimum=YEAR_FIRST, maximum=2999)
    ] = None


# Consultations ---------------------------------------------------------------------------------


class ConsultationAsk(Command):
    """A question to the advisory committee for the asker's organization (the one named when the
    contact has several)."""

    organization: Annotated[int | None, Ref(gettext_lazy("提问单位"))] = None
    title: Annotated[str, Text(gettext_lazy("咨询主题"), max_length=120)]
    question: Annotated[str, Text(gettext_lazy("问题描述"), max_length=8000)]
    field: Annotated[str, Text(gettext_lazy("所属领域"), max_length=60, required=False)] = ""
    urgency: Annotated[str, Choice(gettext_lazy("紧急程度"), Urgency)] = Urgency.NORMAL
    due_date: Annotated[dt.date | None, Day(gettext_lazy("期望答复日期"))] = None

    @field_validator("due_date")
    @classmethod
    def _not_past(cls, due: dt.date | None) -> dt.date | None:
        if due is not None and due < timezone.localdate():
            raise rule(_("期望答复日期不能早于今天"))
        return due


class ConsultationAssign(Command):
    """Committee experts for a consultation (at least one: the service says so after the policy)."""

    experts: Annotated[list[int], Refs(gettext_lazy("专家"))]


class ConsultationAnswer(Command):
    """An expert's answer (at least 10 characters: the service says so to the assigned expert)."""

    text: Annotated[str, Text(gettext_lazy("答复意见"), max_length=20000)]


class ConsultationRate(Command):
    rating: Annotated[int | None, Integer(gettext_lazy("评分"), minimum=1, maximum=5)]
    comment: Annotated[str, Text(gettext_lazy("评价意见"), max_length=2000, required=False)] = ""

    @field_validator("rating")
    @classmethod
    def _given(cls, rating: int | None) -> int | None:
        if rating is None:
            raise rule(_("请填写评分"))
        return rating


class ConsultationClose(Command):
    reason: Annotated[str, Text(gettext_lazy("关闭原因"), max_length=2000, required=False)] = Field(
        "", validate_default=True
    )

    @field_validator("reason")
    @classmethod
    def _given(cls, reason: str) -> str:
        if not reason:
            raise rule(_("关闭咨询时请填写原因"))
        return reason


def given(cmd: Command) -> dict[str, Any]:
    """The fields a partial command (an update) was given, with their checked values."""
    return {name: getattr(cmd, name) for name in cmd.model_fields_set}

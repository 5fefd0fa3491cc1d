"""The matchmaking writes' typed inputs (lianmeng.core.commands): the API's request bodies, what the
forms build from their cleaned data, what services take. Lengths, formats and choices are checked by
the field types; the services keep what needs the database (cities, organizations, sessions, the
validity window from the settings)."""

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pydantic import BeforeValidator, Field, ValidationInfo, field_validator

from lianmeng.core.commands import Amount, Check, Choice, Command, Day, Integer, Ref, Text, When, rule
from lianmeng.core.concurrency import VERSION_HELP

from .models import Category, Direction, Meeting, Outcome

MAX_TAGS = 10
MAX_TAG_LENGTH = 20
_PHONE_RE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?|400-?\d{3}-?\d{4})$")


def split_tags(value: Any) -> list[str]:
    """Tags from a list or from text separated by commas, 、, semicolons or spaces (a leading # dropped)."""
    if isinstance(value, str):
        value = re.split(r"[,，、;；\s]+", value)
    if not isinstance(value, list | tuple):
        return []
    out: list[str] = []
    for item in value:
        tag = str(item or "").strip().lstrip("#")
        if tag and tag not in out:
            out.append(tag)
    return out


def _city_codes(value: Any) -> Any:
    if value is None or isinstance(value, list | tuple):
        return [str(getattr(c, "pk", c)) for c in value or [] if c]
    return [str(getattr(value, "pk", value))] if value else []


Tags = Annotated[list[Annotated[str, Field(max_length=200)]], BeforeValidator(split_tags)]
CITIES_SCHEMA = {"type": "array", "items": {"type": "string", "maxLength": 12}, "minItems": 1}
Cities = Annotated[
    list[Annotated[str, Field(max_length=12)]], Check(gettext_lazy("服务城市"), _city_codes, CITIES_SCHEMA)
]


class _ResourceRules:
    @field_validator("contact_phone", check_fields=False)
    @classmethod
    def _phone(cls, phone: str | None) -> str | None:
        if phone is None:
            return None
        phone = re.sub(r"\s+", "", phone)
        if phone and not _PHONE_RE.match(phone):
            raise rule(_("联系电话格式不正确，手机号为 11 位，座机请带区号，如 0532-88886666"))
        return phone

    @field_validator("contact_email", check_fields=False)
    @classmethod
    def _email(cls, email: str | None) -> str | None:
        if email:
            try:
                EmailValidator()(email)
            except ValidationError:
                raise rule(_("联系邮箱格式不正确")) from None
            return email.lower()
        return email

    @field_validator("tags", check_fields=False)
    @classmethod
    def _tags(cls, tags: list[str] | None) -> list[str] | None:
        if tags is not None:
            if len(tags) > MAX_TAGS:
                raise rule(_("标签最多 %(n)d 个") % {"n": MAX_TAGS})
            if any(len(t) > MAX_TAG_LENGTH for t in tags):
                raise rule(_("每个标签不超过 %(n)d 个字") % {"n": MAX_TAG_LENGTH})
        return tags

    @field_validator("cities", check_fields=False)
    @classmethod
    def _some_city(cls, cities: list[str] | None) -> list[str] | None:
        if cities is not None and not cities:
            raise rule(_("请至少选择一个服务城市"))
        return cities


class ResourceCreate(_ResourceRules, Command):
    """A supply or demand post of a member organization (``organization`` when the contact has several;
    the secretariat names any member)."""

    direction: Annotated[str, Choice(gettext_lazy("供需方向"), Direction)]
    category: Annotated[str, Choice(gettext_lazy("资源类别"), Category)]
    title: Annotated[str, Text(gettext_lazy("标题"), max_length=120)]
    description: Annotated[str, Text(gettext_lazy("详细说明"), max_length=4000)]
    cities: Cities
    tags: Tags = []
    strategy_tags: Tags = []
    valid_from: Annotated[date | None, Day(gettext_lazy("开始日期"))] = None
    valid_until: Annotated[date | None, Day(gettext_lazy("有效期至"))] = None
    contact_name: Annotated[str, Text(gettext_lazy("联系人"), max_length=60)]
    contact_phone: Annotated[str, Text(gettext_lazy("联系电话"), max_length=40, required=False)] = ""
    contact_email: Annotated[str, Text(gettext_lazy("联系邮箱"), max_length=254, required=False)] = ""
    organization: Annotated[int | None, Ref(gettext_lazy("发布单位"))] = None


class ResourceUpdate(_ResourceRules, Command):
    """Changes to a post: only the fields given change (the edit form gives them all)."""

    direction: Annotated[str | None, Choice(gettext_lazy("供需方向"), Direction)] = None
    category: Annotated[str | None, Choice(gettext_lazy("资源类别"), Category)] = None
    title: Annotated[str | None, Text(gettext_lazy("标题"), max_length=120)] = None
    description: Annotated[str | None, Text(gettext_lazy("详细说明"), max_length=4000)] = None
    cities: Cities | None = None
    tags: Tags | None = None
    strategy_tags: Tags | None = None
    valid_from: Annotated[date | None, Day(gettext_lazy("开始日期"))] = None
    valid_until: Annotated[date | None, Day(gettext_lazy("有效期至"))] = None
    contact_name: Annotated[str | None, Text(gettext_lazy("联系人"), max_length=60)] = None
    contact_phone: Annotated[str | None, Text(gettext_lazy("联系电话"), max_length=40, required=False)] = None
    contact_email: Annotated[str | None, Text(gettext_lazy("联系邮箱"), max_length=254, required=False)] = (
        None
    )
    version: Annotated[int | None, Integer(gettext_lazy("版本"))] = Field(None, description=VERSION_HELP)

    def given(self) -> set[str]:
        return set(self.model_fields_set) - {"version"}


class MeetingRecord(Command):
    """A meeting of an accepted request: online, on site or at a matchmaking session (``event``)."""

    mode: Annotated[str, Choice(gettext_lazy("洽谈方式"), Meeting.Mode)]
    held_at: Annotated[datetime, When(gettext_lazy("洽谈时间"))]
    place: Annotated[str, Text(gettext_lazy("地点或链接"), max_length=200, required=False)] = ""
    notes: Annotated[str, Text(gettext_lazy("纪要"), max_length=4000, required=False)] = ""
    event: Annotated[int | None, Ref(gettext_lazy("对接会"))] = Field(None, validate_default=True)

    @field_validator("event")
    @classmethod
    def _session_named(cls, event: int | None, info: ValidationInfo) -> int | None:
        if info.data.get("mode") != Meeting.Mode.SESSION:
            return None
        if event is None:
            raise rule(_("请选择举办洽谈的对接会"))
        return event


class OutcomeRecord(Command):
    """The outcome of an accepted request."""

    outcome: Annotated[str, Choice(gettext_lazy("对接结果"), Outcome)]
    amount: Annotated[Decimal | None, Amount(gettext_lazy("协议金额"))] = None
    count: Annotated[int | None, Integer(gettext_lazy("对接人才数"), minimum=1)] = Field(
        None, validate_default=True
    )
    note: Annotated[str, Text(gettext_lazy("结果说明"), max_length=2000, required=False)] = ""
    project_name: Annotated[str, Text(gettext_lazy("项目名称"), max_length=200, required=False)] = ""

    @field_validator("count")
    @classmethod
    def _placed_counted(cls, count: int | None, info: ValidationInfo) -> int | None:
        if count is None and info.data.get("outcome") == Outcome.TALENT_PLACED:
            raise rule(_("请填写成功对接的人才数"))
        return count

    @field_validator("note")
    @classmethod
    def _no_deal_explained(cls, note: str, info: ValidationInfo) -> str:
        # When a form gives it (an API body may leave it out: the service says it then).
        if not note and info.data.get("outcome") == Outcome.NO_DEAL:
            raise rule(no_deal_error())
        return note


def no_deal_error() -> str:
    return _("未达成合作时请简要说明原因")


class RequestMessage(Command):
    """The message sent with a request (its intention) or with an answer."""

    message: Annotated[str, Text(gettext_lazy("留言"), max_length=1000, required=False)] = ""


class MatchRequestCreate(Command):
    """A request to talk about ``resource``: the intention (``message``), the asking side's own post it
    answers (``from_resource``, which names the organization) or the organization when the contact
    speaks for several. An empty message is the service's to refuse (with the other rules at once)."""

    resource: Annotated[int, Ref(gettext_lazy("对方资源"))]
    message: Annotated[str, Text(gettext_lazy("对接留言"), max_length=1000, required=False)]
    from_resource: Annotated[int | None, Ref(gettext_lazy("我方资源"))] = None
    organization: Annotated[int | None, Ref(gettext_lazy("发起单位"))] = None


ANSWER_ACTIONS = ("accept", "decline", "withdraw")


def _answer_action(value: Any) -> str:
    action = "" if value is None else str(value).strip()
    if action not in ANSWER_ACTIONS:
        raise rule(_("未知的操作"))
    return action


class AnswerMessage(Command):
    """The message of an answer (the API's body of accept and decline); a decline needs one (the
    service says so after the policy)."""

    message: Annotated[str, Text(gettext_lazy("答复"), max_length=1000, required=False)] = ""


class MatchRequestAnswer(AnswerMessage):
    """The post's organization accepts or declines a request, or the requester withdraws it."""

    action: Annotated[
        str, Check(gettext_lazy("操作"), _answer_action, {"type": "string", "enum": list(ANSWER_ACTIONS)})
    ]


class SlotBook(Command):
    """A one-to-one slot at a matchmaking session (``event``) at ``starts_at``, at an optional table."""

    event: Annotated[int | None, Ref(gettext_lazy("对接会"))]
    starts_at: Annotated[datetime | None, When(gettext_lazy("洽谈时段"))]
    table: Annotated[str, Text(gettext_lazy("洽谈桌"), max_length=80, required=False)] = ""

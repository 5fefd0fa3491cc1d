"""The activities writes' typed inputs (lianmeng.core.commands): the API's request bodies, what the
forms build from their cleaned data, what services take.

The rules between fields of an event (it ends after it starts, registration closes after it opens and
before the event ends, it has a place or a link) are small functions here: the create command applies
them to what it was given; ``services`` applies them to the event's values merged with the changes
(and to a new event whose body left out both venue and link, so that such a body reaches the policy
first: a refusal is not told apart by a missing venue)."""

from datetime import datetime
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pydantic import Field, ValidationInfo, field_validator

from lianmeng.core.commands import Choice, Command, Integer, Ref, Refs, Text, When, rule
from lianmeng.core.concurrency import VERSION_HELP
from lianmeng.core.validators import clean_mobile

from .models import Audience, EventKind

MAX_EVENT_PROJECTS = 30
CAPACITY_MAX = 1_000_000


# ---------------------------------------------------------------- rules between fields


def ends_error(starts_at: datetime | None, ends_at: datetime | None) -> str | None:
    if starts_at and ends_at and ends_at < starts_at:
        return _("结束时间不能早于开始时间")
    return None


def closes_error(
    opens_at: datetime | None, closes_at: datetime | None, ends_at: datetime | None
) -> str | None:
    if opens_at and closes_at and closes_at <= opens_at:
        return _("报名截止时间应晚于报名开始时间")
    if closes_at and ends_at and closes_at > ends_at:
        return _("报名截止时间不能晚于活动结束时间")
    return None


def place_error(venue: str | None, online_url: str | None) -> str | None:
    if not venue and not online_url:
        return _("请填写活动地点或线上链接")
    return None


def capacity_error(capacity: int | None) -> str | None:
    if capacity == 0:
        return _("名额至少为 1；不限名额请留空")
    return None


def _online_url(url: str | None) -> str | None:
    if not url:
        return url
    if "://" not in url:
        url = "https://" + url
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise rule(_("线上链接格式不正确，例如 https://meeting.example.cn/123")) from None
    return url


class _EventFieldRules:
    """Checks of single event fields (create and update)."""

    @field_validator("online_url", check_fields=False)
    @classmethod
    def _url(cls, url: str | None) -> str | None:
        return _online_url(url)

    @field_validator("capacity", check_fields=False)
    @classmethod
    def _capacity(cls, capacity: int | None) -> int | None:
        message = capacity_error(capacity)
        if message:
            raise rule(message)
        return capacity


class EventCreate(_EventFieldRules, Command):
    """A new event (a draft). The organizer's city becomes the event's city."""

    title: Annotated[str, Text(gettext_lazy("活动名称"), max_length=200)]
    kind: Annotated[str, Choice(gettext_lazy("活动类型"), EventKind)]
    organizer: Annotated[int, Ref(gettext_lazy("主办单位"))]
    starts_at: Annotated[datetime, When(gettext_lazy("开始时间"))]
    ends_at: Annotated[datetime, When(gettext_lazy("结束时间"))]
    venue: Annotated[str, Text(gettext_lazy("地点"), max_length=200, required=False)] = ""
    address: Annotated[str, Text(gettext_lazy("详细地址"), max_length=200, required=False)] = ""
    online_url: Annotated[str, Text(gettext_lazy("线上链接"), max_length=300, required=False)] = ""
    capacity: Annotated[int | None, Integer(gettext_lazy("名额"), maximum=CAPACITY_MAX)] = None
    audience: Annotated[str, Choice(gettext_lazy("面向对象"), Audience)] = Audience.PUBLIC
    registration_opens_at: Annotated[datetime | None, When(gettext_lazy("报名开始"))] = None
    registration_closes_at: Annotated[datetime | None, When(gettext_lazy("报名截止"))] = Field(
        None, validate_default=True
    )
    description: Annotated[str, Text(gettext_lazy("活动简介"), max_length=10000, required=False)] = ""
    co_organizers: Annotated[list[int], Refs(gettext_lazy("协办单位"))] = []
    partners: Annotated[list[int], Refs(gettext_lazy("合作单位"))] = []

    @field_validator("ends_at")
    @classmethod
    def _ends_after_start(cls, ends_at: datetime, info: ValidationInfo) -> datetime:
        message = ends_error(info.data.get("starts_at"), ends_at)
        if message:
            raise rule(message)
        return ends_at

    @field_validator("online_url")
    @classmethod
    def _place(cls, url: str, info: ValidationInfo) -> str:
        # When a form gives both (an API body may leave both out: the service says it then).
        url = _online_url(url) or ""
        if "venue" in info.data:  # (a bad venue says so itself)
            message = place_error(info.data["venue"], url)
            if message:
                raise rule(message, "venue")
        return url

    @field_validator("registration_closes_at")
    @classmethod
    def _closes(cls, closes_at: datetime | None, info: ValidationInfo) -> datetime | None:
        message = closes_error(info.data.get("registration_opens_at"), closes_at, info.data.get("ends_at"))
        if message:
            raise rule(message)
        return closes_at


class EventUpdate(_EventFieldRules, Command):
    """Changes to a draft or published event: only the fields given change (the edit form gives all)."""

    title: Annotated[str | None, Text(gettext_lazy("活动名称"), max_length=200)] = None
    kind: Annotated[str | None, Choice(gettext_lazy("活动类型"), EventKind)] = None
    organizer: Annotated[int | None, Ref(gettext_lazy("主办单位"))] = None
    starts_at: Annotated[datetime | None, When(gettext_lazy("开始时间"))] = None
    ends_at: Annotated[datetime | None, When(gettext_lazy("结束时间"))] = None
    venue: Annotated[str | None, Text(gettext_lazy("地点"), max_length=200, required=False)] = None
    address: Annotated[str | None, Text(gettext_lazy("详细地址"), max_length=200, required=False)] = None
    online_url: Annotated[str | None, Text(gettext_lazy("线上链接"), max_length=300, required=False)] = None
    capacity: Annotated[int | None, Integer(gettext_lazy("名额"), maximum=CAPACITY_MAX)] = None
    audience: Annotated[str | None, Choice(gettext_lazy("面向对象"), Audience)] = None
    registration_opens_at: Annotated[datetime | None, When(gettext_lazy("报名开始"))] = None
    registration_closes_at: Annotated[datetime | None, When(gettext_lazy("报名截止"))] = None
    description: Annotated[str | None, Text(gettext_lazy("活动简介"), max_length=10000, required=False)] = (
        None
    )
    co_organizers: Annotated[list[int] | None, Refs(gettext_lazy("协办单位"))] = None
    partners: Annotated[list[int] | None, Refs(gettext_lazy("合作单位"))] = None
    version: Annotated[int | None, Integer(gettext_lazy("版本"))] = Field(None, description=VERSION_HELP)

    @field_validator("title", "kind", "organizer", "starts_at", "ends_at")
    @classmethod
    def _not_cleared(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None:  # given as null: these cannot be emptied
            raise rule(_("请填写%(label)s") % {"label": cls.label_of(str(info.field_name))})
        return value

    def given(self) -> dict[str, Any]:
        """The fields the request named, with their values (``version`` aside)."""
        return {name: getattr(self, name) for name in self.model_fields_set if name != "version"}


class EventCancel(Command):
    """Cancelling an event: the reason registrants are told (an empty one is the service's to refuse,
    after the policy)."""

    reason: Annotated[str, Text(gettext_lazy("取消原因"), max_length=2000, required=False)] = ""


class EventPhotoAdd(Command):
    """A photo of a held event: its caption (the image itself is the service's ``image``)."""

    caption: Annotated[str, Text(gettext_lazy("照片说明"), max_length=200, required=False)] = ""


class RegistrationCheckIn(Command):
    """A check-in at the desk: the code as typed or scanned (an empty one is the service's to refuse)."""

    code: Annotated[str, Text(gettext_lazy("签到码"), max_length=200, required=False)]


# ---------------------------------------------------------------- summaries


class _SummaryRules:
    @field_validator("projects", check_fields=False)
    @classmethod
    def _few_projects(cls, projects: list[int] | None) -> list[int] | None:
        if projects is not None and len(projects) > MAX_EVENT_PROJECTS:
            raise rule(_("相关项目最多 %(n)d 个") % {"n": MAX_EVENT_PROJECTS})
        return projects


class EventSummary(_SummaryRules, Command):
    """The summary filed when a published event has been held (it then counts for 1+7+N). Without an
    attendance, the number of people checked in is used."""

    summary: Annotated[str, Text(gettext_lazy("活动总结"), max_length=20000)]
    attendance: Annotated[int | None, Integer(gettext_lazy("实到人数"))] = None
    outcomes: Annotated[str, Text(gettext_lazy("活动成果"), max_length=20000, required=False)] = ""
    agreements_signed: Annotated[int | None, Integer(gettext_lazy("签约协议数"))] = None
    projects_started: Annotated[int | None, Integer(gettext_lazy("启动项目数"))] = None
    projects: Annotated[list[int], Refs(gettext_lazy("相关项目"))] = []


class SummaryUpdate(_SummaryRules, Command):
    """Corrections to a held event's summary: only the fields given change."""

    summary: Annotated[str | None, Text(gettext_lazy("活动总结"), max_length=20000)] = None
    attendance: Annotated[int | None, Integer(gettext_lazy("实到人数"))] = None
    outcomes: Annotated[str | None, Text(gettext_lazy("活动成果"), max_length=20000, required=False)] = None
    agreements_signed: Annotated[int | None, Integer(gettext_lazy("签约协议数"))] = None
    projects_started: Annotated[int | None, Integer(gettext_lazy("启动项目数"))] = None
    projects: Annotated[list[int] | None, Refs(gettext_lazy("相关项目"))] = None
    version: Annotated[int | None, Integer(gettext_lazy("版本"))] = Field(None, description=VERSION_HELP)

    def given(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.model_fields_set if name != "version"}


# ---------------------------------------------------------------- registrations


class RegistrationCreate(Command):
    """One person registering for an event (by themselves, a contact or an organizer)."""

    name: Annotated[str, Text(gettext_lazy("姓名"), max_length=60)]
    mobile: Annotated[str, Text(gettext_lazy("手机号"), max_length=40)]
    organization: Annotated[int | None, Ref(gettext_lazy("单位"))] = None
    organization_name: Annotated[str, Text(gettext_lazy("单位名称"), max_length=120, required=False)] = ""
    role: Annotated[str, Text(gettext_lazy("职务"), max_length=60, required=False)] = ""
    email: Annotated[str, Text(gettext_lazy("电子邮箱"), max_length=254, required=False)] = ""

    @field_validator("mobile")
    @classmethod
    def _mobile(cls, mobile: str) -> str:
        try:
            return clean_mobile(mobile, "mobile")
        except ValidationError as exc:
            raise rule(exc.message_dict["mobile"][0]) from None

    @field_validator("email")
    @classmethod
    def _email(cls, email: str) -> str:
        if email:
            try:
                EmailValidator()(email)
            except ValidationError:
                raise rule(_("电子邮箱格式不正确")) from None
        return email.lower()


# ---------------------------------------------------------------- yearly settings


def _kinds_error(kinds: list[str] | None, label: Any) -> str | None:
    if kinds is not None and (not kinds or any(k not in EventKind.values for k in kinds)):
        return _("请至少选择一种有效的%(label)s") % {"label": label}
    return None


class ActivitySettingsUpdate(Command):
    """The secretariat's 1+7+N settings of a year: only the fields given change."""

    themed_quota: Annotated[int | None, Integer(gettext_lazy("主题活动场次"), maximum=100)] = None
    city_kinds: list[Annotated[str, Field(max_length=20)]] | None = Field(None, max_length=20)
    park_kinds: list[Annotated[str, Field(max_length=20)]] | None = Field(None, max_length=20)
    reminder_month: Annotated[int | None, Integer(gettext_lazy("提醒开始月份"), minimum=1, maximum=12)] = None
    reminder_day: Annotated[int | None, Integer(gettext_lazy("提醒开始日"), minimum=1, maximum=31)] = None
    version: Annotated[int | None, Integer(gettext_lazy("版本"))] = Field(None, description=VERSION_HELP)

    @field_validator("city_kinds", "park_kinds")
    @classmethod
    def _kinds(cls, kinds: list[str] | None, info: ValidationInfo) -> list[str] | None:
        label = _("计入“7”的活动类型") if info.field_name == "city_kinds" else _("计入“N”的活动类型")
        message = _kinds_error(kinds, label)
        if message:
            raise rule(message)
        return kinds

    def given(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.model_fields_set if name != "version"}

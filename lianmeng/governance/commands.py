"""The governance writes' typed inputs (lianmeng.core.commands): the API's request bodies, what the
forms build from their cleaned data, what services take."""

from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any, ClassVar

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pydantic import Field, ValidationInfo, field_validator, model_validator

from lianmeng.core.cleaning import clean_text
from lianmeng.core.commands import (
    Check,
    Choice,
    Command,
    Day,
    Integer,
    Label,
    Ref,
    Refs,
    Text,
    When,
    rule,
)
from lianmeng.core.params import INT64_MAX
from lianmeng.membership.models import Tier

from .models import (
    AttendanceStatus,
    Ballot,
    MeetingKind,
    MotionKind,
    NoticeAudience,
    RotationChangeKind,
    VoteChoice,
)
from .rotation import MAX_TERM_MONTHS

CHARTER_MAX = 60_000


class MotionCreate(Command):
    """A council motion (a draft, or opened at once by the secretariat). A motion on a membership
    application is always an admission motion; handovers are proposed from the presidency page."""

    title: Annotated[str, Text(gettext_lazy("议案标题"), max_length=200)]
    text: Annotated[str, Text(gettext_lazy("议案正文"), max_length=20000)]
    kind: Annotated[str, Choice(gettext_lazy("议案类型"), MotionKind)] = MotionKind.ORDINARY
    ballot: Annotated[str, Choice(gettext_lazy("表决方式"), Ballot)] = Ballot.OPEN
    opens_at: Annotated[datetime | None, When(gettext_lazy("表决开始"))] = None
    closes_at: Annotated[datetime | None, When(gettext_lazy("表决截止"))] = None
    meeting: Annotated[int | None, Ref(gettext_lazy("会议"))] = None
    application: Annotated[int | None, Ref(gettext_lazy("入盟申请"))] = Field(None, validate_default=True)

    # Field validators (not one model validator) so that each rule reports even when another field is bad.
    @field_validator("kind")
    @classmethod
    def _not_a_handover(cls, kind: str) -> str:
        if kind == MotionKind.HANDOVER:
            raise rule(_("轮值交接议案请在“轮值主席”页面提请，议案会关联待办理的交接"))
        return kind

    @field_validator("closes_at")
    @classmethod
    def _closes_after_opening(cls, closes_at: datetime | None, info: ValidationInfo) -> datetime | None:
        opens_at = info.data.get("opens_at")
        if opens_at and closes_at and closes_at <= opens_at:
            raise rule(_("表决截止时间须晚于开始时间"))
        return closes_at

    @field_validator("application")
    @classmethod
    def _admission_needs_application(cls, application: int | None, info: ValidationInfo) -> int | None:
        if application is None and info.data.get("kind") == MotionKind.ADMISSION:
            raise rule(_("入盟表决须关联一份初审通过的入盟申请"))
        return application

    @model_validator(mode="after")
    def _application_decides_admission(self) -> "MotionCreate":
        # A motion on an application decides the admission: it is an admission motion.
        if self.application is not None and self.kind != MotionKind.ADMISSION:
            object.__setattr__(self, "kind", MotionKind.ADMISSION)
        return self


def Lines(label: Label, *, max_length: int, max_items: int = 100) -> Check:  # noqa: N802
    """A list of one-line items (a textarea's lines, or a JSON list): blanks dropped, each at most
    ``max_length`` characters ("每项…不能超过 n 个字")."""

    def check(value: Any) -> list[str]:
        if value is None:
            return []
        if isinstance(value, str):
            value = value.splitlines()
        if not isinstance(value, list | tuple):
            raise rule(_("%(label)s须为文本列表") % {"label": label})
        items = [clean_text(v) for v in value if v is not None and clean_text(v)]
        if any(len(item) > max_length for item in items):
            raise rule(_("每项%(label)s不能超过 %(n)d 个字") % {"label": label, "n": max_length})
        if len(items) > max_items:
            raise rule(_("%(label)s最多 %(n)d 项") % {"label": label, "n": max_items})
        return items

    schema = {"type": "array", "items": {"type": "string", "maxLength": max_length}, "maxItems": max_items}
    return Check(label, check, schema)


def _after(earlier: str, message: Callable[[], str], *, strict: bool = False) -> Callable[..., Any]:
    """A field validator: the field's date is not before ``earlier``'s (after it when ``strict``)."""

    def validate(cls: Any, value: Any, info: ValidationInfo) -> Any:
        start = info.data.get(earlier)
        if start is not None and value is not None and (value <= start if strict else value < start):
            raise rule(message())
        return value

    return validate


# ---------------------------------------------------------------- council: seats


class SeatCreate(Command):
    """A council seat for an active member organization; one seat per organization at any date."""

    organization: Annotated[int, Ref(gettext_lazy("理事单位"))]
    representative: Annotated[int | None, Ref(gettext_lazy("理事"))] = None
    starts_on: Annotated[date, Day(gettext_lazy("起始日期"))]
    ends_on: Annotated[date | None, Day(gettext_lazy("终止日期"))] = None
    post: Annotated[str, Text(gettext_lazy("职务"), max_length=40, required=False)] = ""

    _ends_after_start = field_validator("ends_on")(
        classmethod(_after("starts_on", lambda: _("终止日期不能早于起始日期")))
    )


class SeatRepresentativeChange(Command):
    """The organization sends a new representative from ``on`` (an empty ``representative`` is the
    service's to refuse, with the seat's own date checks in the same answer)."""

    representative: Annotated[int | None, Ref(gettext_lazy("新任理事"))] = None
    on: Annotated[date, Day(gettext_lazy("自何日起"))]


class SeatEnd(Command):
    ends_on: Annotated[date, Day(gettext_lazy("终止日期"))]


# ---------------------------------------------------------------- council: meetings


class MeetingCreate(Command):
    """A council meeting (its agenda one item a line); held somewhere or online."""

    kind: Annotated[str, Choice(gettext_lazy("会议类型"), MeetingKind)]
    title: Annotated[str, Text(gettext_lazy("会议名称"), max_length=120)]
    starts_at: Annotated[datetime, When(gettext_lazy("会议时间"))]
    place: Annotated[str, Text(gettext_lazy("地点"), max_length=200, required=False)] = ""
    online_link: Annotated[str, Text(gettext_lazy("线上会议链接"), max_length=200, required=False)] = Field(
        "", validate_default=True
    )
    agenda: Annotated[list[str], Lines(gettext_lazy("议程"), max_length=200)] = []

    @field_validator("online_link")
    @classmethod
    def _link_is_a_web_address(cls, link: str, info: ValidationInfo) -> str:
        if link and not link.startswith(("https://", "http://")):
            raise rule(_("线上会议链接须以 https:// 开头"))
        if not link and not info.data.get("place") and "place" in info.data:
            raise rule(_("请填写地点或线上会议链接"), "place")
        return link


class MeetingUpdate(MeetingCreate):
    """The whole meeting as it should be (the API's PATCH merges its fields into the current ones);
    ``agenda`` None keeps the agenda; ``version`` is the one the writer loaded."""

    agenda: Annotated[list[str] | None, Lines(gettext_lazy("议程"), max_length=200)] = None  # type: ignore[assignment]
    version: Annotated[int | None, Integer(gettext_lazy("版本"), minimum=0, maximum=INT64_MAX)] = None


class AttendanceEntry(Command):
    seat: Annotated[int, Ref(gettext_lazy("席位"))]
    status: Annotated[str, Choice(gettext_lazy("出席情况"), AttendanceStatus)]
    proxy_name: Annotated[str, Text(gettext_lazy("受托人"), max_length=60, required=False)] = ""


class AttendanceRecord(Command):
    """Attendance per seat valid on the meeting date."""

    attendance: list[AttendanceEntry]


class MinutesSave(Command):
    minutes: Annotated[str, Text(gettext_lazy("会议纪要"), max_length=50000)]
    version: Annotated[int | None, Integer(gettext_lazy("版本"), minimum=0, maximum=INT64_MAX)] = None


class MinutesApprove(Command):
    at_meeting: Annotated[int, Ref(gettext_lazy("批准纪要的会议"))]


class PaperAdd(Command):
    """A paper's name (the file's own name when empty); the file itself travels beside the command."""

    title: Annotated[str, Text(gettext_lazy("材料名称"), max_length=200, required=False)] = ""


class VoteCast(Command):
    """A vote; ``seat`` when the representative holds several seats."""

    choice: Annotated[str, Choice(gettext_lazy("表决意见"), VoteChoice)]
    seat: Annotated[int | None, Ref(gettext_lazy("席位"))] = None


# ---------------------------------------------------------------- secretariat


class NoticeCreate(Command):
    """A notice to all members, a city's, a tier's or chosen organizations."""

    title: Annotated[str, Text(gettext_lazy("标题"), max_length=200)]
    body: Annotated[str, Text(gettext_lazy("正文"), max_length=50000)]
    audience: Annotated[str, Choice(gettext_lazy("发送范围"), NoticeAudience)] = NoticeAudience.ALL
    audience_city: Annotated[str, Text(gettext_lazy("城市"), max_length=6, required=False)] = Field(
        "", validate_default=True
    )
    audience_tier: Annotated[str, Choice(gettext_lazy("成员类别"), Tier, required=False)] = Field(
        "", validate_default=True
    )
    audience_organizations: Annotated[list[int], Refs(gettext_lazy("指定单位"))] = Field(
        [], validate_default=True
    )
    read_by: Annotated[date | None, Day(gettext_lazy("阅读期限"))] = None

    @field_validator("audience_city")
    @classmethod
    def _city_for_city(cls, city: str, info: ValidationInfo) -> str:
        if info.data.get("audience") == NoticeAudience.CITY and not city:
            raise rule(_("请选择城市"))
        return city

    @field_validator("audience_tier")
    @classmethod
    def _tier_for_tier(cls, tier: str, info: ValidationInfo) -> str:
        if info.data.get("audience") == NoticeAudience.TIER and not tier:
            raise rule(_("请选择成员类别"))
        return tier

    @field_validator("audience_organizations")
    @classmethod
    def _organizations_for_organizations(cls, ids: list[int], info: ValidationInfo) -> list[int]:
        if info.data.get("audience") == NoticeAudience.ORGANIZATIONS and not ids:
            raise rule(_("请选择正常状态的接收单位"))
        return ids

    @field_validator("read_by")
    @classmethod
    def _read_by_not_past(cls, day: date | None) -> date | None:
        if day is not None and day < timezone.localdate():
            raise rule(_("阅读期限不能早于今天"))
        return day


class TaskCreate(Command):
    """A task (督办) with an owner (person or organization) and a due date; from a resolution or not."""

    title: Annotated[str, Text(gettext_lazy("任务名称"), max_length=200)]
    description: Annotated[str, Text(gettext_lazy("任务要求"), max_length=10000, required=False)] = ""
    due_on: Annotated[date, Day(gettext_lazy("完成期限"))]
    owner_user: Annotated[int | None, Ref(gettext_lazy("责任人"))] = None
    owner_organization: Annotated[int | None, Ref(gettext_lazy("责任单位"))] = Field(
        None, validate_default=True
    )
    resolution: Annotated[int | None, Ref(gettext_lazy("来源决议"))] = None

    @field_validator("due_on")
    @classmethod
    def _due_not_past(cls, day: date) -> date:
        if day < timezone.localdate():
            raise rule(_("完成期限不能早于今天"))
        return day

    @field_validator("owner_organization")
    @classmethod
    def _someone_owns_it(cls, organization: int | None, info: ValidationInfo) -> int | None:
        if organization is None and "owner_user" in info.data and info.data["owner_user"] is None:
            raise rule(_("请指定责任人或责任单位"), "owner_user")
        return organization


TASK_ACTIONS = ("start", "complete", "cancel", "reopen")


class TaskUpdate(Command):
    """Progress on a task: ``action`` (machines.TASK) and ``note`` by its owner; the secretariat also
    edits the other fields. Only the fields given change (``model_fields_set``)."""

    action: Annotated[str, Choice(gettext_lazy("操作"), TASK_ACTIONS, required=False)] = ""
    note: Annotated[str, Text(gettext_lazy("进展说明"), max_length=4000, required=False)] = ""
    title: Annotated[str | None, Text(gettext_lazy("任务名称"), max_length=200)] = None
    description: Annotated[str | None, Text(gettext_lazy("任务要求"), max_length=10000, required=False)] = (
        None
    )
    due_on: Annotated[date | None, Day(gettext_lazy("完成期限"))] = None
    owner_user: Annotated[int | None, Ref(gettext_lazy("责任人"))] = None
    owner_organization: Annotated[int | None, Ref(gettext_lazy("责任单位"))] = None
    version: Annotated[int | None, Integer(gettext_lazy("版本"), minimum=0, maximum=INT64_MAX)] = None

    EDITS: ClassVar[tuple[str, ...]] = ("title", "description", "due_on", "owner_user", "owner_organization")

    def edits(self) -> dict[str, Any]:
        """The secretariat's edits given in this command."""
        return {name: getattr(self, name) for name in self.EDITS if name in self.model_fields_set}


# ---------------------------------------------------------------- presidency and charter


class HandoverRecord(Command):
    date: Annotated[date, Day(gettext_lazy("交接日期"))]
    notes: Annotated[str, Text(gettext_lazy("交接说明"), max_length=4000, required=False)] = ""
    documents: Annotated[str, Text(gettext_lazy("移交文件"), max_length=4000, required=False)] = ""


class RotationPlanCreate(Command):
    start_date: Annotated[date, Day(gettext_lazy("起始日期"))]
    term_months: Annotated[int, Integer(gettext_lazy("任期（月）"), minimum=1, maximum=MAX_TERM_MONTHS)]
    order: Annotated[list[int], Refs(gettext_lazy("轮值顺序"))] = Field([], validate_default=True)

    @field_validator("order")
    @classmethod
    def _someone_rotates(cls, order: list[int]) -> list[int]:
        if not order:
            raise rule(_("请至少指定一家轮值单位"))
        return order


class RotationChangeCmd(Command):
    """Reorder, skip, defer or change the term length from the next term, under a resolution in force."""

    kind: Annotated[str, Choice(gettext_lazy("变更类型"), RotationChangeKind)]
    resolution: Annotated[int | None, Ref(gettext_lazy("依据决议"))] = None
    organization: Annotated[int | None, Ref(gettext_lazy("单位"))] = None
    order: Annotated[list[int], Refs(gettext_lazy("新顺序"))] = []
    term_months: Annotated[
        int | None, Integer(gettext_lazy("新任期（月）"), minimum=1, maximum=MAX_TERM_MONTHS)
    ] = None
    reason: Annotated[str, Text(gettext_lazy("说明"), max_length=4000, required=False)] = ""


class CharterFound(Command):
    text: Annotated[str, Text(gettext_lazy("章程全文"), max_length=CHARTER_MAX)]
    summary: Annotated[str, Text(gettext_lazy("修订说明"), max_length=4000, required=False)] = ""
    effective_on: Annotated[date, Day(gettext_lazy("施行日期"))]


class CharterRevise(CharterFound):
    """A new version of the charter citing the council's charter resolution in force."""

    resolution: Annotated[int | None, Ref(gettext_lazy("依据决议"))] = Field(
        None, description="a charter resolution in force, not yet used"
    )


# ---------------------------------------------------------------- settings


SMALL_MAX = 32767  # PositiveSmallIntegerField


class SettingsUpdate(Command):
    """The mechanism's parameters (administrators); fields left out keep their values."""

    term_months: Annotated[
        int | None, Integer(gettext_lazy("轮值任期（月）"), minimum=1, maximum=MAX_TERM_MONTHS)
    ] = None
    quorum_numerator: Annotated[
        int | None, Integer(gettext_lazy("法定人数分子"), minimum=1, maximum=SMALL_MAX)
    ] = None
    quorum_denominator: Annotated[
        int | None, Integer(gettext_lazy("法定人数分母"), minimum=1, maximum=SMALL_MAX)
    ] = None
    ordinary_threshold_numerator: Annotated[
        int | None, Integer(gettext_lazy("一般议案通过比例分子"), minimum=1, maximum=SMALL_MAX)
    ] = None
    ordinary_threshold_denominator: Annotated[
        int | None, Integer(gettext_lazy("一般议案通过比例分母"), minimum=1, maximum=SMALL_MAX)
    ] = None
    ordinary_threshold_strict: bool | None = None
    important_threshold_numerator: Annotated[
        int | None, Integer(gettext_lazy("重要议案通过比例分子"), minimum=1, maximum=SMALL_MAX)
    ] = None
    important_threshold_denominator: Annotated[
        int | None, Integer(gettext_lazy("重要议案通过比例分母"), minimum=1, maximum=SMALL_MAX)
    ] = None
    important_threshold_strict: bool | None = None
    charter_threshold_numerator: Annotated[
        int | None, Integer(gettext_lazy("章程修改通过比例分子"), minimum=1, maximum=SMALL_MAX)
    ] = None
    charter_threshold_denominator: Annotated[
        int | None, Integer(gettext_lazy("章程修改通过比例分母"), minimum=1, maximum=SMALL_MAX)
    ] = None
    charter_threshold_strict: bool | None = None
    president_signs_off: bool | None = None
    default_voting_days: Annotated[
        int | None, Integer(gettext_lazy("默认表决期（天）"), minimum=1, maximum=SMALL_MAX)
    ] = None
    notice_read_days: Annotated[
        int | None, Integer(gettext_lazy("通知默认阅读期限（天）"), minimum=1, maximum=SMALL_MAX)
    ] = None
    version: Annotated[int | None, Integer(gettext_lazy("版本"), minimum=0, maximum=INT64_MAX)] = None

    def given(self) -> dict[str, Any]:
        """The settings given in this command (not ``version``)."""
        return {k: getattr(self, k) for k in self.model_fields_set if k != "version"}

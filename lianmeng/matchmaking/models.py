"""Resources (政产学研才金服用奖赛 supply and demand posts), matchmaking requests, meetings and slots."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lianmeng.core.concurrency import VersionedModel
from lianmeng.core.models import TimeStampedModel

DEFAULT_STRATEGY_TAGS = ["一带一路", "东西部协作", "乡村振兴"]


def _default_strategy_tags() -> list[str]:
    return list(DEFAULT_STRATEGY_TAGS)


class MatchmakingSettings(models.Model):
    """The alliance's matchmaking parameters (a singleton row, pk=1); the seed's values are defaults."""

    strategy_tags = models.JSONField(
        _("国家战略标签"), default=_default_strategy_tags, help_text=_("资源可选的国家战略标签")
    )
    default_validity_days = models.PositiveSmallIntegerField(_("默认有效期（天）"), default=90)
    max_validity_days = models.PositiveSmallIntegerField(_("最长有效期（天）"), default=366)
    min_score = models.PositiveSmallIntegerField(_("推荐最低分"), default=20)
    stall_days = models.PositiveSmallIntegerField(
        _("对接请求提醒间隔（天）"), default=5, help_text=_("请求超过这些天未答复或未记录进展时提醒")
    )
    digest_days = models.PositiveSmallIntegerField(_("新推荐统计周期（天）"), default=7)
    slot_minutes = models.PositiveSmallIntegerField(_("对接会洽谈时段（分钟）"), default=20)

    class Meta:
        verbose_name = _("对接设置")
        verbose_name_plural = _("对接设置")

    def __str__(self) -> str:
        return str(_("对接设置"))

    @classmethod
    def current(cls) -> MatchmakingSettings:
        obj: MatchmakingSettings | None = cls.objects.filter(pk=1).first()
        return obj if obj is not None else cls(pk=1)


class Direction(models.TextChoices):
    SUPPLY = "supply", _("供给")
    DEMAND = "demand", _("需求")


class Category(models.TextChoices):
    """The ten kinds of resources of the seed: 政、产、学、研、才、金、服、用、奖、赛."""

    POLICY = "policy", _("政·政策")
    INDUSTRY = "industry", _("产·产业")
    ACADEMIA = "academia", _("学·高校")
    RESEARCH = "research", _("研·科研")
    TALENT = "talent", _("才·人才")
    FINANCE = "finance", _("金·金融")
    SERVICES = "services", _("服·服务")
    APPLICATION = "application", _("用·应用场景")
    AWARD = "award", _("奖·奖励")
    COMPETITION = "competition", _("赛·赛事")


CATEGORY_CHAR = {
    Category.POLICY: "政",
    Category.INDUSTRY: "产",
    Category.ACADEMIA: "学",
    Category.RESEARCH: "研",
    Category.TALENT: "才",
    Category.FINANCE: "金",
    Category.SERVICES: "服",
    Category.APPLICATION: "用",
    Category.AWARD: "奖",
    Category.COMPETITION: "赛",
}


class ResourceStatus(models.TextChoices):
    OPEN = "open", _("对接中")
    MATCHED = "matched", _("已对接")
    CLOSED = "closed", _("已关闭")
    EXPIRED = "expired", _("已过期")


class Resource(VersionedModel, TimeStampedModel):
    """A supply or demand post of a member organization. Transitions: machines.RESOURCE."""

    direction = models.CharField(_("供需方向"), max_length=10, choices=Direction.choices)
    category = models.CharField(_("资源类别"), max_length=20, choices=Category.choices)
    title = models.CharField(_("标题"), max_length=120)
    description = models.TextField(_("详细说明"))
    organization = models.ForeignKey(
        "membership.Organization",
        verbose_name=_("发布单位"),
        related_name="resources",
        on_delete=models.PROTECT,
    )
    cities = models.ManyToManyField("core.City", verbose_name=_("服务城市"), related_name="resources")
    tags = models.JSONField(_("标签"), default=list, blank=True)
    strategy_tags = models.JSONField(_("国家战略"), default=list, blank=True)
    valid_from = models.DateField(_("有效期自"))
    valid_until = models.DateField(_("有效期至"))
    contact_name = models.CharField(_("联系人"), max_length=60)
    contact_phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    contact_email = models.EmailField(_("联系邮箱"), blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=ResourceStatus.choices, default=ResourceStatus.OPEN
    )
    status_reason = models.CharField(_("状态说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    search_text = models.TextField(editable=False, default="")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("对接资源")
        verbose_name_plural = _("对接资源")
        indexes = [
            models.Index(fields=["status", "direction", "category", "-created_at"], name="mm_res_market"),
            models.Index(fields=["status", "-created_at"], name="mm_res_latest"),
            models.Index(fields=["organization", "status"], name="mm_res_org"),
            models.Index(fields=["status", "valid_until"], name="mm_res_expiry"),
            # The market lists open and matched posts newest first: two statuses, so not mm_res_latest.
            models.Index(fields=["-created_at", "-id"], name="mm_res_newest"),
        ]

    def __str__(self) -> str:
        return f"[{self.get_direction_display()}·{self.category_char}] {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("matchmaking:resource", args=[self.pk])

    @property
    def category_char(self) -> str:
        return CATEGORY_CHAR.get(self.category, "")  # type: ignore[call-overload]

    def is_open_for_requests(self, today: datetime.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.status == ResourceStatus.OPEN and self.valid_from <= today <= self.valid_until


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("待答复")
    ACCEPTED = "accepted", _("已接受")
    DECLINED = "declined", _("已婉拒")
    WITHDRAWN = "withdrawn", _("已撤回")
    CONCLUDED = "concluded", _("已办结")


ACTIVE_REQUEST_STATUSES = (RequestStatus.PENDING, RequestStatus.ACCEPTED)


class Outcome(models.TextChoices):
    NO_DEAL = "no_deal", _("未达成合作")
    AGREEMENT = "agreement", _("签订合作协议")
    PROJECT_CREATED = "project_created", _("形成共建项目")
    TALENT_PLACED = "talent_placed", _("人才成功对接")


SUCCESS_OUTCOMES = (Outcome.AGREEMENT, Outcome.PROJECT_CREATED, Outcome.TALENT_PLACED)


class MatchRequest(TimeStampedModel):
    """A matchmaking request (对接请求) to another organization's post. Transitions: machines.REQUEST."""

    resource = models.ForeignKey(
        Resource, verbose_name=_("对方资源"), related_name="requests", on_delete=models.PROTECT
    )
    from_resource = models.ForeignKey(
        Resource,
        verbose_name=_("我方资源"),
        related_name="sent_requests",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    requester_organization = models.ForeignKey(
        "membership.Organization",
        verbose_name=_("发起单位"),
        related_name="match_requests_sent",
        on_delete=models.PROTECT,
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    message = models.TextField(_("对接留言"))
    score = models.PositiveSmallIntegerField(_("推荐得分"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    response_message = models.TextField(_("答复"), blank=True)
    responder = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    responded_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    outcome = models.CharField(_("对接结果"), max_length=20, choices=Outcome.choices, blank=True)
    outcome_amount = models.DecimalField(
        _("协议金额（万元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    outcome_count = models.PositiveIntegerField(_("对接人才数"), null=True, blank=True)
    outcome_note = models.TextField(_("结果说明"), blank=True)
    outcome_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    outcome_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    project = models.ForeignKey(
        "library.Project",
        verbose_name=_("共建项目"),
        null=True,
        blank=True,
        related_name="match_requests",
        on_delete=models.SET_NULL,
        help_text=_("结果为“形成共建项目”时，项目库中的项目"),
    )
    last_activity_at = models.DateTimeField(_("最近进展"), default=timezone.now)
    reminded_at = models.DateTimeField(_("最近提醒"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("对接请求")
        verbose_name_plural = _("对接请求")
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "requester_organization"],
                condition=Q(status__in=["pending", "accepted"]),
                name="mm_one_active_request_per_org",
            )
        ]
        indexes = [
            models.Index(fields=["status", "last_activity_at"], name="mm_req_stalled"),
            models.Index(fields=["requester_organization", "status"], name="mm_req_from_org"),
        ]

    def __str__(self) -> str:
        return f"{self.requester_organization} → {self.resource.title}"

    def get_absolute_url(self) -> str:
        return reverse("matchmaking:request", args=[self.pk])

    @property
    def responder_organization_id(self) -> int:
        return int(self.resource.organization_id)

    @property
    def is_success(self) -> bool:
        return self.outcome in SUCCESS_OUTCOMES


class Meeting(models.Model):
    """A meeting held for an accepted request: online, on site, or at a matchmaking session (event)."""

    class Mode(models.TextChoices):
        ONLINE = "online", _("线上洽谈")
        ONSITE = "onsite", _("现场会谈")
        SESSION = "session", _("对接会")

    request = models.ForeignKey(MatchRequest, related_name="meetings", on_delete=models.CASCADE)
    mode = models.CharField(_("方式"), max_length=20, choices=Mode.choices)
    held_at = models.DateTimeField(_("时间"))
    place = models.CharField(_("地点或链接"), max_length=200, blank=True)
    event_id = models.BigIntegerField(_("对接会活动编号"), null=True, blank=True)
    notes = models.TextField(_("纪要"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["held_at", "id"]
        verbose_name = _("对接洽谈")
        verbose_name_plural = _("对接洽谈")

    def __str__(self) -> str:
        return f"{self.request_id} {self.get_mode_display()} {self.held_at:%Y-%m-%d}"


def as_list(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


class SessionSlot(models.Model):
    """A one-to-one meeting slot booked at a matchmaking session (an event of kind 对接会) for an accepted
    request. Its two seats (one per person) keep anyone from being booked twice at the same time."""

    event = models.ForeignKey(
        "activities.Event",
        verbose_name=_("对接会"),
        related_name="matchmaking_slots",
        on_delete=models.PROTECT,
    )
    request = models.ForeignKey(
        MatchRequest, verbose_name=_("对接请求"), related_name="slots", on_delete=models.CASCADE
    )
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    table = models.CharField(_("洽谈桌"), max_length=40, blank=True)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("洽谈时段")
        verbose_name_plural = _("洽谈时段")
        constraints = [
            models.UniqueConstraint(fields=["event", "request", "starts_at"], name="mm_slot_once_per_time"),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} {self.starts_at:%H:%M} {self.request_id}"


class SlotSeat(models.Model):
    """One person's place in a slot; (person, event, start) is unique, so nobody is double-booked."""

    slot = models.ForeignKey(SessionSlot, related_name="seats", on_delete=models.CASCADE)
    person = models.ForeignKey(settings.AUTH_USER_MODEL, related_name="+", on_delete=models.CASCADE)
    event = models.ForeignKey("activities.Event", related_name="+", on_delete=models.CASCADE)
    starts_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "event", "starts_at"], name="mm_no_double_booking"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} @ {self.starts_at:%H:%M}"

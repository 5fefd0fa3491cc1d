"""Events of the 1+7+N mechanism, registrations with a waitlist, check-in, and the yearly settings.

Allowed status transitions live in ``machines.EVENT`` and ``machines.REGISTRATION``.
"""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lianmeng.core.concurrency import VersionedModel
from lianmeng.core.models import TimeStampedModel


class EventKind(models.TextChoices):
    PLENARY = "plenary", _("理事会全会")
    SUMMIT = "summit", _("峰会")
    FORUM = "forum", _("论坛")
    THEMED = "themed", _("主题活动")
    MATCHMAKING = "matchmaking", _("对接会")
    SHOWCASE = "showcase", _("成果展示")
    TRAINING = "training", _("培训")
    OTHER = "other", _("其他")


class EventStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    HELD = "held", _("已举办")
    CANCELLED = "cancelled", _("已取消")


class Audience(models.TextChoices):
    PUBLIC = "public", _("公开")
    MEMBERS = "members", _("成员单位")
    INVITED = "invited", _("受邀")


def _default_city_kinds() -> list[str]:
    return [EventKind.SUMMIT.value, EventKind.FORUM.value]


def _default_park_kinds() -> list[str]:
    return [EventKind.THEMED.value]


class ActivitySettings(VersionedModel):
    """The 1+7+N parameters of one year. A year without a row uses the seed's defaults."""

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    themed_quota = models.PositiveSmallIntegerField(
        _("每个产业园的主题活动场次（N）"),
        default=2,
        help_text=_("每个人力资源服务产业园每年至少举办的主题活动场次"),
    )
    city_kinds = models.JSONField(
        _("计入“7”的活动类型"), default=_default_city_kinds, help_text=_("默认：峰会、论坛")
    )
    park_kinds = models.JSONField(
        _("计入“N”的活动类型"), default=_default_park_kinds, help_text=_("默认：主题活动")
    )
    reminder_month = models.PositiveSmallIntegerField(_("提醒开始月份"), default=10)
    reminder_day = models.PositiveSmallIntegerField(_("提醒开始日"), default=1)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("1+7+N 年度设置")
        verbose_name_plural = _("1+7+N 年度设置")

    def __str__(self) -> str:
        return f"{self.year}: N={self.themed_quota}"

    @classmethod
    def for_year(cls, year: int) -> ActivitySettings:
        row: ActivitySettings | None = cls.objects.filter(year=year).first()
        return row if row is not None else cls(year=year)

    @property
    def reminders_from(self) -> datetime.date:
        return datetime.date(self.year, self.reminder_month, self.reminder_day)


class Event(VersionedModel, TimeStampedModel):
    title = models.CharField(_("活动名称"), max_length=200)
    kind = models.CharField(_("活动类型"), max_length=20, choices=EventKind.choices, db_index=True)
    organizer = models.ForeignKey(
        "membership.Organization",
        verbose_name=_("主办单位"),
        related_name="organized_events",
        on_delete=models.PROTECT,
    )
    # The organizer's city, copied when the event is saved so that the calendar and 1+7+N filter by it.
    city = models.ForeignKey("core.City", verbose_name=_("城市"), on_delete=models.PROTECT)
    co_organizers = models.ManyToManyField(
        "membership.Organization", verbose_name=_("协办单位"), related_name="co_organized_events", blank=True
    )
    partners = models.ManyToManyField(
        "membership.Organization", verbose_name=_("合作单位"), related_name="partner_events", blank=True
    )
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    venue = models.CharField(_("地点"), max_length=200, blank=True)
    address = models.CharField(_("详细地址"), max_length=200, blank=True)
    online_url = models.URLField(_("线上链接"), blank=True)
    capacity = models.PositiveIntegerField(_("名额"), null=True, blank=True, help_text=_("留空表示不限"))
    registration_opens_at = models.DateTimeField(_("报名开始"), null=True, blank=True)
    registration_closes_at = models.DateTimeField(_("报名截止"), null=True, blank=True)
    audience = models.CharField(
        _("面向对象"), max_length=20, choices=Audience.choices, default=Audience.PUBLIC
    )
    description = models.TextField(_("活动简介"), blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=EventStatus.choices, default=EventStatus.DRAFT, db_index=True
    )
    cancel_reason = models.TextField(_("取消原因"), blank=True)
    # After the event is held
    summary = models.TextField(_("活动总结"), blank=True)
    attendance = models.PositiveIntegerField(_("实到人数"), null=True, blank=True)
    outcomes = models.TextField(_("活动成果"), blank=True)
    agreements_signed = models.PositiveIntegerField(_("签约协议数"), default=0)
    projects_started = models.PositiveIntegerField(_("启动项目数"), default=0)
    projects = models.ManyToManyField(
        "library.Project",
        verbose_name=_("相关项目"),
        related_name="events",
        blank=True,
        help_text=_("活动签约或启动的项目（项目库）"),
    )

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    held_at = models.DateTimeField(_("总结提交时间"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("活动")
        verbose_name_plural = _("活动")
        indexes = [
            models.Index(fields=["status", "starts_at"]),
            models.Index(fields=["city", "status", "starts_at"]),
            models.Index(fields=["organizer", "status", "starts_at"]),
            models.Index(fields=["kind", "status", "starts_at"]),
            # The calendar and /api/v1/events (upcoming, several statuses) walk events in date order.
            models.Index(fields=["starts_at", "id"], name="act_event_by_date"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gte=models.F("starts_at")), name="event_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("activities:event", args=[self.pk])

    @property
    def ics_url(self) -> str:
        """The event as an iCalendar file (the page's address + ``.ics``)."""
        return self.get_absolute_url().rstrip("/") + ".ics"

    @property
    def is_open_for_registration_status(self) -> bool:
        return self.status == EventStatus.PUBLISHED

    def registration_window_state(self, now: datetime.datetime | None = None) -> str:
        """ "not_yet", "open" or "closed" (by the window alone; the caller checks the status)."""
        now = now or timezone.now()
        if self.registration_opens_at and now < self.registration_opens_at:
            return "not_yet"
        closes = self.registration_closes_at or self.starts_at
        if now >= closes:
            return "closed"
        return "open"

    @property
    def has_started(self) -> bool:
        return timezone.now() >= self.starts_at

    @property
    def is_online_only(self) -> bool:
        return bool(self.online_url) and not self.venue


def _photo_path(instance: EventPhoto, filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    return f"private/events/{instance.event_id}/{secrets.token_hex(12)}.{suffix}"


class EventPhoto(models.Model):
    event = models.ForeignKey(Event, related_name="photos", on_delete=models.CASCADE)
    image = models.FileField(_("照片"), upload_to=_photo_path)
    content_type = models.CharField(max_length=60)
    caption = models.CharField(_("说明"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("活动照片")
        verbose_name_plural = _("活动照片")

    def __str__(self) -> str:
        return self.caption or f"{self.event_id}-{self.pk}"


# Check-in codes: Crockford-style alphabet without 0/O, 1/I/L so that a typed code is unambiguous.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8


def new_checkin_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def new_ticket_token() -> str:
    return secrets.token_urlsafe(24)


def normalize_code(value: str) -> str:
    """What a person typed or a camera read, as a stored code: upper case, no spaces or hyphens."""
    return "".join(ch for ch in (value or "").upper() if ch.isascii() and ch.isalnum())


class RegistrationStatus(models.TextChoices):
    REGISTERED = "registered", _("已报名")
    WAITLISTED = "waitlisted", _("候补")
    CANCELLED = "cancelled", _("已取消")
    ATTENDED = "attended", _("已签到")


SEATED = (RegistrationStatus.REGISTERED, RegistrationStatus.ATTENDED)


class Registration(models.Model):
    """One person's place at an event (or on its waitlist). The waitlist is served in ``id`` order."""

    event = models.ForeignKey(Event, related_name="registrations", on_delete=models.CASCADE)
    name = models.CharField(_("姓名"), max_length=60)
    mobile = models.CharField(_("手机号码"), max_length=11)
    email = models.EmailField(_("电子邮箱"), blank=True)
    organization = models.ForeignKey(
        "membership.Organization",
        verbose_name=_("所在单位"),
        null=True,
        blank=True,
        related_name="event_registrations",
        on_delete=models.SET_NULL,
    )
    organization_name = models.CharField(_("单位名称"), max_length=120, blank=True)
    role = models.CharField(_("职务"), max_length=60, blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=RegistrationStatus.choices, default=RegistrationStatus.REGISTERED
    )
    code = models.CharField(_("签到码"), max_length=12, unique=True, default=new_checkin_code)
    token = models.CharField(max_length=64, unique=True, default=new_ticket_token, editable=False)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        related_name="event_registrations",
        on_delete=models.SET_NULL,
    )
    created_at = models.DateTimeField(_("报名时间"), auto_now_add=True)
    promoted_at = models.DateTimeField(_("候补转正时间"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("报名")
        verbose_name_plural = _("报名")
        indexes = [models.Index(fields=["event", "status", "id"])]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "mobile"],
                condition=~Q(status="cancelled"),
                name="registration_one_per_mobile",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} · {self.event}"

    def get_absolute_url(self) -> str:
        return reverse("activities:ticket", args=[self.token])

    @property
    def organization_label(self) -> str:
        return (
            self.organization.name if self.organization_id and self.organization else self.organization_name
        )

    @property
    def code_display(self) -> str:
        return f"{self.code[:4]}-{self.code[4:]}"

    @property
    def mobile_masked(self) -> str:
        return f"{self.mobile[:3]}****{self.mobile[-4:]}" if len(self.mobile) == 11 else "****"


class CalendarFeedToken(models.Model):
    """The secret in a user's personal iCal feed URL (events the user registered for)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, related_name="calendar_feed", on_delete=models.CASCADE
    )
    token = models.CharField(max_length=64, unique=True, default=new_ticket_token)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("个人日历订阅")
        verbose_name_plural = _("个人日历订阅")

    def __str__(self) -> str:
        return f"{self.user}"

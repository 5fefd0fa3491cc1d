"""Alliance-wide models: the alliance settings, cities, the audit log and document numbers."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


class StoredFile(models.Model):
    """An uploaded file of one record: the subclass adds the record's foreign key and ``file`` (with its
    own private ``upload_to``)."""

    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.original_name


def search_columns(
    *, pinyin: int = 400, initials: int = 120
) -> tuple[
    models.TextField[str, str],
    models.CharField[str, str],
    models.CharField[str, str],
    models.CharField[str, str],
]:
    """The search columns of a searchable model (``search_text, name_pinyin, name_initials, name_sort =
    search_columns()``), kept by the app's services from ``core.search``."""
    return (
        models.TextField(editable=False, default=""),
        models.CharField(max_length=pinyin, editable=False, default="", db_index=True),
        models.CharField(max_length=initials, editable=False, default="", db_index=True),
        models.CharField(max_length=250, editable=False, default="", db_index=True),
    )


class AdmissionCouncilScope(models.TextChoices):
    """Which applications need a council resolution before the secretariat may admit them."""

    NONE = "none", _("不需要（秘书处初审后直接批准）")
    COUNCIL_TIER = "council_tier", _("申请成为理事单位的须经理事会决议")
    ALL = "all", _("所有入盟申请均须经理事会决议")


class AllianceSettings(models.Model):
    """The one alliance this deployment serves (a singleton row, pk=1).

    Mechanism numbers of later capabilities live in their own app's settings models; this row
    holds what every page needs.
    """

    name = models.CharField(_("联盟名称"), max_length=200)
    name_en = models.CharField(_("英文名称"), max_length=200, blank=True)
    short_name = models.CharField(_("简称"), max_length=60)
    document_abbreviation = models.CharField(
        _("发文字号简称"), max_length=20, help_text=_("用于文号，例如 胶东人服联〔2026〕3号")
    )
    founded_on = models.DateField(_("成立日期"), null=True, blank=True)
    introduction = models.TextField(_("联盟简介"), blank=True)
    introduction_en = models.TextField(_("英文简介"), blank=True)
    contact_phone = models.CharField(_("秘书处电话"), max_length=40, blank=True)
    contact_email = models.EmailField(_("秘书处邮箱"), blank=True)
    contact_address = models.CharField(_("秘书处地址"), max_length=200, blank=True)
    admission_council_scope = models.CharField(
        _("入盟须经理事会决议"),
        max_length=20,
        choices=AdmissionCouncilScope.choices,
        default=AdmissionCouncilScope.COUNCIL_TIER,
        help_text=_("秘书处初审通过后，须经理事会表决通过方可批准入盟的申请范围"),
    )

    class Meta:
        verbose_name = _("联盟设置")
        verbose_name_plural = _("联盟设置")

    def __str__(self) -> str:
        return self.name

    def admission_needs_council(self, requested_tier: str) -> bool:
        """Whether an application for ``requested_tier`` needs a council resolution to be admitted."""
        if self.admission_council_scope == AdmissionCouncilScope.ALL:
            return True
        if self.admission_council_scope == AdmissionCouncilScope.COUNCIL_TIER:
            return requested_tier in ("council", "founding")
        return False

    @classmethod
    def current(cls) -> AllianceSettings:
        obj: AllianceSettings | None = AllianceSettings.objects.filter(pk=1).first()
        if obj is None:
            obj = AllianceSettings(
                pk=1,
                name=str(settings.ALLIANCE_DEFAULT_NAME),
                name_en="Jiaodong & Blue-Zone HR Service Industry (Park) Development Alliance",
                short_name="胶东暨蓝区人服联盟",
                document_abbreviation="胶东人服联",
            )
        return obj


class City(models.Model):
    """A member city, keyed by its GB/T 2260 division code."""

    code = models.CharField(_("行政区划代码"), max_length=6, primary_key=True)
    name = models.CharField(_("名称"), max_length=40, unique=True)
    name_en = models.CharField(_("英文名称"), max_length=60, blank=True)
    position = models.PositiveSmallIntegerField(_("排序"), default=0, help_text=_("联盟自定的城市顺序"))
    is_member = models.BooleanField(_("成员城市"), default=True)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("城市")
        verbose_name_plural = _("城市")

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        from django.utils.translation import get_language

        if (get_language() or "").startswith("en") and self.name_en:
            return self.name_en
        return self.name


class AuditEntry(models.Model):
    """Who did what to which row, with old and new values. Written by services only."""

    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.SET_NULL
    )
    actor_repr = models.CharField(_("操作人"), max_length=150, blank=True)
    action = models.CharField(_("操作"), max_length=80, db_index=True)
    target_type = models.CharField(_("对象类型"), max_length=80, db_index=True)
    target_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    target_repr = models.CharField(_("对象"), max_length=250, blank=True)
    old = models.JSONField(_("原值"), null=True, blank=True)
    new = models.JSONField(_("新值"), null=True, blank=True)
    ip = models.GenericIPAddressField(_("地址"), null=True, blank=True)
    target_version = models.PositiveIntegerField(
        _("对象版本"), null=True, blank=True, help_text=_("写入后对象的版本号（可编辑的记录）")
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_repr} {self.action} {self.target_repr}"


class DocumentSeries(models.Model):
    """Gap-free official numbers per series and year (胶东人服联〔2026〕3号)."""

    series = models.CharField(_("文号系列"), max_length=40)
    year = models.PositiveSmallIntegerField(_("年度"))
    last_number = models.PositiveIntegerField(_("已用到"), default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["series", "year"], name="unique_document_series_year")]
        verbose_name = _("文号系列")
        verbose_name_plural = _("文号系列")

    def __str__(self) -> str:
        return f"{self.series} {self.year}: {self.last_number}"


class ScheduleRun(models.Model):
    """When a periodic job (core.schedule.JOBS) was last enqueued."""

    name = models.CharField(_("任务"), max_length=150, unique=True)
    last_run_at = models.DateTimeField(_("上次执行"), null=True, blank=True)

    class Meta:
        verbose_name = _("定时任务")
        verbose_name_plural = _("定时任务")

    def __str__(self) -> str:
        return self.name


class RateCounter(models.Model):
    """A counter shared by every app process (sign-in lock-out, API rate limits; see core.counters).

    Written only with single atomic SQL statements; a row past ``expires`` (Unix time) counts as absent.
    """

    key = models.CharField(_("键"), max_length=120, primary_key=True)
    count = models.BigIntegerField(_("计数"), default=0)
    expires = models.FloatField(_("到期时间"), db_index=True)

    class Meta:
        verbose_name = _("限流计数器")
        verbose_name_plural = _("限流计数器")

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"


def model_label(obj: Any) -> str:
    return f"{obj._meta.app_label}.{obj._meta.model_name}"

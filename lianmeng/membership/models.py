"""Organizations (入盟单位), membership applications and membership history."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from lianmeng.core.concurrency import VersionedModel
from lianmeng.core.models import TimeStampedModel, search_columns


class OrganizationKind(models.TextChoices):
    BUREAU = "bureau", _("人社局")
    PARK = "park", _("人力资源服务产业园")
    ASSOCIATION = "association", _("行业协会")
    UNIVERSITY = "university", _("高校")
    RESEARCH_INSTITUTE = "research_institute", _("科研院所")
    ACADEMIC_SOCIETY = "academic_society", _("学术团体")
    STANDARDS_BODY = "standards_body", _("标准协会")
    PLATFORM = "platform", _("平台")
    ENTERPRISE = "enterprise", _("企业")
    FINANCIAL_INSTITUTION = "financial_institution", _("金融机构")
    MEDIA = "media", _("媒体")


class Tier(models.TextChoices):
    # Contexts: the same words mean other things elsewhere (发起单位 = the requesting side in matchmaking).
    FOUNDING = "founding", pgettext_lazy("tier", "发起单位")
    COUNCIL = "council", pgettext_lazy("tier", "理事单位")
    ORDINARY = "ordinary", pgettext_lazy("tier", "成员单位")


# The tiers an applicant may ask for (发起单位 are the founders, never applicants).
REQUESTED_TIERS = (Tier.ORDINARY, Tier.COUNCIL)


class OrganizationStatus(models.TextChoices):
    ACTIVE = "active", _("正常")
    SUSPENDED = "suspended", _("暂停")
    WITHDRAWN = "withdrawn", _("已退出")


class Organization(VersionedModel, TimeStampedModel):
    name = models.CharField(_("单位名称"), max_length=120)
    short_name = models.CharField(_("简称"), max_length=40, blank=True)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    kind = models.CharField(_("单位类型"), max_length=30, choices=OrganizationKind.choices, db_index=True)
    city = models.ForeignKey("core.City", verbose_name=_("所在城市"), on_delete=models.PROTECT)
    tier = models.CharField(_("成员类别"), max_length=20, choices=Tier.choices, default=Tier.ORDINARY)
    status = models.CharField(
        _("状态"), max_length=20, choices=OrganizationStatus.choices, default=OrganizationStatus.ACTIVE
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    website = models.URLField(_("网站"), blank=True)
    phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    email = models.EmailField(_("公开邮箱"), blank=True)
    description = models.TextField(_("单位简介"), blank=True)
    services = models.TextField(_("主要业务"), blank=True)
    joined_on = models.DateField(_("入盟日期"), null=True, blank=True)
    # Search columns, kept by services.organization_index_fields().
    search_text, name_pinyin, name_initials, name_sort = search_columns()

    class Meta:
        ordering = ["name_sort", "id"]
        verbose_name = _("成员单位")
        verbose_name_plural = _("成员单位")
        indexes = [
            models.Index(fields=["status", "name_sort"]),
            models.Index(fields=["city", "status", "name_sort"]),
            # The portal home's newest members (328 ms at 100,000 organizations without it).
            models.Index(fields=["status", "-joined_on", "-id"], name="mem_org_newest"),
            # Directory searches on SQLite (docs/scale.md, "Directory search at 100,000 organizations"): is a
            # full-text match active, one seek per match (status, rowid) instead of a walk of every active row;
            # search + city + kind filters read only that city's organizations of that kind.
            models.Index(fields=["status"], name="mem_org_status"),
            models.Index(fields=["city", "kind", "status", "name_sort"], name="mem_org_city_kind"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("membership:organization", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.status == OrganizationStatus.ACTIVE


class MembershipEvent(models.Model):
    """The organization's membership history: admitted, suspended, reinstated, withdrawn, tier changes."""

    class Kind(models.TextChoices):
        ADMITTED = "admitted", _("入盟")
        SUSPENDED = "suspended", _("暂停")
        REINSTATED = "reinstated", _("恢复")
        WITHDRAWN = "withdrawn", _("退出")
        TIER_CHANGED = "tier_changed", _("类别变更")

    organization = models.ForeignKey(Organization, related_name="membership_events", on_delete=models.CASCADE)
    kind = models.CharField(_("事项"), max_length=20, choices=Kind.choices)
    date = models.DateField(_("日期"))
    reason = models.TextField(_("说明"), blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("入盟记录")
        verbose_name_plural = _("入盟记录")

    def __str__(self) -> str:
        return f"{self.organization} {self.get_kind_display()} {self.date}"


def _letter_path(instance: MembershipApplication, filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"private/applications/{instance.tracking_token[:2]}/{instance.tracking_token}.{suffix}"


def new_tracking_token() -> str:
    return secrets.token_urlsafe(24)


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("已提交")
    RETURNED = "returned", _("退回修改")
    FORWARDED = "forwarded", _("已初审，待决定")
    ADMITTED = "admitted", _("已入盟")
    REJECTED = "rejected", _("未通过")


class MembershipApplication(TimeStampedModel):
    """An organization's application to join. Allowed transitions: services.APPLICATION_TRANSITIONS."""

    # Organization data
    name = models.CharField(_("单位名称"), max_length=120)
    short_name = models.CharField(_("简称"), max_length=40, blank=True)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, db_index=True)
    kind = models.CharField(_("单位类型"), max_length=30, choices=OrganizationKind.choices)
    city = models.ForeignKey("core.City", verbose_name=_("所在城市"), on_delete=models.PROTECT)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    website = models.URLField(_("网站"), blank=True)
    description = models.TextField(_("单位简介"), blank=True)
    requested_tier = models.CharField(
        _("申请类别"),
        max_length=20,
        choices=[(t.value, t.label) for t in REQUESTED_TIERS],
        default=Tier.ORDINARY,
    )
    # Contact person
    contact_name = models.CharField(_("联系人姓名"), max_length=60)
    contact_mobile = models.CharField(_("联系人手机"), max_length=11)
    contact_email = models.EmailField(_("联系人邮箱"))
    # Commitment letter (承诺书), private
    letter = models.FileField(_("入盟承诺书"), upload_to=_letter_path, blank=True)
    letter_content_type = models.CharField(max_length=60, blank=True)

    status = models.CharField(
        _("状态"), max_length=20, choices=ApplicationStatus.choices, default=ApplicationStatus.SUBMITTED
    )
    tracking_token = models.CharField(max_length=64, unique=True, default=new_tracking_token, editable=False)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    resolution_number = models.CharField(
        _("理事会决议文号"), max_length=60, blank=True, help_text=_("经理事会决议批准入盟时的决议文号")
    )
    organization = models.ForeignKey(
        Organization, null=True, blank=True, related_name="applications", on_delete=models.SET_NULL
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("入盟申请")
        verbose_name_plural = _("入盟申请")

    def __str__(self) -> str:
        return gettext("%(name)s（%(status)s）") % {"name": self.name, "status": self.get_status_display()}

    def get_absolute_url(self) -> str:
        return reverse("membership:application-review", args=[self.pk])

    def get_tracking_url(self) -> str:
        return reverse("membership:application-track", args=[self.tracking_token])

    @property
    def is_pending(self) -> bool:
        return self.status in PENDING_STATUSES


PENDING_STATUSES = (ApplicationStatus.SUBMITTED, ApplicationStatus.RETURNED, ApplicationStatus.FORWARDED)


class ApplicationReview(models.Model):
    """One step in an application's history: a review action with its message."""

    class Action(models.TextChoices):
        SUBMIT = "submit", pgettext_lazy("history", "提交")
        RESUBMIT = "resubmit", _("修改后重新提交")
        RETURN = "return", _("退回修改")
        REJECT = "reject", _("不予通过")
        FORWARD = "forward", _("初审通过，提交决定")
        ADMIT = "admit", _("批准入盟")

    application = models.ForeignKey(MembershipApplication, related_name="reviews", on_delete=models.CASCADE)
    action = models.CharField(_("操作"), max_length=20, choices=Action.choices)
    message = models.TextField(_("意见"), blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("审核记录")
        verbose_name_plural = _("审核记录")

    def __str__(self) -> str:
        return f"{self.application_id} {self.action}"

"""In-app notifications (站内消息) and each person's choice of channel per kind."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    """Every event a mechanism tells a person with an account about (docs/notifications.md lists where each
    is sent). Applicants and guests without an account are mailed (by the queue), not notified."""

    APPLICATION_RECEIVED = "application_received", _("收到入盟申请")
    MEMBER_ADMITTED = "member_admitted", _("入盟成功")
    MOTION_OPENED = "motion_opened", _("议案开始表决")
    MOTION_DECIDED = "motion_decided", _("议案表决结果")
    NOTICE_PUBLISHED = "notice_published", _("新通知")
    TASK_ASSIGNED = "task_assigned", _("任务分派")
    TASK_OVERDUE = "task_overdue", _("任务到期提醒")
    EVENT_PROMOTED = "event_promoted", _("候补转正")
    EVENT_REMINDER = "event_reminder", _("活动提醒")
    EVENT_CANCELLED = "event_cancelled", _("活动取消")
    REVIEW_INVITATION = "review_invitation", _("评审邀请")
    PUBLICITY_STARTED = "publicity_started", _("公示开始")
    PUBLICITY_OBJECTION = "publicity_objection", _("公示异议")
    MATCH_REQUEST_RECEIVED = "match_request_received", _("收到对接请求")
    MATCH_REQUEST_ANSWERED = "match_request_answered", _("对接请求有答复")
    MATCH_REQUEST_STALLED = "match_request_stalled", _("对接请求待处理")
    CONSULTATION_ASSIGNED = "consultation_assigned", _("咨询分派")
    CONSULTATION_ANSWERED = "consultation_answered", _("咨询已答复")
    CONSULTATION_OVERDUE = "consultation_overdue", _("咨询逾期提醒")


class Audience(models.TextChoices):
    """Who can receive a kind of notification, by role (``RECEIVERS`` below)."""

    EVERYONE = "everyone", _("所有登录用户")
    CONTACT = "contact", _("成员单位联络员")
    COUNCIL = "council", _("理事")
    COORDINATOR = "coordinator", _("市级联络员")
    EXPERT = "expert", _("专家")
    SECRETARIAT = "secretariat", _("秘书处")


# Per kind, the roles whose holders a mechanism can notify (docs/notifications.md, "Which events notify
# whom"). The preferences page lists only the kinds a person can receive; a test keeps this table in step
# with the demo roles. Tasks can be assigned to any person and anyone signed in may register people for a
# public event, so those kinds reach everyone.
RECEIVERS: dict[str, frozenset[str]] = {
    Kind.APPLICATION_RECEIVED: frozenset({Audience.SECRETARIAT}),
    Kind.MEMBER_ADMITTED: frozenset({Audience.CONTACT}),
    Kind.MOTION_OPENED: frozenset({Audience.COUNCIL}),
    Kind.MOTION_DECIDED: frozenset({Audience.COUNCIL}),
    Kind.NOTICE_PUBLISHED: frozenset({Audience.CONTACT, Audience.COUNCIL}),
    Kind.TASK_ASSIGNED: frozenset({Audience.EVERYONE}),
    Kind.TASK_OVERDUE: frozenset({Audience.EVERYONE}),
    Kind.EVENT_PROMOTED: frozenset({Audience.EVERYONE}),
    Kind.EVENT_REMINDER: frozenset({Audience.EVERYONE}),
    Kind.EVENT_CANCELLED: frozenset({Audience.EVERYONE}),
    Kind.REVIEW_INVITATION: frozenset({Audience.EXPERT}),
    Kind.PUBLICITY_STARTED: frozenset({Audience.CONTACT, Audience.SECRETARIAT}),
    Kind.PUBLICITY_OBJECTION: frozenset({Audience.SECRETARIAT}),
    Kind.MATCH_REQUEST_RECEIVED: frozenset({Audience.CONTACT}),
    Kind.MATCH_REQUEST_ANSWERED: frozenset({Audience.CONTACT}),
    Kind.MATCH_REQUEST_STALLED: frozenset({Audience.CONTACT}),
    Kind.CONSULTATION_ASSIGNED: frozenset({Audience.EXPERT}),
    Kind.CONSULTATION_ANSWERED: frozenset({Audience.CONTACT, Audience.SECRETARIAT}),
    Kind.CONSULTATION_OVERDUE: frozenset({Audience.EXPERT, Audience.SECRETARIAT}),
}


class Channel(models.TextChoices):
    IN_APP = "in_app", _("仅站内消息")
    MAIL = "mail", _("站内消息并发邮件")
    DIGEST = "digest", _("站内消息并每日汇总邮件")


DEFAULT_CHANNEL = Channel.MAIL  # until a person chooses, everything that was mailed is still mailed


class MailState(models.TextChoices):
    NONE = "none", _("不发邮件")
    QUEUED = "queued", _("待发送")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")
    DIGEST = "digest", _("待汇总")
    DIGESTED = "digested", _("已汇总发送")


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        related_name="notifications",
        on_delete=models.CASCADE,
    )
    kind = models.CharField(_("类型"), max_length=40, choices=Kind.choices)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    mail_state = models.CharField(_("邮件"), max_length=10, choices=MailState.choices, default=MailState.NONE)
    mail_attempts = models.PositiveSmallIntegerField(_("邮件尝试次数"), default=0)

    class Meta:
        verbose_name = _("站内消息")
        verbose_name_plural = _("站内消息")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notif_recipient_time"),
            models.Index(fields=["recipient", "read_at"], name="notif_recipient_read"),
            models.Index(fields=["mail_state"], name="notif_mail_state"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationPreference(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        related_name="notification_preferences",
        on_delete=models.CASCADE,
    )
    kind = models.CharField(_("类型"), max_length=40, choices=Kind.choices)
    channel = models.CharField(_("接收方式"), max_length=10, choices=Channel.choices, default=DEFAULT_CHANNEL)

    class Meta:
        verbose_name = _("消息接收设置")
        verbose_name_plural = _("消息接收设置")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notif_pref_user_kind")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} {self.channel}"

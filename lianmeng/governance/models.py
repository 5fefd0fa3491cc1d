"""Governance: the rotating presidency (轮值制), the council (理事会) and the secretariat (秘书处).

Allowed status transitions live in ``services`` (one table per model); guard predicates live here.
"""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lianmeng.core.concurrency import VersionedModel
from lianmeng.core.models import TimeStampedModel


class GovernanceSettings(VersionedModel):
    """The alliance's governance parameters (a singleton row, pk=1); the seed's values are the defaults.

    Fractions are stored as numerator/denominator so that "two thirds" stays exact.
    """

    term_months = models.PositiveSmallIntegerField(_("轮值任期（月）"), default=12)
    quorum_numerator = models.PositiveSmallIntegerField(_("法定人数分子"), default=2)
    quorum_denominator = models.PositiveSmallIntegerField(_("法定人数分母"), default=3)
    ordinary_threshold_numerator = models.PositiveSmallIntegerField(_("一般议案通过比例分子"), default=1)
    ordinary_threshold_denominator = models.PositiveSmallIntegerField(_("一般议案通过比例分母"), default=2)
    ordinary_threshold_strict = models.BooleanField(_("一般议案须超过该比例"), default=True)
    important_threshold_numerator = models.PositiveSmallIntegerField(_("重要议案通过比例分子"), default=1)
    important_threshold_denominator = models.PositiveSmallIntegerField(_("重要议案通过比例分母"), default=2)
    important_threshold_strict = models.BooleanField(_("重要议案须超过该比例"), default=True)
    charter_threshold_numerator = models.PositiveSmallIntegerField(_("章程修改通过比例分子"), default=2)
    charter_threshold_denominator = models.PositiveSmallIntegerField(_("章程修改通过比例分母"), default=3)
    charter_threshold_strict = models.BooleanField(_("章程修改须超过该比例"), default=False)
    president_signs_off = models.BooleanField(
        _("决议须轮值主席签发"), default=False, help_text=_("开启后，通过的决议经当值轮值主席单位签发后生效")
    )
    default_voting_days = models.PositiveSmallIntegerField(_("默认表决期（天）"), default=7)
    notice_read_days = models.PositiveSmallIntegerField(_("通知默认阅读期限（天）"), default=5)

    class Meta:
        verbose_name = _("治理设置")
        verbose_name_plural = _("治理设置")

    def __str__(self) -> str:
        return str(_("治理设置"))

    @classmethod
    def current(cls) -> GovernanceSettings:
        obj: GovernanceSettings | None = GovernanceSettings.objects.filter(pk=1).first()
        return obj if obj is not None else GovernanceSettings(pk=1)

    def threshold_for(self, kind: str) -> tuple[int, int, bool]:
        prefix = {
            MotionKind.ORDINARY: "ordinary",
            MotionKind.IMPORTANT: "important",
            MotionKind.CHARTER: "charter",
            MotionKind.ADMISSION: "ordinary",  # admission: the ordinary threshold
            MotionKind.HANDOVER: "ordinary",  # confirming a presidency handover: the ordinary threshold
        }[MotionKind(kind)]
        return (
            getattr(self, f"{prefix}_threshold_numerator"),
            getattr(self, f"{prefix}_threshold_denominator"),
            getattr(self, f"{prefix}_threshold_strict"),
        )


# ---------------------------------------------------------------- presidency


class RotationPlan(TimeStampedModel):
    """The rotation: the holders' initial order, the term length and the start date.

    Terms are derived (``rotation.derive_terms``) from the plan and its changes, never stored, so
    that they cannot overlap or leave gaps.
    """

    start_date = models.DateField(_("起始日期"))
    term_months = models.PositiveSmallIntegerField(_("任期（月）"))

    class Meta:
        verbose_name = _("轮值方案")
        verbose_name_plural = _("轮值方案")

    def __str__(self) -> str:
        return str(_("轮值方案（%(date)s起）") % {"date": self.start_date.isoformat()})


class RotationHolder(models.Model):
    """One organization in the plan's initial order."""

    plan = models.ForeignKey(RotationPlan, related_name="holders", on_delete=models.CASCADE)
    position = models.PositiveSmallIntegerField(_("顺序"))
    organization = models.ForeignKey(
        "membership.Organization", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["plan", "position"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "position"], name="unique_rotation_position"),
            models.UniqueConstraint(fields=["plan", "organization"], name="unique_rotation_holder"),
        ]
        verbose_name = _("轮值单位")
        verbose_name_plural = _("轮值单位")

    def __str__(self) -> str:
        return f"{self.position}. {self.organization_id}"


class RotationChangeKind(models.TextChoices):
    REORDER = "reorder", _("调整轮值顺序")
    SKIP = "skip", _("本轮跳过")
    DEFER = "defer", _("本轮顺延")
    TERM_LENGTH = "term_length", _("调整任期")


class RotationChange(models.Model):
    """A change to the plan, effective from term ``effective_sequence``; backed by a council resolution."""

    plan = models.ForeignKey(RotationPlan, related_name="changes", on_delete=models.CASCADE)
    kind = models.CharField(_("变更类型"), max_length=20, choices=RotationChangeKind.choices)
    effective_sequence = models.PositiveIntegerField(_("自第几任起生效"))
    order = models.JSONField(_("新顺序"), default=list, blank=True)
    organization = models.ForeignKey(
        "membership.Organization",
        verbose_name=_("单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    term_months = models.PositiveSmallIntegerField(_("新任期（月）"), null=True, blank=True)
    resolution = models.ForeignKey(
        "governance.Resolution",
        verbose_name=_("依据决议"),
        on_delete=models.PROTECT,
        related_name="rotation_changes",
    )
    reason = models.TextField(_("说明"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        ordering = ["effective_sequence", "id"]
        verbose_name = _("轮值变更")
        verbose_name_plural = _("轮值变更")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.effective_sequence}"


class PresidencyHandover(models.Model):
    """The record of one handover: into term ``sequence`` from the outgoing president."""

    plan = models.ForeignKey(RotationPlan, related_name="handovers", on_delete=models.CASCADE)
    sequence = models.PositiveIntegerField(_("接任届次"))
    from_organization = models.ForeignKey(
        "membership.Organization", verbose_name=_("卸任单位"), on_delete=models.PROTECT, related_name="+"
    )
    to_organization = models.ForeignKey(
        "membership.Organization", verbose_name=_("接任单位"), on_delete=models.PROTECT, related_name="+"
    )
    date = models.DateField(_("交接日期"))
    notes = models.TextField(_("交接说明"), blank=True)
    documents = models.TextField(_("移交文件"), blank=True, help_text=_("每行一项"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    resolution = models.ForeignKey(
        "governance.Resolution",
        verbose_name=_("依据决议"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="handovers",
        help_text=_("理事会确认本次交接的决议"),
    )

    class Meta:
        ordering = ["-sequence"]
        constraints = [models.UniqueConstraint(fields=["plan", "sequence"], name="unique_handover_per_term")]
        verbose_name = _("轮值交接")
        verbose_name_plural = _("轮值交接")

    def __str__(self) -> str:
        return f"#{self.sequence} {self.date}"

    @property
    def document_list(self) -> list[str]:
        return [line.strip() for line in self.documents.splitlines() if line.strip()]


# ---------------------------------------------------------------- council


class CouncilSeatQuerySet(models.QuerySet["CouncilSeat"]):
    def valid_on(self, day: datetime.date) -> CouncilSeatQuerySet:
        return self.filter(Q(starts_on__lte=day) & (Q(ends_on__isnull=True) | Q(ends_on__gte=day)))


class CouncilSeat(TimeStampedModel):
    """A council seat: an organization and its representative, valid from ``starts_on`` to ``ends_on``."""

    organization = models.ForeignKey(
        "membership.Organization", verbose_name=_("理事单位"), on_delete=models.PROTECT, related_name="seats"
    )
    representative = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("理事"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="council_seats",
    )
    starts_on = models.DateField(_("起始日期"))
    ends_on = models.DateField(_("终止日期"), null=True, blank=True)
    post = models.CharField(
        _("职务"), max_length=40, blank=True, help_text=_("如：理事长单位、副理事长单位、理事单位")
    )

    objects = CouncilSeatQuerySet.as_manager()

    class Meta:
        ordering = ["organization__name_sort", "id"]
        indexes = [models.Index(fields=["starts_on", "ends_on"])]
        verbose_name = _("理事会席位")
        verbose_name_plural = _("理事会席位")

    def __str__(self) -> str:
        return str(self.organization)

    def is_valid_on(self, day: datetime.date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or self.ends_on >= day)


class SeatRepresentative(models.Model):
    """Who represented a seat when: a change of representative keeps the seat and its history."""

    seat = models.ForeignKey(CouncilSeat, related_name="representatives", on_delete=models.CASCADE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("理事"), on_delete=models.PROTECT)
    starts_on = models.DateField(_("起始日期"))
    ends_on = models.DateField(_("终止日期"), null=True, blank=True)

    class Meta:
        ordering = ["seat", "-starts_on", "-id"]
        verbose_name = _("席位代表")
        verbose_name_plural = _("席位代表")

    def __str__(self) -> str:
        return f"{self.seat_id}: {self.user_id} {self.starts_on}"


class MeetingKind(models.TextChoices):
    PLENARY = "plenary", _("理事会全会")
    ORDINARY = "ordinary", _("理事会例会")
    EXTRAORDINARY = "extraordinary", _("临时理事会")


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("已安排")
    HELD = "held", _("已召开")
    CANCELLED = "cancelled", _("已取消")


class Meeting(VersionedModel, TimeStampedModel):
    """A council meeting. A held plenary is the "1" of 1+7+N."""

    kind = models.CharField(_("会议类型"), max_length=20, choices=MeetingKind.choices)
    title = models.CharField(_("会议名称"), max_length=120)
    starts_at = models.DateTimeField(_("会议时间"), db_index=True)
    place = models.CharField(_("地点"), max_length=200, blank=True)
    online_link = models.URLField(_("线上会议链接"), blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    minutes = models.TextField(_("会议纪要"), blank=True)
    minutes_approved_at = models.ForeignKey(
        "self",
        verbose_name=_("纪要批准会议"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="approved_minutes_of",
    )
    convened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("理事会会议")
        verbose_name_plural = _("理事会会议")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("governance:meeting", args=[self.pk])


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, related_name="agenda", on_delete=models.CASCADE)
    position = models.PositiveSmallIntegerField(_("序号"))
    title = models.CharField(_("议程"), max_length=200)

    class Meta:
        ordering = ["meeting", "position"]
        verbose_name = _("议程")
        verbose_name_plural = _("议程")

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


def _paper_path(instance: MeetingPaper, filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"private/governance/papers/{uuid.uuid4().hex}.{suffix}"


class MeetingPaper(models.Model):
    """A meeting paper (会议材料); private, served through a permission-checked view."""

    meeting = models.ForeignKey(Meeting, related_name="papers", on_delete=models.CASCADE)
    title = models.CharField(_("材料名称"), max_length=200)
    file = models.FileField(_("文件"), upload_to=_paper_path)
    content_type = models.CharField(max_length=60)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["meeting", "id"]
        verbose_name = _("会议材料")
        verbose_name_plural = _("会议材料")

    def __str__(self) -> str:
        return self.title


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("出席")
    PROXY = "proxy", _("委托出席")
    ABSENT = "absent", _("缺席")


class Attendance(models.Model):
    meeting = models.ForeignKey(Meeting, related_name="attendance", on_delete=models.CASCADE)
    seat = models.ForeignKey(CouncilSeat, verbose_name=_("席位"), on_delete=models.CASCADE)
    status = models.CharField(_("出席情况"), max_length=20, choices=AttendanceStatus.choices)
    proxy_name = models.CharField(_("受托人"), max_length=60, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "seat"], name="unique_attendance")]
        verbose_name = _("出席记录")
        verbose_name_plural = _("出席记录")

    def __str__(self) -> str:
        return f"{self.meeting_id}/{self.seat_id}: {self.status}"


class MotionKind(models.TextChoices):
    ORDINARY = "ordinary", _("一般议案")
    IMPORTANT = "important", _("重要议案")
    CHARTER = "charter", _("章程修改")
    ADMISSION = "admission", _("入盟表决")
    HANDOVER = "handover", _("轮值交接")


class Ballot(models.TextChoices):
    OPEN = "open", _("记名表决")
    SECRET = "secret", _("无记名表决")


class MotionStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    OPEN = "open", _("表决中")
    PASSED = "passed", _("已通过")
    REJECTED = "rejected", _("未通过")
    NO_QUORUM = "no_quorum", _("未达法定人数")


DECIDED_STATUSES = (MotionStatus.PASSED, MotionStatus.REJECTED, MotionStatus.NO_QUORUM)


class Motion(TimeStampedModel):
    """A motion (议案) put to the council's vote. Transitions: machines.MOTION."""

    title = models.CharField(_("议案标题"), max_length=200)
    text = models.TextField(_("议案正文"))
    kind = models.CharField(
        _("议案类型"), max_length=20, choices=MotionKind.choices, default=MotionKind.ORDINARY
    )
    ballot = models.CharField(_("表决方式"), max_length=10, choices=Ballot.choices, default=Ballot.OPEN)
    opens_at = models.DateTimeField(_("表决开始"))
    closes_at = models.DateTimeField(_("表决截止"), db_index=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=MotionStatus.choices, default=MotionStatus.DRAFT, db_index=True
    )
    proposer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提出人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("提交会议"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="motions",
    )
    application = models.ForeignKey(
        "membership.MembershipApplication",
        verbose_name=_("入盟申请"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="admission_motions",
        help_text=_("入盟事项由理事会表决时关联的申请"),
    )
    handover_term = models.PositiveIntegerField(
        _("交接届次"),
        null=True,
        blank=True,
        help_text=_("轮值交接议案确认的接任届次（从 0 起）"),
    )
    # The result, fixed at close.
    seats_count = models.PositiveIntegerField(_("有效席位数"), null=True, blank=True)
    votes_for = models.PositiveIntegerField(_("赞成"), default=0)
    votes_against = models.PositiveIntegerField(_("反对"), default=0)
    votes_abstain = models.PositiveIntegerField(_("弃权"), default=0)
    decided_at = models.DateTimeField(_("表决结束时间"), null=True, blank=True)

    class Meta:
        ordering = ["-closes_at", "-id"]
        indexes = [models.Index(fields=["status", "closes_at"])]
        verbose_name = _("议案")
        verbose_name_plural = _("议案")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("governance:motion", args=[self.pk])

    @property
    def is_decided(self) -> bool:
        return self.status in DECIDED_STATUSES

    def is_open_for_voting(self, at: datetime.datetime | None = None) -> bool:
        at = at or timezone.now()
        return self.status == MotionStatus.OPEN and self.opens_at <= at < self.closes_at

    def can_close(self) -> bool:
        return self.status == MotionStatus.OPEN

    @property
    def votes_cast(self) -> int:
        return self.votes_for + self.votes_against + self.votes_abstain


class VoteChoice(models.TextChoices):
    FOR = "for", _("赞成")
    AGAINST = "against", _("反对")
    ABSTAIN = "abstain", _("弃权")


class Vote(models.Model):
    """That a seat voted on a motion. ``choice`` is empty for secret ballots (see SecretBallot)."""

    motion = models.ForeignKey(Motion, related_name="votes", on_delete=models.CASCADE)
    seat = models.ForeignKey(CouncilSeat, related_name="votes", on_delete=models.PROTECT)
    choice = models.CharField(_("表决意见"), max_length=10, choices=VoteChoice.choices, blank=True)
    cast_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    cast_at = models.DateTimeField(_("投票时间"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["motion", "seat"], name="one_vote_per_seat")]
        verbose_name = _("表决记录")
        verbose_name_plural = _("表决记录")

    def __str__(self) -> str:
        return f"{self.motion_id}/{self.seat_id}"


class SecretBallot(models.Model):
    """A secret ballot's choice, unlinked from the seat.

    ``ballot_key`` is a keyed hash of (motion, seat) so that a seat can change its vote until the
    window closes; the application never derives a seat from a ballot, and the row has no
    timestamp and a random id so that it cannot be matched to a Vote by order or time.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    motion = models.ForeignKey(Motion, related_name="secret_ballots", on_delete=models.CASCADE)
    ballot_key = models.CharField(max_length=64)
    choice = models.CharField(max_length=10, choices=VoteChoice.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["motion", "ballot_key"], name="one_secret_ballot_per_seat")
        ]
        verbose_name = _("无记名选票")
        verbose_name_plural = _("无记名选票")

    def __str__(self) -> str:
        return str(_("无记名选票"))


class ResolutionStatus(models.TextChoices):
    AWAITING_SIGNOFF = "awaiting_signoff", _("待轮值主席签发")
    IN_FORCE = "in_force", _("已生效")


class Resolution(TimeStampedModel):
    """A passed motion's resolution (决议), with its official number."""

    motion = models.OneToOneField(Motion, related_name="resolution", on_delete=models.PROTECT)
    number = models.CharField(_("决议文号"), max_length=60, unique=True)
    title = models.CharField(_("决议标题"), max_length=200)
    adopted_on = models.DateField(_("通过日期"))
    status = models.CharField(_("状态"), max_length=20, choices=ResolutionStatus.choices)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    signed_off_at = models.DateTimeField(_("签发时间"), null=True, blank=True)

    class Meta:
        ordering = ["-adopted_on", "-id"]
        verbose_name = _("决议")
        verbose_name_plural = _("决议")

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("governance:resolution", args=[self.pk])


class CharterVersion(models.Model):
    """One version of the alliance's charter (章程). The first may be the founding text; every later
    version is a revision decided by a council resolution on a charter motion (``charter_revise``)."""

    number = models.PositiveIntegerField(_("版本"), unique=True)
    text = models.TextField(_("章程全文"))
    summary = models.TextField(_("修订说明"), blank=True)
    effective_on = models.DateField(_("施行日期"))
    resolution = models.OneToOneField(
        Resolution,
        verbose_name=_("依据决议"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="charter_version",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        verbose_name = _("章程版本")
        verbose_name_plural = _("章程版本")

    def __str__(self) -> str:
        return str(_("章程第 %(n)s 版") % {"n": self.number})

    def get_absolute_url(self) -> str:
        return reverse("governance:charter") + f"#charter-v{self.number}"


# ---------------------------------------------------------------- secretariat


class NoticeAudience(models.TextChoices):
    ALL = "all", _("全体成员单位")
    CITY = "city", _("指定城市")
    TIER = "tier", _("指定类别")
    ORGANIZATIONS = "organizations", _("指定单位")


class NoticeStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")


class Notice(TimeStampedModel):
    """A secretariat notice (通知公告) with a read receipt per recipient organization."""

    number = models.CharField(_("文号"), max_length=60, blank=True)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("正文"))
    audience = models.CharField(_("发送范围"), max_length=20, choices=NoticeAudience.choices)
    audience_city = models.ForeignKey(
        "core.City", verbose_name=_("城市"), null=True, blank=True, on_delete=models.PROTECT
    )
    audience_tier = models.CharField(_("成员类别"), max_length=20, blank=True)
    audience_organizations = models.ManyToManyField(
        "membership.Organization", verbose_name=_("指定单位"), blank=True, related_name="+"
    )
    read_by = models.DateField(
        _("阅读期限"), null=True, blank=True, help_text=_("到期仍未阅读的单位会收到提醒")
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=NoticeStatus.choices, default=NoticeStatus.DRAFT, db_index=True
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True, db_index=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recipients_count = models.PositiveIntegerField(_("接收单位数"), default=0)
    read_count = models.PositiveIntegerField(_("已读单位数"), default=0)

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("通知公告")
        verbose_name_plural = _("通知公告")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("governance:notice", args=[self.pk])

    @property
    def unread_count(self) -> int:
        return self.recipients_count - self.read_count


def _attachment_path(instance: NoticeAttachment, filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"private/governance/notices/{uuid.uuid4().hex}.{suffix}"


class NoticeAttachment(models.Model):
    notice = models.ForeignKey(Notice, related_name="attachments", on_delete=models.CASCADE)
    title = models.CharField(_("附件名称"), max_length=200)
    file = models.FileField(_("文件"), upload_to=_attachment_path)
    content_type = models.CharField(max_length=60)

    class Meta:
        ordering = ["notice", "id"]
        verbose_name = _("通知附件")
        verbose_name_plural = _("通知附件")

    def __str__(self) -> str:
        return self.title


class NoticeReceipt(models.Model):
    """One recipient organization of a notice and whether (and by whom) it was read."""

    notice = models.ForeignKey(Notice, related_name="receipts", on_delete=models.CASCADE)
    organization = models.ForeignKey(
        "membership.Organization", verbose_name=_("接收单位"), on_delete=models.CASCADE, related_name="+"
    )
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)
    read_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reminded_on = models.DateField(_("最近提醒"), null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(_("提醒次数"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["notice", "organization"], name="unique_notice_receipt")
        ]
        indexes = [models.Index(fields=["organization", "read_at"])]
        verbose_name = _("阅读回执")
        verbose_name_plural = _("阅读回执")

    def __str__(self) -> str:
        return f"{self.notice_id}/{self.organization_id}"


class TaskStatus(models.TextChoices):
    OPEN = "open", _("待办理")
    IN_PROGRESS = "in_progress", _("办理中")
    DONE = "done", _("已办结")
    CANCELLED = "cancelled", _("已撤销")


OPEN_TASK_STATUSES = (TaskStatus.OPEN, TaskStatus.IN_PROGRESS)


class Task(VersionedModel, TimeStampedModel):
    """A tracked follow-up (督办任务), from a resolution or standalone. Transitions: services.TASK_TRANSITIONS."""

    title = models.CharField(_("任务名称"), max_length=200)
    description = models.TextField(_("任务要求"), blank=True)
    resolution = models.ForeignKey(
        Resolution,
        verbose_name=_("来源决议"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="governance_tasks",
    )
    owner_organization = models.ForeignKey(
        "membership.Organization",
        verbose_name=_("责任单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    due_on = models.DateField(_("完成期限"), db_index=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=TaskStatus.choices, default=TaskStatus.OPEN, db_index=True
    )
    completed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    reminded_on = models.DateField(_("最近提醒"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["status", "due_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(owner_user__isnull=False) | Q(owner_organization__isnull=False),
                name="task_has_owner",
            )
        ]
        verbose_name = _("督办任务")
        verbose_name_plural = _("督办任务")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("governance:task", args=[self.pk])

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        return self.status in OPEN_TASK_STATUSES and self.due_on < (today or timezone.localdate())

    @property
    def overdue(self) -> bool:
        return self.is_overdue()

    @property
    def owner_label(self) -> str:
        parts = [str(p) for p in (self.owner_organization, self.owner_user) if p]
        return " · ".join(parts)


class TaskNote(models.Model):
    """A progress note on a task, with the status change it made (if any)."""

    task = models.ForeignKey(Task, related_name="notes", on_delete=models.CASCADE)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    text = models.TextField(_("进展说明"), blank=True)
    old_status = models.CharField(max_length=20, blank=True)
    new_status = models.CharField(max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("办理进展")
        verbose_name_plural = _("办理进展")

    def __str__(self) -> str:
        return f"{self.task_id} {self.created_at}"

    @property
    def new_status_label(self) -> str:
        return str(TaskStatus(self.new_status).label) if self.new_status else ""

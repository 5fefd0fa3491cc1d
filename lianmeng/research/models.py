"""Research leads (研究引领): topic calls and proposals, selection rounds, assignment, reviews, 公示.

Allowed transitions live in one state machine per model in ``machines.py`` (CALL, PROPOSAL, ROUND, ENTRY,
ASSIGNMENT, REVIEW, OBJECTION), with the policies that guard them.
Proposals are reviewed through a selection round of kind ``topic_review`` (the same machinery).
"""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from lianmeng.core.concurrency import VersionedModel
from lianmeng.core.models import StoredFile, TimeStampedModel


def _private_path(folder: str, filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1].lower()[:8] if "." in filename else "bin"
    token = secrets.token_hex(12)
    return f"private/research/{folder}/{token[:2]}/{token}.{suffix}"


# ---------------------------------------------------------------- topic research (课题研究)


class CallStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    OPEN = "open", _("征集中")
    CLOSED = "closed", _("已截止")


class TopicCall(TimeStampedModel):
    """A yearly call (课题指南) listing topics and the proposal deadline."""

    year = models.PositiveSmallIntegerField(_("年度"), db_index=True)
    title = models.CharField(_("指南名称"), max_length=200)
    description = models.TextField(_("指南说明"), blank=True)
    opens_on = models.DateField(_("申报开始"))
    deadline = models.DateField(_("申报截止"))
    status = models.CharField(_("状态"), max_length=20, choices=CallStatus.choices, default=CallStatus.DRAFT)

    class Meta:
        ordering = ["-year", "-id"]
        verbose_name = _("课题指南")
        verbose_name_plural = _("课题指南")
        constraints = [
            models.CheckConstraint(condition=models.Q(deadline__gte=models.F("opens_on")), name="call_dates")
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("research:call", args=[self.pk])


class Topic(models.Model):
    call = models.ForeignKey(
        TopicCall, verbose_name=_("课题指南"), related_name="topics", on_delete=models.CASCADE
    )
    code = models.CharField(_("编号"), max_length=20)
    title = models.CharField(_("课题名称"), max_length=200)
    description = models.TextField(_("研究内容"), blank=True)
    keywords = models.CharField(_("关键词"), max_length=300, blank=True)
    max_budget = models.DecimalField(
        _("资助上限（万元）"), max_digits=10, decimal_places=2, default=Decimal(0)
    )
    position = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("课题")
        verbose_name_plural = _("课题")
        constraints = [models.UniqueConstraint(fields=["call", "code"], name="unique_topic_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class ProposalStatus(models.TextChoices):
    SUBMITTED = "submitted", _("已申报")
    UNDER_REVIEW = "under_review", _("评审中")
    APPROVED = "approved", _("已立项")
    MIDTERM_PASSED = "midterm_passed", _("中期检查通过")
    COMPLETED = "completed", _("已结项")
    REJECTED = "rejected", _("未立项")
    WITHDRAWN = "withdrawn", _("已撤回")
    TERMINATED = "terminated", _("已终止")


class Proposal(TimeStampedModel):
    """A member's proposal for one topic: team, plan, budget, attachments."""

    topic = models.ForeignKey(
        Topic, verbose_name=_("课题"), related_name="proposals", on_delete=models.PROTECT
    )
    organization = models.ForeignKey(
        "membership.Organization",
        verbose_name=_("申报单位"),
        related_name="topic_proposals",
        on_delete=models.PROTECT,
    )
    title = models.CharField(_("项目名称"), max_length=200)
    leader = models.CharField(_("负责人"), max_length=60)
    team = models.CharField(_("课题组成员"), max_length=400, help_text=_("用逗号或顿号分隔"))
    plan = models.TextField(_("研究计划"))
    keywords = models.CharField(_("关键词"), max_length=300, blank=True)
    budget = models.DecimalField(_("经费预算（万元）"), max_digits=10, decimal_places=2)
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=ProposalStatus.choices,
        default=ProposalStatus.SUBMITTED,
        db_index=True,
    )
    decision_note = models.TextField(_("立项意见"), blank=True)
    approved_on = models.DateField(_("立项日期"), null=True, blank=True)
    completed_on = models.DateField(_("结项日期"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提交人"), null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("课题申报")
        verbose_name_plural = _("课题申报")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("research:proposal", args=[self.pk])


def _proposal_file_path(instance: ProposalFile, filename: str) -> str:
    return _private_path("proposals", filename)


class ProposalFile(StoredFile):
    proposal = models.ForeignKey(Proposal, related_name="files", on_delete=models.CASCADE)
    file = models.FileField(_("附件"), upload_to=_proposal_file_path)


class MilestoneKind(models.TextChoices):
    MIDTERM = "midterm", _("中期检查")
    COMPLETION = "completion", _("结项验收")


class Milestone(models.Model):
    """A milestone of an approved topic with the member's report and the secretariat's check."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待提交")
        SUBMITTED = "submitted", _("已提交")
        PASSED = "passed", _("已通过")

    proposal = models.ForeignKey(Proposal, related_name="milestones", on_delete=models.CASCADE)
    kind = models.CharField(_("节点"), max_length=20, choices=MilestoneKind.choices)
    due_date = models.DateField(_("截止日期"))
    report = models.TextField(_("报告摘要"), blank=True)
    report_file = models.FileField(_("报告文件"), upload_to=_proposal_file_path, blank=True)
    report_content_type = models.CharField(max_length=100, blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.PENDING)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    checked_at = models.DateTimeField(_("检查时间"), null=True, blank=True)
    comment = models.TextField(_("检查意见"), blank=True)

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("课题节点")
        verbose_name_plural = _("课题节点")
        constraints = [models.UniqueConstraint(fields=["proposal", "kind"], name="one_milestone_per_kind")]

    def __str__(self) -> str:
        return f"{self.proposal} · {self.get_kind_display()}"


class ProposalOutput(models.Model):
    """An achievement filed in the library as an output of a topic (成果入库)."""

    proposal = models.ForeignKey(Proposal, related_name="outputs", on_delete=models.CASCADE)
    achievement = models.ForeignKey("library.Achievement", related_name="+", on_delete=models.PROTECT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "achievement"], name="unique_proposal_output")
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id} → {self.achievement_id}"


# ---------------------------------------------------------------- selection rounds (评选)


class RoundKind(models.TextChoices):
    TYPICAL_CASE = "typical_case", _("典型案例")
    RESEARCH_RESULT = "research_result", _("优秀科研成果")
    TOPIC_REVIEW = "topic_review", _("课题立项评审")
    OTHER = "other", _("其他")


class RoundStatus(models.TextChoices):
    DRAFT = "draft", _("筹备中")
    ENTRIES = "entries", _("征集中")
    REVIEW = "review", _("评审中")
    PUBLICITY = "publicity", _("公示中")
    FINAL = "final", _("已定稿")


class Normalisation(models.TextChoices):
    NONE = "none", _("不标准化")
    ZSCORE = "zscore", _("按专家标准化（z 分数）")


class AwardLevel(models.TextChoices):
    FIRST = "first", _("一等奖")
    SECOND = "second", _("二等奖")
    THIRD = "third", _("三等奖")
    EXCELLENT = "excellent", _("优秀奖")
    APPROVED = "approved", _("拟立项")


class SelectionRound(TimeStampedModel):
    """An award round with its rules, rubric, timeline and the assignment settings."""

    kind = models.CharField(_("评选类型"), max_length=30, choices=RoundKind.choices)
    year = models.PositiveSmallIntegerField(_("年度"), db_index=True)
    title = models.CharField(_("评选名称"), max_length=200)
    description = models.TextField(_("评选说明"), blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=RoundStatus.choices, default=RoundStatus.DRAFT, db_index=True
    )
    topic_call = models.ForeignKey(
        TopicCall,
        verbose_name=_("课题指南"),
        null=True,
        blank=True,
        related_name="review_rounds",
        on_delete=models.PROTECT,
    )
    # Eligibility
    require_good_standing = models.BooleanField(_("仅限正常状态的成员单位"), default=True)
    # Comma-wrapped OrganizationKind values (",park,university,"); empty accepts every kind.
    accepted_kinds = models.CharField(_("接受的单位类型"), max_length=300, blank=True, default="")
    one_entry_per_organization = models.BooleanField(_("每个单位限报一项"), default=True)
    # Timeline
    entries_close_on = models.DateField(_("申报截止"))
    review_due_on = models.DateField(_("评审截止"))
    publicity_days = models.PositiveSmallIntegerField(_("公示天数"), default=7)
    publicity_starts_at = models.DateTimeField(_("公示开始"), null=True, blank=True)
    publicity_ends_at = models.DateTimeField(_("公示结束"), null=True, blank=True)
    finalised_at = models.DateTimeField(_("定稿时间"), null=True, blank=True)
    objection_contact = models.CharField(_("异议受理联系人"), max_length=120, blank=True)
    # Review
    reviewers_per_entry = models.PositiveSmallIntegerField(_("每项评审专家数"), default=3)
    max_load = models.PositiveSmallIntegerField(_("每位专家最多评审"), default=6)
    min_load = models.PositiveSmallIntegerField(_("每位专家最少评审"), default=0)
    same_city_conflict = models.BooleanField(_("同城回避"), default=True)
    normalisation = models.CharField(
        _("分数标准化"), max_length=20, choices=Normalisation.choices, default=Normalisation.NONE
    )
    assignment_mode = models.CharField(_("分配方式"), max_length=10, default="total")
    assignment_figures = models.JSONField(_("分配质量"), default=dict, blank=True)
    invited_at = models.DateTimeField(_("邀请时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )

    class Meta:
        ordering = ["-year", "-id"]
        verbose_name = _("评选")
        verbose_name_plural = _("评选")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("research:round", args=[self.pk])

    @property
    def accepted_kind_list(self) -> list[str]:
        return [k for k in self.accepted_kinds.split(",") if k]


class Criterion(models.Model):
    round = models.ForeignKey(SelectionRound, related_name="criteria", on_delete=models.CASCADE)
    name = models.CharField(_("评审指标"), max_length=60)
    description = models.CharField(_("评分要点"), max_length=300, blank=True)
    weight = models.DecimalField(_("权重（%）"), max_digits=5, decimal_places=2)
    max_score = models.PositiveSmallIntegerField(_("满分"), default=10)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("评审指标")
        verbose_name_plural = _("评审指标")

    def __str__(self) -> str:
        return self.name


class AwardTier(models.Model):
    round = models.ForeignKey(SelectionRound, related_name="tiers", on_delete=models.CASCADE)
    level = models.CharField(_("奖项"), max_length=20, choices=AwardLevel.choices)
    quota_percent = models.DecimalField(_("名额比例（%）"), max_digits=5, decimal_places=2)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("奖项等级")
        verbose_name_plural = _("奖项等级")
        constraints = [models.UniqueConstraint(fields=["round", "level"], name="unique_round_tier")]

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.quota_percent}%"


class EntryStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待资格审查")
    ELIGIBLE = "eligible", _("资格审查通过")
    INELIGIBLE = "ineligible", _("不符合条件")
    WITHDRAWN = "withdrawn", _("已撤回")


class Entry(TimeStampedModel):
    """One entry in a round, from a member (linked to an achievement or a topic proposal, or new)."""

    round = models.ForeignKey(
        SelectionRound, verbose_name=_("评选"), related_name="entries", on_delete=models.CASCADE
    )
    organization = models.ForeignKey(
        "membership.Organization",
        verbose_name=_("申报单位"),
        related_name="selection_entries",
        on_delete=models.PROTECT,
    )
    title = models.CharField(_("申报名称"), max_length=200)
    authors = models.CharField(_("作者或完成人"), max_length=300, help_text=_("用逗号或顿号分隔"))
    summary = models.TextField(_("简介"))
    keywords = models.CharField(_("关键词"), max_length=300, blank=True)
    achievement = models.ForeignKey(
        "library.Achievement",
        verbose_name=_("关联成果"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )
    proposal = models.OneToOneField(
        Proposal,
        verbose_name=_("课题申报"),
        null=True,
        blank=True,
        related_name="entry",
        on_delete=models.CASCADE,
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=EntryStatus.choices, default=EntryStatus.SUBMITTED, db_index=True
    )
    eligibility_note = models.CharField(_("资格审查意见"), max_length=300, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    # Results (set when the round goes to 公示, kept at finalisation)
    score = models.DecimalField(_("综合得分"), max_digits=8, decimal_places=3, null=True, blank=True)
    rank = models.PositiveIntegerField(_("排名"), null=True, blank=True)
    award = models.CharField(_("奖项"), max_length=20, choices=AwardLevel.choices, blank=True, default="")
    showcase = models.BooleanField(_("推荐年度应用场景展示"), default=False)
    result_achievement = models.ForeignKey(
        "library.Achievement",
        verbose_name=_("入库成果"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )

    class Meta:
        ordering = ["rank", "created_at", "id"]
        verbose_name = _("参评项目")
        verbose_name_plural = _("参评项目")
        indexes = [models.Index(fields=["round", "status"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("research:entry", args=[self.pk])


def _entry_file_path(instance: EntryFile, filename: str) -> str:
    return _private_path("entries", filename)


class EntryFile(StoredFile):
    entry = models.ForeignKey(Entry, related_name="files", on_delete=models.CASCADE)
    file = models.FileField(_("附件"), upload_to=_entry_file_path)


class AssignmentStatus(models.TextChoices):
    PROPOSED = "proposed", _("拟分配")
    INVITED = "invited", _("已邀请")
    ACCEPTED = "accepted", _("已接受")
    DECLINED = "declined", _("已婉拒")


class AssignmentSource(models.TextChoices):
    SOLVER = "solver", _("优化分配")
    MANUAL = "manual", _("人工调整")
    REASSIGN = "reassign", _("婉拒后自动补派")


class Assignment(models.Model):
    """An expert assigned to review one entry. Conflicts are checked before it is created and at every use."""

    round = models.ForeignKey(SelectionRound, related_name="assignments", on_delete=models.CASCADE)
    entry = models.ForeignKey(Entry, related_name="assignments", on_delete=models.CASCADE)
    expert = models.ForeignKey("library.Expert", related_name="review_assignments", on_delete=models.PROTECT)
    affinity = models.PositiveSmallIntegerField(_("匹配度"), default=0)
    explanation = models.JSONField(_("匹配说明"), default=list, blank=True)
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=AssignmentStatus.choices,
        default=AssignmentStatus.PROPOSED,
        db_index=True,
    )
    source = models.CharField(
        _("来源"), max_length=20, choices=AssignmentSource.choices, default=AssignmentSource.SOLVER
    )
    invited_at = models.DateTimeField(_("邀请时间"), null=True, blank=True)
    responded_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    decline_reason = models.CharField(_("婉拒原因"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["entry_id", "-affinity", "id"]
        verbose_name = _("评审分配")
        verbose_name_plural = _("评审分配")
        constraints = [models.UniqueConstraint(fields=["entry", "expert"], name="one_assignment_per_pair")]
        indexes = [models.Index(fields=["expert", "status"])]

    def __str__(self) -> str:
        return f"{self.entry} ← {self.expert}"


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("排队等待")
    RUNNING = "running", _("正在计算")
    DONE = "done", _("计算完成")
    APPLIED = "applied", _("已应用")
    CANCELLED = "cancelled", _("已取消")
    FAILED = "failed", _("计算失败")
    STALE = "stale", _("评选已变化")


class AssignmentJob(TimeStampedModel):
    """One assignment computation of a round, run by ``lianmeng worker`` (tasks.compute_assignment).

    The worker writes its progress here (stage, best worst entry so far, the ceiling, seconds) and the
    result (the pairs with their affinity and explanation, the quality figures); the secretariat applies
    it in a short transaction that checks ``signature`` (the round's data when the job started) first."""

    round = models.ForeignKey(SelectionRound, related_name="assignment_jobs", on_delete=models.CASCADE)
    mode = models.CharField(_("分配方式"), max_length=10, default="total")
    time_limit = models.FloatField(_("计算时限（秒）"), default=20.0)
    status = models.CharField(
        _("状态"), max_length=20, choices=JobStatus.choices, default=JobStatus.QUEUED, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="+", null=True, on_delete=models.SET_NULL
    )
    signature = models.CharField(max_length=64, blank=True)
    stage = models.CharField(_("阶段"), max_length=20, blank=True)
    best_worst = models.IntegerField(_("目前最差项目匹配度"), null=True, blank=True)
    ceiling = models.FloatField(_("理论上限"), null=True, blank=True)
    seconds = models.FloatField(_("已用时间（秒）"), default=0)
    cancel_requested = models.BooleanField(default=False)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("分配计算")
        verbose_name_plural = _("分配计算")

    def __str__(self) -> str:
        return f"{self.round} #{self.pk} {self.mode} {self.status}"

    @property
    def active(self) -> bool:
        return self.status in (JobStatus.QUEUED, JobStatus.RUNNING)

    @property
    def gap(self) -> float | None:
        """The best worst entry's distance to the ceiling, as a share of the ceiling."""
        if self.best_worst is None or not self.ceiling:
            return None
        return max(0.0, (self.ceiling - self.best_worst) / self.ceiling)


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")


class Review(VersionedModel, TimeStampedModel):
    """One expert's review of one entry: a score and comment per criterion; locked once submitted."""

    assignment = models.OneToOneField(Assignment, related_name="review", on_delete=models.CASCADE)
    status = models.CharField(
        _("状态"), max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT
    )
    overall_comment = models.TextField(_("总体意见"), blank=True)
    weighted_score = models.DecimalField(_("加权得分"), max_digits=7, decimal_places=3, null=True, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    reopened_count = models.PositiveSmallIntegerField(_("退回次数"), default=0)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("评审意见")
        verbose_name_plural = _("评审意见")

    def __str__(self) -> str:
        return f"{self.assignment}"

    def get_absolute_url(self) -> str:
        return reverse("research:review", args=[self.pk])


class CriterionScore(models.Model):
    review = models.ForeignKey(Review, related_name="scores", on_delete=models.CASCADE)
    criterion = models.ForeignKey(Criterion, related_name="+", on_delete=models.CASCADE)
    score = models.DecimalField(_("得分"), max_digits=5, decimal_places=1, null=True, blank=True)
    comment = models.TextField(_("评语"), blank=True)

    class Meta:
        ordering = ["criterion__position", "criterion_id"]
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="one_score_per_criterion")
        ]

    def __str__(self) -> str:
        return f"{self.criterion_id}: {self.score}"


class Objection(models.Model):
    """An objection (异议) filed during 公示, with the secretariat's response."""

    class Status(models.TextChoices):
        OPEN = "open", _("待答复")
        ANSWERED = "answered", _("已答复")

    class Outcome(models.TextChoices):
        NONE = "", _("未定")
        UPHELD = "upheld", _("异议成立")
        DISMISSED = "dismissed", _("异议不成立")

    round = models.ForeignKey(SelectionRound, related_name="objections", on_delete=models.CASCADE)
    entry = models.ForeignKey(
        Entry,
        verbose_name=_("异议对象"),
        null=True,
        blank=True,
        related_name="objections",
        on_delete=models.CASCADE,
    )
    name = models.CharField(_("异议人"), max_length=60)
    contact = models.CharField(_("联系方式"), max_length=120)
    reasons = models.TextField(_("异议理由"))
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.OPEN)
    outcome = models.CharField(_("处理结果"), max_length=20, choices=Outcome.choices, blank=True, default="")
    response = models.TextField(_("秘书处答复"), blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    responded_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("提出时间"), auto_now_add=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("异议")
        verbose_name_plural = _("异议")

    def __str__(self) -> str:
        return f"{self.round_id}: {self.name}"

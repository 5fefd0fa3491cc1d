"""1+3+X: the advisory committee, the expert / project / achievement libraries and consultations.

Allowed transitions live in ``machines`` (PROJECT, CONSULTATION).
Search columns (``search_text``, pinyin) are kept by the ``*_index_fields`` functions in ``services``.
"""

from __future__ import annotations

import re
import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from lianmeng.core.concurrency import VersionedModel
from lianmeng.core.models import StoredFile, TimeStampedModel, search_columns


class ExpertiseField(models.Model):
    """The configurable taxonomy of fields of expertise (专业领域)."""

    name = models.CharField(_("领域名称"), max_length=60, unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级领域"),
        null=True,
        blank=True,
        related_name="children",
        on_delete=models.PROTECT,
    )
    position = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("专业领域")
        verbose_name_plural = _("专业领域")

    def __str__(self) -> str:
        return self.name


class StrategyTag(models.Model):
    """National-strategy tags (一带一路, 东西部协作, 乡村振兴 by default; configurable)."""

    name = models.CharField(_("国家战略"), max_length=40, unique=True)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("国家战略标签")
        verbose_name_plural = _("国家战略标签")

    def __str__(self) -> str:
        return self.name


class ExpertTitle(models.TextChoices):
    SENIOR = "senior", _("正高级")
    ASSOCIATE = "associate", _("副高级")
    INTERMEDIATE = "intermediate", _("中级")
    JUNIOR = "junior", _("初级")


class Availability(models.TextChoices):
    AVAILABLE = "available", _("可接受咨询")
    BUSY = "busy", _("暂时繁忙")
    UNAVAILABLE = "unavailable", _("暂不接受")


class ExpertStatus(models.TextChoices):
    ACTIVE = "active", _("在库")
    INACTIVE = "inactive", _("已出库")


class Expert(VersionedModel, TimeStampedModel):
    """A person in the expert library. Personal data (mobile, email, ID number) is PIPL-protected:
    only the secretariat and the expert see it; the public sees only consented fields."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("账户"),
        null=True,
        blank=True,
        related_name="expert_profile",
        on_delete=models.SET_NULL,
    )
    name = models.CharField(_("姓名"), max_length=60)
    organization = models.ForeignKey(
        "membership.Organization",
        verbose_name=_("所在单位"),
        null=True,
        blank=True,
        related_name="experts",
        on_delete=models.PROTECT,
    )
    organization_name = models.CharField(_("单位名称"), max_length=120, blank=True)
    city = models.ForeignKey("core.City", verbose_name=_("所在城市"), on_delete=models.PROTECT)
    title = models.CharField(_("职称"), max_length=20, choices=ExpertTitle.choices)
    position = models.CharField(_("职务"), max_length=60, blank=True)
    fields = models.ManyToManyField(
        ExpertiseField, verbose_name=_("专业领域"), related_name="experts", blank=True
    )
    keywords = models.CharField(_("关键词"), max_length=300, blank=True, help_text=_("用逗号或顿号分隔"))
    biography = models.TextField(_("个人简介"), blank=True)
    availability = models.CharField(
        _("咨询状态"), max_length=20, choices=Availability.choices, default=Availability.AVAILABLE
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=ExpertStatus.choices, default=ExpertStatus.ACTIVE
    )
    # Personal data (PIPL)
    mobile = models.CharField(_("手机号码"), max_length=11, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)
    id_number = models.CharField(_("身份证号码"), max_length=18, blank=True)
    # Consent to publish (the public profile shows only what the expert agreed to)
    publish_consent = models.BooleanField(_("同意公开个人简介"), default=False)
    consented_at = models.DateTimeField(_("同意时间"), null=True, blank=True)
    declared_conflicts = models.ManyToManyField(
        "membership.Organization",
        verbose_name=_("申报回避单位"),
        related_name="conflicted_experts",
        blank=True,
    )
    search_text, name_pinyin, name_initials, name_sort = search_columns(pinyin=200, initials=60)

    class Meta:
        ordering = ["name_sort", "id"]
        verbose_name = _("专家")
        verbose_name_plural = _("专家库")
        indexes = [
            models.Index(fields=["status", "name_sort"]),
            models.Index(fields=["city", "name_sort"]),
            # The public list (and its count): active experts who agreed to be listed, by name.
            models.Index(
                fields=["name_sort", "id"],
                condition=models.Q(status="active", publish_consent=True),
                name="lib_expert_public",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("library:expert", args=[self.pk])

    @property
    def keyword_list(self) -> list[str]:
        return split_keywords(self.keywords)

    @property
    def affiliation(self) -> str:
        return (
            self.organization.name if self.organization_id and self.organization else self.organization_name
        )


class CommitteePost(models.TextChoices):
    CHAIR = "chair", _("主任")
    VICE_CHAIR = "vice_chair", _("副主任")
    MEMBER = "member", _("委员")


class CommitteeMembership(models.Model):
    """An expert's seat on the advisory committee (专家咨询委员会) for one term."""

    expert = models.ForeignKey(
        Expert, verbose_name=_("专家"), related_name="committee_terms", on_delete=models.CASCADE
    )
    post = models.CharField(_("职务"), max_length=20, choices=CommitteePost.choices)
    term_start = models.DateField(_("任期开始"))
    term_end = models.DateField(_("任期结束"))

    class Meta:
        ordering = ["term_start", "id"]
        verbose_name = _("咨询委员会委员")
        verbose_name_plural = _("专家咨询委员会")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(term_end__gte=models.F("term_start")), name="committee_term_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.expert} · {self.get_post_display()}"


class IntegrationTag(models.TextChoices):
    TECHNOLOGY = "technology", _("科技")
    CAPITAL = "capital", _("资本")
    INDUSTRY = "industry", _("产业")


class ProjectStage(models.TextChoices):
    PROPOSED = "proposed", _("已申报")
    EVALUATING = "evaluating", _("评估中")
    INCUBATING = "incubating", _("孵化中")
    LANDED = "landed", _("已落地")
    OPERATING = "operating", _("运营中")
    CLOSED = "closed", _("已终止")


class Project(VersionedModel, TimeStampedModel):
    """A co-built project (共建项目). Stages: machines.PROJECT."""

    name = models.CharField(_("项目名称"), max_length=120)
    summary = models.TextField(_("项目简介"))
    lead_organization = models.ForeignKey(
        "membership.Organization",
        verbose_name=_("牵头单位"),
        related_name="led_projects",
        on_delete=models.PROTECT,
    )
    partner_organizations = models.ManyToManyField(
        "membership.Organization", verbose_name=_("合作单位"), related_name="partner_projects", blank=True
    )
    cities = models.ManyToManyField(
        "core.City", verbose_name=_("所在城市"), related_name="projects", blank=True
    )
    strategy_tags = models.ManyToManyField(
        StrategyTag, verbose_name=_("国家战略"), related_name="projects", blank=True
    )
    # Comma-wrapped IntegrationTag values (",technology,capital,") so that a LIKE finds one tag on any database.
    integration_tags = models.CharField(_("融合方向"), max_length=60, blank=True, default="")
    planned_investment = models.DecimalField(
        _("计划投资（万元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    stage = models.CharField(
        _("阶段"), max_length=20, choices=ProjectStage.choices, default=ProjectStage.PROPOSED, db_index=True
    )
    closed_reason = models.TextField(_("终止原因"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提交人"), null=True, blank=True, on_delete=models.SET_NULL
    )
    search_text, name_pinyin, name_initials, name_sort = search_columns()

    class Meta:
        ordering = ["name_sort", "id"]
        verbose_name = _("共建项目")
        verbose_name_plural = _("共建项目库")
        indexes = [models.Index(fields=["stage", "name_sort"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("library:project", args=[self.pk])

    @property
    def integration_tag_list(self) -> list[str]:
        return [t for t in self.integration_tags.split(",") if t]

    @property
    def integration_tag_labels(self) -> list[str]:
        return [str(IntegrationTag(t).label) for t in self.integration_tag_list if t in IntegrationTag.values]


class ProjectStageChange(models.Model):
    """One stage transition of a project: who moved it, when, and why."""

    project = models.ForeignKey(Project, related_name="stage_changes", on_delete=models.CASCADE)
    from_stage = models.CharField(_("原阶段"), max_length=20, choices=ProjectStage.choices, blank=True)
    to_stage = models.CharField(_("新阶段"), max_length=20, choices=ProjectStage.choices)
    date = models.DateField(_("日期"))
    note = models.TextField(_("说明"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("阶段变更")
        verbose_name_plural = _("阶段变更")

    def __str__(self) -> str:
        return f"{self.project_id}: {self.from_stage} → {self.to_stage}"


class Landing(models.Model):
    """A project implemented (落地) in one city: park, date, investment and jobs created."""

    project = models.ForeignKey(
        Project, verbose_name=_("项目"), related_name="landings", on_delete=models.CASCADE
    )
    city = models.ForeignKey(
        "core.City", verbose_name=_("落地城市"), related_name="landings", on_delete=models.PROTECT
    )
    park = models.ForeignKey(
        "membership.Organization",
        verbose_name=_("落地园区"),
        null=True,
        blank=True,
        related_name="landings",
        on_delete=models.PROTECT,
    )
    park_name = models.CharField(_("园区名称"), max_length=120, blank=True)
    date = models.DateField(_("落地日期"), db_index=True)
    investment = models.DecimalField(_("投资额（万元）"), max_digits=14, decimal_places=2, default=0)
    jobs = models.PositiveIntegerField(_("带动就业（人）"), default=0)
    notes = models.TextField(_("备注"), blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("落地记录")
        verbose_name_plural = _("落地记录")
        constraints = [
            models.UniqueConstraint(fields=["project", "city"], name="one_landing_per_project_city")
        ]
        indexes = [models.Index(fields=["city", "date"])]

    def __str__(self) -> str:
        return f"{self.project} · {self.city}"

    @property
    def park_display(self) -> str:
        return self.park.name if self.park_id and self.park else self.park_name


class AchievementKind(models.TextChoices):
    RESEARCH_REPORT = "research_report", _("研究报告")
    TYPICAL_CASE = "typical_case", _("典型案例")
    STANDARD = "standard", _("标准")
    PATENT = "patent", _("专利")
    SOFTWARE_COPYRIGHT = "software_copyright", _("软件著作权")
    PAPER = "paper", _("论文")
    POLICY_ADVICE = "policy_advice", _("政策建议")
    APPLICATION_SCENARIO = "application_scenario", _("应用场景")


class Visibility(models.TextChoices):
    PUBLIC = "public", _("公开")
    MEMBERS = "members", _("仅成员可见")
    PRIVATE = "private", _("仅本单位和秘书处")


class AchievementSource(models.TextChoices):
    NONE = "", _("其他")
    TOPIC = "topic", _("课题研究")
    SELECTION = "selection", _("评选")


class Achievement(VersionedModel, TimeStampedModel):
    """An entry in the achievement library (成果库)."""

    kind = models.CharField(_("成果类型"), max_length=30, choices=AchievementKind.choices, db_index=True)
    title = models.CharField(_("成果名称"), max_length=200)
    authors = models.CharField(_("作者"), max_length=300, help_text=_("多位作者用逗号或顿号分隔"))
    organizations = models.ManyToManyField(
        "membership.Organization", verbose_name=_("完成单位"), related_name="achievements", blank=True
    )
    owner_organization = models.ForeignKey(
        "membership.Organization",
        verbose_name=_("提交单位"),
        null=True,
        blank=True,
        related_name="owned_achievements",
        on_delete=models.PROTECT,
    )
    year = models.PositiveSmallIntegerField(_("年度"), db_index=True)
    abstract = models.TextField(_("摘要"), blank=True)
    keywords = models.CharField(_("关键词"), max_length=300, blank=True)
    visibility = models.CharField(
        _("公开范围"), max_length=20, choices=Visibility.choices, default=Visibility.PUBLIC, db_index=True
    )
    awards = models.CharField(_("获奖情况"), max_length=300, blank=True)
    source = models.CharField(
        _("来源"), max_length=20, choices=AchievementSource.choices, blank=True, default=""
    )
    source_reference = models.CharField(
        _("来源说明"), max_length=200, blank=True, help_text=_("课题或评选名称")
    )
    application_scenarios = models.TextField(_("应用场景"), blank=True)
    showcase = models.BooleanField(_("入选年度应用场景展示"), default=False)
    showcase_year = models.PositiveSmallIntegerField(_("展示年度"), null=True, blank=True, db_index=True)
    publisher = models.CharField(_("出版或发布单位"), max_length=200, blank=True)
    identifier = models.CharField(
        _("编号"), max_length=80, blank=True, help_text=_("标准号、专利号、登记号或 DOI")
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提交人"), null=True, blank=True, on_delete=models.SET_NULL
    )
    search_text, name_pinyin, name_initials, name_sort = search_columns(initials=200)

    class Meta:
        ordering = ["-year", "name_sort", "id"]
        verbose_name = _("成果")
        verbose_name_plural = _("成果库")
        indexes = [
            models.Index(fields=["visibility", "year"]),
            models.Index(fields=["showcase_year", "visibility"]),
            # The achievement list's order (newest year, then name) within a visibility: no sort of a year.
            models.Index(fields=["visibility", "-year", "name_sort", "id"], name="lib_ach_list"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("library:achievement", args=[self.pk])

    @property
    def author_list(self) -> list[str]:
        return split_keywords(self.authors)

    @property
    def keyword_list(self) -> list[str]:
        return split_keywords(self.keywords)


def _achievement_file_path(instance: AchievementFile, filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1].lower()[:8] if "." in filename else "bin"
    token = secrets.token_hex(12)
    return f"private/achievements/{token[:2]}/{token}.{suffix}"


class AchievementFile(models.Model):
    """A file of an achievement, stored privately and served only through a permission check."""

    achievement = models.ForeignKey(Achievement, related_name="files", on_delete=models.CASCADE)
    file = models.FileField(_("文件"), upload_to=_achievement_file_path)
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("大小"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("成果文件")
        verbose_name_plural = _("成果文件")

    def __str__(self) -> str:
        return self.original_name


class Urgency(models.TextChoices):
    NORMAL = "normal", _("一般")
    URGENT = "urgent", _("紧急")


class ConsultationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待分派")
    ASSIGNED = "assigned", _("专家答复中")
    ANSWERED = "answered", _("已答复")
    RATED = "rated", _("已评价")
    CLOSED = "closed", _("已关闭")


class Consultation(TimeStampedModel):
    """A member's question to the advisory committee (专家咨询). Transitions: machines.CONSULTATION."""

    organization = models.ForeignKey(
        "membership.Organization",
        verbose_name=_("咨询单位"),
        related_name="consultations",
        on_delete=models.PROTECT,
    )
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提问人"),
        null=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )
    title = models.CharField(_("咨询主题"), max_length=120)
    question = models.TextField(_("问题描述"))
    field = models.ForeignKey(
        ExpertiseField, verbose_name=_("所属领域"), null=True, blank=True, on_delete=models.PROTECT
    )
    urgency = models.CharField(_("紧急程度"), max_length=20, choices=Urgency.choices, default=Urgency.NORMAL)
    due_date = models.DateField(_("期望答复日期"))
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=ConsultationStatus.choices,
        default=ConsultationStatus.SUBMITTED,
        db_index=True,
    )
    experts = models.ManyToManyField(
        Expert, verbose_name=_("咨询专家"), through="ConsultationAssignment", related_name="consultations"
    )
    project = models.ForeignKey(
        Project,
        verbose_name=_("相关项目"),
        null=True,
        blank=True,
        related_name="consultations",
        on_delete=models.SET_NULL,
    )
    rating = models.PositiveSmallIntegerField(_("评分"), null=True, blank=True)
    rating_comment = models.TextField(_("评价意见"), blank=True)
    reminded_at = models.DateTimeField(_("最近催办"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("专家咨询")
        verbose_name_plural = _("专家咨询")
        # The consultation list sorts newest first, filtered by status or not (docs/scale.md).
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="lib_consult_newest"),
            models.Index(fields=["status", "-created_at", "-id"], name="lib_consult_status_newest"),
            # the secretariat's workbench: open consultations, soonest due first (70 ms -> 0.1 ms at
            # 200,000 consultations: the sort of every open one)
            models.Index(fields=["status", "due_date", "id"], name="lib_consult_status_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="consultation_rating_1_5",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("library:consultation", args=[self.pk])


class ConsultationAssignment(models.Model):
    consultation = models.ForeignKey(Consultation, related_name="assignments", on_delete=models.CASCADE)
    expert = models.ForeignKey(Expert, related_name="assignments", on_delete=models.PROTECT)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, related_name="+", on_delete=models.SET_NULL
    )
    assigned_at = models.DateTimeField(_("分派时间"), auto_now_add=True)

    class Meta:
        ordering = ["assigned_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["consultation", "expert"], name="one_assignment_per_expert")
        ]

    def __str__(self) -> str:
        return f"{self.consultation_id} → {self.expert}"


class ConsultationAnswer(models.Model):
    consultation = models.ForeignKey(Consultation, related_name="answers", on_delete=models.CASCADE)
    expert = models.ForeignKey(
        Expert, verbose_name=_("专家"), related_name="answers", on_delete=models.PROTECT
    )
    text = models.TextField(_("答复意见"))
    created_at = models.DateTimeField(_("答复时间"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("专家答复")
        verbose_name_plural = _("专家答复")

    def __str__(self) -> str:
        return f"{self.expert}: {self.text[:20]}"


def _consultation_file_path(instance: ConsultationAttachment, filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1].lower()[:8] if "." in filename else "bin"
    token = secrets.token_hex(12)
    return f"private/consultations/{token[:2]}/{token}.{suffix}"


class ConsultationAttachment(StoredFile):
    consultation = models.ForeignKey(Consultation, related_name="attachments", on_delete=models.CASCADE)
    file = models.FileField(upload_to=_consultation_file_path)
    original_name = models.CharField(max_length=200)


class ProjectEvaluation(models.Model):
    """An expert's answer attached to a project as an evaluation (专家评估意见)."""

    project = models.ForeignKey(Project, related_name="evaluations", on_delete=models.CASCADE)
    answer = models.ForeignKey(ConsultationAnswer, related_name="evaluations", on_delete=models.CASCADE)
    attached_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, related_name="+", on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(_("关联时间"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "answer"], name="one_evaluation_per_answer")
        ]

    def __str__(self) -> str:
        return f"{self.project_id} ← {self.answer_id}"


def split_keywords(text: str) -> list[str]:
    return [k.strip() for k in re.split(r"[,，、;；\n]+", text or "") if k.strip()]

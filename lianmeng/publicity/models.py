"""Articles of the portal: news, notices, media coverage and policies, with a publish workflow."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from lianmeng.core.concurrency import VersionedModel
from lianmeng.core.models import TimeStampedModel


class ArticleKind(models.TextChoices):
    NEWS = "news", _("新闻")
    NOTICE = "notice", _("通知公告")
    MEDIA = "media", _("媒体报道")
    POLICY = "policy", _("政策")


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    REVIEW = "review", _("待审核")
    SCHEDULED = "scheduled", _("定时发布")
    PUBLISHED = "published", _("已发布")
    UNPUBLISHED = "unpublished", _("已撤下")


def _cover_path(instance: Article, filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    return f"articles/covers/{secrets.token_hex(8)}.{suffix}"


class Article(VersionedModel, TimeStampedModel):
    """One article. Allowed workflow actions: services.ARTICLE_TRANSITIONS."""

    kind = models.CharField(_("类别"), max_length=20, choices=ArticleKind.choices, default=ArticleKind.NEWS)
    title = models.CharField(_("标题"), max_length=120)
    summary = models.CharField(_("摘要"), max_length=300, blank=True)
    body = models.TextField(_("正文"), help_text=_("保存前已清除脚本等不安全内容"))
    cover = models.FileField(_("封面图"), upload_to=_cover_path, blank=True)
    cover_content_type = models.CharField(max_length=40, blank=True)
    tags = models.JSONField(_("标签"), default=list, blank=True)
    outlet = models.CharField(_("媒体名称"), max_length=80, blank=True)
    source_url = models.URLField(_("原文链接"), max_length=500, blank=True)
    organizations = models.ManyToManyField(
        "membership.Organization", verbose_name=_("相关单位"), related_name="articles", blank=True
    )
    projects = models.ManyToManyField(
        "library.Project", verbose_name=_("相关项目"), related_name="articles", blank=True
    )
    events = models.ManyToManyField(
        "activities.Event", verbose_name=_("相关活动"), related_name="articles", blank=True
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    publish_at = models.DateTimeField(_("定时发布时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True, db_index=True)
    review_note = models.TextField(_("审核意见"), blank=True)
    unpublished_reason = models.TextField(_("撤下原因"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("撰稿人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="articles",
    )
    suggested_by = models.ForeignKey(
        "membership.Organization",
        verbose_name=_("投稿单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="suggested_articles",
    )
    search_text = models.TextField(editable=False, default="")

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("文章")
        verbose_name_plural = _("文章")
        indexes = [
            models.Index(fields=["status", "-published_at"], name="pub_art_public"),
            models.Index(fields=["status", "kind", "-published_at"], name="pub_art_kind"),
            models.Index(fields=["status", "publish_at"], name="pub_art_due"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("publicity:article", args=[self.pk])

    @property
    def is_public(self) -> bool:
        return self.status == ArticleStatus.PUBLISHED

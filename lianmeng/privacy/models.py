"""The record of each erasure: when, by whom, why, and how many rows it changed (no personal data)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Erasure(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("账号"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )
    pseudonym = models.CharField(_("代称"), max_length=60, blank=True)
    reason = models.TextField(_("删除依据"))
    counts = models.JSONField(_("处理数量"), default=dict, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("个人信息删除记录")
        verbose_name_plural = _("个人信息删除记录")

    def __str__(self) -> str:
        return self.pseudonym or f"#{self.pk}"

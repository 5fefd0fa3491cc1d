"""Desk panel of the core app: the viewer's roles and where to start."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from .nav import DeskItem, DeskPanel


def panels(user: Any) -> list[DeskPanel]:
    items = [DeskItem(label=label) for label in user.role_labels] or [DeskItem(label=_("尚未分配角色"))]
    if user.is_secretariat:
        items.append(DeskItem(label=_("审计日志"), url=reverse("core:audit")))
    if user.is_administrator:
        items.append(DeskItem(label=_("后台任务"), url=reverse("core:tasks")))
    return [DeskPanel(title=_("我的角色"), items=items, order=1000, to_do=False)]

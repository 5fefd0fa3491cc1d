"""Desk panel for the secretariat: erasure requests (个人信息删除)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from lianmeng.core.nav import DeskItem, DeskPanel

from . import policies
from .models import Erasure


def panels(user: Any) -> list[DeskPanel]:
    if not policies.can_erase_people(user):
        return []
    recent = list(Erasure.objects.all()[:3])
    return [
        DeskPanel(
            title=_("个人信息保护"),
            items=[DeskItem(label=e.pseudonym, url="", meta=f"{e.created_at:%Y-%m-%d}") for e in recent],
            more_url=reverse("privacy:erasures"),
            empty_text=_("尚无删除记录。收到本人删除申请时，在此查找并删除。"),
            order=95,
        )
    ]

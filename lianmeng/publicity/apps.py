from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from lianmeng.core.nav import NavItem


def _writers(user: Any) -> bool:
    from .policies import can_create_article  # cycle: apps.py loads before the models the policies read

    return can_create_article(user)


class PublicityConfig(AppConfig):
    name = "lianmeng.publicity"
    label = "publicity"
    verbose_name = _("宣传")
    nav_items = (
        NavItem(_("新闻动态"), "publicity:articles", 20),
        NavItem(_("宣传"), "publicity:workbench", 80, section="work", visible=_writers),
    )

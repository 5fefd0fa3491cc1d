from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from lianmeng.core.nav import NavItem, signed_in


class LibraryConfig(AppConfig):
    name = "lianmeng.library"
    label = "library"
    verbose_name = _("资源库")
    nav_items = (
        NavItem(_("成果展示"), "library:showcase", 60),
        NavItem(_("搜索"), "library:search", 95),
        NavItem(_("资源库"), "library:home", 40, section="work", visible=signed_in),
    )

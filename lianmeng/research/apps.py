from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from lianmeng.core.nav import NavItem, signed_in


class ResearchConfig(AppConfig):
    name = "lianmeng.research"
    label = "research"
    verbose_name = _("研究评选")
    nav_items = (
        NavItem(_("评选公示"), "research:results", 65),
        NavItem(_("研究评选"), "research:index", 50, section="work", visible=signed_in),
    )

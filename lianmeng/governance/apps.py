from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from lianmeng.core.nav import NavItem, signed_in


class GovernanceConfig(AppConfig):
    name = "lianmeng.governance"
    label = "governance"
    verbose_name = _("组织治理")
    nav_items = (NavItem(_("组织治理"), "governance:index", 20, section="work", visible=signed_in),)

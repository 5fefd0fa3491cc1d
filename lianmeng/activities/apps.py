from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from lianmeng.core.nav import NavItem, signed_in


class ActivitiesConfig(AppConfig):
    name = "lianmeng.activities"
    label = "activities"
    verbose_name = _("活动")
    nav_items = (
        NavItem(_("活动日历"), "activities:calendar", 35),
        NavItem(_("活动"), "activities:manage", 20, section="work", visible=signed_in),
    )

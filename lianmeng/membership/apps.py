from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from lianmeng.core.nav import NavItem, anonymous_only, secretariat_only


class MembershipConfig(AppConfig):
    name = "lianmeng.membership"
    label = "membership"
    verbose_name = _("成员单位与入盟")
    nav_items = (
        NavItem(_("成员名录"), "membership:directory", 40),
        NavItem(_("申请入盟"), "membership:apply", 90, visible=anonymous_only),
        NavItem(_("入盟审核"), "membership:applications", 15, section="work", visible=secretariat_only),
    )

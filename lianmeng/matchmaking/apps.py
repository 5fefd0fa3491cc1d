from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from lianmeng.core.nav import NavItem, signed_in


class MatchmakingConfig(AppConfig):
    name = "lianmeng.matchmaking"
    label = "matchmaking"
    verbose_name = _("资源对接")
    nav_items = (
        NavItem(_("资源对接"), "matchmaking:market", 70),
        NavItem(_("对接"), "matchmaking:requests", 60, section="work", visible=signed_in),
    )

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchmakingConfig(AppConfig):
    name = "lianmeng.matchmaking"
    label = "matchmaking"
    verbose_name = _("资源对接")

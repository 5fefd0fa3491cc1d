from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GovernanceConfig(AppConfig):
    name = "lianmeng.governance"
    label = "governance"
    verbose_name = _("组织治理")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from lianmeng.core.nav import NavItem, signed_in


class ReportingConfig(AppConfig):
    name = "lianmeng.reporting"
    label = "reporting"
    verbose_name = _("统计报告")
    nav_items = (NavItem(_("统计报告"), "reporting:dashboard", 90, section="work", visible=signed_in),)

    def ready(self) -> None:
        from . import freshness  # cycle: its models load only once the app registry is ready

        freshness.install()

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from .nav import NavItem, secretariat_only, signed_in


class CoreConfig(AppConfig):
    name = "lianmeng.core"
    label = "core"
    verbose_name = _("联盟基础")
    nav_items = (
        NavItem(_("首页"), "core:home", 0),
        NavItem(_("联盟概况"), "core:about", 10),
        NavItem(_("工作台"), "core:desk", 0, section="work", visible=signed_in),
        NavItem(_("审计日志"), "core:audit", 900, section="work", visible=secretariat_only),
    )

    def ready(self) -> None:
        # Times every query on every connection, in the web processes and in `lianmeng worker` alike.
        from . import observability  # noqa: F401  # cycle: signal receivers load once the app registry is ready
        from .cache import install as install_cache  # cycle: reads models, loadable only once apps are ready

        install_cache()  # cached pages follow every committed write (lianmeng/core/cache.py)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicityConfig(AppConfig):
    name = "lianmeng.publicity"
    label = "publicity"
    verbose_name = _("宣传")

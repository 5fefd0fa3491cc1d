from django.contrib import admin

from lianmeng.core.admin import AuditedAdmin

from .models import MatchmakingSettings


@admin.register(MatchmakingSettings)
class MatchmakingSettingsAdmin(AuditedAdmin):
    """The mechanism's parameters; posts and requests change only through the services (and the UI)."""

    list_display = ("__str__", "min_score", "stall_days", "digest_days")

from django.contrib import admin

from .models import MatchmakingSettings


@admin.register(MatchmakingSettings)
class MatchmakingSettingsAdmin(admin.ModelAdmin):
    """The mechanism's parameters; posts and requests change only through the services (and the UI)."""

    list_display = ("__str__", "min_score", "stall_days", "digest_days")

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from .models import AllianceSettings, AuditEntry, City, DocumentSeries


@admin.register(AllianceSettings)
class AllianceSettingsAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "document_abbreviation", "founded_on"]


@admin.register(City)
class CityAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "position", "is_member"]
    list_editable = ["position", "is_member"]


@admin.register(DocumentSeries)
class DocumentSeriesAdmin(admin.ModelAdmin):
    list_display = ["series", "year", "last_number"]
    readonly_fields = ["series", "year", "last_number"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read only: the audit log is written by services, never edited."""

    list_display = ["created_at", "actor_repr", "action", "target_type", "target_repr"]
    list_filter = ["action", "target_type"]
    search_fields = ["target_repr", "actor_repr", "action"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

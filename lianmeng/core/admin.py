from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.contrib import admin
from django.http import HttpRequest

from . import services

if TYPE_CHECKING:
    from lianmeng.accounts.models import User
from .models import AllianceSettings, AuditEntry, City, DocumentSeries


def staff(request: HttpRequest) -> User:
    """The signed-in user of an admin page (the admin site lets only active staff in)."""
    return cast("User", request.user)


class AuditedAdmin(admin.ModelAdmin):
    """A settings row edited in the admin goes through ``core.services.settings_save``/``settings_delete``
    (administrators only, audited with old and new values), in the form and in the list's editable columns."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        services.settings_save(obj=obj, actor=staff(request))

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        services.settings_delete(obj=obj, actor=staff(request))

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            services.settings_delete(obj=obj, actor=staff(request))


@admin.register(AllianceSettings)
class AllianceSettingsAdmin(AuditedAdmin):
    list_display = ["name", "short_name", "document_abbreviation", "founded_on"]


@admin.register(City)
class CityAdmin(AuditedAdmin):
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

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from .models import ApplicationReview, MembershipApplication, MembershipEvent, Organization


class MembershipEventInline(admin.TabularInline):
    model = MembershipEvent
    extra = 0
    readonly_fields = ["kind", "date", "reason", "actor"]
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    """Browse organizations; changes go through the site's forms so they are validated and audited."""

    list_display = ["name", "uscc", "kind", "city", "tier", "status", "joined_on"]
    list_filter = ["kind", "city", "tier", "status"]
    search_fields = ["name", "short_name", "uscc", "name_initials"]
    inlines = [MembershipEventInline]

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


class ReviewInline(admin.TabularInline):
    model = ApplicationReview
    extra = 0
    readonly_fields = ["action", "message", "actor", "created_at"]
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(MembershipApplication)
class MembershipApplicationAdmin(admin.ModelAdmin):
    list_display = ["name", "uscc", "city", "status", "submitted_at"]
    list_filter = ["status", "city"]
    search_fields = ["name", "uscc"]
    inlines = [ReviewInline]

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

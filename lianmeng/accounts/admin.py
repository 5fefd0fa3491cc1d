from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest

from lianmeng.core import audit
from lianmeng.core.admin import staff

from . import services
from .models import ApiToken, RoleAssignment, User


class RoleInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    autocomplete_fields = ["organization"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    inlines = [RoleInline]
    list_display = ["username", "display_name", "email", "mobile", "is_active", "last_login"]
    search_fields = ["username", "display_name", "email", "mobile"]
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        ("联盟", {"fields": ("display_name", "mobile")}),
    )

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        """Deactivating an account here revokes its API tokens, as services.user_deactivate does."""
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            audit.record(actor=staff(request), action="user.deactivate", target=obj)
            services.user_tokens_revoke_all(user=obj, actor=staff(request), reason="deactivated")

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        """Roles granted, changed and revoked here go through the services (policy and audit)."""
        if formset.model is not RoleAssignment:
            super().save_formset(request, form, formset, change)
            return
        actor = staff(request)
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            services.role_revoke(assignment=obj, actor=actor)
        for obj in instances:
            scope = {"role": obj.role, "organization": obj.organization, "city": obj.city}
            if obj.pk is None:
                services.role_grant(user=form.instance, actor=actor, **scope)
            else:
                services.role_change(assignment=obj, actor=actor, **scope)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["key_prefix", "user", "name", "created_at", "expires_at", "last_used_at", "revoked_at"]
    readonly_fields = ["user", "key_prefix", "key_hash", "created_at", "expires_at", "last_used_at"]
    search_fields = ["user__username", "name"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

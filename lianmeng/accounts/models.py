"""Users, their roles in the alliance, and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from functools import cached_property
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    MEMBER_CONTACT = "member_contact", _("成员单位联络员")
    CITY_COORDINATOR = "city_coordinator", _("市级联络员")
    COUNCIL_REPRESENTATIVE = "council_representative", _("理事")
    EXPERT = "expert", _("专家")
    SECRETARIAT = "secretariat", _("秘书处")
    ADMINISTRATOR = "administrator", _("管理员")


class User(AbstractUser):
    display_name = models.CharField(_("姓名"), max_length=60, blank=True)
    mobile = models.CharField(_("手机号码"), max_length=11, blank=True)

    class Meta(AbstractUser.Meta):
        # Lazy, translated per page (str() here fixed the language at import: "用户" on English pages).
        verbose_name = _("用户")  # type: ignore[assignment]
        verbose_name_plural = _("用户")  # type: ignore[assignment]

    def __str__(self) -> str:
        return self.display_name or self.get_username()

    @cached_property
    def role_assignments(self) -> list[RoleAssignment]:
        if not self.pk:
            return []
        return list(self.roles.select_related("organization", "city").all())

    def has_role(self, role: str, *, organization: Any = None, city: Any = None) -> bool:
        for assignment in self.role_assignments:
            if assignment.role != role:
                continue
            if organization is not None and assignment.organization_id != getattr(
                organization, "pk", organization
            ):
                continue
            if city is not None and assignment.city_id != getattr(city, "pk", city):
                continue
            return True
        return False

    @property
    def is_administrator(self) -> bool:
        return self.is_superuser or self.has_role(Role.ADMINISTRATOR)

    @property
    def is_secretariat(self) -> bool:
        return self.is_administrator or self.has_role(Role.SECRETARIAT)

    @property
    def contact_organization_ids(self) -> set[int]:
        return {
            a.organization_id
            for a in self.role_assignments
            if a.role == Role.MEMBER_CONTACT and a.organization_id is not None
        }

    @property
    def contact_organizations(self) -> list[Any]:
        return [
            a.organization
            for a in self.role_assignments
            if a.role == Role.MEMBER_CONTACT and a.organization is not None
        ]

    @property
    def coordinated_city_codes(self) -> set[str]:
        return {a.city_id for a in self.role_assignments if a.role == Role.CITY_COORDINATOR and a.city_id}

    @property
    def role_labels(self) -> list[str]:
        return sorted({str(Role(a.role).label) for a in self.role_assignments})


class RoleAssignment(models.Model):
    """A role held by a user, scoped to an organization (contact) or a city (coordinator) where it applies."""

    user = models.ForeignKey(User, verbose_name=_("用户"), related_name="roles", on_delete=models.CASCADE)
    role = models.CharField(_("角色"), max_length=40, choices=Role.choices)
    organization = models.ForeignKey(
        "membership.Organization",
        verbose_name=_("单位"),
        null=True,
        blank=True,
        related_name="role_assignments",
        on_delete=models.CASCADE,
    )
    city = models.ForeignKey(
        "core.City", verbose_name=_("城市"), null=True, blank=True, on_delete=models.CASCADE
    )
    created_at = models.DateTimeField(_("授予时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("角色")
        verbose_name_plural = _("角色")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "organization", "city"],
                name="unique_role_assignment",
            )
        ]

    def __str__(self) -> str:
        scope = self.organization or self.city or ""
        return f"{self.user} · {self.get_role_display()} {scope}".strip()


USE_RECORD_SECONDS = 60


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is stored; the token is shown once."""

    PREFIX = "lm_"

    user = models.ForeignKey(
        User, verbose_name=_("用户"), related_name="api_tokens", on_delete=models.CASCADE
    )
    name = models.CharField(_("名称"), max_length=80, blank=True)
    key_hash = models.CharField(max_length=64, unique=True)
    key_prefix = models.CharField(_("前缀"), max_length=12)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("有效期至"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    # A digest of the user's password hash when the token was issued: a password set by any path
    # (reset, admin, `lianmeng changepassword`) changes the hash, and the token stops working.
    # Blank for tokens made before this field existed (those are revoked explicitly on change).
    password_stamp = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")

    def __str__(self) -> str:
        return f"{self.key_prefix}… ({self.user})"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def new_key(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)

    @staticmethod
    def stamp_for(user: User) -> str:
        return salted_hmac("lianmeng.accounts.ApiToken.password_stamp", user.password).hexdigest()

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and not self.is_expired

    @property
    def is_usable(self) -> bool:
        """Active and issued under the user's current password, for an active user."""
        return self.is_active and self.user.is_active and self.matches_password(self.user)

    def matches_password(self, user: User) -> bool:
        return not self.password_stamp or constant_time_compare(self.password_stamp, self.stamp_for(user))

    def mark_used(self) -> None:
        """Record the use at most once a minute (no write on every request)."""
        now = timezone.now()
        if self.last_used_at is None or (now - self.last_used_at).total_seconds() >= USE_RECORD_SECONDS:
            ApiToken.objects.filter(pk=self.pk).update(last_used_at=now)
            self.last_used_at = now

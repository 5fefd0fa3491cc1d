"""Accounts: API tokens, invitations, role grants."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from lianmeng.core import audit
from lianmeng.core.models import AllianceSettings

from . import throttle
from .models import ApiToken, Role, RoleAssignment, User


def password_set_link(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return settings.SITE_URL.rstrip("/") + reverse("accounts:password_reset_confirm", args=[uid, token])


def user_invite_mail(user_id: int) -> None:
    """Welcome a new account with a link to set its password (same token as a password reset)."""
    user = User.objects.get(pk=user_id)
    if not user.email:
        return
    alliance = AllianceSettings.current()
    send_mail(
        _("【%(alliance)s】欢迎加入，请设置登录密码") % {"alliance": alliance.short_name},
        _(
            "%(name)s：\n\n您的账号已开通，用户名：%(username)s\n请通过以下链接设置密码（链接仅可使用一次）：\n%(link)s\n"
        )
        % {"name": user, "username": user.username, "link": password_set_link(user)},
        None,
        [user.email],
    )


def token_obtain(*, username: str, password: str, ip: str | None, name: str = "") -> tuple[ApiToken, str]:
    """Exchange credentials for a new API token (lock-out applies). Returns (token row, plain key)."""
    if throttle.is_locked(username, ip):
        raise PermissionDenied(_("登录失败次数过多，账号已暂时锁定，请稍后再试"))
    try:
        user = authenticate(None, username=username, password=password)
    except PermissionDenied:
        user = None
    if user is None:
        # authenticate() without a request does not know the address; count it here.
        throttle.record_failure(None, ip)
        raise ValidationError({"password": _("用户名或密码不正确")})
    if not user.is_active:
        raise ValidationError({"username": _("该账号已停用")})
    key = ApiToken.new_key()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, name=name[:80], key_hash=ApiToken.hash_key(key), key_prefix=key[:10]
        )
        audit.record(actor=user, action="token.create", target=token, ip=ip)
    return token, key


def token_user(key: str) -> User | None:
    """The active user behind a bearer key, or None."""
    if not key or not key.startswith(ApiToken.PREFIX):
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=ApiToken.hash_key(key)).first()
    if token is None or not token.is_active or not token.user.is_active:
        return None
    token.mark_used()
    return token.user


@transaction.atomic
def token_revoke(*, token: ApiToken, actor: Any) -> ApiToken:
    if not (getattr(actor, "pk", None) == token.user_id or getattr(actor, "is_administrator", False)):
        raise PermissionDenied
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(actor=actor, action="token.revoke", target=token)
    return token


@transaction.atomic
def role_grant(
    *, user: User, role: str, actor: Any, organization: Any = None, city: Any = None
) -> RoleAssignment:
    if actor is not None and not getattr(actor, "is_administrator", False):
        raise PermissionDenied
    if role not in Role.values:
        raise ValidationError({"role": _("未知的角色")})
    if role == Role.MEMBER_CONTACT and organization is None:
        raise ValidationError({"organization": _("成员单位联络员需要指定单位")})
    if role == Role.CITY_COORDINATOR and city is None:
        raise ValidationError({"city": _("市级联络员需要指定城市")})
    assignment, created = RoleAssignment.objects.get_or_create(
        user=user, role=role, organization=organization, city=city
    )
    if created:
        audit.record(
            actor=actor,
            action="role.grant",
            target=user,
            new={
                "role": role,
                "organization": getattr(organization, "pk", None),
                "city": getattr(city, "pk", None),
            },
        )
    user.__dict__.pop("role_assignments", None)
    return assignment

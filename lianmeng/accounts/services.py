"""Accounts: API tokens, invitations, role grants."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lianmeng.core import audit
from lianmeng.core.actors import Actor, is_system
from lianmeng.core.mail_switch import mail_allowed
from lianmeng.core.models import City

from . import tasks, throttle, two_factor
from .commands import TokenIssue
from .models import ApiToken, Role, RoleAssignment, User

if TYPE_CHECKING:
    from lianmeng.membership.models import Organization


def user_invite_mail(user_id: int) -> None:
    """Welcome a new account with a link to set its password (sent by the worker; not under
    ``core.mail_switch.without_mail``: the demo's people)."""
    if mail_allowed():
        tasks.user_invite_mail_send.enqueue(user_id)


def password_reset_mail(user_id: int) -> None:
    """Send the password reset link to a user (by the worker, not inside the request)."""
    tasks.password_reset_mail_send.enqueue(user_id)


@transaction.atomic
def token_issue(*, user: User, cmd: TokenIssue, actor: User, ip: str | None = None) -> tuple[ApiToken, str]:
    """Create an API token for ``user`` (only for oneself); returns (row, plain key). The key is never
    stored, only its hash; the audit row says when it expires."""
    if getattr(actor, "pk", None) != user.pk:
        raise PermissionDenied
    expires_in_days = cmd.expires_in_days
    key = ApiToken.new_key()
    expires_at = timezone.now() + datetime.timedelta(days=expires_in_days) if expires_in_days else None
    token = ApiToken.objects.create(
        user=user,
        name=cmd.name,
        key_hash=ApiToken.hash_key(key),
        key_prefix=key[:10],
        expires_at=expires_at,
        password_stamp=ApiToken.stamp_for(user),
    )
    audit.record(
        actor=actor,
        action="token.create",
        target=token,
        ip=ip,
        new={"expires_at": expires_at.isoformat() if expires_at else None},
    )
    return token, key


def token_obtain(
    *,
    username: str,
    password: str,
    ip: str | None,
    name: str = "",
    otp: str = "",
    expires_in_days: int | None = None,
) -> tuple[ApiToken, str]:
    """Exchange credentials (and the second factor where enabled) for a new API token.

    Lock-out applies. Returns (token row, plain key).
    """
    note = throttle.LoginNote()
    user = authenticate(None, username=username, password=password, ip=ip, login_note=note)
    if note.locked is not None:
        raise note.locked  # 429 with Retry-After (lianmeng.api)
    if user is None:
        wrong = _("用户名或密码不正确")
        raise ValidationError({"password": [wrong, note.locked_now.message] if note.locked_now else [wrong]})
    if not user.is_active:
        raise ValidationError({"username": _("该账号已停用")})
    if two_factor.needs_verification(user):
        if not two_factor.is_enabled(user):
            raise ValidationError(
                {"otp": _("此账号须使用两步验证：请先在网页登录，按提示设置认证应用，再申请令牌")}
            )
        if not (otp or "").strip():
            raise ValidationError(
                {"otp": _("此账号已启用两步验证：请在 otp 字段提供认证应用中的 6 位验证码或一个恢复码")}
            )
        if two_factor.verify(user, otp) is None:
            raise ValidationError({"otp": _("两步验证码不正确或已使用过")})
    cmd = TokenIssue.build(name=name, expires_in_days=expires_in_days)
    return token_issue(user=user, cmd=cmd, actor=user, ip=ip)


def token_user(key: str) -> User | None:
    """The active user behind a bearer key, or None (unknown, revoked, expired, or stale).

    A token whose user has been deactivated or has changed password since it was issued (by any
    path) is revoked here, so reactivating the account or restoring the hash does not revive it.
    """
    if not key or not key.startswith(ApiToken.PREFIX):
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=ApiToken.hash_key(key)).first()
    if token is None or not token.is_active:
        return None
    if not token.user.is_active or not token.matches_password(token.user):
        ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
        return None
    token.mark_used()
    return token.user


def user_tokens_revoke_all(*, user: User, actor: Actor, reason: str) -> int:
    """Revoke every live token of ``user`` (password changed or reset, account deactivated)."""
    with transaction.atomic():
        count = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
        if count:
            audit.record(
                actor=actor if getattr(actor, "pk", None) else None,
                action="token.revoke_all",
                target=user,
                new={"reason": reason, "tokens": count},
            )
    return count


def password_changed(*, user: User, actor: Actor, reason: str) -> int:
    """After any password change or reset: the user's API tokens stop working."""
    audit.record(
        actor=actor if getattr(actor, "pk", None) else None, action=f"user.password_{reason}", target=user
    )
    return user_tokens_revoke_all(user=user, actor=actor, reason=f"password_{reason}")


def user_deactivate(*, user: User, actor: User) -> User:
    """Deactivate an account (administrators only): it can no longer sign in, its tokens are revoked."""
    if not getattr(actor, "is_administrator", False):
        raise PermissionDenied
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.is_active:
            locked.is_active = False
            locked.save(update_fields=["is_active"])
            audit.record(actor=actor, action="user.deactivate", target=locked)
        user_tokens_revoke_all(user=locked, actor=actor, reason="deactivated")
    user.is_active = False
    return locked


@transaction.atomic
def token_revoke(*, token: ApiToken, actor: User) -> ApiToken:
    if not (getattr(actor, "pk", None) == token.user_id or getattr(actor, "is_administrator", False)):
        raise PermissionDenied
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(actor=actor, action="token.revoke", target=token)
    return token


def can_manage_roles(actor: Actor) -> bool:
    """Roles are granted and revoked by administrators (in the admin), or by the system (demo data)."""
    return is_system(actor) or bool(getattr(actor, "is_administrator", False))


def _role_scope(assignment: RoleAssignment) -> dict[str, Any]:
    return {"role": assignment.role, "organization": assignment.organization_id, "city": assignment.city_id}


@transaction.atomic
def role_grant(
    *, user: User, role: str, actor: Actor, organization: Organization | None = None, city: City | None = None
) -> RoleAssignment:
    """Give ``user`` a role (a contact's organization, a coordinator's city); audited once."""
    if not can_manage_roles(actor):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    if role not in Role.values:
        errors["role"] = [_("未知的角色")]
    if role == Role.MEMBER_CONTACT and organization is None:
        errors["organization"] = [_("成员单位联络员需要指定单位")]
    if role == Role.CITY_COORDINATOR and city is None:
        errors["city"] = [_("市级联络员需要指定城市")]
    if errors:
        raise ValidationError(errors)
    assignment, created = RoleAssignment.objects.get_or_create(
        user=user, role=role, organization=organization, city=city
    )
    if created:
        audit.record(actor=actor, action="role.grant", target=user, new=_role_scope(assignment))
    user.__dict__.pop("role_assignments", None)
    return assignment


@transaction.atomic
def role_revoke(*, assignment: RoleAssignment, actor: Actor) -> None:
    """Take a role away; audited with what it was."""
    if not can_manage_roles(actor):
        raise PermissionDenied
    locked = RoleAssignment.objects.select_for_update().filter(pk=assignment.pk).first()
    if locked is None:
        return
    old = _role_scope(locked)
    user = locked.user
    locked.delete()
    audit.record(actor=actor, action="role.revoke", target=user, old=old)
    user.__dict__.pop("role_assignments", None)


@transaction.atomic
def role_change(
    *,
    assignment: RoleAssignment,
    role: str,
    actor: Actor,
    organization: Organization | None = None,
    city: City | None = None,
) -> RoleAssignment:
    """Change a held role's kind or scope (the admin's inline row edited in place)."""
    if not can_manage_roles(actor):
        raise PermissionDenied
    locked = RoleAssignment.objects.select_for_update().get(pk=assignment.pk)
    old = _role_scope(locked)
    locked.role, locked.organization, locked.city = role, organization, city
    locked.save()
    new = _role_scope(locked)
    if new != old:
        audit.record(actor=actor, action="role.change", target=locked.user, old=old, new=new)
    return locked

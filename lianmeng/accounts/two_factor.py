"""Two-factor sign-in: a TOTP authenticator (django-otp) plus single-use recovery codes.

Required for the secretariat and administrators (``is_required``); optional for everyone else.
A user "has two-factor sign-in" when they own a confirmed TOTP device; the recovery codes live in
one static device beside it and are shown once when made.
"""

from __future__ import annotations

import re
from base64 import b32encode
from binascii import hexlify
from typing import Any

import segno
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from lianmeng.core import audit

from .models import User

RECOVERY_CODE_COUNT = 10
TOTP_NAME = "authenticator"
PENDING_NAME = "pending"
RECOVERY_NAME = "recovery"

# The demo accounts demo-secretariat and demo-admin share this published TOTP secret and these
# recovery codes (README "Demo accounts"); `lianmeng demo` restores them on every run.
DEMO_TOTP_SECRET = "NRUWC3TNMVXGOLLEMVWW6LLUN52HALJS"  # noqa: S105 - published demo secret (base32)
DEMO_RECOVERY_CODES = ["demo2fa1", "demo2fa2", "demo2fa3", "demo2fa4", "demo2fa5"]


def is_required(user: Any) -> bool:
    """Secretariat and administrator accounts must sign in with a second factor."""
    return bool(getattr(user, "is_authenticated", False) and user.is_secretariat)


def totp_device(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-pk").first()


def is_enabled(user: Any) -> bool:
    return bool(getattr(user, "pk", None)) and TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def needs_verification(user: Any) -> bool:
    """Whether a password sign-in of ``user`` must be followed by a code (or by setting one up)."""
    return is_required(user) or is_enabled(user)


def recovery_codes_left(user: Any) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def normalize(code: str) -> str:
    return re.sub(r"[\s-]+", "", code or "").lower()


def is_totp_code(code: str) -> bool:
    return bool(re.fullmatch(r"\d{6}", code))


def secret_base32(device: TOTPDevice) -> str:
    """The key as an authenticator app takes it when typed, in groups of four."""
    raw = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// link as an inline SVG QR code (rendered here, no outside service)."""
    qr = segno.make(device.config_url, error="m")
    return str(qr.svg_inline(scale=5, border=2, dark="#1f2937", omitsize=True, title=_("认证应用二维码")))


def enrolment_device(user: User) -> TOTPDevice:
    """The unconfirmed device a user is setting up (one per user, reused until confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False, name=PENDING_NAME).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=PENDING_NAME, confirmed=False)
    return device


def _check(device: Device, code: str) -> bool:
    """Verify ``code`` on ``device`` in a transaction of its own, so a failure's back-off is kept."""
    with transaction.atomic():
        locked = type(device).objects.select_for_update().get(pk=device.pk)
        return bool(locked.verify_token(code))


def _throttled(device: Device | None) -> bool:
    if device is None:
        return False
    allowed, _data = device.verify_is_allowed()
    return not allowed


def verify(user: User, code: str) -> Device | None:
    """The device that accepts ``code`` (a 6-digit TOTP code or a recovery code), or None.

    A 6-digit code is checked against the authenticator only and anything else against the
    recovery codes only, so a mistyped code never counts against the other device.
    Raises ValidationError on ``otp`` while repeated failures make the user wait.
    """
    code = normalize(code)
    if not code:
        return None
    if is_totp_code(code):
        device: Device | None = totp_device(user)
    else:
        device = StaticDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        return None
    if _throttled(device):
        raise ValidationError({"otp": _("验证码错误次数过多，请稍等片刻再试")})
    return device if _check(device, code) else None


def _new_recovery_codes(user: User, codes: list[str] | None = None) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = codes or [StaticToken.random_token() for _i in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


def format_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}" if len(code) == 8 else code


def two_factor_enable(*, user: User, device: TOTPDevice, code: str, actor: Any) -> list[str]:
    """Confirm the device being set up with a code from it; returns the new recovery codes."""
    if getattr(actor, "pk", None) != user.pk or device.user_id != user.pk or device.confirmed:
        raise PermissionDenied
    code = normalize(code)
    if not is_totp_code(code):
        raise ValidationError({"otp": _("请输入认证应用中显示的 6 位数字")})
    if _throttled(device):
        raise ValidationError({"otp": _("验证码错误次数过多，请稍等片刻再试")})
    if not _check(device, code):
        raise ValidationError({"otp": _("验证码不正确，请输入认证应用中当前显示的 6 位数字")})
    with transaction.atomic():
        replaced = TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()[0]
        TOTPDevice.objects.filter(pk=device.pk).update(confirmed=True, name=TOTP_NAME)
        codes = _new_recovery_codes(user)
        audit.record(
            actor=actor, action="user.two_factor_enable", target=user, new={"replaced_device": bool(replaced)}
        )
    device.confirmed = True
    device.name = TOTP_NAME
    return codes


def two_factor_disable(*, user: User, code: str, actor: Any) -> None:
    """Turn two-factor sign-in off (not allowed where it is required); needs a current code."""
    if getattr(actor, "pk", None) != user.pk:
        raise PermissionDenied
    if is_required(user):
        raise PermissionDenied(_("秘书处和管理员账号必须使用两步验证，不能关闭"))
    if verify(user, code) is None:
        raise ValidationError({"otp": _("验证码不正确，请输入认证应用中的 6 位数字或一个恢复码")})
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        audit.record(actor=actor, action="user.two_factor_disable", target=user)


def recovery_codes_regenerate(*, user: User, actor: Any) -> list[str]:
    """Replace the user's recovery codes (the old ones stop working); returns the new ones."""
    if getattr(actor, "pk", None) != user.pk:
        raise PermissionDenied
    if not is_enabled(user):
        raise ValidationError({"otp": _("请先启用两步验证")})
    with transaction.atomic():
        codes = _new_recovery_codes(user)
        audit.record(actor=actor, action="user.recovery_codes_regenerate", target=user)
    return codes


def demo_device(user: User) -> None:
    """Give a demo account the published demo secret and recovery codes (idempotent)."""
    from base64 import b32decode

    key = hexlify(b32decode(DEMO_TOTP_SECRET)).decode()
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice(user=user, name=TOTP_NAME, confirmed=True)
    device.key = key
    device.save()
    _new_recovery_codes(user, list(DEMO_RECOVERY_CODES))

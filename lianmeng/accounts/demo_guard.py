"""Which active accounts still carry the published demo credentials (refused by `lianmeng serve`)."""

from __future__ import annotations

from base64 import b32decode
from binascii import hexlify

from django.contrib.auth.hashers import check_password
from django.db.models import Q
from django_otp.plugins.otp_totp.models import TOTPDevice

from lianmeng.core.demo_support import DEMO_PASSWORD

from .models import Role, User
from .two_factor import DEMO_TOTP_SECRET

DEMO_PREFIX = "demo-"


def candidates() -> list[User]:
    """The accounts checked: every active ``demo-*`` account, and every active account that can do
    harm with the demo password — superusers, staff (Django admin), secretariat and administrators.
    A few dozen rows at most; each costs one password hash check."""
    privileged = (
        Q(is_superuser=True) | Q(is_staff=True) | Q(roles__role__in=[Role.SECRETARIAT, Role.ADMINISTRATOR])
    )
    return list(
        User.objects.filter(is_active=True)
        .filter(Q(username__startswith=DEMO_PREFIX) | privileged)
        .distinct()
        .order_by("username")
    )


def accounts_with_demo_password() -> list[str]:
    return [
        user.username
        for user in candidates()
        if user.has_usable_password() and check_password(DEMO_PASSWORD, user.password)
    ]


def accounts_with_demo_second_factor() -> list[str]:
    """Active accounts whose authenticator is the published demo secret (README)."""
    key = hexlify(b32decode(DEMO_TOTP_SECRET)).decode()
    return sorted(
        TOTPDevice.objects.filter(key=key, user__is_active=True)
        .values_list("user__username", flat=True)
        .distinct()
    )

"""Account mails (sent by the worker). Every link is built from SITE_URL, never from a request."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from lianmeng.core.models import AllianceSettings

from .models import User


def password_set_link(user: User) -> str:
    """The one-time link to set a password, always on SITE_URL (never the request's Host)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return settings.SITE_URL.rstrip("/") + reverse("accounts:password_reset_confirm", args=[uid, token])


def user_invite(user_id: int) -> int:
    """Welcome a new account with a link to set its password (same token as a password reset)."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email:
        return 0
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
    return 1


def password_reset(user_id: int) -> int:
    """The password reset link asked for on the reset form."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email:
        return 0
    context = {"user": user, "link": password_set_link(user)}
    subject = "".join(render_to_string("accounts/password_reset_subject.txt", context).splitlines())
    body = render_to_string("accounts/password_reset_email.txt", context)
    send_mail(subject, body, None, [user.email])
    return 1

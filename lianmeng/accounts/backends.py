from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from . import throttle


class ThrottledModelBackend(ModelBackend):
    """The model backend with lock-out (lianmeng.accounts.throttle).

    Every sign-in path goes through here: the login page, ``POST /api/v1/auth/token``, the admin.
    The attempt is counted before the password is checked; a locked account or address is refused
    without checking it. Callers that want to tell the user why pass ``login_note=LoginNote()``
    (``authenticate()`` itself only returns None); ``ip=`` gives the address when there is no request.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        note: throttle.LoginNote | None = kwargs.pop("login_note", None)
        ip = kwargs.pop("ip", None)
        if ip is None and request is not None:
            ip = throttle.client_ip(request)
        if username is None:
            username = kwargs.get(self._username_field())
        if username is None or password is None:
            return None
        try:
            attempt = throttle.begin_attempt(username, ip)
        except throttle.LoginLocked as locked:
            if note is not None:
                note.locked = locked
            # PermissionDenied stops authenticate() from trying other backends.
            raise PermissionDenied(str(locked)) from locked
        try:
            user = super().authenticate(request, username=username, password=password, **kwargs)
        except BaseException:
            attempt.abandoned()
            raise
        if user is None:
            locked_now = attempt.failed()
            if note is not None:
                note.locked_now = locked_now
        else:
            attempt.succeeded()
        return user

    @staticmethod
    def _username_field() -> str:
        from django.contrib.auth import get_user_model

        return str(get_user_model().USERNAME_FIELD)

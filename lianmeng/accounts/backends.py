from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from . import throttle


class ThrottledModelBackend(ModelBackend):
    """The model backend with lock-out: a locked user name or address cannot log in at all."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        ip = throttle.client_ip(request) if request is not None else None
        if throttle.is_locked(username, ip):
            raise PermissionDenied("locked")
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            throttle.record_failure(username, ip)
        else:
            throttle.record_success(username)
        return user

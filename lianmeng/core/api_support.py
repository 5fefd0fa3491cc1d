"""Shared API pieces: authentication (bearer tokens or the browser session) and pagination."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from ninja import Schema
from ninja.security import HttpBearer, SessionAuth


class BearerAuth(HttpBearer):
    """``Authorization: Bearer <token>`` with a token from ``POST /api/v1/auth/token``."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        from lianmeng.accounts.services import token_user

        user = token_user(token)
        if user is not None:
            request.user = user
        return user


class _Anonymous:
    """Lets a public endpoint through while still honouring a token or session when one is sent."""

    def __call__(self, request: HttpRequest) -> Any:
        if not getattr(request, "user", None):
            request.user = AnonymousUser()
        return True


bearer_auth = BearerAuth()
session_auth = SessionAuth()
AUTH: list[Any] = [bearer_auth, session_auth]
OPTIONAL_AUTH: list[Any] = [bearer_auth, session_auth, _Anonymous()]


class Message(Schema):
    detail: str

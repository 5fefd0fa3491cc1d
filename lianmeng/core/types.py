"""Typing helpers shared by views and API endpoints."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from lianmeng.accounts.models import User


class AuthedRequest(HttpRequest):
    """A request behind ``login_required`` or API authentication: ``user`` is a real User."""

    user: User

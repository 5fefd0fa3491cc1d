"""Two-factor sign-in is enforced here, for every page, the Django admin and the API's session auth."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from . import two_factor


class TwoFactorMiddleware:
    """A session signed in by password only is not signed in yet for users who need a second factor.

    Secretariat and administrator accounts, and anyone who switched two-factor sign-in on, are sent to
    the code page (or to set an authenticator up, when they must and have none) before any other page,
    the Django admin included. On the API such a session counts as anonymous (401); bearer tokens are
    unaffected (the token endpoint asks for the code itself). Runs after django-otp's OTPMiddleware.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not user.is_verified()
            and two_factor.needs_verification(user)
        ):
            response = self._refuse(request, user)
            if response is not None:
                return response
        return self.get_response(request)

    def _refuse(self, request: HttpRequest, user: object) -> HttpResponse | None:
        path = request.path_info
        if path.startswith("/api/"):
            request.user = AnonymousUser()
            return None
        allowed = (
            reverse("accounts:two-factor-verify"),
            reverse("accounts:two-factor-setup"),
            reverse("accounts:logout"),
            reverse("admin:logout"),
            reverse("set_language"),
        )
        if path in allowed:
            return None
        name = "accounts:two-factor-verify" if two_factor.is_enabled(user) else "accounts:two-factor-setup"
        if request.headers.get("HX-Request"):
            # A fragment (the bell, a type-ahead) is no destination: come back to the page it was asked
            # from, and leave the code page alone when that is where the person already is.
            page = _same_site_path(request.headers.get("HX-Current-URL", ""), request)
            response = HttpResponse(status=204)
            if page.split("?", 1)[0] not in allowed:
                query = f"?{urlencode({'next': page})}" if page else ""
                response["HX-Redirect"] = f"{reverse(name)}{query}"
            return response
        return redirect(f"{reverse(name)}?{urlencode({'next': request.get_full_path()})}")


def _same_site_path(url: str, request: HttpRequest) -> str:
    """The path and query of ``url`` when it points at this site, else ""."""
    parts = urlsplit(url)
    if not parts.path.startswith("/") or (parts.netloc and parts.netloc != request.get_host()):
        return ""
    return parts.path + (f"?{parts.query}" if parts.query else "")

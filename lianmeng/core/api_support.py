"""Shared API pieces: authentication (bearer tokens or the browser session), pagination and output field
types."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Annotated, Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext
from ninja import Schema
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf
from pydantic import AfterValidator, BeforeValidator

from lianmeng.accounts.models import User
from lianmeng.accounts.services import token_user
from lianmeng.core import cache


def _pks(value: Any) -> Any:
    """The primary keys of related rows (a to-many field reaches an output schema as its rows)."""
    return [getattr(item, "pk", item) for item in value]


def _local(value: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(value)


# Output fields: a to-many relation as the ids (codes) of its rows, a moment in the site's time zone.
RelatedIds = Annotated[list[int], BeforeValidator(_pks)]
RelatedCodes = Annotated[list[str], BeforeValidator(_pks)]
LocalDateTime = Annotated[datetime.datetime, AfterValidator(_local)]


class BearerAuth(HttpBearer):
    """``Authorization: Bearer <token>`` with a token from ``POST /api/v1/auth/token``."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = token_user(token)
        if user is not None:
            request.user = user
        return user


def _sends_bearer(request: HttpRequest) -> bool:
    return request.headers.get("Authorization", "").strip().lower().startswith("bearer")


class SessionCookieAuth(APIKeyCookie):
    """The browser session, and CSRF only for requests that the session cookie authenticates.

    A client without a session cookie (curl, a partner's server, a mini-program backend) or with a
    Bearer token is not subject to CSRF: there is no ambient credential a forged request could ride on.
    A request whose session cookie signs a user in must carry the CSRF token on unsafe methods,
    exactly as the HTML forms do; otherwise it is refused with 403 whatever else it sends.
    """

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=False)  # checked below, and only when the cookie signs a user in

    def _get_key(self, request: HttpRequest) -> str | None:
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if _sends_bearer(request):
            return None  # the token decided (BearerAuth runs first); a bad token is not rescued by a cookie
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request) is not None:
            raise HttpError(403, _csrf_message())
        return user


def _csrf_message() -> str:
    return gettext("CSRF 校验失败：浏览器会话发出的修改请求须带 CSRF 令牌（X-CSRFToken 头）")


class _Anonymous:
    """Lets a public endpoint through while still honouring a token or session when one is sent.

    A Bearer token that is not valid (revoked, expired, mistyped) is an error, not anonymity: the
    client meant to act as someone and must learn that it did not (401).
    """

    def __call__(self, request: HttpRequest) -> Any:
        if _sends_bearer(request):
            return None
        if not getattr(request, "user", None) or not request.user.is_authenticated:
            request.user = AnonymousUser()
        return True


bearer_auth = BearerAuth()
session_auth = SessionCookieAuth()
AUTH: list[Any] = [bearer_auth, session_auth]
OPTIONAL_AUTH: list[Any] = [bearer_auth, session_auth, _Anonymous()]


class Message(Schema):
    detail: str


def signed_in(request: HttpRequest) -> User:
    """The signed-in user behind an ``auth=AUTH`` operation (typed for services: ``actor=signed_in(request)``);
    PermissionDenied if there is none (never reached behind AUTH)."""
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        raise PermissionDenied
    return user


def cached_list(
    name: str, *, apps: Iterable[str], item: type[Schema]
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A paginated API list served from the cache (``lianmeng.core.cache``): placed between
    ``@router.get`` and ``@paginate``, it stores the page's JSON, as ninja would render it, per viewer
    (``viewer_parts``: what the list shows may depend on who asks), query string and language, until
    something in ``apps`` changes. Serialising 50 rows through ninja costs more than the queries behind
    them (API events: 34 ms, half of it the schema); a cached page is one cache read. Authentication and
    the rate limits still run first (ninja applies them before the view); errors are never cached."""

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(func)
        def view(request: HttpRequest, **kwargs: Any) -> HttpResponse:
            def build() -> tuple[str, bytes]:
                from lianmeng.api import api  # cycle: lianmeng.api mounts the routers that use this decorator

                result = func(request, **kwargs)
                context = {"request": request, "response_status": 200}
                payload = {
                    **result,
                    "items": [item.model_validate(o, context=context).model_dump() for o in result["items"]],
                }
                response = api.create_response(
                    request, payload, temporal_response=api.create_temporal_response(request)
                )
                return response["Content-Type"], response.content

            content_type, body = cache.cached(
                name,
                apps=apps,
                parts=(*cache.viewer_parts(request.user), sorted(request.GET.lists())),
                build=build,
            )
            return HttpResponse(body, content_type=content_type)

        return view

    return decorate

"""The REST API at /api/v1/ (django-ninja). Each app's ``api.router`` is mounted here."""

import logging
from typing import Any

from django.core.exceptions import (
    BadRequest,
    ObjectDoesNotExist,
    PermissionDenied,
    RequestDataTooBig,
    ValidationError,
)
from django.core.signals import got_request_exception
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as SchemaValidationError

from lianmeng.accounts import throttle
from lianmeng.core import api_messages as msg
from lianmeng.core.api_docs import LocalSwagger
from lianmeng.core.api_parser import CleaningParser
from lianmeng.core.concurrency import StaleVersion
from lianmeng.core.discovery import app_modules
from lianmeng.core.errors import (
    bad_request,
    database_unavailable_response,
    is_database_unavailable,
    is_out_of_range,
    out_of_range_problem,
    problem,
    schema_error_message,
    validation_problem,
)

api = NinjaAPI(
    title="Lianmeng API",
    version="1",
    description="联盟平台 API。认证：POST /api/v1/auth/token 取得令牌，之后发送 Authorization: Bearer <token>。"
    "错误以 application/problem+json（RFC 9457）返回，errors 中列出出错的字段。",
    urls_namespace="api",
    parser=CleaningParser(),  # no control characters in any text sent to the API
    docs=LocalSwagger(),
    throttle=throttle.api_throttles(),  # per token and per address, shared by every app process
)


@api.exception_handler(ValidationError)
def _validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return validation_problem(exc)


@api.exception_handler(StaleVersion)
def _stale_version(request: HttpRequest, exc: StaleVersion) -> HttpResponse:
    """Two clients edited the same record: the later save is refused (lianmeng.core.concurrency)."""
    return exc.problem()


@api.exception_handler(SchemaValidationError)
def _schema_validation(request: HttpRequest, exc: SchemaValidationError) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", []) if p not in ("body", "query", "path", "payload", "form")]
        # A command's own rule names its field in the error's context (lianmeng.core.commands.rule).
        field = str((err.get("ctx") or {}).get("field") or "") or ".".join(loc) or "__all__"
        errors.setdefault(field, []).append(schema_error_message(err))
    detail = "；".join(f"{k}: {' '.join(v)}" for k, v in errors.items())
    return problem(422, str(msg.INVALID_DATA), detail, errors)


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    detail = str(exc) if str(exc) else str(msg.NO_PERMISSION)
    return problem(403, str(msg.FORBIDDEN), detail)


@api.exception_handler(throttle.LoginLocked)
def _login_locked(request: HttpRequest, exc: throttle.LoginLocked) -> HttpResponse:
    return throttle.login_locked_problem(exc)


@api.exception_handler(Throttled)
def _throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    return throttle.throttled_problem(exc.wait)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = problem(401, str(msg.SIGN_IN_REQUIRED), str(msg.SEND_BEARER))
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem(404, str(msg.NOT_FOUND), str(msg.NOT_FOUND_DETAIL))


@api.exception_handler(ObjectDoesNotExist)
def _does_not_exist(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem(404, str(msg.NOT_FOUND), str(msg.NOT_FOUND_DETAIL))


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400 and str(exc).startswith("Cannot parse request body"):
        return problem(400, str(msg.BAD_REQUEST), str(msg.NOT_JSON))
    return problem(exc.status_code, str(exc), str(exc))


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return problem(413, str(msg.TOO_LARGE), str(msg.TOO_LARGE))


@api.exception_handler(BadRequest)
def _bad_request(request: HttpRequest, exc: BadRequest) -> HttpResponse:
    return bad_request(request, exc)


@api.exception_handler(Exception)
def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    """Everything else: 503 while the database is unavailable, 422 for a value the database cannot hold,
    otherwise a 500 that says only that something failed; the traceback goes to the log."""
    if is_database_unavailable(exc):
        return database_unavailable_response(request, exc)
    if is_out_of_range(exc):
        return out_of_range_problem()
    logging.getLogger("django.request").error(
        "Internal Server Error: %s", request.path, exc_info=(type(exc), exc, exc.__traceback__)
    )
    got_request_exception.send(sender=None, request=request)
    return problem(500, str(msg.SERVER_ERROR), str(msg.SERVER_ERROR_DETAIL))


def _mount_routers(target: Any) -> None:
    for _config, module in app_modules("api"):
        router = getattr(module, "router", None)
        if router is not None:
            target.add_router(getattr(module, "PREFIX", ""), router)


_mount_routers(api)

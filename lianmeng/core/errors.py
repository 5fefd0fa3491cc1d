"""Turning service errors into field-keyed messages (forms) and RFC 9457 problems (API)."""

from __future__ import annotations

import json
import logging
import sys
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, RequestDataTooBig, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.views import defaults

from .params import BadParameter


def error_dict(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {
            ("__all__" if k == NON_FIELD_ERRORS else k): [str(m) for m in v]
            for k, v in exc.message_dict.items()
        }
    return {"__all__": [str(m) for m in exc.messages]}


def problem(
    status: int, title: str, detail: str = "", errors: dict[str, list[str]] | None = None, **extra: Any
) -> HttpResponse:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    body.update(extra)
    return HttpResponse(
        json.dumps(body, ensure_ascii=False),
        status=status,
        content_type="application/problem+json; charset=utf-8",
    )


def validation_problem(exc: ValidationError) -> HttpResponse:
    errors = error_dict(exc)
    detail = "；".join(f"{k}: {' '.join(v)}" if k != "__all__" else " ".join(v) for k, v in errors.items())
    return problem(422, _("提交的数据有误"), detail, errors)


def apply_to_form(form: Any, exc: ValidationError) -> None:
    """Attach a service's ValidationError to a Django form, field by field.

    A field that already has the form's own error (e.g. "此项必填") keeps only that one, so a view can
    run the form and the service's checks in the same submit (every field's error at once, see
    docs/DEVELOPING.md "Forms") without saying the same thing twice."""
    from .concurrency import StaleVersion  # cycle: concurrency answers its conflicts with problem()
    from .concurrency import apply_to_form as apply_stale

    if isinstance(exc, StaleVersion):
        apply_stale(form, exc)
        return
    existing = form.errors if getattr(form, "_errors", None) is not None else {}
    for field, messages in error_dict(exc).items():
        target = field if field in form.fields else None
        if target is not None and target in existing:
            continue
        for message in messages:
            form.add_error(target, message)


# Faults anyone can trigger and database outages: one place decides the answer for pages and the API.

logger = logging.getLogger("lianmeng.errors")

RETRY_AFTER_SECONDS = 30


def is_database_unavailable(exc: BaseException | None) -> bool:
    """The database refused or dropped the connection, did not answer in time, or cannot be written."""
    from django.db import InterfaceError, OperationalError

    return isinstance(exc, OperationalError | InterfaceError)


def is_out_of_range(exc: BaseException | None) -> bool:
    """A value the database or the date functions cannot hold (a safety net behind the bounded types of
    lianmeng.core.params: PostgreSQL's DataError, SQLite's OverflowError, date arithmetic overflow)."""
    from django.db import DataError

    return isinstance(exc, DataError | OverflowError)


def out_of_range_problem() -> HttpResponse:
    message = _("提交的数值或日期超出允许范围，请检查后重试")
    return problem(422, _("提交的数据有误"), message)


def _wants_problem(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def database_unavailable_response(request: HttpRequest, exc: BaseException | None = None) -> HttpResponse:
    """503 with Retry-After: problem+json on the API, a page in the site's look elsewhere (standalone:
    the usual layout reads the database)."""
    logger.warning("Database unavailable for %s %s: %r", request.method, request.path, exc)
    if _wants_problem(request):
        response = problem(
            503, _("服务暂时不可用"), _("数据库暂时无法访问，请稍后再试"), retry_after=RETRY_AFTER_SECONDS
        )
    else:
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def bad_request_page(message: str) -> HttpResponse:
    """A 400 page saying what was wrong (standalone, like the 500 page)."""
    return HttpResponse(loader.render_to_string("400.html", {"message": message}), status=400)


def problem_for_api_response(response: HttpResponse) -> HttpResponse:
    """An API error answered as HTML or text (Django's 404 for an unknown path, ninja's 405, a CSRF 403,
    a 400) turned into problem+json with the same status; headers such as Allow and Retry-After kept."""
    content_type = response.get("Content-Type", "")
    if content_type.startswith(("application/problem+json", "application/json")) or response.streaming:
        return response
    status = response.status_code
    titles = {
        400: _("请求无效"),
        401: _("需要登录"),
        403: _("禁止访问"),
        404: _("未找到"),
        405: _("不支持该请求方法"),
        413: _("请求内容过大"),
        414: _("请求地址过长"),
        503: _("服务暂时不可用"),
    }
    details = {404: _("没有这个 API 地址"), 500: _("服务器处理请求时出错，已记录此错误")}
    title = titles.get(status, response.reason_phrase if status < 500 else _("服务器出错"))
    detail = details.get(status, "")
    if status == 405:
        allowed = response.get("Allow", "")
        detail = _("该地址只支持：%(methods)s") % {"methods": allowed} if allowed else ""
    converted = problem(status, str(title), str(detail))
    for header in ("Allow", "Retry-After", "WWW-Authenticate"):
        if header in response:
            converted[header] = response[header]
    return converted


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler400: the message of a BadParameter (it names the parameter), a generic one otherwise."""
    if isinstance(exception, BadParameter):
        message = exception.message
        if _wants_problem(request):
            return problem(
                400, _("请求参数有误"), f"{exception.field}: {message}", {exception.field: [message]}
            )
        return bad_request_page(message)
    if isinstance(exception, RequestDataTooBig):
        if _wants_problem(request):
            return problem(413, _("请求内容过大"), _("请求内容过大"))
        return bad_request_page(_("提交的内容过大"))
    if _wants_problem(request):
        return problem(400, _("请求无效"), _("请求无法处理"))
    return bad_request_page(_("请求无法处理，请检查地址或提交的内容"))


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler404: problem+json under /api/, the site's 404 page elsewhere."""
    if _wants_problem(request):
        return problem(404, _("未找到"), _("没有这个 API 地址，或对象不存在、您无权查看"))
    return defaults.page_not_found(request, exception or Http404())


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500 (DEBUG off): 503 while the database is unavailable, a 400/422 for values out of range,
    otherwise 500 saying only that something failed (Django has logged the traceback)."""
    exc = sys.exc_info()[1]
    if is_database_unavailable(exc):
        return database_unavailable_response(request, exc)
    if is_out_of_range(exc):
        if _wants_problem(request):
            return out_of_range_problem()
        return bad_request_page(_("提交的数值或日期超出允许范围，请检查后重试"))
    if _wants_problem(request):
        return problem(500, _("服务器出错"), _("服务器处理请求时出错，已记录此错误"))
    return defaults.server_error(request)


def schema_error_message(err: dict[str, Any]) -> str:
    """A pydantic error (as ninja reports it) in the request's language; pydantic's own text otherwise."""
    ctx = err.get("ctx") or {}
    kind = err.get("type", "")
    messages: dict[str, str] = {
        "missing": _("此项必填"),
        "int_parsing": _("须为整数"),
        "int_type": _("须为整数"),
        "int_from_float": _("须为整数"),
        "float_parsing": _("须为数字"),
        "float_type": _("须为数字"),
        "bool_parsing": _("须为 true 或 false"),
        "bool_type": _("须为 true 或 false"),
        "string_type": _("须为文本"),
        "list_type": _("须为列表"),
        "dict_type": _("须为 JSON 对象"),
        "model_type": _("须为 JSON 对象"),
        "model_attributes_type": _("须为 JSON 对象"),
        "datetime_parsing": _("须为日期时间，如 2026-05-01T09:00:00+08:00"),
        "datetime_type": _("须为日期时间，如 2026-05-01T09:00:00+08:00"),
        "datetime_from_date_parsing": _("须为日期时间，如 2026-05-01T09:00:00+08:00"),
        "date_parsing": _("须为 YYYY-MM-DD 格式的日期"),
        "date_type": _("须为 YYYY-MM-DD 格式的日期"),
        "date_from_datetime_parsing": _("须为 YYYY-MM-DD 格式的日期"),
        "date_from_datetime_inexact": _("须为 YYYY-MM-DD 格式的日期"),
        "uuid_parsing": _("须为 UUID"),
        "json_invalid": _("不是有效的 JSON"),
    }
    templates: dict[str, str] = {
        "less_than_equal": _("不能大于 %(le)s"),
        "greater_than_equal": _("不能小于 %(ge)s"),
        "less_than": _("须小于 %(lt)s"),
        "greater_than": _("须大于 %(gt)s"),
        "string_too_long": _("不能超过 %(max_length)s 个字符"),
        "string_too_short": _("至少 %(min_length)s 个字符"),
        "too_long": _("最多 %(max_length)s 项"),
        "too_short": _("至少 %(min_length)s 项"),
        "literal_error": _("须为以下之一：%(expected)s"),
        "enum": _("须为以下之一：%(expected)s"),
        "string_pattern_mismatch": _("格式不正确"),
    }
    if kind in messages:
        return messages[kind]
    if kind in templates:
        try:
            return templates[kind] % {
                k: ctx.get(k, "") for k in ("le", "ge", "lt", "gt", "max_length", "min_length", "expected")
            }
        except (TypeError, ValueError):
            pass
    msg = str(err.get("msg", ""))
    return msg.removeprefix("Value error, ")

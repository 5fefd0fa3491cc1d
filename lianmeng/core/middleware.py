"""Chinese first: pages are Chinese unless the visitor chose English with the language switch."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from lianmeng.core.errors import (
    bad_request_page,
    database_unavailable_response,
    is_database_unavailable,
    is_out_of_range,
    out_of_range_problem,
    problem,
    problem_for_api_response,
)
from lianmeng.core.params import INT64_MAX

_SURROGATE_RE = re.compile("[\ud800-\udfff]")


class ChineseFirstMiddleware:
    """Pages ignore the browser's Accept-Language (an en-US browser in a Qingdao office still gets
    Chinese); the language switch's cookie decides. The API keeps honouring Accept-Language."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/api/"):
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


def _json_problem_path(value: Any, path: str = "") -> tuple[str, str] | None:
    """(JSON path, reason) of the first value no database can store: a string with a lone surrogate
    (UTF-8 cannot encode it), or an integer beyond 64 bits (SQLite and bigint columns cannot hold it)."""
    stack: list[tuple[str, Any]] = [(path, value)]
    while stack:
        where, item = stack.pop()
        if isinstance(item, str):
            if _SURROGATE_RE.search(item):
                return where, "surrogate"
        elif isinstance(item, bool):
            continue
        elif isinstance(item, int):
            if not -INT64_MAX - 1 <= item <= INT64_MAX:
                return where, "integer"
        elif isinstance(item, list):
            stack.extend((f"{where}[{i}]", v) for i, v in reversed(list(enumerate(item))))
        elif isinstance(item, dict):
            for key, v in reversed(list(item.items())):
                shown = str(key).encode("utf-8", "backslashreplace").decode("utf-8")
                name = f"{where}.{shown}" if where else shown
                if shown != key:
                    return name, "surrogate"
                stack.append((name, v))
    return None


class RequestGuardMiddleware:
    """Refuses what no view should have to handle, and keeps every API error problem+json.

    - A JSON body (API) with a lone surrogate in a string or an integer beyond 64 bits: 422 naming the
      JSON path (databases cannot store either; without this they end in a 500).
    - A NUL character in a query parameter or a form field (PostgreSQL refuses it in text): 400 on pages,
      422 naming the parameter on the API.
    - API only: a URL longer than ``MAX_API_URL`` characters answers 414 and a JSON body larger than
      ``DATA_UPLOAD_MAX_MEMORY_SIZE`` 413; any error answer that is not JSON (Django's 404 for an unknown
      path, ninja's 405, a 400 or 500 page) is turned into application/problem+json.
    """

    MAX_API_URL = 4096

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        is_api = request.path.startswith("/api/")
        refused = self._refuse(request, is_api)
        response = refused if refused is not None else self.get_response(request)
        if is_api and response.status_code >= 400:
            response = problem_for_api_response(response)
        return response

    def _refuse(self, request: HttpRequest, is_api: bool) -> HttpResponse | None:
        if is_api and len(request.get_full_path()) > self.MAX_API_URL:
            return problem(
                414, _("请求地址过长"), _("请求地址不能超过 %(n)d 个字符") % {"n": self.MAX_API_URL}
            )
        for name, values in request.GET.lists():
            if "\x00" in name or any("\x00" in v for v in values):
                return self._bad_parameter(name.replace("\x00", ""), is_api)
        content_type = request.content_type or ""
        if request.method in ("POST", "PUT", "PATCH") and content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            try:
                form = request.POST
            except Exception:
                form = None
            if form is not None:
                for name, values in form.lists():
                    if "\x00" in name or any("\x00" in v for v in values):
                        return self._bad_parameter(name.replace("\x00", ""), is_api)
        if (
            is_api
            and request.method in ("POST", "PUT", "PATCH", "DELETE")
            and not content_type.startswith("multipart/")
        ):
            return self._check_json_body(request)
        return None

    @staticmethod
    def _bad_parameter(name: str, is_api: bool) -> HttpResponse:
        message = _("%(name)s 含有空字符（\\0），请删除后重试") % {"name": name}
        if is_api:
            return problem(422, _("提交的数据有误"), f"{name}: {message}", {name: [message]})
        return bad_request_page(message)

    @staticmethod
    def _check_json_body(request: HttpRequest) -> HttpResponse | None:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and length > limit:
            return problem(
                413,
                _("请求内容过大"),
                _("请求内容不能超过 %(size)s") % {"size": filesizeformat(limit)},
            )
        try:
            body = request.body
        except RequestDataTooBig:
            return problem(413, _("请求内容过大"), _("请求内容过大"))
        if not body:
            return None
        try:
            data = json.loads(body)
        except (ValueError, RecursionError):
            return None  # not JSON: the API's parser answers 400
        found = _json_problem_path(data)
        if found is None:
            return None
        where, reason = found
        where = where or "__all__"
        if reason == "surrogate":
            message = _("含有无法保存的字符（单独的 UTF-16 代理项），请检查输入")
        else:
            message = _("数值超出范围：须在 -9223372036854775808 到 9223372036854775807 之间")
        return problem(422, _("提交的数据有误"), f"{where}: {message}", {where: [message]})


class DatabaseUnavailableMiddleware:
    """While the database refuses connections, does not answer in time (connect or statement timeout) or
    cannot be written (a read-only SQLite file), answer 503 with Retry-After and a Chinese message instead
    of a 500 (problem+json on the API). Nothing is kept between requests: the next request tries the
    database again, so the site recovers by itself. ``handler500`` does the same for errors raised
    outside views (middleware, templates) when DEBUG is off."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if is_database_unavailable(exception):
            return database_unavailable_response(request, exception)
        if is_out_of_range(exception):
            if request.path.startswith("/api/"):
                return out_of_range_problem()
            return bad_request_page(_("提交的数值或日期超出允许范围，请检查后重试"))
        return None

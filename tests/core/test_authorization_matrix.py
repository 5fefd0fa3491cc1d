"""The authorization matrix: every URL pattern and every API operation x every role, with its expected answer.

The endpoints come from the URL conf (lianmeng/urls.py and each app's urls.py) and from the OpenAPI
document; the expected answers from tests/core/authz_expectations.py. An endpoint without an entry fails
``test_every_endpoint_has_an_entry``. GET is tried for every cell. Unsafe methods (POST, PUT, PATCH,
DELETE) are tried for every role the entry refuses: the answer must be the refusal and the database must
not change (no INSERT/UPDATE/DELETE outside the session and counter tables, no new audit entry).
Authorised writes are not exercised here (they need valid bodies; each app's own tests cover them).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from lianmeng.api import api
from lianmeng.core.models import AuditEntry

from . import authz_expectations as X  # noqa: N812
from .authz_expectations import ROLES
from .conftest import PDF, World

pytestmark = pytest.mark.django_db

# Tables a refused request may still write: the session (last activity), token last-use, rate counters.
WRITE_ALLOWED = re.compile(r"django_session|accounts_apitoken|core_ratecounter|axes_|otp_|django_cache", re.I)
WRITE_SQL = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.I)


# ---------------------------------------------------------------- endpoints
def _walk(patterns: list[Any], prefix: str, namespace: str | None) -> Iterator[tuple[str, str]]:
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace or namespace
            full_ns = ":".join(x for x in (namespace, p.namespace) if x) if p.namespace else namespace
            if ns == "api":
                continue  # the API is covered operation by operation
            yield from _walk(p.url_patterns, prefix + str(p.pattern), full_ns)
        elif isinstance(p, URLPattern):
            name = f"{namespace}:{p.name}" if namespace else str(p.name)
            yield name, prefix + str(p.pattern)


def page_patterns() -> dict[str, str]:
    """URL name -> route for every named pattern of the URL conf (the admin: its index and changelists)."""
    found: dict[str, str] = {}
    for name, route in _walk(get_resolver().url_patterns, "", None):
        if name.startswith("admin:") and not (name == "admin:index" or name.endswith("_changelist")):
            continue
        found.setdefault(name, route)
    return found


DOCUMENT = api.get_openapi_schema(path_prefix="/api/v1/")


def api_operations() -> dict[str, tuple[str, str]]:
    """operationId -> (METHOD, path) for every operation of the OpenAPI document."""
    return {
        op["operationId"]: (method.upper(), path)
        for path, ops in DOCUMENT["paths"].items()
        for method, op in ops.items()
    }


PAGES = page_patterns()
OPERATIONS = api_operations()


# ---------------------------------------------------------------- answers
def answer_of(response: Any) -> Any:
    if response.status_code in (301, 302, 303):
        location = response["Location"]
        return X.LOGIN if location.startswith(reverse(settings.LOGIN_URL)) else X.REDIRECT
    return response.status_code


def _value(world: World, spec: Any) -> Any:
    if isinstance(spec, X.L):
        return spec.value
    obj = world.objects[spec] if isinstance(spec, str) else spec
    return getattr(obj, "pk", obj)


def _resolve(world: World, body: Any) -> Any:
    """Put the world's ids where a body names them (``X.W("resource")``)."""
    if isinstance(body, X.W):
        return _value(world, str(body))
    if isinstance(body, dict):
        return {k: _resolve(world, v) for k, v in body.items()}
    if isinstance(body, list):
        return [_resolve(world, v) for v in body]
    return body


def _expected(row: X.Row, role: str, *, is_api: bool) -> Any:
    value = row[role]
    if value == X.AUTH:
        return 401 if is_api else X.LOGIN
    return value


class Writes:
    """Counts what a block of requests writes to the database."""

    def __init__(self) -> None:
        self.context = CaptureQueriesContext(connection)

    def __enter__(self) -> Writes:
        self.audit_before = AuditEntry.objects.count()
        self.context.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.context.__exit__(*exc)
        self.audit_after = AuditEntry.objects.count()

    def changes(self) -> list[str]:
        found = [
            q["sql"][:160]
            for q in self.context.captured_queries
            if WRITE_SQL.match(q["sql"]) and not WRITE_ALLOWED.search(q["sql"].split("(")[0][:200])
        ]
        if self.audit_after != self.audit_before:
            found.append(f"{self.audit_after - self.audit_before} new audit entries")
        return found


def _record(key: str, observed: dict[str, Any]) -> None:
    path = os.environ.get("AUTHZ_OBSERVED")
    if path:
        with open(path, "a", encoding="utf-8") as out:
            out.write(json.dumps({"key": key, "observed": observed}, ensure_ascii=False) + "\n")


def _send(client: Any, method: str, url: str, body: Any) -> Any:
    if method == "GET":
        return client.get(url)
    if not url.startswith("/api/"):
        return client.post(url, body or {})
    if isinstance(body, Multipart):
        files = {k: SimpleUploadedFile("a.pdf", PDF, "application/pdf") for k in body.files}
        return client.post(url, {**body.fields, **files})
    return client.generic(
        method, url, json.dumps(body if body is not None else {}), content_type="application/json"
    )


class Multipart:
    def __init__(self, fields: dict[str, Any], files: list[str]) -> None:
        self.fields, self.files = fields, files


def _example(document: dict[str, Any], schema: dict[str, Any], name: str = "") -> Any:
    """A small valid value for ``schema`` (required properties only), so that an API write reaches the
    endpoint's own authorization check instead of stopping at body validation."""
    if "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [o for o in schema[key] if o.get("type") != "null"]
            return _example(document, options[0], name)
    if "enum" in schema:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        props = schema.get("properties", {})
        return {k: _example(document, props[k], k) for k in schema.get("required", []) if k in props}
    if kind == "array":
        return [_example(document, schema.get("items", {}), name) for _ in range(schema.get("minItems", 0))]
    if kind == "integer":
        return max(1, schema.get("minimum", 1))
    if kind == "number":
        return max(1, schema.get("minimum", 1))
    if kind == "boolean":
        return False
    fmt = schema.get("format", "")
    if fmt == "date":
        return "2026-12-01"
    if fmt == "date-time":
        return "2026-12-01T09:00:00+08:00"
    if fmt == "email":
        return "someone@example.cn"
    if "mobile" in name or "phone" in name:
        return "13800000000"
    return "测试"


def request_body(operation_id: str) -> Any:
    op = next(
        o for ops in DOCUMENT["paths"].values() for o in ops.values() if o["operationId"] == operation_id
    )
    body = op.get("requestBody")
    if body is None:
        return None
    content = body["content"]
    if "multipart/form-data" in content:
        schema = content["multipart/form-data"]["schema"]
        props = schema.get("properties", {})
        files = [k for k, v in props.items() if "binary" in json.dumps(v)]
        fields = {k: _example(DOCUMENT, props[k], k) for k in schema.get("required", []) if k not in files}
        return Multipart(fields, files)
    return _example(DOCUMENT, next(iter(content.values()))["schema"])


def _check(
    world: World, key: str, method: str, url: str, entry: X.Entry | None, *, is_api: bool, body: Any = None
) -> None:
    """GET for every role (GET endpoints and every page); the unsafe method (the operation's own, POST for
    pages) for every role the entry refuses, which must be refused and write nothing."""
    observed: dict[str, Any] = {}
    wrong: list[str] = []
    for role in ROLES:
        client = world.api_client(role) if is_api else world.page_client(role)
        if method == "GET":
            got = answer_of(client.get(url))
            observed[role] = got
            if entry is not None and entry.get is not None:
                want = _expected(entry.get, role, is_api=is_api)
                if got != want:
                    wrong.append(f"GET as {role}: {got} (expected {want})")
            if is_api:
                continue
        unsafe = method if is_api else "POST"
        acceptable: set[Any] = set()
        if entry is not None:
            if entry.write is not None:
                want = _expected(entry.write, role, is_api=is_api)
                acceptable = {want}
            else:
                assert entry.get is not None, f"{key}: an unsafe operation needs a write row"
                want = _expected(entry.get, role, is_api=is_api)
                acceptable = {want, 405}
            if want in X.ALLOWED:
                continue  # an authorised write: not exercised here
        with Writes() as writes:
            got = answer_of(_send(client, unsafe, url, body))
        observed[f"{unsafe} {role}"] = got
        if entry is None:
            continue
        if got not in acceptable:
            wrong.append(f"{unsafe} as {role}: {got} (expected {' or '.join(sorted(map(str, acceptable)))})")
        changed = writes.changes()
        if changed:
            wrong.append(f"{unsafe} as {role}: refused with {got} but wrote {changed}")
    _record(key, observed)
    assert entry is not None, f"{key} has no entry in authz_expectations; observed {observed}"
    assert not wrong, f"{method} {url} ({key}):\n  " + "\n  ".join(wrong)


@pytest.fixture(autouse=True)
def _media_root(settings: Any, authz_world: World) -> None:
    settings.MEDIA_ROOT = authz_world.media_root


@pytest.fixture(autouse=True)
def _small_annual_pdf(monkeypatch: pytest.MonkeyPatch) -> None:
    """The matrix asks who may download the annual PDF, not what it holds (tests/reporting lays it out
    for real): its layout by WeasyPrint took 3-4 s per role and URL."""
    monkeypatch.setattr("lianmeng.reporting.tasks.report_pdf", lambda report, progress=None: PDF)


@pytest.mark.parametrize("name", sorted(PAGES))
def test_page(authz_world: World, name: str) -> None:
    entry = X.entry_for_page(name)
    known = entry if entry is not None and (entry.get or entry.write) else None
    kwargs = {k: _value(authz_world, v) for k, v in (entry.args if entry else {}).items()}
    url = reverse(name, kwargs=kwargs) + (f"?{entry.query}" if entry and entry.query else "")
    _check(authz_world, name, "GET", url, known, is_api=False)


@pytest.mark.parametrize("operation_id", sorted(OPERATIONS))
def test_api_operation(authz_world: World, operation_id: str) -> None:
    method, path = OPERATIONS[operation_id]
    entry = X.API.get(operation_id)
    args = dict(X.API_ARGS)
    if entry:
        args.update(entry.args)

    def fill(match: re.Match[str]) -> str:
        return str(_value(authz_world, args[match.group(1)]))

    query = re.sub(r"{(\w+)}", lambda m: str(_value(authz_world, m.group(1))), entry.query) if entry else ""
    url = re.sub(r"{(\w+)}", fill, path) + (f"?{query}" if query else "")
    body = entry.body if entry and entry.body is not None else request_body(operation_id)
    body = _resolve(authz_world, body)
    known = entry if entry is not None and (entry.get or entry.write) else None
    _check(authz_world, operation_id, method, url, known, is_api=True, body=body)


def test_every_endpoint_has_an_entry() -> None:
    pages = sorted(name for name in PAGES if X.entry_for_page(name) is None)
    operations = sorted(op for op in OPERATIONS if op not in X.API)
    assert (pages, operations) == ([], []), (
        "endpoints without an entry in tests/core/authz_expectations.py "
        f"(add one, see docs/security.md): pages {pages}, API operations {operations}"
    )


def test_no_stale_entries() -> None:
    stale = sorted(set(X.PAGES) - set(PAGES) - {k for k in X.PAGES if "*" in k}) + sorted(
        set(X.API) - set(OPERATIONS)
    )
    assert stale == []


def test_matrix_size() -> None:
    """The figure docs/security.md quotes."""
    cells = (len(PAGES) + len(OPERATIONS)) * len(ROLES)
    assert len(ROLES) == 11
    assert cells >= 3000, cells

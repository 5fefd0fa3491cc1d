"""The OpenAPI document tells the truth: one name per schema class, and each documented request body is
the one the endpoint's view function really accepts.

django-ninja keys ``components.schemas`` by the class's ``__name__``: two different classes called
``ReviewIn`` silently become one entry, and ``POST /applications/{id}/review`` was documented with the
research review's ``{scores, overall_comment}`` instead of ``{action, message}``. These checks walk the
API's operations themselves (not only the generated document, which has already merged the clash).
"""

from __future__ import annotations

import inspect
import re
import typing
from collections import defaultdict
from collections.abc import Iterator
from typing import Any, Literal

import pytest
from ninja import NinjaAPI, Router, Schema
from ninja.params import models as param_models
from ninja.utils import normalize_path
from pydantic import BaseModel

from lianmeng.api import api as lianmeng_api

pytestmark = pytest.mark.one_pass  # the schema is built without a database

BODY_MARKERS = (param_models.Body, param_models.Form, param_models.File)
OTHER_MARKERS = (param_models.Path, param_models.Query, param_models.Header, param_models.Cookie)


def operations(api: NinjaAPI) -> Iterator[tuple[str, str, Any]]:
    """(METHOD, full path, ninja Operation) for every operation mounted on ``api``."""
    for bound in api._get_bound_routers():
        for path, path_view in bound.path_operations.items():
            full = normalize_path("/" + "/".join(p for p in (bound.prefix, path) if p))
            full = re.sub(r"{[^}:]+:", "{", full)
            for operation in path_view.operations:
                for method in operation.methods:
                    yield method.upper(), full, operation


def _ninja_internal(model: type[BaseModel]) -> bool:
    """The wrappers ninja builds per operation (PathParams, BodyParams, NinjaResponseSchema): never documented
    under their own name, so only their fields matter."""
    return hasattr(model, "__ninja_param_source__") or model.__name__ == "NinjaResponseSchema"


def _models_in(annotation: Any, found: set[type[BaseModel]]) -> None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation in found:
            return
        found.add(annotation)
        for field in annotation.model_fields.values():
            _models_in(field.annotation, found)
        return
    for arg in typing.get_args(annotation):
        _models_in(arg, found)


def schema_name_clashes(api: NinjaAPI) -> dict[str, list[str]]:
    """Names shared by different pydantic classes reachable from the operations' parameters and responses.

    Classes ninja generates itself (``Paged<Item>``) are only a clash when their JSON schemas differ."""
    by_name: dict[str, set[type[BaseModel]]] = defaultdict(set)
    for _method, _path, operation in operations(api):
        found: set[type[BaseModel]] = set()
        for model in operation.models:
            _models_in(model, found)
        for model in operation.response_models.values():
            _models_in(model, found)
        for model in found:
            if not _ninja_internal(model):
                by_name[model.__name__].add(model)
    clashes: dict[str, list[str]] = {}
    for name, classes in by_name.items():
        if len(classes) < 2:
            continue
        generated = all(c.__module__.startswith(("ninja", "abc")) for c in classes)
        if generated and len({repr(c.model_json_schema()) for c in classes}) == 1:
            continue
        clashes[name] = sorted(f"{c.__module__}.{c.__qualname__}" for c in classes)
    return clashes


def accepted_body(view: Any) -> tuple[str, set[str], type[BaseModel] | None] | None:
    """What the view function accepts as its request body, read from its signature:
    (content kind, property names, the schema class when the body is exactly one schema), or None."""
    hints = typing.get_type_hints(view, include_extras=True)
    path_names = set()
    json_params: list[tuple[str, Any]] = []
    multipart: set[str] = set()
    for name in list(inspect.signature(view).parameters)[1:]:  # the first is ``request``
        annotation = hints.get(name)
        marker = None
        if typing.get_origin(annotation) is typing.Annotated:
            annotation, *extras = typing.get_args(annotation)
            marker = next((e for e in extras if isinstance(e, (*BODY_MARKERS, *OTHER_MARKERS))), None)
        if isinstance(marker, OTHER_MARKERS):
            continue
        if isinstance(marker, (param_models.File, param_models.Form)):
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                multipart |= {f.alias or n for n, f in annotation.model_fields.items()}
            else:
                multipart.add(name)
        elif isinstance(marker, param_models.Body) or (
            isinstance(annotation, type) and issubclass(annotation, BaseModel)
        ):
            json_params.append((name, annotation))
        else:
            path_names.add(name)
    if multipart:
        return "multipart/form-data", multipart | {n for n, _a in json_params}, None
    if not json_params:
        return None
    if len(json_params) == 1:
        model = json_params[0][1]
        if isinstance(model, type) and issubclass(model, BaseModel):
            return "application/json", {f.alias or n for n, f in model.model_fields.items()}, model
        return "application/json", {json_params[0][0]}, None
    return "application/json", {n for n, _a in json_params}, None


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    ref = schema.get("$ref")
    if ref is None:
        return None, schema
    name = ref.rsplit("/", 1)[-1]
    return name, document["components"]["schemas"][name]


def body_mismatches(api: NinjaAPI) -> list[str]:
    """Every operation whose documented request body differs from what its view function accepts."""
    document = api.get_openapi_schema(path_prefix="")
    problems = []
    for method, path, operation in operations(api):
        if not operation.include_in_schema:
            continue
        documented = document["paths"][path]
        body = documented[method.lower()].get("requestBody")
        accepted = accepted_body(operation.view_func)
        where = f"{method} {path} ({operation.view_func.__module__}.{operation.view_func.__name__})"
        if accepted is None:
            if body is not None:
                problems.append(f"{where}: documents a request body but the view accepts none")
            continue
        kind, fields, model = accepted
        if body is None or kind not in body["content"]:
            problems.append(
                f"{where}: accepts {kind} {sorted(fields)} but documents {body and list(body['content'])}"
            )
            continue
        ref_name, schema = _resolve(document, body["content"][kind]["schema"])
        documented_fields = set(schema.get("properties", {}))
        if documented_fields != fields:
            problems.append(f"{where}: accepts {sorted(fields)} but documents {sorted(documented_fields)}")
        if model is not None and ref_name is not None and ref_name != model.__name__:
            problems.append(f"{where}: accepts {model.__name__} but documents {ref_name}")
    return problems


def test_every_schema_name_belongs_to_one_class() -> None:
    clashes = schema_name_clashes(lianmeng_api)
    assert clashes == {}, "schema names used by more than one class (rename one): " + "; ".join(
        f"{name}: {', '.join(classes)}" for name, classes in sorted(clashes.items())
    )


def test_document_lists_each_schema_under_its_own_name() -> None:
    document = lianmeng_api.get_openapi_schema()
    review = document["paths"]["/api/v1/applications/{application_id}/review"]["post"]["requestBody"]
    name, schema = _resolve(document, review["content"]["application/json"]["schema"])
    assert name == "ApplicationDecision"
    assert set(schema["properties"]) == {"action", "message"}
    scores = document["paths"]["/api/v1/reviews/{review_id}"]["put"]["requestBody"]
    name, schema = _resolve(document, scores["content"]["application/json"]["schema"])
    assert set(schema["properties"]) == {"scores", "overall_comment", "version"}
    assert name != "ApplicationReviewIn"


def test_every_documented_request_body_is_the_one_the_view_accepts() -> None:
    problems = body_mismatches(lianmeng_api)
    assert problems == [], "\n".join(problems)


def test_operations_are_walked_with_their_bodies() -> None:
    """The walk sees every documented operation, and the body check is not vacuous."""
    document = lianmeng_api.get_openapi_schema()
    documented = sum(len(ops) for ops in document["paths"].values())
    walked = list(operations(lianmeng_api))
    assert len(walked) == documented >= 100
    with_body = [op for _m, _p, op in walked if accepted_body(op.view_func) is not None]
    assert len(with_body) >= 40


# The checks themselves catch the bug they are for: two routers with a ``ReviewIn`` each.
def _membership_review() -> type[Schema]:
    class ReviewIn(Schema):
        action: Literal["return", "reject"]
        message: str = ""

    return ReviewIn


def _research_review() -> type[Schema]:
    class ReviewIn(Schema):
        scores: dict[int, int]
        overall_comment: str = ""

    return ReviewIn


_MembershipReview = _membership_review()
_ResearchReview = _research_review()


@pytest.fixture
def clashing_api() -> NinjaAPI:
    api = NinjaAPI(urls_namespace="clash-probe")
    first, second = Router(), Router()

    @first.post("/applications/{application_id}/review")
    def application_review(request: Any, application_id: int, payload: _MembershipReview) -> dict[str, str]:
        return {}

    @second.put("/reviews/{review_id}")
    def review_update(request: Any, review_id: int, payload: _ResearchReview) -> dict[str, str]:
        return {}

    api.add_router("", first)
    api.add_router("", second)
    return api


def test_the_checks_catch_a_clash_and_the_wrong_body(clashing_api: NinjaAPI) -> None:
    clashes = schema_name_clashes(clashing_api)
    assert list(clashes) == ["ReviewIn"] and len(clashes["ReviewIn"]) == 2
    problems = body_mismatches(clashing_api)
    assert len(problems) == 1, problems
    assert "accepts ['action', 'message'] but documents ['overall_comment', 'scores']" in problems[0] or (
        "accepts ['overall_comment', 'scores'] but documents ['action', 'message']" in problems[0]
    )


def test_every_paginated_list_says_whether_its_count_stopped_at_the_cap() -> None:
    """One pagination everywhere: every list with ``page`` answers ``items``, ``count`` and ``count_capped``."""
    document = lianmeng_api.get_openapi_schema()
    schemas = document["components"]["schemas"]
    lists = 0
    for path, methods in document["paths"].items():
        for method, op in methods.items():
            if not any(p["name"] == "page" for p in op.get("parameters", [])):
                continue
            lists += 1
            ref = op["responses"][200]["content"]["application/json"]["schema"]["$ref"]
            fields = set(schemas[ref.rsplit("/", 1)[-1]]["properties"])
            # The library search answers per type (`results`, `total`), with `count_capped` too.
            want = {"count_capped"} if path == "/api/v1/search" else {"items", "count", "count_capped"}
            assert want <= fields, f"{method.upper()} {path}: {sorted(fields)}"
    assert lists >= 15

"""Schemathesis over /api/v1/openapi.json against the WSGI application, as anonymous, a member contact
and the secretariat (bearer tokens): no answer is a 5xx, every answer's body matches its documented schema
and content type. A bounded number of examples per operation (``SCHEMATHESIS_EXAMPLES``, default 3,
derandomized so that ``make test`` is repeatable); ``bench/schemathesis_long.py`` runs many more.
"""

from __future__ import annotations

import os
import re
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections

from tests.factories import published_event

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "3"))
SEED = os.environ.get("SCHEMATHESIS_SEED")  # unset: derandomized (the same cases every run)


def _exerciser(
    counted: dict[str, int], headers: dict[str, str], checks: list[Any], statuses: Counter[int]
) -> Callable[[Any], None]:
    def exercise_one(case: Any) -> None:
        counted["n"] += 1
        response = case.call(headers=headers)
        statuses[response.status_code] += 1
        case.validate_response(response, checks=checks, headers=headers)

    return exercise_one


def _strategy(operation: Any, known: dict[str, Any]) -> Any:
    from hypothesis import strategies as st

    names = re.findall(r"{(\w+)}", operation.path)
    fixed = {name: known[name] for name in names if name in known}
    if not fixed:
        return operation.as_strategy()
    return st.one_of(operation.as_strategy(path_parameters=fixed), operation.as_strategy())


def run_schemathesis(
    headers: dict[str, str],
    *,
    examples: int,
    seed: int | None = None,
    statuses: Counter[int] | None = None,
    known: dict[str, Any] | None = None,
) -> tuple[int, int, list[str]]:
    """Run every operation of the API's OpenAPI document; (operations, cases, failures).

    ``known`` maps path parameter names to values of rows that exist (``event_id``, ``year``, ...): an
    operation with such parameters draws half of its cases with them, so that cases get past the 404."""
    import schemathesis
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

    from lianmeng.api import api

    schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
    schema.app = get_wsgi_application()
    checks = [not_a_server_error, response_schema_conformance, content_type_conformance]
    # Django's test client keeps the test's connection open across requests (the test runs inside one
    # transaction); the WSGI transport does not, so do the same here, or PostgreSQL loses the connection
    # after the first request.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        return _run_operations(schema, headers, checks, examples, seed, statuses, known)
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def _run_operations(
    schema: Any,
    headers: dict[str, str],
    checks: list[Any],
    examples: int,
    seed: int | None,
    statuses: Counter[int] | None,
    known: dict[str, Any] | None,
) -> tuple[int, int, list[str]]:
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hypothesis_seed

    failures: list[str] = []
    operations = 0
    cases = 0
    # An operation that can revoke the caller's own token (DELETE /auth/tokens/{id} with a lucky id) runs
    # last, or every later case of the role would only test the 401.
    ordered = sorted(
        (result.ok() for result in schema.get_all_operations()),
        key=lambda op: op.method.upper() == "DELETE" and op.path.startswith("/api/v1/auth/"),
    )
    for operation in ordered:
        operations += 1
        counted = {"n": 0}
        exercise_one = _exerciser(counted, headers, checks, statuses if statuses is not None else Counter())

        exercise = settings(
            max_examples=examples,
            deadline=None,
            database=None,
            derandomize=seed is None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )(given(case=_strategy(operation, known or {}))(exercise_one))
        if seed is not None:
            exercise = hypothesis_seed(seed)(exercise)
        try:
            exercise()
        except (Exception, BaseExceptionGroup) as exc:  # schemathesis raises a BaseExceptionGroup; collected
            failures.append(f"{operation.label}: {str(exc)[:1500]}")
        cases += counted["n"]
    return operations, cases, failures


@pytest.fixture
def roles(
    make_org: Callable[..., Any], make_user: Callable[..., Any], secretariat: Any, settings: Any
) -> dict[str, Any]:
    """Bearer headers for anonymous, a member contact and the secretariat, with a little data to find."""
    import datetime

    from django.utils import timezone

    from lianmeng.accounts.models import ApiToken

    settings.ALLOWED_HOSTS = ["*"]
    park = make_org("青岛测试园区", city="青岛")
    member = make_user("member_contact", organization=park, username="contact")
    event = published_event(park, secretariat, starts=timezone.now() + datetime.timedelta(days=20))

    def bearer(user: Any) -> dict[str, str]:
        key = ApiToken.new_key()
        ApiToken.objects.create(user=user, key_hash=ApiToken.hash_key(key), key_prefix=key[:10])
        return {"Authorization": f"Bearer {key}"}

    known = {
        "event_id": event.pk,
        "org_id": park.pk,
        "city_code": "370200",
        "year": timezone.localdate().year,
    }
    return {
        "anonymous": {},
        "member": bearer(member),
        "secretariat": bearer(secretariat),
        "known": known,
    }


@pytest.mark.parametrize("role", ["anonymous", "member", "secretariat"])
def test_schemathesis_finds_no_server_error_and_no_schema_violation(
    role: str, roles: dict[str, Any], settings: Any
) -> None:
    settings.API_RATE_PER_MINUTE = 0  # rate limits have their own tests; here they would only hide cases
    settings.API_RATE_PER_ADDRESS_PER_MINUTE = 0
    started = time.monotonic()
    statuses: Counter[int] = Counter()
    operations, cases, failures = run_schemathesis(
        roles[role],
        examples=EXAMPLES,
        seed=int(SEED) if SEED else None,
        statuses=statuses,
        known=roles["known"],
    )
    print(
        f"schemathesis {role}: {operations} operations, {cases} cases, {time.monotonic() - started:.1f} s,"
        f" statuses {sorted(statuses.items())}"
    )
    assert not failures, f"{len(failures)} of {operations} operations failed:\n\n" + "\n\n".join(failures)
    assert operations >= 100 and cases >= operations

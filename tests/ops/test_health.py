"""Probes, request ids, structured logs and the metrics endpoint, through Django's test client.

What a load balancer and an operator notice: /healthz and /readyz answer without login and without a
session (no cookie, no session row read); /readyz names what is missing with 503; every answer carries
X-Request-ID (the proxy's when it is trusted); /metrics is closed unless configured, and counts requests
per view and the task queue from the database."""

from __future__ import annotations

import datetime
import json
import logging
import uuid
from typing import Any

import pytest
from django.db import OperationalError, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lianmeng.core import health
from lianmeng.core.observability import JsonFormatter, RequestIdFilter
from tests.ops.conftest import sample

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(make_user: Any) -> Client:
    client = Client()
    client.force_login(make_user())
    return client


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/metrics"])
def test_probes_never_touch_the_session(signed_in: Client, settings: Any, path: str) -> None:
    settings.METRICS_TOKEN = "s3cret-token"
    with CaptureQueriesContext(connection) as queries:
        response = signed_in.get(path, HTTP_AUTHORIZATION="Bearer s3cret-token")
    assert response.status_code == 200
    assert "Set-Cookie" not in response
    assert not response.cookies
    touched = [q["sql"] for q in queries if "django_session" in q["sql"] or "accounts_user" in q["sql"]]
    assert touched == []
    if path == "/healthz":
        assert len(queries) == 0
        assert response.json() == {"status": "ok"}


def test_probes_answer_anonymous_callers_and_refuse_posts() -> None:
    client = Client()
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "migrations": "ok"},
    }
    assert ready["Cache-Control"] == "no-store"
    assert client.post("/healthz").status_code == 405
    assert "sessionid" not in client.cookies


def test_probes_answer_any_host_and_are_not_redirected_to_https(settings: Any) -> None:
    """A load balancer asks an app host by its address, over plain HTTP, behind HTTPS=true."""
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
    client = Client()
    assert client.get("/healthz", HTTP_HOST="10.0.0.11:8000").status_code == 200
    assert client.get("/readyz", HTTP_HOST="10.0.0.11:8000").status_code == 200
    assert client.get("/about/").status_code == 301  # pages still go to HTTPS
    assert client.get("/about/", HTTP_HOST="10.0.0.11:8000").status_code == 400


def test_readyz_names_an_unreachable_database_without_its_address(monkeypatch: Any) -> None:
    def refuse(alias: str) -> None:
        raise OperationalError('connection to server at "10.1.2.3", port 5432 failed: Connection refused')

    monkeypatch.setattr(health, "_check_database", refuse)
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == "unavailable (OperationalError)"
    assert body["checks"]["migrations"] == "not checked: the database is unavailable"
    assert "10.1.2.3" not in response.content.decode()


def test_readyz_fails_when_redis_does_not_answer(settings: Any) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["cache"].startswith("unavailable (")
    assert response.json()["checks"]["database"] == "ok"


def test_readyz_fails_while_a_migration_is_not_applied(monkeypatch: Any) -> None:
    monkeypatch.setattr(health, "_migrations_applied", False)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM django_migrations WHERE app = 'core' AND name = '0001_initial'")
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["migrations"] == "1 migration(s) not applied: core.0001_initial"


# ---------------------------------------------------------------- request ids


def test_every_answer_carries_a_new_request_id() -> None:
    client = Client()
    first, second = client.get("/healthz"), client.get("/")
    assert len(first["X-Request-ID"]) == 32
    assert first["X-Request-ID"] != second["X-Request-ID"]


def test_request_id_of_a_trusted_proxy_is_kept_and_others_are_replaced(settings: Any) -> None:
    client = Client()
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    assert client.get("/healthz", HTTP_X_REQUEST_ID="nginx-abc123")["X-Request-ID"] == "nginx-abc123"
    forged = client.get("/healthz", HTTP_X_REQUEST_ID="a\nFAKE log line")["X-Request-ID"]
    assert forged != "a\nFAKE log line" and len(forged) == 32
    settings.TRUSTED_PROXIES = []
    assert client.get("/healthz", HTTP_X_REQUEST_ID="nginx-abc123")["X-Request-ID"] != "nginx-abc123"


# ---------------------------------------------------------------- logs


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[dict[str, Any]] = []
        self.addFilter(RequestIdFilter())
        self.setFormatter(JsonFormatter())

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(json.loads(self.format(record)))


@pytest.fixture
def json_log() -> Any:
    handler = _Records()
    loggers = [logging.getLogger("lianmeng.request"), logging.getLogger("lianmeng.db.slow")]
    for logger in loggers:
        logger.addHandler(handler)
    yield handler.lines
    for logger in loggers:
        logger.removeHandler(handler)


def test_request_log_is_one_json_object_per_request(json_log: list[dict[str, Any]], settings: Any) -> None:
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    response = Client().get("/about/", HTTP_X_FORWARDED_FOR="203.0.113.9")
    line = next(x for x in json_log if x["logger"] == "lianmeng.request")
    assert line["request_id"] == response["X-Request-ID"]
    assert line["event"] == "request"
    assert line["level"] == "INFO"
    assert line["view"] == "core:about"
    assert line["status"] == 200
    assert line["path"] == "/about/"
    assert line["client"] == "203.0.113.9"
    assert line["db_queries"] >= 1
    assert line["user_id"] is None
    assert isinstance(line["duration_ms"], float)


def test_secrets_in_paths_are_not_logged(json_log: list[dict[str, Any]]) -> None:
    Client().get("/events/ticket/s3cr3t-ticket-token/")
    Client().get("/accounts/password/reset/MQ/abc-set-password-token/")
    paths = [x["path"] for x in json_log if x["logger"] == "lianmeng.request"]
    assert paths == ["/events/ticket/[redacted]/", "/accounts/password/reset/[redacted]/[redacted]/"]


def test_slow_requests_and_slow_queries_are_warned_about(
    json_log: list[dict[str, Any]], settings: Any
) -> None:
    settings.SLOW_REQUEST_MS = 0
    settings.SLOW_QUERY_MS = 0
    response = Client().get("/readyz")
    events = {x["event"]: x for x in json_log}
    assert events["slow_request"]["level"] == "WARNING"
    assert events["slow_request"]["view"] == "readyz"
    slow_query = events["slow_query"]
    assert slow_query["request_id"] == response["X-Request-ID"]
    assert slow_query["sql"].startswith("SELECT 1")
    assert slow_query["database"] == "default"


def test_fast_queries_are_not_logged(json_log: list[dict[str, Any]], settings: Any) -> None:
    settings.SLOW_QUERY_MS = 60_000
    Client().get("/readyz")
    assert [x for x in json_log if x["event"] == "slow_query"] == []


# ---------------------------------------------------------------- metrics


def test_metrics_are_off_until_configured() -> None:
    response = Client().get("/metrics")
    assert response.status_code == 404


def test_metrics_need_the_token_or_an_allowed_address(settings: Any) -> None:
    client = Client()
    settings.METRICS_TOKEN = "s3cret-token"
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token").status_code == 200
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_IPS = ["10.0.0.0/8"]
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="192.0.2.1").status_code == 403
    # a client's own X-Forwarded-For counts only through a trusted proxy
    assert client.get("/metrics", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="10.1.2.3").status_code == 403
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    assert client.get("/metrics", HTTP_X_FORWARDED_FOR="10.1.2.3").status_code == 200
    assert client.get("/metrics", HTTP_X_FORWARDED_FOR="192.0.2.1").status_code == 403


def _sample(text: str, name: str, **labels: str) -> float:
    """The series' value; a series that is not exposed at all fails the test."""
    if not any(line.split("{", 1)[0].split(" ", 1)[0] == name for line in text.splitlines()):
        raise AssertionError(f"{name} {labels} not in the metrics")
    return sample(text, name, **labels)


def test_metrics_count_requests_per_view(settings: Any) -> None:
    settings.METRICS_TOKEN = "s3cret-token"
    client = Client()
    before = client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token").content.decode()
    try:
        base = _sample(before, "lianmeng_http_requests_total", view="core:about", method="GET", status="200")
    except AssertionError:
        base = 0.0
    for _ in range(3):
        client.get("/about/")
    client.get("/no-such-page/")
    text = client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token").content.decode()
    assert (
        _sample(text, "lianmeng_http_requests_total", view="core:about", method="GET", status="200")
        == base + 3
    )
    assert _sample(text, "lianmeng_http_requests_total", view="unmatched", method="GET", status="404") >= 1
    assert _sample(text, "lianmeng_http_request_duration_seconds_count", view="core:about") >= 3
    assert _sample(text, "lianmeng_http_request_duration_seconds_bucket", view="core:about", le="+Inf") >= 3


def test_metrics_show_the_task_queue_and_failures(settings: Any) -> None:
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    settings.METRICS_TOKEN = "s3cret-token"
    now = timezone.now()

    def task(status: str, **fields: Any) -> None:
        DBTaskResult.objects.create(
            id=uuid.uuid4(),
            status=status,
            args_kwargs={"args": [], "kwargs": {}},
            task_path="lianmeng.notifications.tasks.deliver",
            backend_name="default",
            run_after=fields.pop("run_after", now - datetime.timedelta(minutes=5)),
            **fields,
        )

    task(TaskResultStatus.READY)
    task(TaskResultStatus.READY)
    task(TaskResultStatus.READY, run_after=now + datetime.timedelta(hours=1))  # not due yet
    task(TaskResultStatus.RUNNING)
    task(TaskResultStatus.FAILED, finished_at=now - datetime.timedelta(minutes=10))
    task(TaskResultStatus.FAILED, finished_at=now - datetime.timedelta(days=2))
    text = Client().get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token").content.decode()
    assert _sample(text, "lianmeng_task_queue_depth", queue="default") == 2
    assert _sample(text, "lianmeng_tasks_running") == 1
    assert _sample(text, "lianmeng_task_failures_total") == 2
    assert _sample(text, "lianmeng_task_failures_last_hour") == 1
    assert _sample(text, "lianmeng_task_oldest_waiting_seconds") >= 0

"""Security headers on every page, no inline script anywhere, the API documentation page served locally,
and `lianmeng check --deploy` clean under production settings."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

import lianmeng
from tests.factories import make_event

pytestmark = pytest.mark.django_db

PACKAGE = Path(lianmeng.__file__).resolve().parent
INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)


def csp_directives(response: Any) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    directives: dict[str, list[str]] = {}
    for part in policy.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def test_every_page_sends_a_strict_content_security_policy(cities: Any, make_user: Any) -> None:
    anonymous, signed_in = Client(), Client()
    signed_in.force_login(make_user())
    for client, url in (
        (anonymous, "/"),
        (anonymous, "/about/"),
        (anonymous, "/accounts/login/"),
        (signed_in, "/desk/"),
        (anonymous, "/api/v1/openapi.json"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        csp = csp_directives(response)
        assert csp["script-src"] == ["'self'"], url
        assert "'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp["script-src"]
        assert csp["default-src"] == ["'self'"]
        assert csp["object-src"] == ["'none'"]
        assert csp["frame-ancestors"] == ["'none'"]
        assert csp["base-uri"] == ["'self'"] and csp["form-action"] == ["'self'"]
        assert csp["img-src"] == ["'self'", "data:"]
        assert response["Referrer-Policy"] == "same-origin"
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["X-Frame-Options"] == "DENY"
        policy = response["Permissions-Policy"]
        for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
            assert feature in policy, (url, policy)


def test_only_the_check_in_page_may_use_the_camera(make_user: Any, make_org: Any) -> None:
    import datetime

    from django.utils import timezone

    park = make_org("安全头测试产业园")
    contact = make_user("member_contact", organization=park)
    starts = timezone.now() + datetime.timedelta(days=3)
    event = make_event(park, "安全头测试活动", starts=starts, hours=2, venue="")
    client = Client()
    client.force_login(contact)
    response = client.get(f"/events/{event.pk}/checkin/")
    assert response.status_code == 200
    assert "camera=(self)" in response["Permissions-Policy"]
    assert "microphone=()" in response["Permissions-Policy"]
    assert "camera=()" in client.get(f"/events/{event.pk}/")["Permissions-Policy"]


def test_no_template_has_inline_script_or_event_handler() -> None:
    """The CSP blocks them (and htmx is configured to refuse hx-on); a new one would silently stop
    working in the browser."""
    offenders = []
    for template in PACKAGE.glob("*/templates/**/*.html"):
        text = template.read_text(encoding="utf-8")
        for match in SCRIPT_TAG.finditer(text):
            attributes = match.group(1)
            if "src=" not in attributes and "application/json" not in attributes:
                offenders.append(f"{template.relative_to(PACKAGE)}: inline <script>")
        for match in INLINE_HANDLER.finditer(text):
            offenders.append(f"{template.relative_to(PACKAGE)}: {match.group(0)[:80]}")
        if "hx-on" in text or "javascript:" in text:
            offenders.append(f"{template.relative_to(PACKAGE)}: hx-on or javascript: URL")
    assert offenders == []


def test_api_docs_are_served_locally_to_signed_in_users(make_user: Any) -> None:
    client = Client()
    client.force_login(make_user())
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    page = response.content.decode()
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in page
    assert "/static/vendor/swagger-ui/swagger-ui.css" in page
    assert "/static/core/api-docs.js" in page
    assert re.findall(r"""(?:src|href)=["']?(?:https?:)?//""", page) == []
    for match in SCRIPT_TAG.finditer(page):
        assert "src=" in match.group(1) or "application/json" in match.group(1), match.group(0)
    assert "'unsafe-inline'" not in csp_directives(response)["script-src"]
    for asset in re.findall(r"""(?:src|href)="(/static/[^"]+)\"""", page):
        served = client.get(asset)
        assert served.status_code == 200, asset
        body = b"".join(served.streaming_content) if served.streaming else served.content
        assert body, asset
        if asset.endswith("swagger-ui-bundle.js"):
            assert len(body) > 1_000_000 and b"SwaggerUIBundle" in body
    assert b"SwaggerUIBundle" in b"".join(client.get("/static/core/api-docs.js").streaming_content)


def test_api_docs_need_sign_in_in_production(settings: Any) -> None:
    settings.DEBUG = False
    response = Client().get("/api/v1/docs")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/api/v1/docs"
    # The OpenAPI document itself stays public: clients without an account need it.
    schema = Client().get("/api/v1/openapi.json")
    assert schema.status_code == 200 and schema.json()["info"]["title"] == "Lianmeng API"


def test_api_docs_are_open_to_everyone_under_debug(settings: Any) -> None:
    settings.DEBUG = True
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    assert "swagger-ui-bundle.js" in response.content.decode()


def production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key in {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "VIRTUAL_ENV", "PYTHONPATH"}
    }
    env.update(
        DEBUG="false",
        SECRET_KEY="x9$Qm2!vLr7@pZ4#nW8^tK1&cH6*yB3(sD5)fG0_jE-uA+oI=eR%wT~qY<zU>xV?" + "8k3Jd0Pq",
        HTTPS="true",
        ALLOWED_HOSTS="lianmeng.example.cn",
        LIANMENG_VAR_DIR=str(tmp_path / "var"),
        DJANGO_SETTINGS_MODULE="lianmeng.settings",
    )
    env.update(extra)
    return env


def run_lianmeng(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lianmeng.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_is_clean_under_production_settings(tmp_path: Path) -> None:
    result = run_lianmeng(production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    # Silenced with a documented reason (settings.py, docs/security.md): W008 (the TLS proxy redirects
    # http://) and W021 (HSTS preload is the operator's opt-in).
    assert "System check identified no issues (2 silenced)." in output, output


def test_check_deploy_needs_no_silencing_when_redirect_and_preload_are_on(tmp_path: Path) -> None:
    env = production_env(tmp_path, SECURE_SSL_REDIRECT="true", HSTS_PRELOAD="true")
    result = run_lianmeng(env, "check", "--deploy", "--fail-level", "WARNING")
    assert "System check identified no issues (0 silenced)." in result.stdout + result.stderr


def test_check_deploy_catches_a_weak_production_setup(tmp_path: Path) -> None:
    env = production_env(tmp_path, HTTPS="false", SECRET_KEY="short")
    result = run_lianmeng(env, "check", "--deploy", "--fail-level", "WARNING")
    output = result.stdout + result.stderr
    assert result.returncode != 0
    for check in ("security.W009", "security.W012", "security.W016", "security.W004"):
        assert check in output, output


PRODUCTION_PROBE = """
import django
django.setup()
from django.conf import settings
from django.test import Client
client = Client(HTTP_HOST="lianmeng.example.cn")
proxied = client.get("/api/v1/openapi.json", HTTP_X_FORWARDED_PROTO="https")
plain = client.get("/api/v1/openapi.json")
print("hsts", proxied.get("Strict-Transport-Security"))
print("plain", plain.status_code, plain.get("Strict-Transport-Security"))
print("cookies", settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE, settings.SESSION_COOKIE_HTTPONLY)
"""


def test_https_true_sends_hsts_behind_the_proxy_and_secures_cookies(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", PRODUCTION_PROBE],
        env=production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    lines = dict(line.split(" ", 1) for line in result.stdout.splitlines() if " " in line)
    assert lines.get("hsts") == "max-age=31536000; includeSubDomains", result.stdout + result.stderr
    # Plain http:// reaching the app (no proxy header): answered (the proxy redirects), without HSTS.
    assert lines.get("plain") == "200 None"
    assert lines.get("cookies") == "True True True"

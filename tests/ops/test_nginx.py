"""The shipped nginx configuration (deploy/nginx/lianmeng.conf), for real: `nginx -t`, then requests
through nginx to a running `lianmeng serve` (production mode: DEBUG off, HTTPS=true, X-Accel-Redirect).

The file is rendered for a temporary directory by replacing its Debian paths, ports and certificate
(every replaced text must still be in the file, so the test follows the file). Clients connect from
127.0.0.3, nginx reaches the application from 127.0.0.1 (TRUSTED_PROXIES), so the client address the
application records can only be right if nginx passes it and the application believes nginx alone.
Under CI=true a missing nginx fails the run (.ci/run installs nginx-light); locally it is skipped."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import socket
import ssl
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.form_helpers import PNG

from .conftest import PROJECT, Server, Site, free_port, get, json_lines, run_cli

CONFIG = PROJECT / "deploy" / "nginx" / "lianmeng.conf"
HOST = "lianmeng.example.cn"
CLIENT = "127.0.0.3"  # the browser's address; nginx talks to the application from 127.0.0.1
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
# nginx in front of `lianmeng serve` does not depend on the database engine: the site (its own database,
# tests/ops/conftest.py) is made once, in the SQLite run.
pytestmark = pytest.mark.one_pass


def nginx_binary() -> str:
    found = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)), None
    )
    if found is None:
        if IN_CI:
            pytest.fail("nginx is missing: .ci/run installs nginx-light; under CI the nginx test must run")
        pytest.skip("nginx is not installed (apt-get install nginx-light)")
    return found


def render(tmp: Path, *, var: Path, app_port: int, http_port: int, https_port: int) -> Path:
    """The shipped site file with this machine's paths and ports, inside a minimal nginx.conf."""
    for name in ("logs", "acme", "temp"):
        (tmp / name).mkdir(exist_ok=True)
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-subj", f"/CN={HOST}", "-keyout", str(tmp / "key.pem"), "-out", str(tmp / "cert.pem"),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    site = CONFIG.read_text(encoding="utf-8")
    replacements = {
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen [::]:80;\n": "",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{https_port} ssl http2;",
        "listen [::]:443 ssl http2;\n": "",
        f"/etc/letsencrypt/live/{HOST}/fullchain.pem": str(tmp / "cert.pem"),
        f"/etc/letsencrypt/live/{HOST}/privkey.pem": str(tmp / "key.pem"),
        "/var/www/letsencrypt": str(tmp / "acme"),
        "/var/log/nginx/": f"{tmp / 'logs'}/",
        "/srv/lianmeng/var/static/": f"{var / 'static'}/",
        "/srv/lianmeng/var/media/": f"{var / 'media'}/",
        "server 127.0.0.1:8000": f"server 127.0.0.1:{app_port}",
    }
    for old, new in replacements.items():
        assert old in site, f"{old!r} is no longer in {CONFIG}: update this test with the file"
        site = site.replace(old, new)
    (tmp / "lianmeng.conf").write_text(site, encoding="utf-8")
    temp = tmp / "temp"
    main = f"""
{"user root;" if os.geteuid() == 0 else ""}
worker_processes 1;
pid {tmp / "nginx.pid"};
error_log {tmp / "logs" / "error.log"} warn;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    access_log off;
    include {tmp / "lianmeng.conf"};
}}
"""
    (tmp / "nginx.conf").write_text(main, encoding="utf-8")
    return tmp / "nginx.conf"


def _cover_article(site: Site) -> tuple[int, str]:
    script = (
        "from django.core.files.base import ContentFile\n"
        "from django.utils import timezone\n"
        "from django.db import transaction\n"
        "from lianmeng.publicity.models import Article, ArticleStatus\n"
        "with transaction.atomic():\n"
        "    a = Article(title='nginx cover', body='x', status=ArticleStatus.PUBLISHED, published_at=timezone.now())\n"
        f"    a.cover.save('cover.png', ContentFile({PNG!r}), save=False)\n"
        "    a.cover_content_type = 'image/png'\n"
        "    a.save()\n"
        "print('ARTICLE', a.pk, a.cover.name)\n"
    )
    out = run_cli(site.env, "shell", "-c", script).stdout
    line = next(x for x in out.splitlines() if x.startswith("ARTICLE "))
    _, pk, name = line.split(" ", 2)
    return int(pk), name


def _wait_port(port: int, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing listens on {port}")


class Proxy:
    def __init__(self, tmp: Path, http_port: int, https_port: int) -> None:
        self.tmp, self.http_port, self.https_port = tmp, http_port, https_port

    def request(
        self, path: str, *, tls: bool = True, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        connection: http.client.HTTPConnection
        if tls:
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
            connection = http.client.HTTPSConnection(
                "127.0.0.1", self.https_port, context=context, source_address=(CLIENT, 0), timeout=30
            )
        else:
            connection = http.client.HTTPConnection(
                "127.0.0.1", self.http_port, source_address=(CLIENT, 0), timeout=30
            )
        try:
            connection.request("GET", path, headers={"Host": HOST, **(headers or {})})
            response = connection.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        finally:
            connection.close()

    def access_log(self) -> str:
        return (self.tmp / "logs" / "lianmeng.access.log").read_text(encoding="utf-8")


@pytest.fixture
def proxied(
    site: Site, start_server: Callable[..., Server], tmp_path: Path
) -> Iterator[tuple[Proxy, Server, int, str]]:
    nginx = nginx_binary()
    pk, cover = _cover_article(site)
    app = start_server(
        "--workers",
        "2",
        HTTPS="true",
        ALLOWED_HOSTS=f"{HOST},127.0.0.1",
        TRUSTED_PROXIES="127.0.0.1",
        X_ACCEL_REDIRECT_PREFIX="/_protected/",
        LOG_FORMAT="json",
    )
    http_port, https_port = free_port(), free_port()
    conf = render(tmp_path, var=site.var, app_port=app.port, http_port=http_port, https_port=https_port)
    check = subprocess.run(
        [nginx, "-t", "-c", str(conf), "-p", str(tmp_path), "-e", str(tmp_path / "logs" / "error.log")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, f"nginx -t refused the configuration:\n{check.stderr}"
    assert "syntax is ok" in check.stderr and "test is successful" in check.stderr
    process = subprocess.Popen(
        [nginx, "-c", str(conf), "-p", str(tmp_path), "-e", str(tmp_path / "logs" / "error.log"),
         "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        _wait_port(https_port)
        _wait_port(http_port)
        yield Proxy(tmp_path, http_port, https_port), app, pk, cover
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_nginx_serves_the_site_static_files_and_protected_uploads(
    proxied: tuple[Proxy, Server, int, str], site: Site
) -> None:
    proxy, app, pk, cover = proxied

    # Plain HTTP goes to HTTPS.
    status, headers, _ = proxy.request("/about/", tls=False)
    assert status == 301
    assert headers["location"] == f"https://{HOST}/about/"

    # A page through nginx: HTTPS is known to the application (HSTS), the request id is nginx's.
    status, headers, body = proxy.request("/about/", headers={"X-Forwarded-For": "6.6.6.6"})
    assert status == 200, body[:500]
    assert headers["strict-transport-security"].startswith("max-age=")
    request_id = headers["x-request-id"]
    assert len(request_id) == 32
    time.sleep(0.5)
    assert proxy.access_log().strip().splitlines()[-1].endswith(request_id)
    line = next(x for x in json_lines(app.output()) if x.get("request_id") == request_id)
    # The client's address: not nginx's (127.0.0.1), not the forged header's.
    assert line["client"] == CLIENT
    assert line["view"] == "core:about"

    # Static files come from nginx, never from the application.
    manifest = json.loads((site.var / "static" / "staticfiles.json").read_text())
    hashed = manifest["paths"]["core/behaviours.js"]
    status, headers, body = proxy.request(f"/static/{hashed}")
    assert status == 200
    assert body == (site.var / "static" / hashed).read_bytes()
    assert headers["cache-control"] == "public, max-age=2592000"
    assert headers["x-content-type-options"] == "nosniff"
    assert not [x for x in json_lines(app.output()) if str(x.get("path", "")).startswith("/static/")]

    # A protected upload: the application checks and names it, nginx sends the bytes.
    status, headers, body = proxy.request(f"/news/{pk}/cover/")
    assert status == 200
    assert body == PNG
    assert headers["content-type"] == "image/png"
    assert headers["content-disposition"].startswith("inline")
    assert headers["x-content-type-options"] == "nosniff"
    assert "x-accel-redirect" not in headers
    # ... which the application itself answers with an empty body and the redirect for nginx,
    direct_status, direct_headers, direct_body = get(f"{app.url}/news/{pk}/cover/", headers={"Host": HOST})
    assert direct_status == 200
    assert direct_headers["X-Accel-Redirect"] == f"/_protected/{cover}"
    assert direct_body == b""
    # ... and that nobody can ask nginx for directly.
    assert proxy.request(f"/_protected/{cover}")[0] == 404

    # Metrics are not on the public site.
    assert proxy.request("/metrics")[0] == 404
    # Probes pass through nginx without a cookie.
    status, headers, body = proxy.request("/readyz")
    assert status == 200 and json.loads(body)["status"] == "ok"
    assert "set-cookie" not in headers

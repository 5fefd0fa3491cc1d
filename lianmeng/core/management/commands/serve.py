"""`lianmeng serve`: run the application with gunicorn.

Each instance keeps its run-time files under ``var/run/serve-<port>/``: gunicorn's control socket
(``gunicorn.ctl``; gunicorn's default is one socket in the home directory, shared by every instance, so
stopping one removed another's) and the Prometheus files of its workers (``metrics/``, emptied at start;
lianmeng.core.metrics). The address it listens on becomes the default SITE_URL (docs/deploy.md).

gunicorn runs in this process, which becomes its master (same process id), with the application
preloaded: Django, the URL configuration and the translations are loaded once, here, and every worker is
a fork of that. Starting gunicorn afresh loads them once in the command and again in each worker: with two
workers, 12 s of processor time to the first answer instead of 4. A preloaded master keeps the code it
loaded, so HUP (``systemctl reload``) restarts the workers on the old code: ``--no-preload`` starts gunicorn
afresh (``os.execv``), whose HUP loads the release on disk; the systemd unit uses it (docs/deploy.md).
"""

from __future__ import annotations

import gc
import ipaddress
import logging
import os
import shutil
import socket
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from lianmeng.accounts import demo_guard


def run_gunicorn(argv: list[str]) -> None:
    """Run gunicorn's master loop here with the command line ``argv`` (without the program name)."""
    from gunicorn.app.wsgiapp import WSGIApplication

    sys.argv = ["gunicorn", *argv]  # gunicorn parses it; lianmeng.core.gunicorn_conf reads it too
    try:
        WSGIApplication("%(prog)s [OPTIONS] [APP_MODULE]", prog="gunicorn").run()
    except SystemExit as stop:
        # The master when it halts, and each worker (forked inside run()) when it ends, leave here. Both
        # hold the whole preloaded application: freeing it object by object at interpreter exit took about
        # a second per process, for nothing. Flush what is written, then end with gunicorn's exit status.
        code = stop.code
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code if isinstance(code, int) else (0 if code is None else 1))


def start_gunicorn(argv: list[str], *, preload: bool) -> None:
    """Become gunicorn's master: here, with the application preloaded, or (``preload=False``) as a fresh
    gunicorn process that has not imported the application, so that HUP's new workers load the code as it
    is on disk now (a release's upgrade; docs/deploy.md)."""
    if preload:
        _preload()
        run_gunicorn([*argv, "--preload"])
    else:
        os.execv(sys.executable, [sys.executable, "-m", "gunicorn", *argv])  # noqa: S606 - fixed argv, no shell


def _preload() -> None:
    """Load what every worker needs before gunicorn forks them, and close what must not be shared."""
    from django.core.cache import caches
    from django.db import connections
    from django.urls import get_resolver
    from django.utils import translation

    # late: the application itself (django.setup, the middleware), loaded only when preloading; gunicorn's
    # --preload then finds it imported
    import lianmeng.wsgi  # noqa: F401  # late: see above

    get_resolver().url_patterns  # noqa: B018 - imports every app's urls and the API
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            translation.gettext("首页")  # reads the catalogues of this language
    connections.close_all()  # a worker opens its own connection; a shared socket would mix answers
    for cache in caches.all(initialized_only=True):
        cache.close()
    # What is loaded now lives as long as the workers: out of the collector's sight, so that its rounds
    # do not touch (and copy) the pages the workers share with this process (Python's gc.freeze docs).
    gc.collect()
    gc.freeze()


class Command(BaseCommand):
    help = "Serve Lianmeng with gunicorn (workers = cores by default)."
    # Checked in handle(), after PROMETHEUS_MULTIPROC_DIR is set: the checks import the URL configuration
    # and with it prometheus_client, which reads that variable once, at import.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", os.cpu_count() or 2))
        )
        parser.add_argument("--timeout", type=int, default=60)
        parser.add_argument(
            "--no-collectstatic",
            action="store_true",
            help="Do not collect static files first (the deployment collected them; docs/deploy.md).",
        )
        parser.add_argument(
            "--access-log",
            action="store_true",
            help="Also write gunicorn's own access log (the request log of lianmeng.request has the same lines"
            " with the request id, view and timings).",
        )
        parser.add_argument(
            "--allow-demo-accounts",
            action="store_true",
            help="Start even when accounts still have the published demo password (DEBUG off).",
        )
        parser.add_argument(
            "--no-preload",
            dest="preload",
            action="store_false",
            help="Start gunicorn afresh instead of forking the workers from this process: slower to start"
            " (each worker loads the application), but `kill -HUP` (systemctl reload) then loads new code.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        port = options["port"]
        host = options["host"]
        listen_url = listen_site_url(host, port)
        run_dir = Path(settings.VAR_DIR) / "run" / f"serve-{port}"
        run_dir.mkdir(parents=True, exist_ok=True)
        if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            metrics_dir = run_dir / "metrics"
            shutil.rmtree(metrics_dir, ignore_errors=True)
            metrics_dir.mkdir()
            os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
        if not options.get("skip_checks"):
            self.check()
        if not settings.DEBUG and not options["allow_demo_accounts"]:
            self._refuse_demo_credentials()
        if not settings.DEBUG and not options["no_collectstatic"]:
            call_command("collectstatic", interactive=False, verbosity=0)
        (run_dir.parent / "site-url").write_text(listen_url + "\n", encoding="utf-8")
        os.environ["LIANMENG_LISTEN_URL"] = listen_url
        # The settings were read before this command knew its address: what lianmeng/settings.py makes of
        # LIANMENG_LISTEN_URL, done here for the workers this process forks.
        settings.LISTEN_URL = listen_url
        if not os.environ.get("SITE_URL"):
            settings.SITE_URL = listen_url
        site_url = os.environ.get("SITE_URL", "")
        if settings.DEBUG and site_url and not same_site(site_url, host, port):
            self.stderr.write(
                f"Warning: SITE_URL is {site_url} but lianmeng serve listens on {listen_url}: links in mails"
                f" will point there, not here. Unset SITE_URL to use {listen_url}, or set it to this address."
            )
        self.stdout.write(f"Lianmeng at {listen_url}/ ({options['workers']} workers)")
        sys.stdout.flush()
        control = run_dir / "gunicorn.ctl"
        # A Unix socket path holds at most 107 bytes; a deeper var/ directory runs without the control socket.
        control_args = (
            ["--control-socket", str(control)]
            if len(str(control).encode()) < 100
            else ["--no-control-socket"]
        )
        start_gunicorn(
            [
                "lianmeng.wsgi:application",
                "--config",
                "python:lianmeng.core.gunicorn_conf",
                "--bind",
                f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
                "--workers",
                str(options["workers"]),
                "--timeout",
                str(options["timeout"]),
                *control_args,
                *(["--access-logfile", "-"] if options["access_log"] else []),
            ],
            preload=options["preload"],
        )

    def _refuse_demo_credentials(self) -> None:
        """With DEBUG off, published demo credentials on an active account stop the server here."""
        passwords = demo_guard.accounts_with_demo_password()
        devices = demo_guard.accounts_with_demo_second_factor()
        if not passwords and not devices:
            return
        lines = ["Refusing to start: these active accounts still use the published demo credentials."]
        if passwords:
            lines.append("Demo password (lianmeng-demo): " + ", ".join(passwords))
            lines.append("  Fix: `lianmeng changepassword <name>` for each, or deactivate it in /admin/.")
        if devices:
            lines.append("Demo two-factor secret (README): " + ", ".join(devices))
            lines.append(
                "  Fix: sign in and replace the authenticator on the account page, or delete the device"
                " in /admin/ (TOTP devices) so the account sets up a new one."
            )
        lines.append("To start anyway (a demonstration server), pass --allow-demo-accounts.")
        raise CommandError("\n".join(lines))


_WILDCARDS = {"", "0.0.0.0", "::"}  # noqa: S104 - names of "every address", compared, not bound
_LOOPBACK = {"localhost", "127.0.0.1", "::1"}


def listen_site_url(host: str, port: int) -> str:
    """The URL people on this machine reach ``lianmeng serve --host host --port port`` at: the machine's
    name when it listens on every address."""
    name = socket.gethostname() if host in _WILDCARDS else host
    if ":" in name:
        name = f"[{name}]"
    return f"http://{name}:{port}"


def same_site(site_url: str, host: str, port: int) -> bool:
    """Whether ``site_url`` points at the address ``lianmeng serve`` listens on (host and port)."""
    parts = urlsplit(site_url)
    try:
        url_port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return False
    if url_port != port:
        return False
    url_host = (parts.hostname or "").lower()
    if host in _WILDCARDS or url_host == host.lower():
        return True
    if url_host in _LOOPBACK and host in _LOOPBACK:
        return True
    try:
        return ipaddress.ip_address(url_host) == ipaddress.ip_address(host)
    except ValueError:
        return False

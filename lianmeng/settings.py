"""One settings module, driven by environment variables (documented in README.md)."""

from __future__ import annotations

import ipaddress
import os
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(os.environ.get("LIANMENG_VAR_DIR", PROJECT_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
TESTING = env_bool("LIANMENG_TESTING", False) or "pytest" in sys.modules

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG or TESTING:
        SECRET_KEY = "lianmeng-insecure-development-key-do-not-use-in-production"  # noqa: S105
    else:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (see README.md).")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if not DEBUG else "*")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "lianmeng.core",
    "lianmeng.accounts",
    "lianmeng.membership",
    "lianmeng.governance",
    "lianmeng.activities",
    "lianmeng.library",
    "lianmeng.research",
    "lianmeng.matchmaking",
    "lianmeng.publicity",
    "lianmeng.reporting",
    "lianmeng.privacy",
    "lianmeng.notifications",
]

MIDDLEWARE = [
    "lianmeng.core.observability.RequestObservabilityMiddleware",  # request id, request log, metrics
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "lianmeng.core.security.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "lianmeng.core.health.ProbeMiddleware",  # /healthz, /readyz, /metrics: before sessions, never touch one
    "django.contrib.sessions.middleware.SessionMiddleware",
    "lianmeng.core.middleware.ChineseFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "lianmeng.core.middleware.RequestGuardMiddleware",  # NUL, surrogates, huge numbers; API errors as problem+json
    "lianmeng.core.middleware.DatabaseUnavailableMiddleware",  # 503 while the database is unavailable
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "lianmeng.accounts.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "lianmeng.core.db_router.ReportsDatabaseMiddleware",  # reports read the replica (REPORTS_DATABASE_URL)
]

ROOT_URLCONF = "lianmeng.urls"
WSGI_APPLICATION = "lianmeng.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "lianmeng.core.context_processors.site",
            ],
        },
    }
]

# Database: SQLite (WAL) in var/ by default, PostgreSQL when DATABASE_URL is set.
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'lianmeng.sqlite3'}")
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")))
}
# An optional read replica for reports (lianmeng.core.db_router, docs/deploy.md): the views named in
# REPORTS_VIEWS read it, everything else and every write uses "default".
REPORTS_DATABASE_URL = os.environ.get("REPORTS_DATABASE_URL", "")
if REPORTS_DATABASE_URL:
    DATABASES["reports"] = dj_database_url.parse(
        REPORTS_DATABASE_URL, conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0"))
    )
DATABASE_ROUTERS = ["lianmeng.core.db_router.ReportsRouter"]
REPORTS_VIEWS = env_list(
    "REPORTS_VIEWS", "reporting:*,api:report_figures,api:report_annual_pdf,api:report_annual_xlsx"
)
# A database that does not answer must not hold a request for gunicorn's whole timeout: connecting gives up
# after DB_CONNECT_TIMEOUT seconds and a statement after DB_STATEMENT_TIMEOUT (PostgreSQL; SQLite waits for
# a lock at most busy_timeout); the request then answers 503 (lianmeng.core.middleware).
DB_CONNECT_TIMEOUT = int(os.environ.get("DB_CONNECT_TIMEOUT", "5"))
DB_STATEMENT_TIMEOUT = int(os.environ.get("DB_STATEMENT_TIMEOUT", "30"))
for _alias, _db in DATABASES.items():
    if _db["ENGINE"] == "django.db.backends.sqlite3":
        _db["OPTIONS"] = {
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;"
                " PRAGMA optimize=0x10002;"
            ),
            "transaction_mode": "IMMEDIATE",
        }
    else:
        _db.setdefault("OPTIONS", {}).update(
            {
                "connect_timeout": DB_CONNECT_TIMEOUT,
                "options": f"-c statement_timeout={DB_STATEMENT_TIMEOUT * 1000}",
            }
        )
        # Each test run uses its own database (several runs may share one server).
        _db["TEST"] = {"NAME": f"test_{_db['NAME']}"}
    if _alias == "reports":
        _db["TEST"] = {"MIRROR": "default"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: local memory by default, Redis when REDIS_URL is set. Lock-out and rate-limit counters are not
# in the cache: lianmeng.core.counters keeps them in the database (shared by every app process) or, when
# REDIS_URL is set, in Redis (RATE_LIMIT_STORE overrides: "database" or "redis").
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHE_KEY_PREFIX = os.environ.get("CACHE_KEY_PREFIX", "lianmeng")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
RATE_LIMIT_STORE = os.environ.get("RATE_LIMIT_STORE", "redis" if REDIS_URL else "database")
if RATE_LIMIT_STORE not in {"database", "redis"} or (RATE_LIMIT_STORE == "redis" and not REDIS_URL):
    raise ImproperlyConfigured('RATE_LIMIT_STORE must be "database" or "redis" (the latter needs REDIS_URL).')

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["lianmeng.accounts.backends.ThrottledModelBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Fast hashing in tests only; production always uses argon2.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
# Django's rules with messages in Chinese and English (lianmeng/accounts/password_validation.py).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "lianmeng.accounts.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "lianmeng.accounts.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "lianmeng.accounts.password_validation.CommonPasswordValidator"},
    {"NAME": "lianmeng.accounts.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:desk"
LOGOUT_REDIRECT_URL = "core:home"


def _otp_issuer(device: object) -> str:
    """The name an authenticator app shows beside the code: the alliance's short name."""
    from lianmeng.core.models import AllianceSettings

    return str(AllianceSettings.current().short_name or "Lianmeng")


# Two-factor sign-in (django-otp): TOTP devices and recovery codes, required for the secretariat and
# administrators (lianmeng.accounts.middleware). One failed code doubles the wait before the next try.
OTP_TOTP_ISSUER = _otp_issuer

# Sign-in lock-out and API rate limits (lianmeng.accounts.throttle; docs/security.md, "Sign-in: lock-out,
# trusted proxies and API rate limits"). Per account: the LOGIN_MAX_FAILURES-th consecutive failure locks
# it for LOGIN_LOCK_BASE_SECONDS, each further failure doubles that, up to LOGIN_LOCK_SECONDS. Per client
# address, much wider: LOGIN_MAX_FAILURES_PER_ADDRESS failures within LOGIN_ADDRESS_WINDOW_SECONDS.
LOGIN_MAX_FAILURES = int(os.environ.get("LOGIN_MAX_FAILURES", "5"))
LOGIN_LOCK_BASE_SECONDS = int(os.environ.get("LOGIN_LOCK_BASE_SECONDS", "60"))
LOGIN_LOCK_SECONDS = int(os.environ.get("LOGIN_LOCK_SECONDS", "900"))
LOGIN_MAX_FAILURES_PER_ADDRESS = int(os.environ.get("LOGIN_MAX_FAILURES_PER_ADDRESS", "50"))
LOGIN_ADDRESS_WINDOW_SECONDS = int(os.environ.get("LOGIN_ADDRESS_WINDOW_SECONDS", "900"))
# API requests a minute per bearer token (or signed-in browser session) and per client address; 0 = no limit.
API_RATE_PER_MINUTE = int(os.environ.get("API_RATE_PER_MINUTE", "600"))
API_RATE_PER_ADDRESS_PER_MINUTE = int(os.environ.get("API_RATE_PER_ADDRESS_PER_MINUTE", "1200"))
# Reverse proxies (IPs or CIDRs) whose X-Forwarded-For is believed; nobody else's is.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as _exc:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {_proxy!r} is not an IP address or network") from _exc

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media-not-served/"  # uploads are served only by permission-checked views
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "lianmeng.core.staticstorage.CompressedManifestStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING
# Under tests every test Client builds its own middleware chain: WhiteNoise then looks files up per request
# instead of scanning every static file (about 0.3 s) each time a Client is made.
WHITENOISE_AUTOREFRESH = DEBUG or TESTING
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

# Mail: console backend by default.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "lianmeng@localhost")
# SITE_URL: the address people reach the site at, for links in mails. Unset, it is what `lianmeng serve`
# listens on: its workers get LIANMENG_LISTEN_URL, and other commands of the same var/ directory (the
# worker sending the mails) read var/run/site-url, written by the last `lianmeng serve` started.
LISTEN_URL = os.environ.get("LIANMENG_LISTEN_URL", "")


def _last_served_url() -> str:
    if TESTING:
        return ""
    try:
        return (VAR_DIR / "run" / "site-url").read_text(encoding="utf-8").strip()
    except OSError:
        return ""


SITE_URL = os.environ.get("SITE_URL", "") or LISTEN_URL or _last_served_url() or "http://127.0.0.1:8000"
# Notifications (docs/notifications.md): the bell asks for the unread count every NOTIFICATIONS_POLL_SECONDS;
# a failed notification mail is tried NOTIFICATIONS_MAIL_ATTEMPTS times in all, waiting
# NOTIFICATIONS_RETRY_SECONDS x 4^(attempt-1) between tries.
NOTIFICATIONS_POLL_SECONDS = int(os.environ.get("NOTIFICATIONS_POLL_SECONDS", "30"))
NOTIFICATIONS_MAIL_ATTEMPTS = int(os.environ.get("NOTIFICATIONS_MAIL_ATTEMPTS", "5"))
NOTIFICATIONS_RETRY_SECONDS = int(os.environ.get("NOTIFICATIONS_RETRY_SECONDS", "60"))

# Background work: django-tasks with the database backend, run by `lianmeng worker`.
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if TESTING
            else "django_tasks_db.DatabaseBackend"
        )
    }
}

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Security headers (docs/security.md, "Security headers, CSP and the API documentation page").
# Content-Security-Policy (django-csp): scripts only from our own static files, no inline script or eval;
# style attributes stay allowed (Bootstrap markup and ECharts tooltips use them).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Permissions-Policy (lianmeng.core.security): browser features no page needs; the check-in page turns
# the camera back on for itself (@permissions_policy(camera=["self"])).
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
}
# HTTPS=true: the site is served only over HTTPS, normally by a reverse proxy that terminates TLS and
# sets X-Forwarded-Proto (it must overwrite a client's own). Then cookies are secure and HSTS is sent.
HTTPS = not DEBUG and env_bool("HTTPS", False)
SILENCED_SYSTEM_CHECKS: list[str] = []
if HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", False)
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
    # Load balancers and Prometheus ask the app hosts directly over HTTP (docs/deploy.md).
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
    if not SECURE_SSL_REDIRECT:
        # The proxy that terminates TLS redirects http:// to https:// (docs/security.md); redirecting
        # here too would loop behind a proxy that does not send X-Forwarded-Proto.
        SILENCED_SYSTEM_CHECKS.append("security.W008")
    if not SECURE_HSTS_PRELOAD:
        # Preloading binds the whole registrable domain (often a shared gov.cn or company domain) into
        # browsers for months: the operator opts in with HSTS_PRELOAD=true, it is not a default.
        SILENCED_SYSTEM_CHECKS.append("security.W021")

# Logs (lianmeng.core.observability): every record carries the request id; LOG_FORMAT=json writes one JSON
# object per line. One line per request at INFO (REQUEST_LOG_LEVEL, WARNING to keep only slow ones), at
# WARNING above SLOW_REQUEST_MS; queries above SLOW_QUERY_MS are logged by lianmeng.db.slow.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text").strip().lower()
if LOG_FORMAT not in {"text", "json"}:
    raise ImproperlyConfigured('LOG_FORMAT must be "text" or "json".')
SLOW_REQUEST_MS = int(os.environ.get("SLOW_REQUEST_MS", "1000"))
SLOW_QUERY_MS = int(os.environ.get("SLOW_QUERY_MS", "200"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "lianmeng.core.observability.RequestIdFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "lianmeng.core.observability.JsonFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["request_id"], "formatter": LOG_FORMAT}
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {"lianmeng.request": {"level": os.environ.get("REQUEST_LOG_LEVEL", "INFO")}},
}

# Prometheus metrics at /metrics (lianmeng.core.health): off (404) unless a bearer token or an address list
# is set; a request needs the token or a client address in METRICS_ALLOWED_IPS (IPs or CIDRs), else 403.
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
METRICS_ALLOWED_IPS = env_list("METRICS_ALLOWED_IPS")
for _entry in METRICS_ALLOWED_IPS:
    try:
        ipaddress.ip_network(_entry, strict=False)
    except ValueError as _exc:
        raise ImproperlyConfigured(
            f"METRICS_ALLOWED_IPS: {_entry!r} is not an IP address or network"
        ) from _exc

# Uploaded files behind nginx (docs/deploy.md): with X_ACCEL_REDIRECT_PREFIX="/_protected/" a permitted
# download answers an empty response with X-Accel-Redirect and nginx sends the file from MEDIA_ROOT
# (an `internal` location); the permission check and the headers stay Django's (lianmeng.core.files).
X_ACCEL_REDIRECT_PREFIX = os.environ.get("X_ACCEL_REDIRECT_PREFIX", "")
if X_ACCEL_REDIRECT_PREFIX and not (
    X_ACCEL_REDIRECT_PREFIX.startswith("/") and X_ACCEL_REDIRECT_PREFIX.endswith("/")
):
    raise ImproperlyConfigured('X_ACCEL_REDIRECT_PREFIX must start and end with "/" (e.g. "/_protected/").')

# Alliance defaults (the seed); the live values are in core.AllianceSettings.
ALLIANCE_DEFAULT_NAME = (
    "胶东暨蓝区人力资源服务产业（园区）发展联盟"  # a proper name; English lives in name_en
)

"""Sign-in lock-out, the client's address, and API rate limits (docs/security.md).

Lock-out, per account: the LOGIN_MAX_FAILURES-th consecutive failed attempt locks the account for
LOGIN_LOCK_BASE_SECONDS; once that has passed, each further failure locks it for twice as long as the
one before, up to LOGIN_LOCK_SECONDS. A successful sign-in clears the account's count. While locked,
even the right password is refused, with a message saying when to try again.

Separately, per client address: more than LOGIN_MAX_FAILURES_PER_ADDRESS failures within
LOGIN_ADDRESS_WINDOW_SECONDS stop sign-ins from that address (IPv6: its /64) for the rest of the
window. This limit is much wider, so one person mistyping behind an office's NAT does not lock out
the office.

An attempt is counted BEFORE the password is checked and given back if it succeeds, so concurrent
attempts in several processes cannot check more passwords than the limits allow. The counters live
in lianmeng.core.counters (the database by default, Redis when REDIS_URL is set), shared by every
app process.
"""

from __future__ import annotations

import datetime
import hashlib
import ipaddress
import math
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from ninja.throttling import BaseThrottle

from lianmeng.core import counters
from lianmeng.core.errors import problem

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# The count of an account's failures is forgotten this long after its last failed attempt.
ACCOUNT_MEMORY_SECONDS = 24 * 3600


# --- The client's address -------------------------------------------------------------------------


@lru_cache(maxsize=8)
def _networks(spec: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(item, strict=False) for item in spec)


def _parse_ip(value: str | None) -> IPAddress | None:
    value = (value or "").strip()
    if value.startswith("[") and "]" in value:  # [2001:db8::1]:443
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # 203.0.113.7:51234
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _is_trusted(address: IPAddress, networks: tuple[Network, ...]) -> bool:
    return any(address in net for net in networks)


def client_ip(request: object) -> str | None:
    """The address of the client that sent ``request``.

    ``X-Forwarded-For`` is believed only when the direct peer (``REMOTE_ADDR``) is one of
    TRUSTED_PROXIES; then the right-most address in it that is not itself a trusted proxy is the
    client (the left part of the header is whatever the client chose to send). Otherwise the peer is
    the client. None when no valid address is known.
    """
    meta = getattr(request, "META", None) or {}
    peer = _parse_ip(meta.get("REMOTE_ADDR"))
    if peer is None:
        return None
    networks = _networks(tuple(settings.TRUSTED_PROXIES))
    if not networks or not _is_trusted(peer, networks):
        return str(peer)
    client = peer
    forwarded = [part for part in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    for item in reversed(forwarded):
        hop = _parse_ip(item)
        if hop is None:
            break  # garbage: nothing further left can be believed
        client = hop
        if not _is_trusted(hop, networks):
            break
    return str(client)


def _address_ident(ip: str) -> str:
    """IPv4 addresses count one by one; an IPv6 client usually holds a whole /64."""
    address = _parse_ip(ip)
    if isinstance(address, ipaddress.IPv6Address):
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address or ip)


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:40]


# --- Sign-in lock-out -----------------------------------------------------------------------------


def _account_keys(username: str) -> tuple[str, str]:
    ident = _digest(username.strip().lower())
    return f"login:fail:{ident}", f"login:lock:{ident}"


def _address_key(ip: str) -> str:
    return f"login:addr:{_digest(_address_ident(ip))}"


def lock_seconds(failures: int) -> int:
    """How long the ``failures``-th consecutive failure locks an account (0 below the limit)."""
    limit = settings.LOGIN_MAX_FAILURES
    if failures < limit:
        return 0
    cap = settings.LOGIN_LOCK_SECONDS
    base = min(settings.LOGIN_LOCK_BASE_SECONDS, cap)
    doublings = failures - limit
    if doublings >= 32:
        return cap
    return min(cap, base * 2**doublings)


def _wait_text(seconds: int) -> str:
    if seconds < 60:
        return ngettext("%(n)d 秒", "%(n)d 秒", seconds) % {"n": seconds}
    minutes = math.ceil(seconds / 60)
    return ngettext("%(n)d 分钟", "%(n)d 分钟", minutes) % {"n": minutes}


class LoginLocked(PermissionDenied):
    """Sign-in refused without checking the password: the account or the address is locked."""

    def __init__(self, *, scope: str, retry_after: float) -> None:
        self.scope = scope  # "account" or "address"
        self.retry_after = max(1, math.ceil(retry_after))
        self.until = timezone.now() + datetime.timedelta(seconds=self.retry_after)
        super().__init__(self.message)

    @property
    def message(self) -> str:
        values = {
            "time": timezone.localtime(self.until).strftime("%H:%M:%S"),
            "wait": _wait_text(self.retry_after),
        }
        if self.scope == "address":
            return (
                _("您所在网络地址的登录失败次数过多，暂时不能登录。请在 %(time)s 之后（约 %(wait)s后）再试。")
                % values
            )
        return (
            _(
                "登录失败次数过多，该账号已暂时锁定。请在 %(time)s 之后（约 %(wait)s后）再试；"
                "如忘记密码，可点击“忘记密码？”重设。"
            )
            % values
        )

    def __str__(self) -> str:
        return self.message


@dataclass
class LoginNote:
    """Passed to ``authenticate(..., login_note=note)`` to learn why it returned None.

    ``locked``: the attempt was refused without checking the password. ``locked_now``: the password
    was wrong and this failure locked the account.
    """

    locked: LoginLocked | None = None
    locked_now: LoginLocked | None = None


@dataclass
class Attempt:
    """One sign-in attempt, already counted; ``finish`` settles it once the password is checked."""

    account_key: str | None = None
    lock_key: str | None = None
    address_key: str | None = None
    failures: int = 0
    claimed_lock: bool = False
    done: bool = field(default=False, repr=False)

    def succeeded(self) -> None:
        self.done = True
        if self.account_key and self.lock_key:
            counters.clear(self.account_key, self.lock_key)
        if self.address_key:
            counters.give_back(self.address_key)

    def failed(self) -> LoginLocked | None:
        """The failure stays counted; returns the lock it started, if it started one."""
        self.done = True
        if self.claimed_lock:
            return LoginLocked(scope="account", retry_after=lock_seconds(self.failures))
        return None

    def abandoned(self) -> None:
        """The password could not be checked (an error): the attempt does not count."""
        if self.done:
            return
        self.done = True
        if self.account_key:
            counters.give_back(self.account_key)
        if self.claimed_lock and self.lock_key:
            counters.clear(self.lock_key)
        if self.address_key:
            counters.give_back(self.address_key)


def begin_attempt(username: str | None, ip: str | None) -> Attempt:
    """Count a sign-in attempt before its password is checked, or raise LoginLocked."""
    attempt = Attempt()
    account_key = lock_key = None
    if username and username.strip():
        account_key, lock_key = _account_keys(username)
        _, left = counters.peek(lock_key)
        if left > 0:
            raise LoginLocked(scope="account", retry_after=left)
    if ip and settings.LOGIN_MAX_FAILURES_PER_ADDRESS > 0:
        address_key = _address_key(ip)
        count, left = counters.hit(address_key, window=settings.LOGIN_ADDRESS_WINDOW_SECONDS)
        if count > settings.LOGIN_MAX_FAILURES_PER_ADDRESS:
            counters.give_back(address_key)
            raise LoginLocked(scope="address", retry_after=left)
        attempt.address_key = address_key
    if account_key and lock_key:
        memory = max(ACCOUNT_MEMORY_SECONDS, 2 * settings.LOGIN_LOCK_SECONDS)
        failures, _ = counters.hit(account_key, window=memory, sliding=True)
        if failures >= settings.LOGIN_MAX_FAILURES:
            # This attempt may lock the account if it fails: it takes the lock first, so that of
            # several attempts at once only one is checked and the others wait for it.
            if not counters.claim(lock_key, seconds=lock_seconds(failures)):
                counters.give_back(account_key)
                if attempt.address_key:
                    counters.give_back(attempt.address_key)
                _, left = counters.peek(lock_key)
                raise LoginLocked(scope="account", retry_after=max(left, 1))
            attempt.claimed_lock = True
        attempt.account_key, attempt.lock_key, attempt.failures = account_key, lock_key, failures
    return attempt


def lock_status(username: str | None, ip: str | None) -> LoginLocked | None:
    """The lock that would refuse a sign-in now, without counting anything."""
    if username and username.strip():
        _, left = counters.peek(_account_keys(username)[1])
        if left > 0:
            return LoginLocked(scope="account", retry_after=left)
    if ip and settings.LOGIN_MAX_FAILURES_PER_ADDRESS > 0:
        count, left = counters.peek(_address_key(ip))
        if count >= settings.LOGIN_MAX_FAILURES_PER_ADDRESS and left > 0:
            return LoginLocked(scope="address", retry_after=left)
    return None


def is_locked(username: str | None, ip: str | None) -> bool:
    return lock_status(username, ip) is not None


def unlock(username: str) -> None:
    """Clear an account's failures and lock (an administrator's decision)."""
    counters.clear(*_account_keys(username))


# --- API rate limits ------------------------------------------------------------------------------

_wait = threading.local()


def _bearer_key(request: HttpRequest) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _sep, key = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    return key.strip() or None


class ApiRateThrottle(BaseThrottle):
    """django-ninja throttle: API_RATE_PER_ADDRESS_PER_MINUTE requests a minute from one address, and
    API_RATE_PER_MINUTE per bearer token (or per signed-in user of a browser session).

    Counted in the shared store (lianmeng.core.counters) with a fixed one-minute window; a refused
    request gets 429 with Retry-After (lianmeng.api turns ninja's Throttled into problem+json).
    """

    WINDOW = 60

    def _checks(self, request: HttpRequest) -> list[tuple[str, int]]:
        checks: list[tuple[str, int]] = []
        ip = client_ip(request)
        per_address = settings.API_RATE_PER_ADDRESS_PER_MINUTE
        if ip and per_address > 0:
            checks.append((f"api:addr:{_digest(_address_ident(ip))}", per_address))
        per_client = settings.API_RATE_PER_MINUTE
        if per_client > 0 and getattr(request, "auth", None) is not None:
            key = _bearer_key(request)
            user = getattr(request, "user", None)
            if key:
                checks.append((f"api:token:{_digest(key)}", per_client))
            elif user is not None and user.is_authenticated:
                checks.append((f"api:user:{user.pk}", per_client))
        return checks

    def allow_request(self, request: HttpRequest) -> bool:
        _wait.seconds = None
        for key, limit in self._checks(request):
            count, left = counters.hit(key, window=self.WINDOW)
            if count > limit:
                _wait.seconds = max(1.0, left)
                return False
        return True

    def wait(self) -> float | None:
        return getattr(_wait, "seconds", None)


def api_throttles() -> list[Any]:
    return [ApiRateThrottle()]


def _too_many(title: str, detail: str, seconds: int) -> HttpResponse:
    response = problem(429, title, detail, retry_after=seconds)
    response["Retry-After"] = str(seconds)
    return response


def login_locked_problem(exc: LoginLocked) -> HttpResponse:
    """The API's answer to a locked sign-in: 429, Retry-After, and the message saying when."""
    return _too_many(_("登录尝试过多"), exc.message, exc.retry_after)


def throttled_problem(wait: float | None) -> HttpResponse:
    """The API's answer to a request over its rate limit: 429 with Retry-After."""
    seconds = max(1, math.ceil(wait or ApiRateThrottle.WINDOW))
    detail = ngettext(
        "请求过于频繁，超出了每分钟的限额。请在 %(n)d 秒后再试。",
        "请求过于频繁，超出了每分钟的限额。请在 %(n)d 秒后再试。",
        seconds,
    ) % {"n": seconds}
    return _too_many(_("请求过于频繁"), detail, seconds)

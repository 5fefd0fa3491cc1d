"""The journeys of the load benchmark and their mix: plain data, shared by ``locustfile.py`` and the
smoke test (tests/ops/test_load_bench.py), which imports neither locust nor Django settings from here.

A journey is one kind of page or API call, with its weight for each kind of simulated user
(``visitor``: anonymous; ``member``: a member organization's contact, signed in; ``secretariat``:
signed in with the second factor). ``{event}``, ``{resource}`` and ``{year}`` in a path are filled from
the context that ``bench/load/accounts.py`` writes (an upcoming published event, the member's own open
resource post, the current year). Each request picks one of ``params`` at random.

The ``floor`` is ``/bench/floor/`` (``bench/load/urls.py``): an empty view behind the whole middleware
stack (sessions, authentication, two-factor, CSRF, locale, metrics), the cost every page pays.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
import time
from dataclasses import dataclass, field

FLOOR = "floor"
ROLES = ("visitor", "member", "secretariat")
# Simulated users of each kind: 6 visitors to 3 members to 1 secretariat.
USER_WEIGHTS = {"visitor": 6, "member": 3, "secretariat": 1}


@dataclass(frozen=True)
class Journey:
    name: str
    path: str
    weights: dict[str, int]
    params: tuple[dict[str, str], ...] = ({},)
    method: str = "GET"
    writes: bool = False  # POSTs data: only where the benchmark owns the database (LOAD_WRITES=1)
    expect: tuple[int, ...] = (200,)
    api: bool = field(default=False)

    def url(self, context: dict[str, object]) -> str:
        return self.path.format(**context)


_SEARCH_ORGS: tuple[dict[str, str], ...] = (
    {"q": "青岛"},
    {"q": "人力资源"},
    {"q": "qd"},
    {"q": "人才"},
    {"q": "咨询"},
    {},
)
_SEARCH_LIBRARY: tuple[dict[str, str], ...] = (
    {"q": "人力资源"},
    {"q": "招聘"},
    {"q": "数字化"},
    {"q": "培训"},
    {"q": "rlzy"},
)

JOURNEYS: tuple[Journey, ...] = (
    Journey(FLOOR, "/bench/floor/", {"visitor": 3, "member": 2, "secretariat": 1}),
    Journey("portal home", "/", {"visitor": 10, "member": 2}),
    Journey("directory search", "/members/", {"visitor": 6, "member": 2, "secretariat": 1}, _SEARCH_ORGS),
    Journey("calendar", "/events/", {"visitor": 5, "member": 2}),
    Journey("event page", "/events/{event}/", {"visitor": 4, "member": 2, "secretariat": 2}),
    Journey(
        "event registration",
        "/events/{event}/register/",
        {"visitor": 1, "member": 1},
        method="POST",
        writes=True,
        expect=(302,),
    ),
    Journey("library search", "/library/search/", {"visitor": 5, "member": 2}, _SEARCH_LIBRARY),
    Journey("compliance", "/events/compliance/", {"visitor": 1, "member": 1, "secretariat": 2}),
    Journey("workbench", "/desk/", {"member": 3, "secretariat": 5}),
    Journey("matchmaking suggestions", "/resources/{resource}/", {"member": 3}),
    Journey("market", "/resources/", {"visitor": 2, "member": 1}),
    Journey("API organizations", "/api/v1/organizations", {"visitor": 1, "secretariat": 1}, api=True),
    Journey("API events", "/api/v1/events", {"visitor": 1, "member": 1}, api=True),
    Journey("API projects", "/api/v1/projects", {"visitor": 1}, api=True),
    Journey("API achievements", "/api/v1/achievements", {"visitor": 1}, api=True),
    Journey("API experts", "/api/v1/experts", {"visitor": 1}, api=True),
    Journey("API resources", "/api/v1/resources", {"visitor": 1, "member": 1}, api=True),
    Journey("API consultations", "/api/v1/consultations", {"member": 1, "secretariat": 1}, api=True),
    Journey("API matches", "/api/v1/resources/{resource}/matches", {"member": 1}, api=True),
)


def journeys_for(role: str, *, writes: bool) -> list[Journey]:
    return [j for j in JOURNEYS if j.weights.get(role) and (writes or not j.writes)]


def registration_data(serial: int) -> dict[str, str]:
    """A registration's fields; ``serial`` makes the mobile unique (one registration per mobile)."""
    return {"name": f"压测{serial % 1000:03d}", "mobile": f"139{serial % 100_000_000:08d}"}


def totp(secret_b32: str, at: float | None = None, *, step: int = 30, digits: int = 6) -> str:
    """RFC 6238 code for a base32 secret (the authenticator app's), without django-otp."""
    key = base64.b32decode(secret_b32)
    counter = int((time.time() if at is None else at) // step)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)

"""Helpers for demo and generated data: valid, deterministic USCCs and the demo password."""

from __future__ import annotations

import hashlib

from stdnum.cn import uscc as stdnum_uscc

DEMO_PASSWORD = "lianmeng-demo"  # noqa: S105 - documented demo password, refused when DEBUG is off

# Registration authority + category by organization kind (GB 32100): 11 government body,
# 12 public institution, 51 social organization, 91 enterprise.
USCC_PREFIX = {
    "bureau": "11",
    "park": "12",
    "university": "12",
    "research_institute": "12",
    "association": "51",
    "academic_society": "51",
    "standards_body": "51",
    "platform": "91",
    "enterprise": "91",
    "financial_institution": "91",
    "media": "12",
}
_GB11714_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def _org_code(body: str) -> str:
    """A GB 11714 organization code: 8 digits and its check character."""
    total = sum(int(c) * w for c, w in zip(body, _GB11714_WEIGHTS, strict=True))
    check = 11 - total % 11
    return body + ("X" if check == 10 else "0" if check == 11 else str(check))


def make_uscc(seed: str, *, division: str, kind: str) -> str:
    """A checksum-valid USCC derived from ``seed`` (same seed, same code)."""
    digest = int(hashlib.sha256(seed.encode()).hexdigest(), 16)
    body = f"{digest % 10**8:08d}"
    first17 = USCC_PREFIX.get(kind, "91") + division + _org_code(body)
    number = first17 + stdnum_uscc.calc_check_digit(first17)
    return str(stdnum_uscc.validate(number))

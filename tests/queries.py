"""Counting a request's queries for the tests that queries do not grow with the data."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

# Bookkeeping that depends on the clock, not on the data: a token's last use (recorded at most once a
# minute) and the rate counters' minute windows. Making the larger data set can take over a minute.
BOOKKEEPING = re.compile(r"accounts_apitoken|core_ratecounter", re.I)


def counted(captured: Iterable[dict[str, Any]]) -> int:
    """The number of ``captured`` queries (CaptureQueriesContext's) that are not clock bookkeeping."""
    return sum(1 for q in captured if not BOOKKEEPING.search(q["sql"].split(" WHERE ")[0]))

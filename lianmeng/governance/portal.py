"""Portal sections: the current rotating president (home and about) and the council list (about)."""

from __future__ import annotations

from typing import Any

from lianmeng.core.nav import PortalSection

from . import selectors
from .presidency import presidency_schedule


def sections(request: Any, page: str) -> list[PortalSection]:
    schedule = presidency_schedule()
    out: list[PortalSection] = []
    if schedule.current is not None:
        out.append(
            PortalSection(
                template="governance/portal_president.html",
                context={"schedule": schedule},
                order=10,
                column="side" if page == "home" else "main",
            )
        )
    if page == "about":
        out.append(
            PortalSection(
                template="governance/portal_council.html",
                context={"seats": list(selectors.seat_list())},
                order=20,
            )
        )
    return out

"""A demo alliance built by the other apps' own demo loaders (services underneath)."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def demo_alliance(db: None) -> dict[str, Any]:
    from lianmeng.accounts.models import User
    from lianmeng.activities import demo as activities_demo
    from lianmeng.core import demo as core_demo
    from lianmeng.governance import demo as governance_demo
    from lianmeng.library import demo as library_demo
    from lianmeng.matchmaking import demo as matchmaking_demo
    from lianmeng.membership import demo as membership_demo
    from lianmeng.publicity import demo as publicity_demo
    from lianmeng.research import demo as research_demo

    for module in (
        core_demo,
        membership_demo,
        governance_demo,
        activities_demo,
        library_demo,
        research_demo,
        matchmaking_demo,
        publicity_demo,
    ):
        module.load(accounts=True)
    return {u.username: u for u in User.objects.filter(username__startswith="demo-")}

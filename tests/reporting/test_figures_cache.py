"""The year's figures are cached per viewer scope and renewed by any committed change (transactional:
inside a test's open transaction the cache is bypassed, so this test commits)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lianmeng.reporting.figures import YearFigures, year_figures

pytestmark = pytest.mark.django_db(transaction=True)


def _figures(viewer: Any) -> tuple[int, YearFigures]:
    with CaptureQueriesContext(connection) as queries:
        figures = year_figures(year=timezone.localdate().year, viewer=viewer)
    return len(queries), figures


def test_figures_are_cached_per_scope_and_renewed_by_an_edit(
    make_org: Callable[..., Any], make_user: Callable[..., Any], secretariat: Any, cities: dict[str, Any]
) -> None:
    make_org("青岛统计测试人力资源服务产业园", city="青岛", kind="park")
    coordinator = make_user("city_coordinator", city=cities["青岛"], username="qd-figures")
    first, office = _figures(secretariat)
    assert first > 20 and office.membership["active"] == 1
    again, cached = _figures(secretariat)
    assert again < 10 and cached.membership == office.membership
    highlighted = [row.city.code for row in _figures(coordinator)[1].cities if row.highlighted]
    assert highlighted == ["370200"]  # the coordinator's own copy, not the secretariat's
    assert not any(row.highlighted for row in _figures(AnonymousUser())[1].cities)

    make_org("烟台统计测试人力资源有限公司", city="烟台", kind="enterprise")
    assert _figures(secretariat)[1].membership["active"] == 2

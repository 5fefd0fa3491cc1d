"""The reports map draws the seven member cities' outline (a hand-drawn schematic registered as the ECharts
map "jiaodong" from a static file, nothing downloaded) with each city's dot inside its own outline."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser

from lianmeng.core.models import City

pytestmark = pytest.mark.django_db(transaction=True)


def test_reports_map_has_the_seven_city_outlines(
    browser: Browser, live_server: Any, make_org: Any, make_user: Any, login: Any, cities: Any
) -> None:
    park = make_org("青岛地图测试产业园")
    make_user("member_contact", organization=park, username="mapper")
    page = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN").new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    login(page, "mapper")
    page.goto(f"{live_server.url}/reports/")
    page.wait_for_function(
        "() => window.echarts && echarts.getInstanceByDom(document.getElementById('chart-map'))"
    )
    names, geo_map, inside = page.evaluate(
        """() => {
            const map = echarts.getMap('jiaodong');
            const chart = echarts.getInstanceByDom(document.getElementById('chart-map'));
            const option = chart.getOption();
            const names = map.geoJSON.features.map(f => f.properties.name);
            // each dot's coordinates fall inside the outline of the city of the same name
            const inPolygon = (pt, ring) => {
                let c = false;
                for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
                    const [xi, yi] = ring[i], [xj, yj] = ring[j];
                    if ((yi > pt[1]) !== (yj > pt[1]) && pt[0] < (xj - xi) * (pt[1] - yi) / (yj - yi) + xi) c = !c;
                }
                return c;
            };
            const inside = option.series[0].data.map(d => {
                const f = map.geoJSON.features.find(f => f.properties.name === d.name);
                return [d.name, !!f && inPolygon(d.value, f.geometry.coordinates[0])];
            });
            return [names, option.geo[0].map, inside];
        }"""
    )
    member_cities = {c.display_name for c in City.objects.filter(is_member=True)}
    assert set(names) == member_cities and len(names) == 7
    assert geo_map == "jiaodong"
    assert inside and all(ok for _name, ok in inside), inside
    assert all(url.startswith(live_server.url) for url in requests), "nothing loaded from elsewhere"


def test_wide_table_scrolls_inside_its_box_with_a_cue_on_a_phone(
    browser: Browser, live_server: Any, make_org: Any, make_user: Any, login: Any, cities: Any
) -> None:
    park = make_org("青岛表格测试产业园")
    make_user("member_contact", organization=park, username="tables")
    page = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN").new_page()
    login(page, "tables")
    page.goto(f"{live_server.url}/reports/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # the page itself does not move
    box = page.locator(".table-responsive").first
    wide, cue = box.evaluate(
        "el => [el.scrollWidth > el.clientWidth, getComputedStyle(el).backgroundImage.includes('radial-gradient')]"
    )
    assert wide and cue  # the table scrolls in its box, and the box shows the shadow cue

"""`lianmeng generate --organizations N`: bulk data for benchmarks (not demo data)."""

from __future__ import annotations

import random
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils import timezone

from lianmeng.core import demo as core_demo
from lianmeng.core.demo_support import make_uscc
from lianmeng.core.models import City
from lianmeng.membership.models import Organization, OrganizationStatus, Tier
from lianmeng.membership.services import organization_index_fields

PREFIXES = [
    "海纳",
    "蓝海",
    "英才",
    "智联",
    "众和",
    "鲁信",
    "齐鲁",
    "泰山",
    "黄河",
    "渤海",
    "胶东",
    "半岛",
    "海岸",
    "新动能",
    "汇才",
    "博雅",
    "启航",
    "远航",
    "星河",
    "云端",
    "数智",
    "匠心",
    "聚贤",
    "卓越",
    "鼎盛",
    "和信",
]
MIDDLES = [
    "人力资源",
    "人才服务",
    "职业培训",
    "劳务派遣",
    "猎头",
    "招聘",
    "灵活用工",
    "人才测评",
    "科技",
    "数字",
    "产业",
    "管理咨询",
    "教育",
    "就业服务",
]
SUFFIXES = {
    "enterprise": ["有限公司", "股份有限公司", "服务有限公司", "集团有限公司"],
    "park": ["服务产业园", "产业园区", "人才港"],
    "association": ["协会", "促进会", "联合会"],
    "platform": ["平台", "网络科技有限公司", "信息技术有限公司"],
    "research_institute": ["研究院", "研究中心", "研究所"],
    "university": ["学院", "职业学院", "大学"],
    "financial_institution": ["投资有限公司", "基金管理有限公司", "融资担保有限公司"],
}
DISTRICTS = [
    "市南",
    "市北",
    "崂山",
    "黄岛",
    "城阳",
    "即墨",
    "芝罘",
    "莱山",
    "福山",
    "奎文",
    "潍城",
    "寿光",
    "环翠",
    "文登",
    "荣成",
    "东港",
    "岚山",
    "莒县",
    "滨城",
    "邹平",
    "博兴",
    "东营",
    "广饶",
    "垦利",
]


class Command(BaseCommand):
    help = "Generate bulk organizations (with valid USCCs and search columns) for benchmarks."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organizations", type=int, default=0)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--batch", type=int, default=5000)

    def handle(self, *args: Any, **options: Any) -> None:
        if not City.objects.exists():
            core_demo.load(accounts=False)
        n = options["organizations"]
        if n:
            started = time.perf_counter()
            made = generate_organizations(n, seed=options["seed"], batch=options["batch"])
            self.stdout.write(f"{made} organizations in {time.perf_counter() - started:.1f} s")


def generate_organizations(n: int, *, seed: int = 2026, batch: int = 5000) -> int:
    rng = random.Random(seed)
    cities = list(City.objects.all())
    kinds = list(SUFFIXES)
    used = set(Organization.objects.values_list("uscc", flat=True))
    start = Organization.objects.count()
    today = timezone.localdate()
    made = 0
    while made < n:
        rows: list[Organization] = []
        for _ in range(min(batch, n - made)):
            i = start + made + len(rows)
            city = rng.choice(cities)
            kind = rng.choice(kinds)
            name = (
                f"{city.name}{rng.choice(DISTRICTS)}{rng.choice(PREFIXES)}{rng.choice(MIDDLES)}"
                f"{rng.choice(SUFFIXES[kind])}{i}"
            )
            uscc = make_uscc(f"gen-{i}", division=city.code, kind=kind)
            salt = 0
            while uscc in used:
                salt += 1
                uscc = make_uscc(f"gen-{i}-{salt}", division=city.code, kind=kind)
            used.add(uscc)
            org = Organization(
                name=name,
                uscc=uscc,
                kind=kind,
                city=city,
                tier=Tier.COUNCIL if i % 50 == 0 else Tier.ORDINARY,
                status=OrganizationStatus.ACTIVE if i % 40 else OrganizationStatus.SUSPENDED,
                description=f"{name}位于{city.name}，主营{rng.choice(MIDDLES)}与{rng.choice(MIDDLES)}服务。",
                joined_on=today,
            )
            organization_index_fields(org)
            rows.append(org)
        with transaction.atomic():
            Organization.objects.bulk_create(rows)
        made += len(rows)
    return made

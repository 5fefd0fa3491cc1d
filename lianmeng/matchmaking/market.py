"""A generated market for tests and benchmarks: noise posts plus planted supply/demand pairs.

Each planted pair shares a category, three topic phrases, two tags and a city, written in different
words on each side (a demand asks, a supply offers); noise posts draw from the same vocabulary, so the
true partner must be found among many posts that share some words with it.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from .models import Category, Direction, Resource, ResourceStatus
from .services import resource_index

PHRASES = (
    "灵活用工",
    "数字化招聘",
    "技能人才培训",
    "高层次人才引进",
    "海洋装备制造",
    "港口物流",
    "乡村振兴劳务",
    "直播电商",
    "人才测评",
    "薪酬外包",
    "社保代理",
    "猎头寻访",
    "职业技能鉴定",
    "产教融合",
    "博士后工作站",
    "创业孵化",
    "人力资源信息化",
    "员工援助计划",
    "劳动关系咨询",
    "跨境人才服务",
    "日韩企业招聘",
    "新能源汽车",
    "石化新材料",
    "现代农业",
    "蔬菜种业",
    "轮胎橡胶",
    "铝业集群",
    "纺织服装",
    "商用厨具",
    "海洋食品加工",
    "船舶修造",
    "文旅康养",
    "银发经济",
    "家政服务",
    "托育服务",
    "网约配送",
    "制造业数字化转型",
    "工业互联网",
    "人工智能训练师",
    "数据标注",
    "低空经济",
    "氢能产业",
    "集成电路",
    "生物医药",
    "医疗器械",
    "跨境电商",
    "供应链金融",
    "知识产权",
    "标准化建设",
    "园区运营",
    "招商引资",
    "人才公寓",
    "校企合作",
    "实习实训基地",
    "青年就业见习",
    "退役军人就业",
    "残疾人就业",
    "返乡创业",
    "东西部劳务协作",
    "一带一路人才",
    "国际职业资格",
    "职业经理人",
    "企业大学",
    "在线学习平台",
    "职业规划",
    "绩效管理",
    "组织发展",
    "股权激励",
    "雇主品牌",
    "校园招聘",
    "蓝领招聘",
    "工程师红利",
    "技能大赛",
    "创新创业大赛",
    "人才评价改革",
    "职称评审",
    "劳务品牌",
    "零工市场",
    "就业驿站",
    "人力资源服务出口",
)
TAGS = (
    "招聘",
    "培训",
    "外包",
    "测评",
    "猎头",
    "派遣",
    "咨询",
    "数字化",
    "制造业",
    "海洋经济",
    "农业",
    "乡村振兴",
    "高校",
    "科研",
    "投融资",
    "政策申报",
    "园区",
    "人才引进",
    "跨境",
    "平台",
    "标准",
    "大赛",
    "奖励",
    "应用场景",
    "青年",
    "银发",
    "灵活就业",
    "技能",
    "新能源",
    "生物医药",
    "电商",
    "物流",
    "文旅",
    "家政",
    "智能制造",
    "双碳",
    "数据",
    "人工智能",
    "知识产权",
    "职业教育",
)
DEMAND_OPENERS = ("寻求", "需要", "征集", "希望对接", "诚邀合作")
SUPPLY_OPENERS = ("提供", "可承接", "面向园区开放", "具备", "推出")


@dataclass
class PlantedPair:
    demand_id: int
    supply_id: int


def open_post(
    direction: str,
    category: str,
    title: str,
    description: str,
    organization: Any,
    tags: list[str],
    **more: Any,
) -> Resource:
    """An open post indexed for search, not saved yet (the demo's posts and the generated market)."""
    res = Resource(
        direction=direction,
        category=category,
        title=title,
        description=description,
        organization=organization,
        tags=tags,
        status=ResourceStatus.OPEN,
        **more,
    )
    resource_index(res)
    return res


def _text(rng: random.Random, direction: str, phrases: Sequence[str], city: str) -> tuple[str, str]:
    a, b, c = phrases
    if direction == Direction.DEMAND:
        title = f"{rng.choice(DEMAND_OPENERS)}{a}与{b}合作"
        desc = (
            f"我单位位于{city}，计划开展{a}相关工作，目前在{b}方面缺少专业力量，"
            f"同时希望在{c}上得到支持。欢迎有经验的单位联系洽谈。"
        )
    else:
        title = f"{rng.choice(SUPPLY_OPENERS)}{b}和{a}服务"
        desc = (
            f"我们在{a}领域积累了成熟方案，{b}团队服务过多家企业，{c}方面可提供全流程支持，"
            f"服务范围覆盖{city}及周边。"
        )
    return title, desc


def generate(
    *,
    organizations: Sequence[Any],
    cities: Sequence[Any],
    pairs: int,
    noise: int,
    seed: int = 7,
    batch: int = 2000,
) -> list[PlantedPair]:
    """Create ``noise`` random open posts and ``pairs`` planted demand/supply pairs. Returns the pairs.

    Rows are written in bulk (the full-text index follows by trigger on SQLite, by expression on
    PostgreSQL); the two posts of a pair come from different organizations.
    """
    rng = random.Random(seed)
    today = timezone.localdate()
    now = timezone.now()
    through = Resource.cities.through
    planned: list[tuple[Resource, list[str], int | None]] = []

    def make(
        direction: str, category: str, phrases: Sequence[str], city: Any, tags: list[str], org: Any
    ) -> Resource:
        title, desc = _text(rng, direction, phrases, city.name)
        return open_post(
            direction,
            category,
            title,
            desc,
            org,
            tags,
            strategy_tags=[],
            valid_from=today - datetime.timedelta(days=rng.randint(0, 60)),
            valid_until=today + datetime.timedelta(days=rng.randint(30, 300)),
            contact_name="联系人",
        )

    for _i in range(noise):
        city = rng.choice(cities)
        res = make(
            rng.choice(Direction.values),
            rng.choice(Category.values),
            rng.sample(PHRASES, 3),
            city,
            rng.sample(TAGS, rng.randint(1, 3)),
            rng.choice(organizations),
        )
        planned.append((res, [city.pk], None))
    for i in range(pairs):
        category = rng.choice(Category.values)
        phrases = rng.sample(PHRASES, 3)
        city = rng.choice(cities)
        tags = rng.sample(TAGS, 2)
        org_a, org_b = rng.sample(list(organizations), 2)
        planned.append(
            (make(Direction.DEMAND, category, phrases, city, [*tags, rng.choice(TAGS)], org_a), [city.pk], i)
        )
        planned.append(
            (make(Direction.SUPPLY, category, phrases, city, list(reversed(tags)), org_b), [city.pk], i)
        )
    pair_ids: dict[int, list[int]] = {}
    for start in range(0, len(planned), batch):
        chunk = planned[start : start + batch]
        with transaction.atomic():
            created = Resource.objects.bulk_create([r for r, _c, _p in chunk])
            links: list[Any] = []
            for res, (_r, codes, pair) in zip(created, chunk, strict=True):
                links.extend(through(resource_id=res.pk, city_id=code) for code in codes)
                if pair is not None:
                    pair_ids.setdefault(pair, []).append(res.pk)
            through.objects.bulk_create(links)
            # Spread the posting dates over the last 90 days (bulk_create stamps "now").
            for res in created:
                res.created_at = now - datetime.timedelta(days=rng.randint(0, 90))
            Resource.objects.bulk_update(created, ["created_at"], batch_size=500)
    return [PlantedPair(demand_id=ids[0], supply_id=ids[1]) for ids in pair_ids.values()]

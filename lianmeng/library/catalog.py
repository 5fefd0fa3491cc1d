"""The default catalogues of the libraries: expertise fields and strategy tags.

The data migration ``0002`` seeds the same lists (frozen there, as migrations must be); ``lianmeng demo``
makes sure they exist too, because a database emptied by ``flush`` (transactional tests, a restore into
an empty schema) has the tables but not the migration's rows.
"""

from __future__ import annotations

from .models import ExpertiseField, StrategyTag

STRATEGY_TAGS = ["一带一路", "东西部协作", "乡村振兴"]
FIELDS = [
    "人力资源服务业政策",
    "产业园区规划与运营",
    "人才测评与选拔",
    "劳动关系",
    "职业技能培训",
    "数字化人力资源",
    "灵活用工",
    "人力资源管理",
    "劳动经济",
    "社会保障",
    "人力资源服务标准",
    "人才金融与投资",
]


def ensure_default_catalogues() -> None:
    for position, name in enumerate(STRATEGY_TAGS, start=1):
        StrategyTag.objects.get_or_create(name=name, defaults={"position": position})
    for position, name in enumerate(FIELDS, start=1):
        ExpertiseField.objects.get_or_create(name=name, defaults={"position": position})

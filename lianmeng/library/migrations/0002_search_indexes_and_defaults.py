from django.db import migrations

from lianmeng.core.search import search_index_operation

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


def seed(apps, schema_editor):
    StrategyTag = apps.get_model("library", "StrategyTag")
    ExpertiseField = apps.get_model("library", "ExpertiseField")
    for position, name in enumerate(STRATEGY_TAGS, start=1):
        StrategyTag.objects.get_or_create(name=name, defaults={"position": position})
    for position, name in enumerate(FIELDS, start=1):
        ExpertiseField.objects.get_or_create(name=name, defaults={"position": position})


class Migration(migrations.Migration):
    dependencies = [("library", "0001_initial")]

    operations = [
        search_index_operation("library_expert"),
        search_index_operation("library_project"),
        search_index_operation("library_achievement"),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]

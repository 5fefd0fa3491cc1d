"""Demo data of the core app: the alliance settings and the seven cities of the seed."""

from __future__ import annotations

import datetime

from .models import AllianceSettings, City

# The alliance's own order (seed): 青岛, 烟台, 潍坊, 威海, 日照, 滨州, 东营.
CITIES = [
    ("370200", "青岛", "Qingdao"),
    ("370600", "烟台", "Yantai"),
    ("370700", "潍坊", "Weifang"),
    ("371000", "威海", "Weihai"),
    ("371100", "日照", "Rizhao"),
    ("371600", "滨州", "Binzhou"),
    ("370500", "东营", "Dongying"),
]

INTRODUCTION = (
    "胶东暨蓝区人力资源服务产业（园区）发展联盟在山东省人力资源和社会保障厅的主导支持下，由青岛、烟台、潍坊、"
    "威海、日照、滨州、东营七市人力资源社会保障局共同发起成立，于第二十一届中国青岛蓝色经济国际人才暨产学研"
    "洽谈会上揭牌。\n\n联盟实行“轮值制+理事会+秘书处”的组织机制，建立“1+7+N”活动机制和“1+3+X”赋能机制，"
    "通过研究引领、链接促进、项目带动，推动七市人力资源服务业协同发展、高质量发展。"
)
INTRODUCTION_EN = (
    "The Jiaodong & Blue-Zone HR Service Industry (Park) Development Alliance was founded by the HR and social "
    "security bureaus of Qingdao, Yantai, Weifang, Weihai, Rizhao, Binzhou and Dongying, with the support of "
    "the Shandong Provincial Department of Human Resources and Social Security.\n\nIt works through a rotating "
    "presidency, a council and a secretariat, the 1+7+N activity mechanism and the 1+3+X empowerment mechanism."
)


def load(*, accounts: bool = True) -> str:
    AllianceSettings.objects.update_or_create(
        pk=1,
        defaults={
            "name": "胶东暨蓝区人力资源服务产业（园区）发展联盟",
            "name_en": "Jiaodong & Blue-Zone HR Service Industry (Park) Development Alliance",
            "short_name": "胶东暨蓝区人服联盟",
            "document_abbreviation": "胶东人服联",
            "founded_on": datetime.date(2025, 12, 2),
            "introduction": INTRODUCTION,
            "introduction_en": INTRODUCTION_EN,
            "contact_phone": "0532-8888 6666",
            "contact_email": "secretariat@lianmeng.example.cn",
            "contact_address": "山东省青岛市市南区香港中路 76 号",
        },
    )
    for position, (code, name, name_en) in enumerate(CITIES, start=1):
        City.objects.update_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "position": position}
        )
    return f"alliance settings, {len(CITIES)} cities"

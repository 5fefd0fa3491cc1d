"""Demo articles of the seed alliance: news, notices, media coverage and policies (idempotent)."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from lianmeng.accounts.models import User
from lianmeng.activities.models import Event
from lianmeng.core.mail_switch import without_mail
from lianmeng.membership.models import Organization

from .models import Article, ArticleStatus
from .services import article_index, plain_text, sanitize_body

# (kind, title, body, tags, outlet, source url, related organizations, status, days ago)
ARTICLES: list[tuple[str, str, str, list[str], str, str, list[str], str, int]] = [
    ("media", "正式揭牌！山东七市联手打造人力资源服务产业发展航母",
     "在第二十一届中国青岛蓝色经济国际人才暨产学研洽谈会上，胶东暨蓝区人力资源服务产业（园区）发展联盟正式揭牌成立。\n\n"
     "联盟由青岛、烟台、潍坊、威海、日照、滨州、东营七市人力资源社会保障局共同发起，将广泛吸纳人力资源服务产业园、行业协会、高校等团体，积极推动七市人力资源服务业协同发展。",
     ["联盟成立", "七市协同"], "青岛新闻网", "https://www.qingdaonews.com/", ["青岛市人力资源和社会保障局"], "published", 360),
    ("news", "联盟理事会全会在青岛召开 审议通过年度工作计划",
     "联盟理事会全会在中国青岛人力资源服务产业园召开，七市人社局和理事单位代表出席。\n\n"
     "会议审议通过了年度工作计划和“1+7+N”活动安排，明确了轮值主席单位和秘书处年度重点任务。",
     ["理事会", "1+7+N"], "", "", ["中国青岛人力资源服务产业园"], "published", 40),
    ("news", "烟台举办胶东人力资源服务业高质量发展峰会",
     "峰会以“协同创新 共建共享”为主题，来自七市的 200 余名园区、机构和高校代表参会。\n\n"
     "会上发布了胶东人力资源服务业发展报告，6 个合作项目现场签约。",
     ["峰会", "签约"], "", "", ["中国烟台人力资源服务产业园"], "published", 33),
    ("news", "潍坊人服园与潍坊学院共建产教融合实训基地",
     "中国潍坊人力资源服务产业园与潍坊学院签署协议，共建智能制造方向产教融合实训基地，首期可容纳 300 名学员。",
     ["产教融合", "校企合作"], "", "", ["中国潍坊人力资源服务产业园", "潍坊学院"], "published", 26),
    ("news", "资源对接见成效：荣成食品企业季节性用工缺口全部补齐",
     "通过联盟平台资源对接，莒县人力资源服务产业园与荣成市人力资源服务产业园建立劳务协作，"
     "为海洋食品加工企业输送季节性工人 260 名。",
     ["资源对接", "劳务协作"], "", "", ["莒县人力资源服务产业园", "荣成市人力资源服务产业园"], "published", 18),
    ("news", "威海园区联合海联人力共建胶东国际人才服务中心",
     "威海市人力资源服务产业园与威海海联人力资源开发有限公司在平台对接后达成合作，共建胶东国际人才服务中心，"
     "为日韩企业提供国际化人才寻访与外籍人才落地服务。",
     ["国际人才", "共建项目"], "", "", ["威海市人力资源服务产业园", "威海海联人力资源开发有限公司"], "published", 12),
    ("news", "日照园区开展港口物流人才专场招聘会",
     "日照市人力资源服务产业园举办港口物流人才专场招聘会，42 家企业提供岗位 860 个，现场达成意向 310 人。",
     ["招聘会", "港口物流"], "", "", ["日照市人力资源服务产业园"], "published", 8),
    ("news", "滨州园区举办铝业集群人力资源服务对接会",
     "对接会邀请 15 家人力资源服务机构与 30 家铝业企业面对面洽谈，涉及招聘外包、技能培训等 23 个合作意向。",
     ["对接会", "制造业"], "", "", ["滨州市人力资源服务产业园"], "published", 5),
    ("notice", "关于报送年度“1+7+N”活动计划的通知",
     "各成员城市人社局、各产业园：\n\n请于本月 30 日前通过联盟平台报送下一年度峰会、论坛和主题活动计划，"
     "包括活动名称、时间、地点、合作单位和预计规模。\n\n联系人：联盟秘书处 0532-8888 6666。",
     ["活动计划"], "", "", [], "published", 20),
    ("notice", "关于开展年度典型案例和优秀科研成果评选的通知",
     "为总结推广人力资源服务业发展经验，联盟决定开展年度典型案例和优秀科研成果评选。\n\n"
     "申报时间：即日起至下月 15 日。评选设一等奖、二等奖、三等奖和优秀奖，结果将在平台公示 7 天。",
     ["评选", "典型案例"], "", "", [], "published", 15),
    ("notice", "关于征集人力资源服务资源对接需求的通知",
     "请各成员单位在“资源对接”栏目发布政、产、学、研、才、金、服、用、奖、赛等各类供需信息，"
     "平台将按匹配度推荐对接方，秘书处每季度组织一次线下对接会。",
     ["资源对接"], "", "", [], "published", 10),
    ("notice", "联盟秘书处春节期间工作安排",
     "春节期间秘书处值班电话保持畅通，平台各项功能正常使用，审核类事项节后顺延办理。",
     ["秘书处"], "", "", [], "published", 2),
    ("policy", "山东省“十四五”人力资源服务业发展规划（摘要）",
     "规划提出，到 2025 年全省人力资源服务业营业收入持续增长，培育一批国家级和省级人力资源服务产业园。\n\n"
     "重点任务包括：推动产业园区提质增效、培育骨干企业、促进人力资源服务与实体经济融合发展。",
     ["规划", "山东"], "山东省人力资源和社会保障厅", "", [], "published", 50),
    ("policy", "关于推进新时代人力资源服务业高质量发展的意见（解读）",
     "意见明确了新时代人力资源服务业高质量发展的总体要求、重点任务和保障措施，"
     "提出实施“干人才服务”工程、加强人力资源服务产业园建设等举措。",
     ["政策解读", "高质量发展"], "", "", [], "published", 45),
    ("policy", "胶东经济圈一体化发展规划中的人力资源协同要点",
     "规划提出推动胶东五市人力资源市场一体化，共建人才服务平台，促进人才资质互认、人才政策协同。",
     ["胶东经济圈", "一体化"], "", "", [], "published", 30),
    ("media", "大众日报：胶东七市人服园“抱团”发展见实效",
     "大众日报报道，联盟成立一年来，七市产业园通过联盟平台共享资源、联合招商，累计促成合作项目 30 余个。",
     ["媒体报道", "成效"], "大众日报", "https://www.dzwww.com/", [], "published", 6),
    ("media", "半岛都市报：直播带岗走进青岛人服园",
     "青岛人服园直播带岗演播室投入使用，首场直播吸引 2 万人次观看，收到简历 1200 余份。",
     ["直播带岗"], "半岛都市报", "https://www.bandao.cn/", ["中国青岛人力资源服务产业园", "半岛人才周刊社"], "published", 3),
    ("news", "青岛人服园举办人力资源服务创新创业沙龙",
     "沙龙邀请蓝海人才创投基金、园区企业代表分享数字化招聘创业经验，10 家初创企业参加项目路演。",
     ["创新创业", "路演"], "", "", ["中国青岛人力资源服务产业园"], "review", 1),
    ("news", "东营园区石化人才服务站揭牌（草稿）",
     "东营市人力资源服务产业园石化人才服务站揭牌运行，为石化新材料企业提供招聘、培训一站式服务。",
     ["人才服务站"], "", "", ["东营市人力资源服务产业园"], "draft", 0),
    ("notice", "关于召开联盟年度资源对接会的预告",
     "联盟年度资源对接会拟于下月在潍坊举办，设一对一洽谈环节，请有意向的成员单位提前在平台预约洽谈时段。",
     ["对接会"], "", "", [], "scheduled", -2),
]  # fmt: skip


@without_mail()
def load(*, accounts: bool = True) -> str:
    now = timezone.now()
    made = 0
    for kind, title, body, tags, outlet, url, orgs, status, days_ago in ARTICLES:
        if Article.objects.filter(title=title).exists():
            continue
        clean = sanitize_body(body)
        when = now - datetime.timedelta(days=days_ago, hours=2)
        article = Article(
            kind=kind,
            title=title,
            summary=plain_text(clean)[:100],
            body=clean,
            tags=tags,
            outlet=outlet,
            source_url=url,
            status=status,
            published_at=when if status == ArticleStatus.PUBLISHED else None,
            publish_at=when if status == ArticleStatus.SCHEDULED else None,
        )
        if status == ArticleStatus.REVIEW and orgs:
            # A member's suggestion, by the demo contact of 中国青岛人力资源服务产业园 when present.
            article.suggested_by = Organization.objects.filter(name=orgs[0]).first()
            article.author = User.objects.filter(username="demo-member").first()
        article_index(article)
        article.save()
        article.organizations.set(Organization.objects.filter(name__in=orgs))
        made += 1
    _link_events()
    return f"{made} articles"


# Articles about this year's events (found by kind and organizer city, not by title).
ARTICLE_EVENTS: dict[str, dict[str, Any]] = {
    "联盟理事会全会在青岛召开 审议通过年度工作计划": {"kind": "plenary"},
    "烟台举办胶东人力资源服务业高质量发展峰会": {"kind__in": ["summit", "forum"], "city__name": "烟台"},
}


def _link_events() -> None:
    year = timezone.localdate().year
    for title, lookup in ARTICLE_EVENTS.items():
        article = Article.objects.filter(title=title).first()
        event = (
            Event.objects.filter(starts_at__year=year, status__in=["published", "held"], **lookup)
            .order_by("starts_at")
            .first()
        )
        if article is not None and event is not None and not article.events.exists():
            article.events.set([event])

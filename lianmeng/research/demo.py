"""Demo research leads: a 2026 topic call with proposals in several states, a 2026 typical-case round in
review (刘教授 / demo-expert has entries to review, none from Qingdao because same-city conflicts are on),
and a 2025 excellent-research round finalised, whose winners are in the achievement library and showcase."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from lianmeng.accounts.models import Role, RoleAssignment, User
from lianmeng.core.actors import SYSTEM
from lianmeng.core.demo_support import DEMO_PASSWORD
from lianmeng.core.mail_switch import without_mail
from lianmeng.library.commands import ExpertCreate
from lianmeng.library.models import Expert
from lianmeng.library.services import expert_create
from lianmeng.membership.models import Organization

from . import commands, services
from .models import AssignmentStatus, Objection, Proposal, SelectionRound, TopicCall

# Extra reviewers with accounts (username, name, organization, city, fields, keywords)
REVIEWERS = [
    (
        "demo-reviewer1",
        "钱文华",
        "烟台大学",
        "370600",
        ["人力资源服务业政策", "劳动经济"],
        "县域劳务协作、零工市场、就业服务",
    ),
    (
        "demo-reviewer2",
        "孔德明",
        "潍坊学院",
        "370700",
        ["产业园区规划与运营"],
        "园区运营、招商服务、海洋产业",
    ),
    (
        "demo-reviewer3",
        "顾晓琳",
        "山东大学（威海）",
        "371000",
        ["数字化人力资源", "灵活用工"],
        "数字化平台、灵活用工、零工市场",
    ),
    ("demo-reviewer4", "蒋卫东", "滨州学院", "371600", ["职业技能培训"], "技能培训、产业工人、乡村振兴"),
    (
        "demo-reviewer5",
        "秦雅",
        "东营职业学院",
        "370500",
        ["人才测评与选拔", "人力资源服务标准"],
        "人才测评、服务标准、人才评价",
    ),
    (
        "demo-reviewer6",
        "卫国强",
        "日照市标准化协会",
        "371100",
        ["人力资源服务标准"],
        "标准化、服务质量、园区评价",
    ),
    (
        "demo-reviewer7",
        "严明",
        "烟台市人才发展研究中心",
        "370600",
        ["人才测评与选拔"],
        "人才评价、外资企业、招商服务",
    ),
    (
        "demo-reviewer8",
        "陶然",
        "潍坊市劳动科学研究所",
        "370700",
        ["劳动关系", "灵活用工"],
        "海洋产业、人才飞地、劳务品牌",
    ),
    (
        "demo-reviewer9",
        "韦晴",
        "东营市人力资源服务产业园",
        "370500",
        ["产业园区规划与运营"],
        "校企合作、人才对接、技能培训",
    ),
]

CALL_TITLE = "2026年度胶东暨蓝区人力资源服务产业发展研究课题指南"
ROUND_2026 = "2026年度人力资源服务典型案例评选"
ROUND_2025 = "2025年度人力资源服务优秀科研成果评选"

TOPICS = [
    {
        "title": "胶东经济圈人力资源服务业一体化发展路径研究",
        "keywords": "一体化、协同发展、产业政策",
        "max_budget": "10",
    },
    {
        "title": "人力资源服务产业园区运营评价指标体系研究",
        "keywords": "园区运营、评价指标、服务标准",
        "max_budget": "8",
    },
    {
        "title": "数字化零工市场建设与灵活就业服务研究",
        "keywords": "零工市场、灵活用工、数字化平台",
        "max_budget": "8",
    },
    {
        "title": "人力资源服务助力乡村振兴的县域模式研究",
        "keywords": "乡村振兴、县域劳务协作、技能培训",
        "max_budget": "6",
    },
]

# (topic index, organization, title, leader, team, plan, budget, final status)
PROPOSALS = [
    (
        0,
        "青岛市人力资源发展研究院",
        "胶东七市人力资源服务业协同发展机制研究",
        "赵国华",
        "赵国华、孙明、李娜",
        "梳理七市产业基础，提出协同发展的政策工具和联盟机制安排。",
        "9.5",
        "completed",
    ),
    (
        1,
        "中国烟台人力资源服务产业园",
        "国家级人力资源服务产业园运营评价指标研究",
        "林涛",
        "林涛、王芳",
        "以烟台园区为样本，构建运营评价指标并试评价。",
        "7",
        "midterm_passed",
    ),
    (
        2,
        "潍坊智聘网络科技有限公司",
        "县域零工市场数字化服务平台建设研究",
        "宋文博",
        "宋文博、刘洋",
        "调研潍坊县域零工市场，设计平台功能和服务流程。",
        "6",
        "approved",
    ),
    (
        3,
        "滨州市人力资源服务产业园",
        "人力资源服务产业园赋能乡村振兴的滨州实践",
        "谢军",
        "谢军、周敏",
        "总结滨州园区服务返乡就业的做法，提炼可复制的县域模式。",
        "5",
        "approved",
    ),
    (
        1,
        "青岛英才人力资源有限公司",
        "人力资源服务机构服务质量评价研究",
        "高原",
        "高原、韩梅",
        "基于服务标准设计机构服务质量评价方法。",
        "8",
        "rejected",
    ),
    (
        2,
        "烟台众和人力资源服务有限公司",
        "灵活用工平台合规风险研究",
        "林晓",
        "林晓、张华",
        "分析灵活用工平台的用工合规风险与防控办法。",
        "7.5",
        "submitted",
    ),
    (
        3,
        "日照市人力资源服务产业园",
        "县域劳务品牌培育路径研究",
        "彭悦",
        "彭悦、马丽",
        "以莒县劳务品牌为例，研究劳务品牌培育和推广路径。",
        "5",
        "submitted",
    ),
]

# Entries of the 2026 typical-case round (organization, title, authors, keywords, summary)
ENTRIES_2026 = [
    (
        "中国烟台人力资源服务产业园",
        "“园区+高校”人才供需对接服务模式",
        "林涛、王芳",
        "园区运营、校企合作、人才对接",
        "园区联合驻烟高校建立人才供需对接机制，年均组织对接活动 40 余场。",
    ),
    (
        "中国潍坊人力资源服务产业园",
        "数字化零工市场“一码通”服务",
        "许诺、陈静怡",
        "零工市场、数字化平台、灵活用工",
        "建设线上线下一体的零工市场，求职者扫码即可登记、匹配、签约。",
    ),
    (
        "威海市人力资源服务产业园",
        "海洋产业人才“飞地”引才实践",
        "黄海鹰、于波",
        "海洋产业、人才飞地、招商服务",
        "在青岛设立人才飞地，服务威海海洋装备企业远程引才用才。",
    ),
    (
        "日照市人力资源服务产业园",
        "县域劳务协作品牌“日照巧工”",
        "彭悦、马丽",
        "县域劳务协作、劳务品牌、乡村振兴",
        "培育“日照巧工”劳务品牌，组织技能培训与有组织劳务输出。",
    ),
    (
        "滨州市人力资源服务产业园",
        "产业工人技能提升“订单班”",
        "谢军、周敏",
        "技能培训、产业工人、订单培养",
        "与铝业、纺织企业合作开设订单班，培训后定向就业。",
    ),
    (
        "东营市人力资源服务产业园",
        "石化行业专业人才测评服务",
        "曹建国、李强",
        "人才测评、人才评价、石化行业",
        "为石化企业提供岗位胜任力测评，帮助企业精准选才。",
    ),
    (
        "青岛西海岸新区人力资源服务产业园",
        "园区服务标准化建设实践",
        "王海、刘倩",
        "服务标准、园区评价、标准化",
        "制定园区服务规范 12 项，推动入驻机构服务质量提升。",
    ),
    (
        "烟台经济技术开发区人力资源服务产业园",
        "外资企业用工一站式服务",
        "张华、刘敏",
        "外资企业、用工服务、招商服务",
        "为日韩外资企业提供招聘、社保、外籍人才服务的一站式窗口。",
    ),
]

ENTRIES_2025 = [
    (
        "青岛市人力资源发展研究院",
        "胶东经济圈人力资源服务业发展报告（2025）",
        "赵国华、孙明",
        "产业政策、一体化、发展报告",
        "系统分析七市人力资源服务业规模、结构和发展趋势。",
    ),
    (
        "烟台市人才发展研究中心",
        "烟台市人才发展指数研究",
        "郑丽、王涛",
        "人才评价、指数、人才发展",
        "构建城市人才发展指数并开展年度测评。",
    ),
    (
        "潍坊市劳动科学研究所",
        "新就业形态劳动者权益保障研究",
        "冯涛、刘洋",
        "灵活用工、劳动关系、权益保障",
        "调研平台劳动者工作状况，提出权益保障建议。",
    ),
    (
        "山东大学（威海）",
        "海洋产业人才需求预测模型",
        "李明远、于海",
        "海洋产业、人才需求、预测模型",
        "基于企业招聘数据建立海洋产业人才需求预测模型。",
    ),
    (
        "滨州学院",
        "县域技能人才培养的滨州经验",
        "周海燕、谢军",
        "技能培训、乡村振兴、县域",
        "总结滨州县域技能人才培养和就业服务做法。",
    ),
    (
        "东营职业学院",
        "石化产业技能人才评价标准研究",
        "吴志强、秦雅",
        "人才测评、服务标准、石化行业",
        "研制石化产业技能人才评价标准并在企业试用。",
    ),
]

SCORES = [9.2, 8.6, 8.1, 7.7, 7.2, 6.8, 6.3, 5.9]


def _org(name: str) -> Organization:
    return Organization.objects.get(name=name)


def _reviewers(secretariat: Any, accounts: bool) -> list[Expert]:
    """The demo's reviewers; without demo accounts (``--no-accounts``) they cannot sign in (no published
    password: `lianmeng serve` refuses to start in production while one exists)."""
    out = []
    for username, name, org_name, city, fields, keywords in REVIEWERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.create_user(
                username=username, password=DEMO_PASSWORD if accounts else None, display_name=name
            )
        RoleAssignment.objects.get_or_create(user=user, role=Role.EXPERT, organization=None, city=None)
        expert = Expert.objects.filter(user=user).first()
        if expert is None:
            org = Organization.objects.filter(name=org_name).first()
            expert = expert_create(
                cmd=ExpertCreate.build(
                    name=name,
                    organization=org.pk if org else None,
                    organization_name=org_name,
                    city=city,
                    title="senior",
                    position="教授",
                    fields=fields,
                    keywords=keywords,
                ),
                actor=secretariat,
                user=user,
            )
        out.append(expert)
    return out


def _call(secretariat: Any) -> int:
    if TopicCall.objects.filter(title=CALL_TITLE).exists():
        return 0
    call = services.call_create(
        cmd=commands.CallCreate.build(
            year=2026,
            title=CALL_TITLE,
            description="围绕人力资源服务行业（园区）发展的困难和问题，面向成员单位征集研究课题。每个单位每个课题限报一项。",
            opens_on="2026-03-01",
            deadline="2026-04-30",
            topics=TOPICS,
        ),
        actor=secretariat,
    )
    services.call_transition(call=call, action="open", actor=secretariat)
    topics = list(call.topics.all())
    for topic_index, org_name, title, leader, team, plan, budget, status in PROPOSALS:
        org = _org(org_name)
        p = services.proposal_submit(
            cmd=commands.ProposalSubmit.build(
                topic=topics[topic_index].pk,
                title=title,
                leader=leader,
                team=team,
                plan=plan,
                keywords=topics[topic_index].keywords,
                budget=budget,
            ),
            organization=org,
            actor=secretariat,
            today=datetime.date(2026, 4, 20),
        )
        if status == "submitted":
            continue
        if status == "rejected":
            services.proposal_transition(
                proposal=p, action="reject", note="研究内容与已立项课题重复度较高。", actor=secretariat
            )
            continue
        services.proposal_transition(
            proposal=p, action="approve", note="经专家评审，同意立项。", actor=secretariat
        )
        if status in ("midterm_passed", "completed"):
            midterm = commands.MilestoneReport.build(
                kind="midterm", report="已完成调研和数据收集，形成中期报告。"
            )
            services.milestone_report(proposal=p, cmd=midterm, actor=secretariat)
            services.proposal_transition(
                proposal=p, action="pass_midterm", note="进度符合计划。", actor=secretariat
            )
        if status == "completed":
            completion = commands.MilestoneReport.build(
                kind="completion", report="提出胶东七市人力资源服务业协同发展的五项机制和十条政策建议。"
            )
            services.milestone_report(proposal=p, cmd=completion, actor=secretariat)
            services.proposal_transition(
                proposal=p, action="complete", note="成果达到预期，同意结项。", actor=secretariat
            )
    call_obj = TopicCall.objects.get(pk=call.pk)
    services.call_transition(call=call_obj, action="close", actor=secretariat)
    return Proposal.objects.filter(topic__call=call).count()


def _round(
    secretariat: Any,
    *,
    title: str,
    kind: str,
    year: int,
    entries: list[Any],
    close: datetime.date,
    min_load: int = 0,
) -> SelectionRound:
    selection = services.round_create(
        cmd=commands.RoundCreate.build(
            {
                "kind": kind,
                "year": year,
                "title": title,
                "description": "面向联盟成员单位征集，经资格审查、专家评审、公示后确定结果。",
                "entries_close_on": close,
                "review_due_on": close + datetime.timedelta(days=30),
                "publicity_days": 7,
                "objection_contact": "联盟秘书处 王秘书 0532-8888 6666",
                "reviewers_per_entry": 3,
                "max_load": 4,
                "min_load": min_load,
                "same_city_conflict": True,
                **services.default_rubric(),
                "tiers": [
                    {"level": "first", "quota_percent": 15},
                    {"level": "second", "quota_percent": 25},
                    {"level": "third", "quota_percent": 30},
                ],
            }
        ),
        actor=secretariat,
    )
    services.round_transition(selection=selection, action="open", actor=secretariat)
    for org_name, entry_title, authors, keywords, summary in entries:
        entry = services.entry_submit(
            selection=selection,
            organization=_org(org_name),
            cmd=commands.EntrySubmit.build(
                title=entry_title, authors=authors, keywords=keywords, summary=summary
            ),
            actor=secretariat,
            today=close - datetime.timedelta(days=5),
        )
        services.entry_transition(entry=entry, action="accept", actor=secretariat)
    services.round_transition(selection=selection, action="start_review", actor=secretariat)
    services.assignment_compute(selection=selection, mode="total", actor=secretariat)
    services.assignment_invite(selection=selection, actor=secretariat)
    return SelectionRound.objects.get(pk=selection.pk)


def _review(assignment: Any, score: float, submit: bool) -> None:
    user = assignment.expert.user
    review = services.review_open(assignment=assignment, actor=user)
    criteria = list(assignment.round.criteria.all())
    services.review_save(
        review=review,
        cmd=commands.ReviewSave.build(
            scores={
                c.pk: {
                    "score": round(min(c.max_score, score * c.max_score / 10 + (i % 2) * 0.3), 1),
                    "comment": "材料翔实，做法可复制。",
                }
                for i, c in enumerate(criteria)
            },
            overall_comment="建议入选。" if score >= 7 else "",
        ),
        actor=user,
        submit=submit,
    )


def _round_2026(secretariat: Any, liu: Expert | None) -> None:
    if SelectionRound.objects.filter(title=ROUND_2026).exists():
        return
    selection = _round(
        secretariat,
        title=ROUND_2026,
        kind="typical_case",
        year=2026,
        entries=ENTRIES_2026,
        close=datetime.date(2026, 11, 15),
        min_load=2,
    )
    # Other reviewers have started: some submitted, some drafts; 刘教授's are still to do.
    for i, a in enumerate(selection.assignments.select_related("expert__user", "entry").order_by("id")):
        if liu is not None and a.expert_id == liu.pk:
            continue
        if i % 3 != 2:
            _review(a, SCORES[i % len(SCORES)], submit=i % 3 == 0)


def _round_2025(secretariat: Any) -> None:
    if SelectionRound.objects.filter(title=ROUND_2025).exists():
        return
    selection = _round(
        secretariat,
        title=ROUND_2025,
        kind="research_result",
        year=2025,
        entries=ENTRIES_2025,
        close=datetime.date(2025, 10, 31),
    )
    order = {e.pk: i for i, e in enumerate(selection.entries.order_by("created_at", "id"))}
    for a in selection.assignments.filter(status=AssignmentStatus.INVITED).select_related(
        "expert__user", "entry"
    ):
        _review(a, SCORES[order[a.entry_id]], submit=True)
    services.round_transition(selection=selection, action="publish", actor=secretariat)
    first = selection.entries.filter(award="first").first()
    if first is not None:
        services.entry_set_result(entry=first, award="first", showcase=True, actor=secretariat)
    objection = services.objection_file(
        selection=selection,
        cmd=commands.ObjectionFile.build(
            name="李先生",
            contact="13805350000",
            reasons="希望公开各项目的评审指标和评分规则，便于成员单位了解。",
        ),
        actor=SYSTEM,  # the demo's visitor, who needs no account
    )
    answer = commands.ObjectionAnswer.build(
        outcome="dismissed", response="评审指标和权重已在评选通知中公布，本次评选按规则进行，结果维持不变。"
    )
    services.objection_respond(objection=objection, cmd=answer, actor=secretariat)
    # The 2025 公示 ended long ago: move its window into the past before finalising.
    start = timezone.make_aware(datetime.datetime(2025, 12, 10, 9, 0))
    SelectionRound.objects.filter(pk=selection.pk).update(
        publicity_starts_at=start, publicity_ends_at=start + datetime.timedelta(days=7)
    )
    Objection.objects.filter(pk=objection.pk).update(
        created_at=start + datetime.timedelta(days=2), responded_at=start + datetime.timedelta(days=4)
    )
    selection.refresh_from_db()
    services.round_transition(selection=selection, action="finalise", actor=secretariat)
    SelectionRound.objects.filter(pk=selection.pk).update(finalised_at=start + datetime.timedelta(days=8))


@without_mail()
def load(*, accounts: bool = True) -> str:
    secretariat = User.objects.filter(username="demo-secretariat").first()
    if secretariat is None:
        secretariat = User.objects.filter(roles__role=Role.SECRETARIAT).first()
    if secretariat is None:
        return "skipped (no secretariat account)"
    _reviewers(secretariat, accounts)
    liu = Expert.objects.filter(user__username="demo-expert").first()
    n = _call(secretariat)
    _round_2026(secretariat, liu)
    _round_2025(secretariat)
    return f"topic call with {n} proposals, 2 selection rounds"

"""Demo data of the libraries for the seven cities: the advisory committee, experts, projects in every
stage with landings, achievements (with showcase items) and consultations. Idempotent."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from lianmeng.accounts.models import Role, User
from lianmeng.core.mail_switch import without_mail
from lianmeng.core.models import City
from lianmeng.membership.models import Organization

from .catalog import ensure_default_catalogues
from .models import (
    Achievement,
    CommitteeMembership,
    Consultation,
    ConsultationAnswer,
    ConsultationAssignment,
    ConsultationStatus,
    Expert,
    ExpertiseField,
    Landing,
    Project,
    ProjectStage,
    ProjectStageChange,
    StrategyTag,
)
from .services import achievement_index_fields, expert_index_fields, project_index_fields

TERM = (datetime.date(2025, 12, 2), datetime.date(2028, 12, 1))

# name, organization, city, title, position, fields, keywords, post (or ""), mobile, consent
EXPERTS = [
    (
        "刘教授",
        "中国海洋大学",
        "370200",
        "senior",
        "管理学院教授",
        ["人力资源管理", "劳动关系"],
        "蓝色经济人才、海洋产业用工、劳动关系",
        "chair",
        "13905320001",
        True,
    ),
    (
        "王立新",
        "青岛大学",
        "370200",
        "senior",
        "商学院教授",
        ["人力资源服务业政策", "劳动经济"],
        "人力资源服务业、产业政策",
        "vice_chair",
        "13905320002",
        True,
    ),
    (
        "孙晓梅",
        "烟台大学",
        "370600",
        "senior",
        "劳动与社会保障系主任",
        ["社会保障", "劳动经济"],
        "社会保障、就业质量",
        "vice_chair",
        "13905350003",
        True,
    ),
    (
        "赵国华",
        "青岛市人力资源发展研究院",
        "370200",
        "senior",
        "研究员",
        ["人力资源服务业政策", "产业园区规划与运营"],
        "产业园区、政策评估",
        "member",
        "13905320004",
        True,
    ),
    (
        "陈静",
        "潍坊学院",
        "370700",
        "associate",
        "副教授",
        ["职业技能培训", "人力资源管理"],
        "技能人才、产教融合",
        "member",
        "13905360005",
        True,
    ),
    (
        "李明远",
        "山东大学（威海）",
        "371000",
        "senior",
        "教授",
        ["数字化人力资源", "人才测评与选拔"],
        "数字化招聘、人才测评、日韩人才",
        "member",
        "13905310006",
        True,
    ),
    (
        "周海燕",
        "滨州学院",
        "371600",
        "associate",
        "副教授",
        ["劳动经济", "灵活用工"],
        "灵活用工、县域就业",
        "member",
        "13905430007",
        True,
    ),
    (
        "吴志强",
        "东营职业学院",
        "370500",
        "associate",
        "继续教育学院院长",
        ["职业技能培训"],
        "石化技能培训、职业教育",
        "member",
        "13905460008",
        True,
    ),
    (
        "郑丽",
        "烟台市人才发展研究中心",
        "370600",
        "senior",
        "主任",
        ["人才测评与选拔", "人力资源服务标准"],
        "人才评价、标准化",
        "member",
        "13905350009",
        True,
    ),
    (
        "冯涛",
        "潍坊市劳动科学研究所",
        "370700",
        "associate",
        "所长",
        ["劳动关系"],
        "劳动争议、集体协商",
        "member",
        "13905360010",
        False,
    ),
    (
        "何雪",
        "日照市标准化协会",
        "371100",
        "intermediate",
        "秘书长",
        ["人力资源服务标准"],
        "服务标准、认证",
        "member",
        "13905330011",
        True,
    ),
    (
        "马骏",
        "青岛蓝海人才创投基金管理有限公司",
        "370200",
        "senior",
        "合伙人",
        ["人才金融与投资"],
        "人力资源服务投资、企业孵化",
        "member",
        "13905320012",
        True,
    ),
    (
        "高原",
        "青岛英才人力资源有限公司",
        "370200",
        "intermediate",
        "总经理",
        ["灵活用工", "数字化人力资源"],
        "招聘流程外包、猎头",
        "",
        "13905320013",
        True,
    ),
    (
        "林晓",
        "烟台众和人力资源服务有限公司",
        "370600",
        "intermediate",
        "副总经理",
        ["灵活用工"],
        "劳务派遣、灵活用工",
        "",
        "13905350014",
        True,
    ),
    (
        "宋文博",
        "潍坊智聘网络科技有限公司",
        "370700",
        "intermediate",
        "技术总监",
        ["数字化人力资源"],
        "招聘平台、人工智能匹配",
        "",
        "13905360015",
        True,
    ),
    (
        "黄海鹰",
        "威海海联人力资源开发有限公司",
        "371000",
        "associate",
        "董事长",
        ["人力资源服务业政策"],
        "日韩企业服务、跨境人才",
        "",
        "13905310016",
        True,
    ),
    (
        "谢琳",
        "滨州渤海人才服务有限公司",
        "371600",
        "intermediate",
        "培训总监",
        ["职业技能培训"],
        "产业工人培训、乡村振兴",
        "",
        "13905430017",
        True,
    ),
    (
        "曹建国",
        "东营黄河口人力资源有限公司",
        "370500",
        "associate",
        "总经理",
        ["人力资源管理"],
        "石化人才、专业技术人员",
        "",
        "13905460018",
        False,
    ),
    (
        "彭悦",
        "日照市人力资源服务产业园",
        "371100",
        "intermediate",
        "园区运营主管",
        ["产业园区规划与运营"],
        "园区招商、港口物流用工",
        "",
        "13905330019",
        True,
    ),
    (
        "许诺",
        "中国潍坊人力资源服务产业园",
        "370700",
        "associate",
        "园区副主任",
        ["产业园区规划与运营"],
        "园区运营、农业人才",
        "",
        "13905360020",
        True,
    ),
    (
        "邓宁",
        "青岛市人力资源管理学会",
        "370200",
        "senior",
        "副会长",
        ["人力资源管理", "人才测评与选拔"],
        "组织发展、人才盘点",
        "",
        "13905320021",
        True,
    ),
    (
        "韩磊",
        "中国烟台人力资源服务产业园",
        "370600",
        "intermediate",
        "企业服务部部长",
        ["灵活用工", "产业园区规划与运营"],
        "园区企业服务、先进制造用工",
        "",
        "13905350022",
        True,
    ),
]

# name, lead, partners, cities, strategies, integration, investment, stage, summary, landings [(city, park, date, investment, jobs)]
PROJECTS = [
    (
        "胶东人力资源服务数字化协同平台",
        "中国青岛人力资源服务产业园",
        ["中国烟台人力资源服务产业园", "潍坊智聘网络科技有限公司"],
        ["370200", "370600", "370700"],
        ["东西部协作"],
        ["technology"],
        "2800",
        ProjectStage.OPERATING,
        "建设七市共享的岗位、人才和培训数据平台，实现园区间招聘信息互通、业务协同。",
        [
            ("370200", "中国青岛人力资源服务产业园", "2026-03-18", "1600", 220),
            ("370600", "中国烟台人力资源服务产业园", "2026-05-10", "700", 90),
        ],
    ),
    (
        "蓝色海洋产业人才飞地",
        "青岛西海岸新区人力资源服务产业园",
        ["中国海洋大学", "威海市人力资源服务产业园"],
        ["370200", "371000"],
        ["一带一路"],
        ["industry", "technology"],
        "1500",
        ProjectStage.LANDED,
        "面向海洋装备和海洋食品企业，在青岛、威海共建“人才飞地”，柔性引进高层次人才。",
        [
            ("370200", "青岛西海岸新区人力资源服务产业园", "2026-06-06", "900", 150),
            ("371000", "威海市人力资源服务产业园", "2026-08-20", "600", 80),
        ],
    ),
    (
        "乡村振兴劳务品牌培育计划",
        "寿光市人力资源服务产业园",
        ["滨州市人力资源服务产业园", "莒县人力资源服务产业园"],
        ["370700", "371600", "371100"],
        ["乡村振兴"],
        ["industry"],
        "600",
        ProjectStage.LANDED,
        "培育“寿光菜农”“渤海技工”等劳务品牌，组织返乡就业和技能培训。",
        [
            ("370700", "寿光市人力资源服务产业园", "2025-12-20", "300", 500),
            ("371600", "滨州市人力资源服务产业园", "2026-04-15", "200", 320),
            ("371100", "莒县人力资源服务产业园", "2026-09-01", "100", 180),
        ],
    ),
    (
        "人力资源服务产业投资基金",
        "青岛蓝海人才创投基金管理有限公司",
        ["中国青岛人力资源服务产业园"],
        ["370200"],
        [],
        ["capital"],
        "20000",
        ProjectStage.INCUBATING,
        "设立专注人力资源服务业的产业基金，投资园区内成长型企业。",
        [],
    ),
    (
        "东西部协作劳务对接站",
        "日照市人力资源服务产业园",
        ["日照经济技术开发区人力资源服务产业园"],
        ["371100"],
        ["东西部协作"],
        ["industry"],
        "350",
        ProjectStage.EVALUATING,
        "在协作地区设立劳务对接站，为港口物流和钢铁企业稳定输送产业工人。",
        [],
    ),
    (
        "石化行业技能人才实训基地",
        "东营市人力资源服务产业园",
        ["东营职业学院"],
        ["370500"],
        [],
        ["industry", "technology"],
        "1200",
        ProjectStage.PROPOSED,
        "依托东营职业学院建设石化行业实训基地，开展订单式培养。",
        [],
    ),
    (
        "跨境人才服务中心",
        "威海海联人力资源开发有限公司",
        [],
        ["371000"],
        ["一带一路"],
        ["industry"],
        "400",
        ProjectStage.CLOSED,
        "为日韩在威企业提供跨境人才招聘和派遣服务。",
        [],
    ),
]

# kind, title, authors, organizations, year, abstract, keywords, visibility, awards, showcase
ACHIEVEMENTS = [
    (
        "research_report",
        "胶东经济圈人力资源服务业发展报告（2026）",
        "王立新、赵国华、孙晓梅",
        ["青岛大学", "青岛市人力资源发展研究院"],
        2026,
        "系统梳理七市人力资源服务业规模、结构和园区发展情况，提出协同发展路径。",
        "人力资源服务业、胶东经济圈、产业园",
        "public",
        "优秀科研成果一等奖",
        True,
    ),
    (
        "typical_case",
        "中国青岛人力资源服务产业园“一站式”园区服务典型案例",
        "陈园区",
        ["中国青岛人力资源服务产业园"],
        2026,
        "园区以企业需求为导向，建设一站式服务大厅，实现入园企业政策兑现“一次办好”。",
        "园区服务、营商环境",
        "public",
        "典型案例",
        True,
    ),
    (
        "application_scenario",
        "数字化招聘在先进制造业园区的应用场景",
        "宋文博、李明远",
        ["潍坊智聘网络科技有限公司", "山东大学（威海）"],
        2026,
        "以人岗智能匹配缩短制造业企业招聘周期。",
        "数字化招聘、人岗匹配",
        "public",
        "",
        True,
    ),
    (
        "standard",
        "人力资源服务产业园服务规范",
        "何雪、郑丽",
        ["日照市标准化协会", "烟台市人才发展研究中心"],
        2025,
        "规定产业园区基础设施、入园企业服务和运营管理要求。",
        "服务标准、产业园",
        "public",
        "",
        False,
    ),
    (
        "patent",
        "一种基于岗位画像的人才匹配方法",
        "李明远",
        ["山东大学（威海）"],
        2025,
        "",
        "人才匹配、岗位画像",
        "public",
        "",
        False,
    ),
    (
        "software_copyright",
        "园区企业服务管理系统 V1.0",
        "高原",
        ["青岛英才人力资源有限公司"],
        2025,
        "",
        "园区管理、软件",
        "members",
        "",
        False,
    ),
    (
        "paper",
        "人力资源服务业集聚对区域就业质量的影响",
        "孙晓梅、周海燕",
        ["烟台大学", "滨州学院"],
        2025,
        "基于七市面板数据的实证研究。",
        "产业集聚、就业质量",
        "public",
        "",
        False,
    ),
    (
        "policy_advice",
        "关于支持人力资源服务业参与乡村振兴的建议",
        "刘教授、谢琳",
        ["中国海洋大学", "滨州渤海人才服务有限公司"],
        2026,
        "提出劳务品牌培育、返乡创业服务等五项建议。",
        "乡村振兴、劳务品牌",
        "members",
        "",
        False,
    ),
    (
        "research_report",
        "灵活用工平台合规指引（内部稿）",
        "冯涛",
        ["潍坊市劳动科学研究所"],
        2026,
        "平台用工合规风险与应对。",
        "灵活用工、合规",
        "private",
        "",
        False,
    ),
]


def _org(name: str) -> Organization | None:
    return Organization.objects.filter(name=name).first()


@without_mail()
def load(*, accounts: bool = True) -> str:
    ensure_default_catalogues()
    fields = {f.name: f for f in ExpertiseField.objects.all()}
    tags = {t.name: t for t in StrategyTag.objects.all()}
    secretariat = User.objects.filter(roles__role=Role.SECRETARIAT).first()
    today = timezone.localdate()
    experts: dict[str, Expert] = {}
    for name, org_name, city, title, position, field_names, keywords, post, mobile, consent in EXPERTS:
        expert = Expert.objects.filter(name=name).first() or Expert(name=name)
        org = _org(org_name)
        expert.organization = org
        expert.organization_name = org_name
        expert.city = City.objects.get(pk=city)
        expert.title = title
        expert.position = position
        expert.keywords = keywords
        expert.biography = f"{name}，{org_name}{position}，长期从事{'、'.join(field_names)}研究与实践。"
        expert.mobile = mobile
        expert.email = f"expert{mobile[-4:]}@example.cn"
        expert.publish_consent = consent
        expert.consented_at = expert.consented_at or (timezone.now() if consent else None)
        if name == "刘教授" and accounts:
            expert.user = User.objects.filter(username="demo-expert").first()
        expert_index_fields(expert, field_names)
        expert.save()
        expert.fields.set([fields[f] for f in field_names if f in fields])
        if post and not expert.committee_terms.exists():
            CommitteeMembership.objects.create(expert=expert, post=post, term_start=TERM[0], term_end=TERM[1])
        experts[name] = expert
    # Declared conflicts: the chair declared one with a firm he advises.
    firm = _org("青岛英才人力资源有限公司")
    if firm:
        experts["刘教授"].declared_conflicts.add(firm)
    for index, (
        name,
        lead,
        partners,
        city_codes,
        strategies,
        integration,
        investment,
        stage,
        summary,
        landings,
    ) in enumerate(PROJECTS):
        lead_org = _org(lead)
        if lead_org is None or Project.objects.filter(name=name).exists():
            continue
        project = Project(
            name=name,
            summary=summary,
            lead_organization=lead_org,
            integration_tags="," + ",".join(integration) + ",",
            planned_investment=Decimal(investment),
            stage=stage,
            closed_reason="合作方调整业务方向，项目终止。" if stage == ProjectStage.CLOSED else "",
        )
        partner_orgs = [o for o in (_org(p) for p in partners) if o]
        cities = list(City.objects.filter(pk__in=city_codes))
        strategy_tags = [tags[t] for t in strategies if t in tags]
        project_index_fields(project, partners=partner_orgs, cities=cities, tags=strategy_tags)
        project.save()
        project.partner_organizations.set(partner_orgs)
        project.cities.set(cities)
        project.strategy_tags.set(strategy_tags)
        path = [
            ProjectStage.PROPOSED,
            ProjectStage.EVALUATING,
            ProjectStage.INCUBATING,
            ProjectStage.LANDED,
            ProjectStage.OPERATING,
        ]
        steps = (
            path[: path.index(stage) + 1] if stage in path else [ProjectStage.PROPOSED, ProjectStage.CLOSED]
        )
        start = datetime.date(2025, 12, 10) + datetime.timedelta(days=9 * index)
        previous = ""
        for n, step in enumerate(steps):
            ProjectStageChange.objects.create(
                project=project,
                from_stage=previous,
                to_stage=step,
                date=min(today, start + datetime.timedelta(days=40 * n)),
                actor=secretariat if n else None,
            )
            previous = step
        for city, park, date, amount, jobs in landings:
            Landing.objects.create(
                project=project,
                city_id=city,
                park=_org(park),
                date=datetime.date.fromisoformat(date),
                investment=Decimal(amount),
                jobs=jobs,
                actor=secretariat,
            )
    for (
        kind,
        title,
        authors,
        org_names,
        year,
        abstract,
        keywords,
        visibility,
        awards,
        showcase,
    ) in ACHIEVEMENTS:
        if Achievement.objects.filter(title=title).exists():
            continue
        orgs = [o for o in (_org(n) for n in org_names) if o]
        a = Achievement(
            kind=kind,
            title=title,
            authors=authors,
            owner_organization=orgs[0] if orgs else None,
            year=year,
            abstract=abstract,
            keywords=keywords,
            visibility=visibility,
            awards=awards,
            showcase=showcase,
            showcase_year=year if showcase else None,
            source="selection" if awards else "",
            source_reference="2026 年度优秀科研成果评选" if awards else "",
            application_scenarios="在七市人力资源服务产业园推广应用。" if showcase else "",
            publisher=orgs[0].name if orgs else "",
            identifier="ZL 2025 1 0123456.7"
            if kind == "patent"
            else ("T/RZBX 001—2025" if kind == "standard" else ""),
        )
        achievement_index_fields(a, orgs)
        a.save()
        a.organizations.set(orgs)
    _consultations(experts, today)
    return (
        f"{len(EXPERTS)} experts, {len(PROJECTS)} projects, {len(ACHIEVEMENTS)} achievements, consultations"
    )


def _consultations(experts: dict[str, Expert], today: datetime.date) -> None:
    park = _org("中国青岛人力资源服务产业园")
    weifang = _org("中国潍坊人力资源服务产业园")
    rizhao = _org("日照市人力资源服务产业园")
    contact = User.objects.filter(username="demo-member").first()
    rows = [
        (
            park,
            "园区引进海洋产业高层次人才的政策设计",
            "我园计划面向海洋装备企业推出人才引进专项政策，请专家就补贴方式和考核指标提出建议。",
            "人力资源服务业政策",
            ConsultationStatus.ASSIGNED,
            ["刘教授"],
            10,
        ),
        (
            weifang,
            "平台灵活用工的劳动关系认定",
            "园区内平台企业采用灵活用工，如何降低劳动关系认定风险？",
            "劳动关系",
            ConsultationStatus.ANSWERED,
            ["王立新"],
            -5,
        ),
        (
            rizhao,
            "港口物流企业技能培训补贴申报",
            "请问港口物流企业开展职业技能培训，如何申报补贴？",
            "职业技能培训",
            ConsultationStatus.SUBMITTED,
            [],
            3,
        ),
    ]
    for org, title, question, field_name, status, names, due_in in rows:
        if org is None or Consultation.objects.filter(title=title).exists():
            continue
        c = Consultation.objects.create(
            organization=org,
            asked_by=contact if org == park else None,
            title=title,
            question=question,
            field=ExpertiseField.objects.filter(name=field_name).first(),
            due_date=today + datetime.timedelta(days=due_in),
            status=status,
        )
        for name in names:
            ConsultationAssignment.objects.create(consultation=c, expert=experts[name])
        if status == ConsultationStatus.ANSWERED:
            ConsultationAnswer.objects.create(
                consultation=c,
                expert=experts[names[0]],
                text="建议区分平台与劳动者之间的管理关系强弱：对接受平台较强管理的，依法签订劳动合同；对自主决定工作时间的，签订书面协议并参加职业伤害保障。",
            )

"""Demo market of the seed alliance: about sixty posts in the ten categories and seven cities, and
matchmaking requests in every state with their meetings and outcomes (idempotent)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from lianmeng.activities.demo import link_demo_projects
from lianmeng.activities.models import Event
from lianmeng.core.actors import SYSTEM
from lianmeng.core.mail_switch import without_mail
from lianmeng.core.models import City
from lianmeng.membership.models import Organization

from . import integrations
from .market import open_post
from .models import MatchRequest, Meeting, Outcome, RequestStatus, Resource, ResourceStatus, SessionSlot

QD, YT, WF, WH, RZ, BZ, DY = "370200", "370600", "370700", "371000", "371100", "371600", "370500"
ALL = [QD, YT, WF, WH, RZ, BZ, DY]
AREA_CODES = {QD: "0532", YT: "0535", WF: "0536", WH: "0631", RZ: "0633", BZ: "0543", DY: "0546"}

# (organization, direction, category, title, description, cities, tags, strategy tags, days ago)
POSTS: list[tuple[str, str, str, str, str, list[str], list[str], list[str], int]] = [
    ("中国青岛人力资源服务产业园", "demand", "finance", "园区入驻企业股权融资需求",
     "园区 12 家数字化招聘、人才测评企业寻求天使轮至 A 轮股权投资，单笔 300—2000 万元，用于人力资源信息化平台研发与市场拓展。",
     [QD], ["投融资", "数字化", "园区"], [], 3),
    ("中国青岛人力资源服务产业园", "demand", "talent", "招聘高级人力资源数据分析师",
     "园区公共服务平台建设需要熟悉劳动力市场数据、会用 Python 做分析的数据分析师 3 名，可提供人才公寓。",
     [QD], ["人才引进", "数据", "招聘"], [], 8),
    ("中国青岛人力资源服务产业园", "supply", "services", "园区开放共享直播带岗演播室",
     "园区直播带岗演播室对联盟成员免费开放，配备导播与主持团队，可承接企业招聘直播、政策宣讲。",
     ALL, ["直播", "招聘", "平台"], ["乡村振兴"], 15),
    ("中国青岛人力资源服务产业园", "demand", "research", "寻求人力资源服务业统计监测课题合作",
     "园区拟建立入驻机构营收、服务人次等指标的统计监测体系，寻求高校或科研院所联合开展课题研究。",
     [QD], ["科研", "统计", "课题"], [], 20),
    ("青岛蓝海人才创投基金管理有限公司", "supply", "finance", "人力资源服务业股权投资基金",
     "蓝海人才创投基金规模 5 亿元，重点投资数字化招聘、灵活用工平台、人才测评等人力资源服务创新企业，单笔 500—3000 万元。",
     [QD, YT, WH], ["投融资", "数字化", "股权投资"], [], 5),
    ("青岛蓝海人才创投基金管理有限公司", "supply", "finance", "人才贷与知识产权质押融资对接",
     "联合合作银行为高层次人才创业企业提供人才贷、知识产权质押融资咨询与对接服务。",
     ALL, ["投融资", "人才贷", "知识产权"], [], 30),
    ("青岛西海岸新区人力资源服务产业园", "demand", "talent", "海洋装备制造企业技能人才需求",
     "新区海洋装备制造企业急需焊工、电工、数控操作工等技能人才 200 余名，欢迎劳务协作与培训机构对接。",
     [QD], ["技能", "制造业", "海洋经济"], ["东西部协作"], 6),
    ("青岛高新区人力资源服务产业园", "supply", "policy", "高新区高层次人才引进政策解读服务",
     "提供高新区人才引进、博士后工作站设立等政策解读与申报辅导，全程免费。",
     [QD], ["政策申报", "人才引进"], [], 25),
    ("中国海洋大学", "supply", "academia", "人力资源管理专业实习实训合作",
     "管理学院人力资源管理专业每年 60 余名本科生寻求实习基地，可与园区共建实训基地。",
     [QD, YT, WH], ["高校", "实习", "校企合作"], [], 12),
    ("中国海洋大学", "supply", "research", "劳动力市场与人才流动研究团队",
     "海大人力资源研究团队长期从事劳动力市场、人才流动与统计监测研究，可承接园区与政府委托课题。",
     ALL, ["科研", "统计", "课题"], [], 18),
    ("青岛大学", "supply", "academia", "青岛大学就业创业指导课程进园区",
     "青大就业指导中心可为园区企业员工和求职者开设职业规划、创业指导系列课程。",
     [QD], ["培训", "职业规划", "高校"], [], 40),
    ("青岛市人力资源发展研究院", "supply", "research", "人力资源服务产业园绩效评价方法",
     "研究院形成了产业园区绩效评价指标体系和评估方法，可为园区提供评估和改进建议。",
     ALL, ["科研", "园区", "评价"], [], 22),
    ("青岛英才人力资源有限公司", "supply", "services", "招聘流程外包与中高端人才寻访",
     "为制造业、海洋经济企业提供招聘流程外包、中高端人才寻访服务，平均 30 天交付。",
     [QD, WF, RZ], ["招聘", "猎头", "制造业"], [], 9),
    ("青岛市人力资源服务行业协会", "supply", "award", "青岛市人力资源服务优秀机构评选",
     "协会年度优秀机构、优秀项目评选开始申报，获奖机构在行业年会表彰并优先推荐联盟评选。",
     [QD], ["奖励", "评选", "行业"], [], 35),
    ("半岛人才周刊社", "supply", "services", "联盟成员宣传报道与专题策划",
     "为联盟成员提供人才政策、园区活动的宣传报道与专题策划，覆盖纸媒和新媒体矩阵。",
     ALL, ["宣传", "媒体"], [], 45),
    ("中国烟台人力资源服务产业园", "demand", "services", "先进制造业企业灵活用工服务需求",
     "园区周边汽车零部件企业旺季用工缺口 500 人，寻求灵活用工、劳务派遣服务机构合作。",
     [YT], ["灵活就业", "制造业", "派遣"], [], 4),
    ("中国烟台人力资源服务产业园", "supply", "application", "园区智慧就业服务平台应用场景开放",
     "园区开放智慧就业服务平台作为应用场景，欢迎人工智能简历解析、岗位推荐等技术企业入场试点。",
     [YT], ["应用场景", "人工智能", "平台"], [], 14),
    ("烟台经济技术开发区人力资源服务产业园", "demand", "talent", "开发区企业日韩语翻译人才需求",
     "开发区日韩资企业需要日语、韩语翻译及外贸人才 40 名，欢迎高校与人才服务机构对接。",
     [YT], ["跨境", "人才引进", "招聘"], ["一带一路"], 10),
    ("烟台市芝罘区人力资源服务产业园", "demand", "policy", "老城区园区提质升级政策咨询",
     "园区计划申报省级人力资源服务产业园，需要政策咨询与申报材料辅导。",
     [YT], ["政策申报", "园区"], [], 28),
    ("烟台大学", "supply", "talent", "劳动与社会保障专业毕业生推荐",
     "烟台大学劳动与社会保障专业 2026 届毕业生 80 名，欢迎园区与企业提供岗位。",
     [YT, WH, QD], ["招聘", "高校", "青年"], [], 7),
    ("烟台市人才发展研究中心", "supply", "research", "人才评价改革研究与咨询",
     "中心开展人才分类评价、职称评审改革研究，可为企业自主评价提供方案设计。",
     [YT], ["科研", "人才评价"], [], 33),
    ("烟台众和人力资源服务有限公司", "supply", "services", "劳务派遣与灵活用工全流程服务",
     "众和人力拥有 3000 人灵活用工储备，提供劳务派遣、岗位外包和用工风险管理服务。",
     [YT, WF, WH], ["灵活就业", "派遣", "制造业"], [], 11),
    ("烟台市人力资源服务行业协会", "supply", "competition", "胶东人力资源服务技能大赛报名",
     "协会承办胶东人力资源服务技能大赛，设招聘师、劳动关系协调员两个赛项，欢迎七市组队参赛。",
     ALL, ["大赛", "技能"], [], 16),
    ("中国潍坊人力资源服务产业园", "demand", "industry", "动力装备产业链人力资源服务项目招引",
     "园区拟引进服务动力装备产业链的测评、培训、外包机构，提供三年房租减免。",
     [WF], ["园区", "招商引资", "制造业"], [], 5),
    ("中国潍坊人力资源服务产业园", "supply", "industry", "园区招商：人力资源服务机构入驻优惠",
     "园区面向全省招引人力资源服务机构，入驻即享办公用房三年减免、营收奖励。",
     [WF], ["园区", "招商引资"], [], 19),
    ("潍坊高新区人力资源服务产业园", "demand", "academia", "寻求高校共建产教融合实训基地",
     "高新区企业需要智能制造方向的实训基地，寻求高校与职业院校共建产教融合基地。",
     [WF], ["高校", "校企合作", "智能制造"], [], 9),
    ("寿光市人力资源服务产业园", "demand", "talent", "蔬菜产业农业技术人才需求",
     "寿光蔬菜种业企业需要农业技术员、种业研发人员 50 名，欢迎农业院校与人才机构对接。",
     [WF], ["农业", "人才引进", "乡村振兴"], ["乡村振兴"], 6),
    ("寿光市人力资源服务产业园", "supply", "services", "乡村振兴劳务品牌培育经验分享",
     "园区培育“寿光菜农”劳务品牌，可向联盟成员分享返乡创业与劳务输出服务经验。",
     ALL, ["乡村振兴", "劳务品牌"], ["乡村振兴", "东西部协作"], 24),
    ("潍坊学院", "supply", "academia", "潍坊学院订单班与定向培养",
     "潍坊学院可与园区企业开设订单班，定向培养机械制造、电子商务方向人才。",
     [WF], ["高校", "校企合作", "职业教育"], [], 13),
    ("潍坊市劳动科学研究所", "supply", "research", "劳动关系与薪酬调查服务",
     "劳科所每年发布区域薪酬调查报告，可为园区企业提供薪酬对标与劳动关系咨询。",
     [WF, DY, BZ], ["科研", "薪酬", "咨询"], [], 27),
    ("潍坊智聘网络科技有限公司", "supply", "application", "区域线上招聘平台接入园区",
     "智聘平台注册求职者 60 万，可为园区提供线上招聘会、岗位推荐系统接入。",
     [WF, QD, YT], ["招聘", "平台", "数字化"], [], 8),
    ("潍坊市人力资源服务协会", "demand", "finance", "会员机构数字化转型贷款需求",
     "协会 30 家会员机构有数字化转型需求，寻求银行或基金提供低息贷款与融资支持。",
     [WF], ["投融资", "数字化"], [], 12),
    ("威海市人力资源服务产业园", "demand", "talent", "面向日韩企业的国际化人才需求",
     "园区服务的日韩企业需要懂外语的国际化人才和外籍人才服务机构。",
     [WH], ["跨境", "人才引进"], ["一带一路"], 7),
    ("威海市人力资源服务产业园", "supply", "policy", "威海外籍人才来华工作许可办理指导",
     "园区窗口提供外国人来华工作许可、人才签证办理指导，可为联盟成员企业代办。",
     [WH], ["政策申报", "跨境"], ["一带一路"], 21),
    ("荣成市人力资源服务产业园", "demand", "services", "海洋食品加工企业季节性用工服务",
     "荣成海洋食品加工企业每年 9—12 月需季节性工人 800 名，寻求劳务协作与派遣服务。",
     [WH], ["灵活就业", "海洋经济", "派遣"], ["东西部协作"], 4),
    ("威海市文登区人力资源服务产业园", "demand", "research", "县域人力资源服务业发展规划编制",
     "园区需编制县域人力资源服务业发展规划，寻求研究机构合作。",
     [WH], ["科研", "规划", "园区"], [], 17),
    ("山东大学（威海）", "supply", "academia", "山大威海韩国语、日语专业人才",
     "山东大学（威海）翻译学院可推荐日语、韩语专业毕业生，并开展企业外语培训。",
     [WH, YT, QD], ["高校", "跨境", "招聘"], [], 10),
    ("威海海联人力资源开发有限公司", "supply", "talent", "日韩企业人才寻访与外籍人才服务",
     "海联人力为日韩企业提供国际化人才寻访、外籍人才落地服务，合作企业 200 余家。",
     [WH, YT], ["跨境", "猎头", "人才引进"], ["一带一路"], 9),
    ("威海市人力资源服务行业协会", "supply", "award", "威海市诚信人力资源服务机构认定",
     "协会开展诚信服务机构认定，获认定机构可在联盟平台展示。",
     [WH], ["奖励", "诚信"], [], 38),
    ("日照市人力资源服务产业园", "demand", "talent", "港口物流企业专业人才需求",
     "日照港及物流企业需要港口调度、物流管理、冷链运营人才 120 名。",
     [RZ], ["物流", "人才引进", "招聘"], [], 5),
    ("日照市人力资源服务产业园", "supply", "services", "钢铁企业员工技能提升培训",
     "园区联合培训机构为钢铁企业提供员工技能提升培训，可申请职业技能培训补贴。",
     [RZ], ["培训", "技能", "制造业"], [], 23),
    ("日照经济技术开发区人力资源服务产业园", "demand", "finance", "园区公共实训基地建设资金需求",
     "开发区园区拟建 5000 平方米公共实训基地，寻求政策性资金与社会资本合作。",
     [RZ], ["投融资", "园区", "技能"], [], 11),
    ("莒县人力资源服务产业园", "supply", "services", "县域劳务协作与返乡就业服务",
     "莒县园区组织县域劳动力外出务工与返乡就业，可向联盟成员稳定输送一线工人。",
     [RZ, QD, WF], ["劳务协作", "灵活就业", "乡村振兴"], ["乡村振兴", "东西部协作"], 14),
    ("日照市标准化协会", "supply", "research", "人力资源服务地方标准制定",
     "协会可组织人力资源服务机构开展地方标准、团体标准研制与宣贯。",
     ALL, ["标准", "科研"], [], 30),
    ("滨州市人力资源服务产业园", "demand", "services", "铝业集群企业招聘外包需求",
     "园区服务的铝业企业年招聘需求 1500 人，寻求招聘流程外包与测评服务机构。",
     [BZ], ["招聘", "外包", "制造业"], [], 6),
    ("邹平市人力资源服务产业园", "demand", "academia", "产业工人学历提升合作院校",
     "邹平园区组织产业工人学历提升，寻求高职院校开设成人学历教育班。",
     [BZ], ["高校", "职业教育"], [], 18),
    ("博兴县人力资源服务产业园", "demand", "application", "商用厨具产业数字化用工平台试点",
     "园区寻求数字化用工平台在商用厨具产业集群开展试点，提供真实用工场景。",
     [BZ], ["应用场景", "数字化", "灵活就业"], [], 9),
    ("滨州学院", "supply", "academia", "滨州学院航空与化工专业人才培养合作",
     "滨州学院可与企业合作开展航空、化工专业人才订单培养。",
     [BZ, DY], ["高校", "校企合作"], [], 26),
    ("滨州渤海人才服务有限公司", "supply", "talent", "技能人才培训与定向输送",
     "渤海人才每年培训焊工、电工等技能人才 2000 人次，可向企业定向输送。",
     [BZ, DY, WF, QD], ["技能", "培训", "制造业"], [], 7),
    ("东营市人力资源服务产业园", "demand", "talent", "石化新材料企业研发人才需求",
     "东营石化新材料企业需要化工工艺、材料研发工程师 60 名。",
     [DY], ["人才引进", "新能源", "制造业"], [], 5),
    ("东营市人力资源服务产业园", "supply", "competition", "黄河三角洲创新创业大赛",
     "园区承办黄河三角洲创新创业大赛人力资源服务赛道，获奖项目可入驻园区孵化。",
     ALL, ["大赛", "创业"], [], 20),
    ("东营经济技术开发区人力资源服务产业园", "demand", "policy", "开发区人才政策兑现流程优化",
     "开发区希望借鉴兄弟城市经验，优化人才政策兑现流程，寻求政策研究与咨询服务。",
     [DY], ["政策申报", "咨询"], [], 15),
    ("广饶县人力资源服务产业园", "demand", "services", "轮胎橡胶企业员工培训服务需求",
     "广饶轮胎企业需要安全生产、班组长管理培训，每年约 3000 人次。",
     [DY], ["培训", "制造业", "技能"], [], 8),
    ("东营职业学院", "supply", "academia", "东营职院石化专业技能培训",
     "东营职业学院可为企业开展石油化工专业技能培训与鉴定。",
     [DY, BZ], ["职业教育", "技能", "培训"], [], 12),
    ("东营黄河口人力资源有限公司", "supply", "services", "石化行业专业人才寻访",
     "黄河口人力专注石化行业工程师、技术管理人才寻访，储备人才库 1.2 万人。",
     [DY, BZ, WF], ["猎头", "招聘", "制造业"], [], 10),
    ("青岛市人力资源和社会保障局", "supply", "policy", "青岛市人力资源服务业发展扶持政策",
     "青岛市对新认定的人力资源服务产业园、领军机构给予资金扶持，申报截止 12 月底。",
     [QD], ["政策申报", "园区"], [], 9),
    ("烟台市人力资源和社会保障局", "supply", "award", "烟台市人力资源服务业领军人才评选",
     "面向全市人力资源服务机构负责人开展领军人才评选，入选者给予资助。",
     [YT], ["奖励", "评选"], [], 31),
    ("潍坊市人力资源和社会保障局", "supply", "policy", "潍坊市就业见习补贴政策",
     "企业吸纳青年就业见习可按规定申领见习补贴，园区可统一组织申报。",
     [WF], ["政策申报", "青年"], [], 16),
    ("中国海洋大学", "demand", "application", "人力资源管理课程案例征集",
     "管理学院征集园区与企业的人力资源服务真实案例，用于课程教学与案例研究。",
     ALL, ["应用场景", "科研", "高校"], [], 19),
    ("青岛蓝海人才创投基金管理有限公司", "demand", "competition", "寻找优质人力资源服务创业项目路演",
     "基金寻求创新创业大赛、园区路演活动合作，发掘早期人力资源服务创业项目。",
     ALL, ["大赛", "投融资", "创业"], [], 13),
]  # fmt: skip

# (requester organization, target post title, requester's own post title or "", message, status,
#  outcome, amount (万元), placed, meetings [(days ago, mode, place, notes)], days ago)
REQUESTS: list[tuple[str, str, str, str, str, str, str, int | None, list[tuple[int, str, str, str]], int]] = [
    ("中国青岛人力资源服务产业园", "人力资源服务业股权投资基金", "园区入驻企业股权融资需求",
     "园区有多家数字化招聘企业正在融资，希望安排项目路演。", RequestStatus.PENDING, "", "", None, [], 2),
    ("青岛英才人力资源有限公司", "招聘高级人力资源数据分析师", "招聘流程外包与中高端人才寻访",
     "我司人才库中有多名劳动力市场数据分析方向的候选人，可一周内推荐。", RequestStatus.PENDING, "", "", None, [], 1),
    ("中国海洋大学", "寻求人力资源服务业统计监测课题合作", "劳动力市场与人才流动研究团队",
     "团队有劳动力市场统计监测的研究基础，愿意联合申报课题。", RequestStatus.ACCEPTED, "", "", None,
     [(3, "onsite", "青岛人服园 3 楼会议室", "确定了课题框架与分工，下月提交申报书。")], 9),
    ("烟台众和人力资源服务有限公司", "先进制造业企业灵活用工服务需求", "劳务派遣与灵活用工全流程服务",
     "我司可在两周内组织 300 名灵活用工人员到岗。", RequestStatus.CONCLUDED, Outcome.AGREEMENT, "180", None,
     [(20, "onsite", "烟台人服园", "现场考察用工企业。"), (12, "online", "腾讯会议", "确认报价与服务协议条款。")], 30),
    ("莒县人力资源服务产业园", "海洋食品加工企业季节性用工服务", "县域劳务协作与返乡就业服务",
     "莒县可组织季节性务工人员，希望建立长期劳务协作。", RequestStatus.CONCLUDED, Outcome.TALENT_PLACED, "", 260,
     [(25, "onsite", "荣成市人服园", "签订劳务协作框架协议。")], 40),
    ("威海海联人力资源开发有限公司", "面向日韩企业的国际化人才需求", "日韩企业人才寻访与外籍人才服务",
     "海联人力有成熟的日韩人才库，可提供寻访服务。", RequestStatus.CONCLUDED, Outcome.PROJECT_CREATED, "", None,
     [(18, "onsite", "威海市人服园", "商定共建“胶东国际人才服务中心”项目。")], 35),
    ("滨州渤海人才服务有限公司", "轮胎橡胶企业员工培训服务需求", "", "", RequestStatus.DECLINED, "", "", None, [], 14),
    ("青岛英才人力资源有限公司", "铝业集群企业招聘外包需求", "招聘流程外包与中高端人才寻访",
     "英才人力有制造业招聘外包经验，希望承接部分岗位。", RequestStatus.CONCLUDED, Outcome.NO_DEAL, "", None,
     [(10, "online", "视频会议", "对方更倾向本地服务机构。")], 21),
    ("潍坊智聘网络科技有限公司", "园区智慧就业服务平台应用场景开放", "区域线上招聘平台接入园区",
     "智聘平台的岗位推荐系统希望在园区试点。", RequestStatus.ACCEPTED, "", "", None, [], 6),
    ("青岛蓝海人才创投基金管理有限公司", "会员机构数字化转型贷款需求", "人才贷与知识产权质押融资对接",
     "可联合合作银行为会员机构提供人才贷方案。", RequestStatus.CONCLUDED, Outcome.AGREEMENT, "1500", None,
     [(15, "onsite", "潍坊市人服园", "与 8 家会员机构逐一面谈。")], 28),
]  # fmt: skip

DECLINE_REASON = "本年度培训计划已确定，明年再联系。"


def _org(name: str) -> Organization:
    return Organization.objects.get(name=name)


def _session_demo() -> None:
    """The held 胶东人力资源服务资源对接会 (activities demo): the demo's accepted and concluded requests
    had a slot there, and those with an outcome a meeting, so its statistics have something to count."""
    event = Event.objects.filter(title="胶东人力资源服务资源对接会", kind="matchmaking").first()
    if event is None or SessionSlot.objects.filter(event=event).exists():
        return
    requests = MatchRequest.objects.filter(
        status__in=[RequestStatus.ACCEPTED, RequestStatus.CONCLUDED]
    ).order_by("pk")[:6]
    slot = datetime.timedelta(minutes=20)
    for i, req in enumerate(requests):
        starts = event.starts_at + i * slot
        SessionSlot.objects.create(
            event=event, request=req, starts_at=starts, ends_at=starts + slot, table=f"{i % 3 + 1} 号洽谈桌"
        )
        if req.outcome:
            Meeting.objects.create(
                request=req,
                mode=Meeting.Mode.SESSION,
                event_id=event.pk,
                held_at=starts,
                place=event.venue,
                notes="对接会现场一对一洽谈。",
            )


@without_mail()
def load(*, accounts: bool = True) -> str:
    today = timezone.localdate()
    now = timezone.now()
    cities = {c.pk: c for c in City.objects.all()}
    made = 0
    for org_name, direction, category, title, desc, city_codes, tags, strategy, days_ago in POSTS:
        if Resource.objects.filter(title=title).exists():
            continue
        org = _org(org_name)
        resource = open_post(
            direction,
            category,
            title,
            desc,
            org,
            tags,
            strategy_tags=strategy,
            valid_from=today - datetime.timedelta(days=days_ago),
            valid_until=today + datetime.timedelta(days=120 - days_ago),
            contact_name=f"{org.short_name or org.name}联络人",
            contact_phone=f"{AREA_CODES.get(org.city_id, '0532')}-8{days_ago:03d}{len(title):04d}",
            contact_email=f"contact{org.pk}@example.cn",
        )
        resource.save()
        Resource.objects.filter(pk=resource.pk).update(created_at=now - datetime.timedelta(days=days_ago))
        resource.cities.set([cities[c] for c in city_codes])
        made += 1
    requests = 0
    for (
        requester,
        target_title,
        own_title,
        message,
        status,
        outcome,
        amount,
        placed,
        meetings,
        days_ago,
    ) in REQUESTS:
        target = Resource.objects.get(title=target_title)
        org = _org(requester)
        if MatchRequest.objects.filter(resource=target, requester_organization=org).exists():
            continue
        created = now - datetime.timedelta(days=days_ago)
        req = MatchRequest.objects.create(
            resource=target,
            from_resource=Resource.objects.filter(title=own_title).first() if own_title else None,
            requester_organization=org,
            message=message or f"{org.short_name or org.name}希望就“{target.title}”开展合作，盼复。",
            status=status,
            last_activity_at=created,
        )
        if status != RequestStatus.PENDING:
            req.responded_at = created + datetime.timedelta(days=1)
            req.response_message = DECLINE_REASON if status == RequestStatus.DECLINED else "欢迎来访洽谈。"
        for m_days, mode, place, notes in meetings:
            Meeting.objects.create(
                request=req,
                mode=mode,
                held_at=now - datetime.timedelta(days=m_days, hours=-10),
                place=place,
                notes=notes,
            )
        if outcome:
            req.outcome = outcome
            req.outcome_amount = Decimal(amount) if amount else None
            req.outcome_count = placed
            req.outcome_at = now - datetime.timedelta(days=max(1, days_ago - 20))
            req.outcome_note = (
                "双方已签署协议。" if outcome != Outcome.NO_DEAL else "对方更倾向本地服务机构。"
            )
            if outcome == Outcome.PROJECT_CREATED and integrations.available():
                req.project_id = integrations.project_create_for_request(
                    request=req, name="胶东国际人才服务中心共建项目", actor=SYSTEM
                )
            if outcome != Outcome.NO_DEAL:
                Resource.objects.filter(pk__in=[target.pk, req.from_resource_id]).update(
                    status=ResourceStatus.MATCHED, status_reason="已通过对接请求达成合作"
                )
        req.last_activity_at = req.outcome_at or req.responded_at or created
        req.save()
        MatchRequest.objects.filter(pk=req.pk).update(created_at=created)
        requests += 1
    _session_demo()
    link_demo_projects()  # the library's demo has run by now (INSTALLED_APPS order)
    return f"{made} resources, {requests} matchmaking requests"

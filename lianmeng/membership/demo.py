"""Demo members of the seed alliance and the demo accounts (password ``lianmeng-demo``)."""

from __future__ import annotations

import datetime

from django.core.files.base import ContentFile
from django.utils import timezone

from lianmeng.accounts.models import Role, RoleAssignment, User
from lianmeng.accounts.two_factor import DEMO_RECOVERY_CODES, DEMO_TOTP_SECRET, demo_device
from lianmeng.core.demo_support import DEMO_PASSWORD, make_uscc
from lianmeng.core.mail_switch import without_mail
from lianmeng.core.models import City

from . import models
from .services import organization_index_fields

FOUNDED = datetime.date(2025, 12, 2)

# (city code, name, short name, kind, tier, description)
MEMBERS: list[tuple[str, str, str, str, str, str]] = [
    # The seven founding bureaus
    (
        "370200",
        "青岛市人力资源和社会保障局",
        "青岛市人社局",
        "bureau",
        "founding",
        "联盟发起单位，负责全市人力资源和社会保障工作。",
    ),
    ("370600", "烟台市人力资源和社会保障局", "烟台市人社局", "bureau", "founding", "联盟发起单位。"),
    ("370700", "潍坊市人力资源和社会保障局", "潍坊市人社局", "bureau", "founding", "联盟发起单位。"),
    ("371000", "威海市人力资源和社会保障局", "威海市人社局", "bureau", "founding", "联盟发起单位。"),
    ("371100", "日照市人力资源和社会保障局", "日照市人社局", "bureau", "founding", "联盟发起单位。"),
    ("371600", "滨州市人力资源和社会保障局", "滨州市人社局", "bureau", "founding", "联盟发起单位。"),
    ("370500", "东营市人力资源和社会保障局", "东营市人社局", "bureau", "founding", "联盟发起单位。"),
    # Parks: at least three per city
    (
        "370200",
        "中国青岛人力资源服务产业园",
        "青岛人服园",
        "park",
        "council",
        "国家级人力资源服务产业园，集聚招聘、培训、人才测评、人力资源外包等业态。",
    ),
    (
        "370200",
        "青岛西海岸新区人力资源服务产业园",
        "西海岸人服园",
        "park",
        "ordinary",
        "服务西海岸新区先进制造业与海洋经济的人才需求。",
    ),
    (
        "370200",
        "青岛高新区人力资源服务产业园",
        "高新区人服园",
        "park",
        "ordinary",
        "聚焦高层次人才引进和科技人才服务。",
    ),
    (
        "370600",
        "中国烟台人力资源服务产业园",
        "烟台人服园",
        "park",
        "council",
        "国家级人力资源服务产业园，服务烟台先进制造业。",
    ),
    (
        "370600",
        "烟台经济技术开发区人力资源服务产业园",
        "烟台开发区人服园",
        "park",
        "ordinary",
        "面向开发区企业提供灵活用工与技能培训服务。",
    ),
    (
        "370600",
        "烟台市芝罘区人力资源服务产业园",
        "芝罘人服园",
        "park",
        "ordinary",
        "老城区人力资源服务业集聚区。",
    ),
    (
        "370700",
        "中国潍坊人力资源服务产业园",
        "潍坊人服园",
        "park",
        "council",
        "国家级人力资源服务产业园，服务动力装备、农业等产业。",
    ),
    (
        "370700",
        "潍坊高新区人力资源服务产业园",
        "潍坊高新人服园",
        "park",
        "ordinary",
        "服务潍坊高新区企业的人才引育。",
    ),
    (
        "370700",
        "寿光市人力资源服务产业园",
        "寿光人服园",
        "park",
        "ordinary",
        "服务蔬菜产业和乡村振兴的人力资源服务园区。",
    ),
    (
        "371000",
        "威海市人力资源服务产业园",
        "威海人服园",
        "park",
        "council",
        "省级人力资源服务产业园，面向日韩开放合作。",
    ),
    ("371000", "荣成市人力资源服务产业园", "荣成人服园", "park", "ordinary", "服务海洋食品与船舶产业用工。"),
    (
        "371000",
        "威海市文登区人力资源服务产业园",
        "文登人服园",
        "park",
        "ordinary",
        "县域人力资源服务集聚区。",
    ),
    (
        "371100",
        "日照市人力资源服务产业园",
        "日照人服园",
        "park",
        "council",
        "服务港口物流与钢铁产业的人力资源服务园区。",
    ),
    (
        "371100",
        "日照经济技术开发区人力资源服务产业园",
        "日照开发区人服园",
        "park",
        "ordinary",
        "开发区企业用工服务平台。",
    ),
    ("371100", "莒县人力资源服务产业园", "莒县人服园", "park", "ordinary", "县域劳务协作与返乡就业服务。"),
    ("371600", "滨州市人力资源服务产业园", "滨州人服园", "park", "council", "服务铝业、纺织等产业集群。"),
    ("371600", "邹平市人力资源服务产业园", "邹平人服园", "park", "ordinary", "县域产业工人培训与输送。"),
    ("371600", "博兴县人力资源服务产业园", "博兴人服园", "park", "ordinary", "服务商用厨具与板材产业用工。"),
    (
        "370500",
        "东营市人力资源服务产业园",
        "东营人服园",
        "park",
        "council",
        "服务石化与新材料产业的人力资源服务园区。",
    ),
    (
        "370500",
        "东营经济技术开发区人力资源服务产业园",
        "东营开发区人服园",
        "park",
        "ordinary",
        "开发区人才服务平台。",
    ),
    ("370500", "广饶县人力资源服务产业园", "广饶人服园", "park", "ordinary", "服务橡胶轮胎产业用工。"),
    # Associations
    (
        "370200",
        "青岛市人力资源服务行业协会",
        "青岛人服协会",
        "association",
        "council",
        "全市人力资源服务机构的行业组织。",
    ),
    (
        "370600",
        "烟台市人力资源服务行业协会",
        "烟台人服协会",
        "association",
        "ordinary",
        "行业自律与标准推广。",
    ),
    ("370700", "潍坊市人力资源服务协会", "潍坊人服协会", "association", "ordinary", "组织行业培训与评优。"),
    ("371000", "威海市人力资源服务行业协会", "威海人服协会", "association", "ordinary", "推动行业诚信建设。"),
    # Universities
    (
        "370200",
        "中国海洋大学",
        "中国海大",
        "university",
        "council",
        "教育部直属重点大学，设有管理学院人力资源管理专业。",
    ),
    ("370200", "青岛大学", "青大", "university", "ordinary", "山东省重点建设大学。"),
    ("370600", "烟台大学", "烟大", "university", "ordinary", "设有劳动与社会保障专业。"),
    ("370700", "潍坊学院", "潍院", "university", "ordinary", "服务地方经济的应用型本科高校。"),
    ("371000", "山东大学（威海）", "山大威海", "university", "ordinary", "山东大学威海校区。"),
    ("371600", "滨州学院", "滨院", "university", "ordinary", "应用型本科高校。"),
    ("370500", "东营职业学院", "东营职院", "university", "ordinary", "高等职业院校，开展职业技能培训。"),
    # Research institutes, academic society, standards body
    (
        "370200",
        "青岛市人力资源发展研究院",
        "青岛人力研究院",
        "research_institute",
        "ordinary",
        "开展人力资源市场与产业政策研究。",
    ),
    (
        "370600",
        "烟台市人才发展研究中心",
        "烟台人才研究中心",
        "research_institute",
        "ordinary",
        "人才发展与评价研究。",
    ),
    (
        "370700",
        "潍坊市劳动科学研究所",
        "潍坊劳科所",
        "research_institute",
        "ordinary",
        "劳动关系与就业研究。",
    ),
    (
        "370200",
        "青岛市人力资源管理学会",
        "青岛人力学会",
        "academic_society",
        "ordinary",
        "人力资源管理学术交流。",
    ),
    (
        "371100",
        "日照市标准化协会",
        "日照标协",
        "standards_body",
        "ordinary",
        "推动人力资源服务标准制定与实施。",
    ),
    # Platforms, enterprises, finance, media
    (
        "370200",
        "青岛英才人力资源有限公司",
        "英才人力",
        "enterprise",
        "ordinary",
        "提供招聘流程外包与高级人才寻访。",
    ),
    (
        "370600",
        "烟台众和人力资源服务有限公司",
        "众和人力",
        "enterprise",
        "ordinary",
        "劳务派遣与灵活用工服务。",
    ),
    ("370700", "潍坊智聘网络科技有限公司", "智聘科技", "platform", "ordinary", "区域性线上招聘平台。"),
    (
        "371000",
        "威海海联人力资源开发有限公司",
        "海联人力",
        "enterprise",
        "ordinary",
        "面向日韩企业的人才服务。",
    ),
    ("371600", "滨州渤海人才服务有限公司", "渤海人才", "enterprise", "ordinary", "技能人才培训与输送。"),
    (
        "370500",
        "东营黄河口人力资源有限公司",
        "黄河口人力",
        "enterprise",
        "ordinary",
        "石化行业专业人才服务。",
    ),
    (
        "370200",
        "青岛蓝海人才创投基金管理有限公司",
        "蓝海创投",
        "financial_institution",
        "ordinary",
        "投资人力资源服务领域的创新企业。",
    ),
    ("370200", "半岛人才周刊社", "半岛人才", "media", "ordinary", "报道胶东地区人才与就业资讯。"),
]

DEMO_ACCOUNTS: list[tuple[str, str, str, str | None]] = [
    # username, name, role, scope (organization name or city code)
    ("demo-admin", "系统管理员", Role.ADMINISTRATOR, None),
    ("demo-secretariat", "王秘书", Role.SECRETARIAT, None),
    ("demo-council", "李理事", Role.COUNCIL_REPRESENTATIVE, "中国青岛人力资源服务产业园"),
    ("demo-coordinator", "张联络", Role.CITY_COORDINATOR, "370200"),
    ("demo-expert", "刘教授", Role.EXPERT, "中国海洋大学"),
    ("demo-member", "陈园区", Role.MEMBER_CONTACT, "中国青岛人力资源服务产业园"),
]

APPLICATIONS = [
    (
        "370200",
        "青岛海智人力资源科技有限公司",
        "enterprise",
        "赵海",
        "13806421234",
        models.ApplicationStatus.SUBMITTED,
        "",
        models.Tier.ORDINARY,
    ),
    (
        "370600",
        "烟台蓝色人才驿站",
        "platform",
        "孙蓝",
        "13905351234",
        models.ApplicationStatus.RETURNED,
        "请上传加盖公章的承诺书扫描件。",
        models.Tier.ORDINARY,
    ),
    (
        "370700",
        "潍坊市职业技能培训协会",
        "association",
        "周培",
        "13706361234",
        models.ApplicationStatus.FORWARDED,
        "",
        models.Tier.COUNCIL,  # governance/demo.py puts it to the council (an open admission motion)
    ),
    (
        "371100",
        "日照港湾人力资源服务有限公司",
        "enterprise",
        "钱港",
        "13806331234",
        models.ApplicationStatus.SUBMITTED,
        "",
        models.Tier.COUNCIL,  # governance/demo.py forwards it, the council passes it, the secretariat admits it
    ),
]

_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _org(
    city: str, name: str, short: str, kind: str, tier: str, desc: str, index: int
) -> models.Organization:
    org = models.Organization.objects.filter(name=name).first() or models.Organization(name=name)
    org.short_name = short
    org.uscc = org.uscc or make_uscc(name, division=city, kind=kind)
    org.kind = kind
    org.city = City.objects.get(pk=city)
    org.tier = tier
    org.status = models.OrganizationStatus.ACTIVE
    org.description = desc
    org.address = org.address or f"{org.city.name}市"
    org.joined_on = (
        FOUNDED if tier == models.Tier.FOUNDING else FOUNDED + datetime.timedelta(days=7 * (index % 40))
    )
    organization_index_fields(org)
    is_new = org.pk is None
    org.save()
    if is_new:
        models.MembershipEvent.objects.create(
            organization=org, kind=models.MembershipEvent.Kind.ADMITTED, date=org.joined_on
        )
    return org


def _account(username: str, name: str, role: str, scope: str | None) -> User:
    user = User.objects.filter(username=username).first() or User(username=username)
    user.display_name = name
    user.email = f"{username}@lianmeng.example.cn"
    user.is_staff = role == Role.ADMINISTRATOR
    user.is_superuser = role == Role.ADMINISTRATOR
    user.set_password(DEMO_PASSWORD)
    user.save()
    organization = city = None
    if scope and scope.isdigit():
        city = City.objects.get(pk=scope)
    elif scope:
        organization = models.Organization.objects.get(name=scope)
    RoleAssignment.objects.get_or_create(user=user, role=role, organization=organization, city=city)
    if role in (Role.ADMINISTRATOR, Role.SECRETARIAT):
        # Two-factor sign-in is required for these roles: the published demo secret and recovery codes.
        demo_device(user)
    return user


@without_mail()
def load(*, accounts: bool = True) -> str:
    for index, (city, name, short, kind, tier, desc) in enumerate(MEMBERS):
        _org(city, name, short, kind, tier, desc, index)
    if accounts:
        for username, name, role, scope in DEMO_ACCOUNTS:
            _account(username, name, role, scope)
    for city, name, kind, contact, mobile, status, message, tier in APPLICATIONS:
        if models.MembershipApplication.objects.filter(name=name).exists():
            continue
        application = models.MembershipApplication.objects.create(
            name=name,
            uscc=make_uscc(name, division=city, kind=kind),
            kind=kind,
            requested_tier=tier,
            city_id=city,
            contact_name=contact,
            contact_mobile=mobile,
            contact_email=f"{mobile}@example.cn",
            status=status,
            submitted_at=timezone.now() - datetime.timedelta(days=3),
            description=f"{name}申请加入联盟。",
        )
        if status != models.ApplicationStatus.RETURNED:
            application.letter.save("letter.pdf", ContentFile(_PDF), save=False)
            application.letter_content_type = "application/pdf"
            application.save()
        models.ApplicationReview.objects.create(
            application=application, action=models.ApplicationReview.Action.SUBMIT
        )
        if status == models.ApplicationStatus.RETURNED:
            models.ApplicationReview.objects.create(
                application=application, action=models.ApplicationReview.Action.RETURN, message=message
            )
        if status == models.ApplicationStatus.FORWARDED:
            models.ApplicationReview.objects.create(
                application=application, action=models.ApplicationReview.Action.FORWARD
            )
    return f"{len(MEMBERS)} organizations, {len(APPLICATIONS)} applications" + (
        f", {len(DEMO_ACCOUNTS)} demo accounts (password {DEMO_PASSWORD}; demo-admin and"
        f" demo-secretariat also ask for a code: recovery code {DEMO_RECOVERY_CODES[0]}, or the"
        f" authenticator secret {DEMO_TOTP_SECRET}, see README)"
        if accounts
        else ""
    )

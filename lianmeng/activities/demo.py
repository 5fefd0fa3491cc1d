"""Demo events of the current year for the seven cities (idempotent: events are keyed by title).

This year's plenary is held; each city has its summit or forum (most held, some scheduled for the
weeks ahead, 东营's only a draft: at risk); parks have themed activities; the Qingdao park's next
activity is full with a waitlist, and people checked in at the held Qingdao summit.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from lianmeng.accounts.models import User
from lianmeng.core.mail_switch import without_mail
from lianmeng.library.models import Project, ProjectStage
from lianmeng.membership.models import Organization

from .models import Audience, Event, EventKind, EventStatus, Registration, RegistrationStatus


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=timezone.get_default_timezone())


def _past(fraction: float) -> datetime.date:
    """A day in the elapsed part of this year (fraction 0..1 of the days since 1 January)."""
    today = timezone.localdate()
    start = datetime.date(today.year, 1, 1)
    elapsed = max((today - start).days - 2, 1)
    return start + datetime.timedelta(days=int(elapsed * fraction))


def _ahead(days: int) -> datetime.date:
    """A day ahead but inside this year (the compliance view reads the current year)."""
    today = timezone.localdate()
    end = datetime.date(today.year, 12, 31)
    return min(today + datetime.timedelta(days=days), end)


# (title, kind, organizer name, when, status, capacity, venue, audience)
EVENTS: list[tuple[str, str, str, Any, str, int | None, str, str]] = [
    (
        "联盟理事会全会",
        EventKind.PLENARY,
        "青岛市人力资源和社会保障局",
        ("past", 0.30),
        EventStatus.HELD,
        120,
        "青岛国际会议中心",
        Audience.INVITED,
    ),
    (
        "胶东暨蓝区人力资源服务峰会",
        EventKind.SUMMIT,
        "中国青岛人力资源服务产业园",
        ("past", 0.55),
        EventStatus.HELD,
        300,
        "青岛国际会议中心 2 号厅",
        Audience.PUBLIC,
    ),
    (
        "青岛人力资源服务业创新论坛",
        EventKind.FORUM,
        "青岛市人力资源服务行业协会",
        ("ahead", 0),
        EventStatus.PUBLISHED,
        80,
        "青岛市人力资源服务行业协会报告厅",
        Audience.PUBLIC,
    ),
    (
        "烟台先进制造业人才发展论坛",
        EventKind.FORUM,
        "中国烟台人力资源服务产业园",
        ("past", 0.62),
        EventStatus.HELD,
        200,
        "烟台国际博览中心",
        Audience.PUBLIC,
    ),
    (
        "潍坊人力资源服务与乡村振兴论坛",
        EventKind.FORUM,
        "中国潍坊人力资源服务产业园",
        ("past", 0.48),
        EventStatus.HELD,
        150,
        "潍坊富华大酒店会议中心",
        Audience.PUBLIC,
    ),
    (
        "威海中日韩人力资源合作峰会",
        EventKind.SUMMIT,
        "威海市人力资源服务产业园",
        ("ahead", 12),
        EventStatus.PUBLISHED,
        200,
        "威海国际经贸交流中心",
        Audience.PUBLIC,
    ),
    (
        "日照港口物流人才论坛",
        EventKind.FORUM,
        "日照市人力资源服务产业园",
        ("past", 0.70),
        EventStatus.HELD,
        120,
        "日照国际会展中心",
        Audience.MEMBERS,
    ),
    (
        "滨州产业工人队伍建设论坛",
        EventKind.FORUM,
        "滨州市人力资源服务产业园",
        ("ahead", 18),
        EventStatus.PUBLISHED,
        100,
        "滨州市会展中心",
        Audience.PUBLIC,
    ),
    (
        "东营石化人才发展论坛",
        EventKind.FORUM,
        "东营市人力资源服务产业园",
        ("ahead", 25),
        EventStatus.DRAFT,
        100,
        "东营市人力资源服务产业园报告厅",
        Audience.PUBLIC,
    ),
    # Themed activities of the parks (N)
    (
        "青岛人服园“直播带岗”主题活动",
        EventKind.THEMED,
        "中国青岛人力资源服务产业园",
        ("past", 0.20),
        EventStatus.HELD,
        60,
        "中国青岛人力资源服务产业园 1 楼大厅",
        Audience.PUBLIC,
    ),
    (
        "胶东人力资源服务资源对接会",
        EventKind.MATCHMAKING,
        "中国青岛人力资源服务产业园",
        ("past", 0.60),
        EventStatus.HELD,
        120,
        "中国青岛人力资源服务产业园 3 楼洽谈区",
        Audience.MEMBERS,
    ),
    (
        "青岛人服园人力资源服务机构沙龙",
        EventKind.THEMED,
        "中国青岛人力资源服务产业园",
        ("ahead", 6),
        EventStatus.PUBLISHED,
        4,
        "中国青岛人力资源服务产业园 5 楼路演厅",
        Audience.PUBLIC,
    ),
    (
        "西海岸人服园海洋人才专场对接会",
        EventKind.THEMED,
        "青岛西海岸新区人力资源服务产业园",
        ("past", 0.66),
        EventStatus.HELD,
        80,
        "西海岸新区人才服务中心",
        Audience.PUBLIC,
    ),
    (
        "西海岸人服园灵活用工政策宣讲",
        EventKind.THEMED,
        "青岛西海岸新区人力资源服务产业园",
        ("past", 0.80),
        EventStatus.HELD,
        80,
        "西海岸新区人才服务中心",
        Audience.PUBLIC,
    ),
    (
        "高新区人服园高层次人才服务开放日",
        EventKind.THEMED,
        "青岛高新区人力资源服务产业园",
        ("ahead", 15),
        EventStatus.PUBLISHED,
        40,
        "青岛高新区人才大厦",
        Audience.PUBLIC,
    ),
    (
        "烟台人服园校企合作对接会",
        EventKind.THEMED,
        "中国烟台人力资源服务产业园",
        ("past", 0.35),
        EventStatus.HELD,
        100,
        "中国烟台人力资源服务产业园",
        Audience.PUBLIC,
    ),
    (
        "烟台人服园人力资源服务标准宣贯",
        EventKind.THEMED,
        "中国烟台人力资源服务产业园",
        ("past", 0.75),
        EventStatus.HELD,
        60,
        "中国烟台人力资源服务产业园",
        Audience.MEMBERS,
    ),
    (
        "潍坊人服园技能人才评价主题活动",
        EventKind.THEMED,
        "中国潍坊人力资源服务产业园",
        ("past", 0.58),
        EventStatus.HELD,
        80,
        "中国潍坊人力资源服务产业园",
        Audience.PUBLIC,
    ),
    (
        "寿光人服园乡村人才振兴主题活动",
        EventKind.THEMED,
        "寿光市人力资源服务产业园",
        ("ahead", 9),
        EventStatus.PUBLISHED,
        60,
        "寿光市人力资源服务产业园",
        Audience.PUBLIC,
    ),
    (
        "威海人服园日韩企业用工沙龙",
        EventKind.THEMED,
        "威海市人力资源服务产业园",
        ("past", 0.52),
        EventStatus.HELD,
        50,
        "威海市人力资源服务产业园",
        Audience.PUBLIC,
    ),
    (
        "日照人服园港口企业招聘周",
        EventKind.THEMED,
        "日照市人力资源服务产业园",
        ("past", 0.40),
        EventStatus.HELD,
        200,
        "日照市人力资源服务产业园",
        Audience.PUBLIC,
    ),
    (
        "日照人服园人力资源服务机构培训",
        EventKind.TRAINING,
        "日照市人力资源服务产业园",
        ("past", 0.60),
        EventStatus.HELD,
        60,
        "日照市人力资源服务产业园",
        Audience.MEMBERS,
    ),
    (
        "滨州人服园产业工人技能竞赛",
        EventKind.THEMED,
        "滨州市人力资源服务产业园",
        ("past", 0.45),
        EventStatus.CANCELLED,
        100,
        "滨州市人力资源服务产业园",
        Audience.PUBLIC,
    ),
    (
        "东营人服园石化专场招聘会",
        EventKind.THEMED,
        "东营市人力资源服务产业园",
        ("past", 0.50),
        EventStatus.HELD,
        300,
        "东营市人力资源服务产业园",
        Audience.PUBLIC,
    ),
    (
        "联盟成果应用场景展示",
        EventKind.SHOWCASE,
        "青岛市人力资源和社会保障局",
        ("ahead", 20),
        EventStatus.PUBLISHED,
        500,
        "青岛国际会展中心",
        Audience.PUBLIC,
    ),
]

SUMMARY = "活动按计划举办，与会单位围绕主题深入交流，达成多项合作意向。"
PEOPLE = ["王磊", "李娜", "张伟", "刘洋", "陈静", "杨帆", "赵敏", "孙浩", "周婷", "吴强", "郑爽", "冯涛"]


def _when(spec: tuple[str, float]) -> datetime.datetime:
    where, value = spec
    day = _past(value) if where == "past" else _ahead(int(value) if value else 3)
    return _at(day, 9, 30)


@without_mail()
def load(*, accounts: bool = True) -> str:
    orgs = {o.name: o for o in Organization.objects.filter(name__in={e[2] for e in EVENTS})}
    created = 0
    events: dict[str, Event] = {}
    for title, kind, organizer_name, when, status, capacity, venue, audience in EVENTS:
        organizer = orgs.get(organizer_name)
        if organizer is None:
            continue
        starts = _when(when)
        event = Event.objects.filter(title=title).first() or Event(title=title)
        created += event.pk is None
        event.kind = kind
        event.organizer = organizer
        event.city_id = organizer.city_id
        event.starts_at = starts
        event.ends_at = starts + datetime.timedelta(hours=3)
        event.venue = venue
        event.address = organizer.address or f"{organizer.city.name}市"
        event.capacity = capacity
        event.audience = audience
        event.status = status
        event.description = f"{title}由{organizer.name}主办，围绕人力资源服务业协同发展开展交流合作。"
        event.published_at = starts - datetime.timedelta(days=20) if status != EventStatus.DRAFT else None
        if status == EventStatus.HELD:
            event.summary = SUMMARY
            event.attendance = int((capacity or 50) * 0.8)
            event.outcomes = "签订合作协议 2 项，启动共建项目 1 个。"
            event.agreements_signed, event.projects_started = 2, 1
            event.held_at = event.ends_at + datetime.timedelta(days=1)
        if status == EventStatus.CANCELLED:
            event.cancel_reason = "因场地检修，活动取消，择期另行举办。"
            event.cancelled_at = starts - datetime.timedelta(days=5)
        event.save()
        events[title] = event
    partners = list(
        Organization.objects.filter(kind__in=["university", "research_institute"]).order_by("id")[:3]
    )
    summit = events.get("胶东暨蓝区人力资源服务峰会")
    if summit is not None:
        summit.partners.set(partners)
    _registrations(events)
    link_demo_projects()
    return f"{len(events)} events ({created} new)"


def link_demo_projects() -> int:
    """The held Qingdao summit's outcomes link two landed projects of the library, when the library's
    demo has run (it loads after this app, so ``lianmeng.matchmaking.demo`` calls this again)."""
    summit = Event.objects.filter(title="胶东暨蓝区人力资源服务峰会", status=EventStatus.HELD).first()
    if summit is None or summit.projects.exists():
        return 0
    projects = list(
        Project.objects.filter(stage__in=[ProjectStage.LANDED, ProjectStage.OPERATING]).order_by("id")[:2]
    )
    summit.projects.set(projects)
    return len(projects)


def _registrations(events: dict[str, Event]) -> None:
    """The Qingdao park's salon is full with two waitlisted; the held Qingdao summit has check-ins."""
    member = User.objects.filter(username="demo-member").first()
    park = Organization.objects.filter(name="中国青岛人力资源服务产业园").first()
    salon = events.get("青岛人服园人力资源服务机构沙龙")
    forum = events.get("青岛人力资源服务业创新论坛")
    summit = events.get("胶东暨蓝区人力资源服务峰会")
    for event, count, attended in ((salon, 6, 0), (forum, 5, 0), (summit, 10, 7)):
        if event is None or event.registrations.exists():
            continue
        for i in range(count):
            seated = event.capacity is None or i < event.capacity
            status = RegistrationStatus.REGISTERED if seated else RegistrationStatus.WAITLISTED
            if seated and i < attended:
                status = RegistrationStatus.ATTENDED
            Registration.objects.create(
                event=event,
                name=PEOPLE[i % len(PEOPLE)],
                mobile=f"1380532{event.pk % 100:02d}{i:02d}",
                organization=park if i % 2 == 0 else None,
                organization_name="" if i % 2 == 0 else "青岛英才人力资源有限公司",
                role="项目经理" if i % 3 else "部门负责人",
                status=status,
                registered_by=member if i % 2 == 0 else None,
                checked_in_at=event.starts_at if status == RegistrationStatus.ATTENDED else None,
            )

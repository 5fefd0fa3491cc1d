"""Demo governance of the seed alliance: the rotation from the founding date (Qingdao first), the
council (founding and council-tier members), a held plenary with minutes, motions in every state
(one open for demo-council to vote on), resolutions with tasks, notices with read receipts.

Everything goes through the services; only history (dates in the past) is set afterwards.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from lianmeng.accounts.models import Role, RoleAssignment, User
from lianmeng.core.actors import SYSTEM
from lianmeng.core.mail_switch import without_mail
from lianmeng.membership import services as membership_services
from lianmeng.membership.commands import ApplicationDecision
from lianmeng.membership.models import ApplicationStatus, MembershipApplication, Organization, Tier

from . import services
from .commands import (
    AttendanceRecord,
    CharterRevise,
    HandoverRecord,
    MeetingCreate,
    MinutesApprove,
    MinutesSave,
    MotionCreate,
    NoticeCreate,
    RotationPlanCreate,
    SeatCreate,
    TaskCreate,
    TaskUpdate,
    VoteCast,
)
from .models import (
    CharterVersion,
    CouncilSeat,
    Meeting,
    Motion,
    MotionKind,
    Notice,
    PresidencyHandover,
    RotationPlan,
    Task,
)

FOUNDED = datetime.date(2025, 12, 2)
# The alliance's own order of the seven founding bureaus (the seed's city order), Qingdao first.
ROTATION = ["370200", "370600", "370700", "371000", "371100", "371600", "370500"]
COUNCIL_PARK = "中国青岛人力资源服务产业园"
TZ = timezone.get_current_timezone()


def _at(day: datetime.date, hour: int = 9) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, 0, tzinfo=TZ)


def _office(accounts: bool) -> User:
    """The secretariat user the demo acts as (demo-secretariat, or a login-less system account)."""
    if accounts and User.objects.filter(username="demo-secretariat").exists():
        return User.objects.get(username="demo-secretariat")
    user, created = User.objects.get_or_create(
        username="lianmeng-secretariat", defaults={"display_name": "秘书处"}
    )
    if created:
        user.set_unusable_password()
        user.save()
    RoleAssignment.objects.get_or_create(user=user, role=Role.SECRETARIAT, organization=None, city=None)
    return user


def _representative(org: Organization, accounts: bool) -> User:
    if org.name == COUNCIL_PARK and accounts and User.objects.filter(username="demo-council").exists():
        return User.objects.get(username="demo-council")
    username = f"rep-{org.uscc[-8:].lower()}"
    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "display_name": f"{org.short_name or org.name}理事",
            "email": f"{username}@lianmeng.example.cn",
        },
    )
    if created:
        user.set_unusable_password()
        user.save()
    return user


def _plan(office: User) -> None:
    if RotationPlan.objects.exists():
        return
    bureaus = {o.city_id: o for o in Organization.objects.filter(kind="bureau", tier=Tier.FOUNDING)}
    services.rotation_plan_create(
        cmd=RotationPlanCreate.build(
            start_date=FOUNDED, term_months=12, order=[bureaus[c].pk for c in ROTATION]
        ),
        actor=office,
    )


def _seats(accounts: bool) -> list[CouncilSeat]:
    orgs = Organization.objects.filter(tier__in=[Tier.FOUNDING, Tier.COUNCIL]).order_by("name_sort")
    for org in orgs:
        if not CouncilSeat.objects.filter(organization=org).exists():
            post = "常务理事单位" if org.tier == Tier.FOUNDING else "理事单位"
            services.seat_create(
                cmd=SeatCreate.build(
                    organization=org.pk,
                    representative=_representative(org, accounts).pk,
                    starts_on=FOUNDED,
                    post=post,
                ),
                actor=SYSTEM,
            )
    return list(CouncilSeat.objects.select_related("representative", "organization").order_by("id"))


def _vote(motion: Motion, seat: CouncilSeat, choice: str, now: datetime.datetime | None = None) -> None:
    assert seat.representative is not None
    services.vote_cast(
        motion=motion, cmd=VoteCast.build(choice=choice, seat=seat.pk), actor=seat.representative, now=now
    )


def _decided_motion(
    *,
    office: User,
    title: str,
    text: str,
    kind: str,
    ballot: str,
    opens: datetime.datetime,
    closes: datetime.datetime,
    votes: list[tuple[CouncilSeat, str]],
    meeting: Meeting | None = None,
) -> Motion:
    """A motion voted on in the past: opened, voted at ``opens``, then closed at ``closes``."""
    motion = services.motion_create(
        cmd=MotionCreate.build(
            {
                "title": title,
                "text": text,
                "kind": kind,
                "ballot": ballot,
                "opens_at": opens,
                "closes_at": timezone.now() + datetime.timedelta(hours=1),
                "meeting": meeting.pk if meeting else None,
            }
        ),
        actor=office,
        open_now=True,
    )
    for seat, choice in votes:
        _vote(motion, seat, choice, now=opens)
    Motion.objects.filter(pk=motion.pk).update(closes_at=closes)  # history: the window ended then
    return services.motion_close(motion=Motion.objects.get(pk=motion.pk), actor=SYSTEM)


def _meetings_and_motions(office: User, seats: list[CouncilSeat]) -> None:
    if Meeting.objects.filter(kind="plenary").exists():
        return
    founding = services.meeting_create(
        cmd=MeetingCreate.build(
            {
                "kind": "plenary",
                "title": "联盟成立大会暨第一届理事会第一次全体会议",
                "starts_at": _at(FOUNDED, 9),
                "place": "青岛国际会议中心（第二十一届中国青岛蓝色经济国际人才暨产学研洽谈会期间）",
                "agenda": ["联盟揭牌", "审议通过《联盟章程》", "确定主席轮值顺序", "审议2026年工作要点"],
            }
        ),
        actor=office,
    )
    services.meeting_record_attendance(
        meeting=founding,
        cmd=AttendanceRecord.build(
            attendance=[
                {"seat": s.pk, "status": "proxy", "proxy_name": "王代表"}
                if i == 3
                else {"seat": s.pk, "status": "present"}
                for i, s in enumerate(seats)
            ]
        ),
        actor=office,
    )
    services.meeting_change_status(meeting=founding, action="hold", actor=office)
    services.meeting_save_minutes(
        meeting=founding,
        cmd=MinutesSave.build(
            minutes=(
                "2025年12月2日上午，联盟成立大会暨第一届理事会第一次全体会议在青岛召开。\n"
                "会议审议通过了《胶东暨蓝区人力资源服务产业（园区）发展联盟章程》，"
                "确定主席轮值顺序为青岛、烟台、潍坊、威海、日照、滨州、东营，每任一年，自青岛市人社局起。\n"
                "会议审议了2026年工作要点，要求秘书处制定年度活动计划并督办落实。"
            )
        ),
        actor=office,
    )
    opens = _at(FOUNDED, 10)
    closes = _at(FOUNDED, 11)
    charter = _decided_motion(
        office=office,
        title="关于审议通过《联盟章程》的议案",
        text="提请理事会审议通过《胶东暨蓝区人力资源服务产业（园区）发展联盟章程》。",
        kind="charter",
        ballot="open",
        opens=opens,
        closes=closes,
        votes=[(s, "for") for s in seats],
        meeting=founding,
    )
    mid = datetime.date(2026, 6, 18)
    ordinary = services.meeting_create(
        cmd=MeetingCreate.build(
            {
                "kind": "ordinary",
                "title": "第一届理事会第二次会议",
                "starts_at": _at(mid, 14),
                "online_link": "https://meeting.example.cn/lianmeng-2026-06",
                "agenda": ["批准第一次全体会议纪要", "审议2026年“1+7+N”活动计划", "审议增设专家咨询委员会"],
            }
        ),
        actor=office,
    )
    services.meeting_record_attendance(
        meeting=ordinary,
        cmd=AttendanceRecord.build(
            attendance=[
                {"seat": s.pk, "status": "absent" if i % 5 == 4 else "present"} for i, s in enumerate(seats)
            ]
        ),
        actor=office,
    )
    services.meeting_change_status(meeting=ordinary, action="hold", actor=office)
    services.meeting_approve_minutes(
        meeting=founding, cmd=MinutesApprove.build(at_meeting=ordinary.pk), actor=office
    )
    plan = _decided_motion(
        office=office,
        title="关于2026年“1+7+N”活动计划的议案",
        text="2026年举办理事会全会一次；七市各举办人力资源峰会或论坛至少一场；各产业园开展主题活动不少于3场。",
        kind="important",
        ballot="open",
        opens=_at(mid, 14),
        closes=_at(mid, 17),
        votes=[(s, "against" if i == 2 else "for") for i, s in enumerate(seats[: len(seats) - 2])],
        meeting=ordinary,
    )
    _decided_motion(
        office=office,
        title="关于推举联盟副秘书长单位的议案",
        text="推举中国烟台人力资源服务产业园为联盟副秘书长单位。",
        kind="ordinary",
        ballot="secret",
        opens=_at(mid, 15),
        closes=_at(mid, 17),
        votes=[(s, "for" if i % 3 == 0 else "against") for i, s in enumerate(seats[: len(seats) - 1])],
        meeting=ordinary,
    )
    _decided_motion(
        office=office,
        title="关于调整年度会费标准的议案",
        text="拟调整联盟年度会费标准（书面表决）。",
        kind="ordinary",
        ballot="open",
        opens=_at(datetime.date(2026, 9, 1), 9),
        closes=_at(datetime.date(2026, 9, 8), 18),
        votes=[(s, "for") for s in seats[:5]],
    )
    _tasks(office, charter, plan)
    _open_motions(office, seats)


def _tasks(office: User, charter: Motion, plan: Motion) -> None:
    today = timezone.localdate()
    orgs = {o.name: o for o in Organization.objects.all()}
    done = services.task_create(
        cmd=TaskCreate.build(
            {
                "title": "制定联盟秘书处工作规则",
                "owner_organization": orgs["青岛市人力资源和社会保障局"].pk,
                "due_on": today,
                "resolution": charter.resolution.pk,
            }
        ),
        actor=office,
    )
    services.task_update(
        task=done, cmd=TaskUpdate.build(action="complete", note="工作规则已印发。"), actor=office
    )
    overdue = services.task_create(
        cmd=TaskCreate.build(
            {
                "title": "报送各市年度峰会、论坛举办计划",
                "description": "七市人社局报送本市峰会、论坛的时间、地点和主题。",
                "owner_organization": orgs["烟台市人力资源和社会保障局"].pk,
                "due_on": today,
                "resolution": plan.resolution.pk,
            }
        ),
        actor=office,
    )
    Task.objects.filter(pk=overdue.pk).update(due_on=today - datetime.timedelta(days=12))  # history
    park = orgs[COUNCIL_PARK]
    in_progress = services.task_create(
        cmd=TaskCreate.build(
            {
                "title": "组织产业园主题活动（第四季度）",
                "owner_organization": park.pk,
                "due_on": today + datetime.timedelta(days=20),
                "resolution": plan.resolution.pk,
            }
        ),
        actor=office,
    )
    services.task_update(
        task=in_progress,
        cmd=TaskUpdate.build(action="start", note="已确定两场活动的主题和场地。"),
        actor=office,
    )
    services.task_create(
        cmd=TaskCreate.build(
            {
                "title": "汇编年度典型案例",
                "owner_organization": orgs["中国海洋大学"].pk,
                "due_on": today + datetime.timedelta(days=45),
            }
        ),
        actor=office,
    )


def _open_motions(office: User, seats: list[CouncilSeat]) -> None:
    now = timezone.now()
    agenda = services.motion_create(
        cmd=MotionCreate.build(
            {
                "title": "关于2026年度理事会全会议程的议案",
                "text": "2026年度理事会全会拟于12月中旬在烟台召开，议程包括：轮值主席交接、年度工作报告、2027年工作要点、表彰优秀成果。",
                "kind": "ordinary",
                "ballot": "open",
                "opens_at": now - datetime.timedelta(days=1),
                "closes_at": now + datetime.timedelta(days=5),
            }
        ),
        actor=office,
        open_now=True,
    )
    for seat in seats[:4]:
        if seat.organization.name != COUNCIL_PARK:
            _vote(agenda, seat, "for")
    _admissions(office, seats)
    services.motion_create(
        cmd=MotionCreate.build(
            {
                "title": "关于设立联盟专家咨询委员会的议案（草案）",
                "text": "设立胶东暨蓝区人力资源服务产业发展专家咨询委员会，委员由理事单位推荐。",
                "kind": "important",
                "ballot": "open",
                "opens_at": now + datetime.timedelta(days=10),
                "closes_at": now + datetime.timedelta(days=17),
            }
        ),
        actor=office,
    )
    services.meeting_create(
        cmd=MeetingCreate.build(
            {
                "kind": "plenary",
                "title": "2026年度联盟理事会全会",
                "starts_at": _at(datetime.date(2026, 12, 15), 9),
                "place": "烟台市人力资源服务产业园会议中心",
                "agenda": [
                    "轮值主席交接（青岛—烟台）",
                    "2026年工作报告",
                    "2027年工作要点",
                    "表彰年度优秀成果",
                ],
            }
        ),
        actor=office,
    )


def _admissions(office: User, seats: list[CouncilSeat]) -> None:
    """Admission decided by the council: one application forwarded with its motion open (two seats have
    voted, demo-council has not), one passed by the council and admitted with the resolution number."""
    forwarded = MembershipApplication.objects.filter(
        status=ApplicationStatus.FORWARDED, requested_tier=Tier.COUNCIL
    ).first()
    if forwarded is not None:
        motion = services.admission_motion_open(application=forwarded, actor=office)
        for seat in [s for s in seats if s.organization.name != COUNCIL_PARK][:2]:
            _vote(motion, seat, "for")
    submitted = MembershipApplication.objects.filter(
        status=ApplicationStatus.SUBMITTED, requested_tier=Tier.COUNCIL
    ).first()
    if submitted is not None:
        membership_services.application_review(
            application=submitted, cmd=ApplicationDecision.build(action="forward"), actor=office
        )
        motion = Motion.objects.get(application=submitted, status="open")
        for i, seat in enumerate(seats):
            choice = "abstain" if i == 1 else "for"
            _vote(motion, seat, choice)
        services.motion_close(motion=motion, actor=office)
        membership_services.application_review(
            application=submitted, cmd=ApplicationDecision.build(action="admit"), actor=office
        )


def _notices(office: User, seats: list[CouncilSeat]) -> None:
    if Notice.objects.exists():
        return
    today = timezone.localdate()
    plenary = services.notice_create(
        cmd=NoticeCreate.build(
            {
                "title": "关于召开2026年度联盟理事会全会的通知",
                "body": "各理事单位：\n经研究，定于2026年12月15日在烟台召开2026年度联盟理事会全会。请各单位确认参会人员，并于12月8日前报秘书处。",
                "audience": "tier",
                "audience_tier": "council",
                "read_by": today + datetime.timedelta(days=3),
            }
        ),
        actor=office,
        publish=True,
    )
    for index, seat in enumerate(seats):  # every other seat by position, not by id: the same on any database
        council_tier = seat.organization.tier == Tier.COUNCIL and seat.organization.name != COUNCIL_PARK
        if council_tier and index % 2 == 1 and seat.representative is not None:
            services.notice_mark_read(notice=plenary, actor=seat.representative)
    summit = services.notice_create(
        cmd=NoticeCreate.build(
            {
                "title": "关于报送2027年“1+7+N”活动计划的通知",
                "body": "各成员单位：\n请于12月20日前报送本单位2027年拟举办的峰会、论坛和主题活动计划。",
                "audience": "all",
                "read_by": today,
            }
        ),
        actor=office,
        publish=True,
    )
    for seat in seats[:6]:
        if seat.representative is not None:
            services.notice_mark_read(notice=summit, actor=seat.representative)
    services.notice_create(
        cmd=NoticeCreate.build(
            {
                "title": "关于征集青岛片区人力资源服务典型案例的通知",
                "body": "请青岛市各成员单位推荐人力资源服务典型案例。",
                "audience": "city",
                "audience_city": "370200",
                "read_by": today + datetime.timedelta(days=10),
            }
        ),
        actor=office,
        publish=True,
    )


CHARTER_V1 = """第一章 总则
第一条 本联盟名称为胶东暨蓝区人力资源服务产业（园区）发展联盟（以下简称“联盟”）。
第二条 联盟由青岛、烟台、潍坊、威海、日照、滨州、东营七市人力资源社会保障部门共同发起，人力资源服务产业园区、企业、高校、行业协会等自愿参加。
第三条 联盟坚持资源共享、优势互补、协同发展，推动胶东经济圈和蓝色经济区人力资源服务业高质量发展。
第二章 组织机构
第四条 联盟实行轮值主席制，由七市人力资源社会保障部门按约定顺序轮流担任轮值主席单位，每任一年。轮值主席的交接须经理事会决议确认。
第五条 理事会是联盟的决策机构，由常务理事单位和理事单位组成。一般事项经到会理事过半数同意通过；章程修改须经三分之二以上理事同意。
第六条 联盟设秘书处，负责日常工作，督办理事会决议事项。
第三章 成员
第七条 成员单位享有参加联盟活动、使用联盟资源、提出建议的权利，履行遵守章程、执行决议的义务。
第四章 附则
第八条 本章程经联盟成立大会暨第一届理事会第一次全体会议通过，自通过之日起施行。"""

CHARTER_V2_CLAUSE = (
    "第六条之一 联盟设专家咨询委员会，由高校、科研机构和行业专家组成，"
    "为联盟重大事项、课题研究和评选活动提供咨询意见。"
)


def _charter(office: User, seats: list[CouncilSeat]) -> None:
    """The charter adopted at the founding plenary (version 1) and its revision adding the expert committee
    (version 2), each recorded with the resolution that decided it (idempotent)."""
    if CharterVersion.objects.exists():
        return
    founding = (
        Motion.objects.filter(kind=MotionKind.CHARTER, title="关于审议通过《联盟章程》的议案")
        .select_related("resolution")
        .first()
    )
    if founding is None or not hasattr(founding, "resolution"):
        return
    services.charter_revise(
        cmd=CharterRevise.build(
            resolution=founding.resolution.pk,
            text=CHARTER_V1,
            summary="联盟成立大会通过章程。",
            effective_on=FOUNDED,
        ),
        actor=office,
    )
    mid = datetime.date(2026, 6, 18)
    meeting = Meeting.objects.filter(title="第一届理事会第二次会议").first()
    amendment = _decided_motion(
        office=office,
        title="关于修改《联盟章程》增设专家咨询委员会的议案",
        text="提请理事会审议：在《联盟章程》第六条后增加一条，设立专家咨询委员会。\n" + CHARTER_V2_CLAUSE,
        kind=MotionKind.CHARTER,
        ballot="open",
        opens=_at(mid, 15),
        closes=_at(mid, 17),
        votes=[(s, "for") for s in seats[: len(seats) - 2]],
        meeting=meeting,
    )
    resolution = getattr(amendment, "resolution", None)
    if resolution is None:
        return
    text = CHARTER_V1.replace("第三章 成员", CHARTER_V2_CLAUSE + "\n第三章 成员")
    services.charter_revise(
        cmd=CharterRevise.build(
            resolution=resolution.pk,
            text=text,
            summary="增设专家咨询委员会（第六条之一）。",
            effective_on=datetime.date(2026, 7, 1),
        ),
        actor=office,
    )


def _handover(office: User, seats: list[CouncilSeat]) -> None:
    """Qingdao's term ends: the council confirms the handover to Yantai by resolution and Qingdao's
    representative records it, citing the resolution (idempotent)."""
    if PresidencyHandover.objects.exists() or Motion.objects.filter(kind=MotionKind.HANDOVER).exists():
        return
    plan = RotationPlan.objects.order_by("-id").first()
    today = timezone.localdate()
    pending = services.pending_handover(plan, today) if plan else None
    if pending is None:
        return
    outgoing, _incoming = pending
    motion = services.handover_motion_open(actor=office, today=today)
    decided = min(today, outgoing.ends_on) - datetime.timedelta(days=5)
    opens, closes = _at(decided, 9), _at(decided, 17)
    Motion.objects.filter(pk=motion.pk).update(opens_at=opens)
    for seat in seats:
        _vote(motion, seat, "for", now=opens)
    Motion.objects.filter(pk=motion.pk).update(closes_at=closes)
    services.motion_close(motion=Motion.objects.get(pk=motion.pk), actor=SYSTEM)
    representative = next(
        (s.representative for s in seats if s.organization_id == outgoing.organization), None
    )
    if representative is None:
        return
    services.handover_record(
        cmd=HandoverRecord.build(
            date=min(today, outgoing.ends_on),
            notes="轮值主席职责、年度工作总结和下一年度工作建议已移交。",
            documents="联盟印章\n2026年度工作档案\n理事会会议纪要",
        ),
        actor=representative,
        today=today,
    )


@without_mail()
def load(*, accounts: bool = True) -> str:
    office = _office(accounts)
    _plan(office)
    seats = _seats(accounts)
    _meetings_and_motions(office, seats)
    _charter(office, seats)
    _handover(office, seats)
    # The council has just admitted a council-tier member (_admissions): it takes its seat now, so that a
    # second run finds nothing left to do (the demo is idempotent).
    seats = _seats(accounts)
    _notices(office, seats)
    counts: dict[str, Any] = {
        "seats": CouncilSeat.objects.count(),
        "meetings": Meeting.objects.count(),
        "motions": Motion.objects.count(),
        "notices": Notice.objects.count(),
        "tasks": Task.objects.count(),
    }
    return "rotation plan, " + ", ".join(f"{v} {k}" for k, v in counts.items())

"""The annual report as plain data: sections in the mechanisms' order, each with key figures and tables.

The PDF (``pdf.py``) and the Excel workbook (``excel.py``) render the same ``AnnualReport``, so both
always agree. Amounts are in 万元; dates are ``datetime.date`` values that each renderer formats.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from lianmeng.activities.selectors import year_bounds
from lianmeng.core.models import AllianceSettings
from lianmeng.governance.models import (
    DECIDED_STATUSES,
    Meeting,
    MeetingStatus,
    Motion,
    PresidencyHandover,
    Resolution,
)
from lianmeng.library.models import CommitteeMembership, CommitteePost, Consultation, ConsultationStatus
from lianmeng.library.selectors import LANDED_STAGES, landings_visible
from lianmeng.matchmaking.models import Category, Direction, MatchRequest, Outcome, Resource
from lianmeng.membership.models import MembershipEvent
from lianmeng.research.models import AwardLevel, Entry, Proposal, SelectionRound

from .figures import YearFigures, year_figures

TEXT, INT, MONEY, DATE = "text", "int", "money", "date"


@dataclass
class Table:
    title: str
    columns: list[tuple[str, str]]  # (header, TEXT | INT | MONEY | DATE)
    rows: list[list[Any]]
    empty_text: str = ""


@dataclass
class Section:
    key: str
    title: str
    facts: list[tuple[str, str]] = field(default_factory=list)  # (label, value as shown)
    tables: list[Table] = field(default_factory=list)


@dataclass
class AnnualReport:
    year: int
    alliance: AllianceSettings
    generated_on: datetime.date
    sections: list[Section]
    figures: YearFigures


def _n(value: Any) -> str:
    return f"{int(value or 0):,}"


def _wan(value: Any) -> str:
    amount = Decimal(str(value or 0))
    return f"{amount:,.2f}".rstrip("0").rstrip(".") + " " + _("万元")


def _membership(f: YearFigures, first: datetime.date, last: datetime.date) -> Section:
    admitted = (
        MembershipEvent.objects.filter(kind=MembershipEvent.Kind.ADMITTED, date__gte=first, date__lte=last)
        .select_related("organization__city")
        .order_by("date", "id")
    )
    return Section(
        "members",
        _("入盟单位"),
        facts=[
            (_("在册成员单位"), _n(f.membership["active"])),
            (_("本年新入盟"), _n(f.membership["admitted_in_year"])),
        ]
        + [(str(t["label"]), _n(t["count"])) for t in f.membership["by_tier"]],
        tables=[
            Table(
                _("各市成员单位"),
                [(_("城市"), TEXT), (_("入盟单位"), INT), (_("产业园"), INT)],
                [[r.city.display_name, r.members, r.parks] for r in f.cities],
            ),
            Table(
                _("按单位类型"),
                [(_("单位类型"), TEXT), (_("数量"), INT)],
                [[k["label"], k["count"]] for k in f.membership["by_kind"] if k["count"]],
                _("暂无成员单位"),
            ),
            Table(
                _("本年入盟单位"),
                [(_("单位名称"), TEXT), (_("城市"), TEXT), (_("单位类型"), TEXT), (_("入盟日期"), DATE)],
                [
                    [
                        e.organization.name,
                        e.organization.city.display_name,
                        e.organization.get_kind_display(),
                        e.date,
                    ]
                    for e in admitted
                ],
                _("本年无新入盟单位"),
            ),
        ],
    )


def _presidency(f: YearFigures, first: datetime.date, last: datetime.date) -> Section:
    handovers = (
        PresidencyHandover.objects.filter(date__gte=first, date__lte=last)
        .select_related("from_organization", "to_organization")
        .order_by("date", "id")
    )
    terms = f.presidency["terms_in_year"]
    return Section(
        "presidency",
        _("轮值主席"),
        facts=[(_("轮值主席单位"), f.presidency["president"] or _("未设定"))],
        tables=[
            Table(
                _("本年度任期"),
                [(_("届次"), INT), (_("轮值主席单位"), TEXT), (_("任期开始"), DATE), (_("任期结束"), DATE)],
                [
                    [
                        t["number"],
                        t["organization"],
                        datetime.date.fromisoformat(t["starts_on"]),
                        datetime.date.fromisoformat(t["ends_on"]),
                    ]
                    for t in terms
                ],
                _("尚未设定轮值计划"),
            ),
            Table(
                _("交接记录"),
                [(_("接任届次"), INT), (_("卸任单位"), TEXT), (_("接任单位"), TEXT), (_("交接日期"), DATE)],
                [[h.sequence, h.from_organization.name, h.to_organization.name, h.date] for h in handovers],
                _("本年度无交接"),
            ),
        ],
    )


def _council(f: YearFigures, first: datetime.date, last: datetime.date, start: Any, end: Any) -> Section:
    meetings = Meeting.objects.filter(
        status=MeetingStatus.HELD, starts_at__gte=start, starts_at__lt=end
    ).order_by("starts_at")
    resolutions = (
        Resolution.objects.filter(adopted_on__gte=first, adopted_on__lte=last)
        .select_related("motion")
        .order_by("adopted_on", "number")
    )
    motions = Motion.objects.filter(status__in=DECIDED_STATUSES, decided_at__gte=start, decided_at__lt=end)
    return Section(
        "council",
        _("理事会决策"),
        facts=[
            (_("召开会议"), _n(f.council["meetings_held"])),
            (_("表决议案"), _n(motions.count())),
            (_("形成决议"), _n(f.council["resolutions"])),
        ],
        tables=[
            Table(
                _("召开的会议"),
                [(_("会议名称"), TEXT), (_("会议类型"), TEXT), (_("会议日期"), DATE)],
                [[m.title, m.get_kind_display(), timezone.localdate(m.starts_at)] for m in meetings],
                _("本年度未召开会议"),
            ),
            Table(
                _("议案表决结果"),
                [(_("表决结果"), TEXT), (_("议案数"), INT)],
                [[m["label"], m["count"]] for m in f.council["motions_by_result"]],
            ),
            Table(
                _("决议"),
                [(_("决议文号"), TEXT), (_("决议标题"), TEXT), (_("通过日期"), DATE), (_("状态"), TEXT)],
                [[r.number, r.title, r.adopted_on, r.get_status_display()] for r in resolutions],
                _("本年度无决议"),
            ),
        ],
    )


def _activities(f: YearFigures) -> Section:
    c = f.compliance
    assert c is not None
    rows = [[_("理事会全会"), c.plenary.label, c.plenary.status_label, c.plenary.held, c.plenary.scheduled]]
    rows += [[_("峰会或论坛"), r.label, r.status_label, r.held, r.scheduled] for r in c.cities]
    return Section(
        "activities",
        _("1+7+N 活动"),
        facts=[
            (_("已举办活动"), _n(f.activities["events_held"])),
            (_("理事会全会"), f.activities["plenary_label"]),
            (_("完成峰会或论坛的城市"), f"{f.activities['cities_met']}/{f.activities['cities_total']}"),
            (_("完成主题活动的产业园"), f"{f.activities['parks_met']}/{f.activities['parks_total']}"),
        ],
        tables=[
            Table(
                _("1+7+N 完成情况"),
                [
                    (_("要求"), TEXT),
                    (_("对象"), TEXT),
                    (_("状态"), TEXT),
                    (_("已举办"), INT),
                    (_("已安排"), INT),
                ],
                rows,
            ),
            Table(
                _("各市已举办活动"),
                [(_("城市"), TEXT), (_("已举办活动"), INT)],
                [[r.city.display_name, r.events_held] for r in f.cities],
            ),
        ],
    )


def _library(f: YearFigures, first: datetime.date, last: datetime.date, start: Any, end: Any) -> Section:
    committee = CommitteeMembership.objects.filter(term_start__lte=last, term_end__gte=first).select_related(
        "expert"
    )
    post_order = {p.value: i for i, p in enumerate(CommitteePost)}
    committee_rows = [
        [m.expert.name, m.get_post_display(), m.expert.get_title_display(), m.term_end]
        for m in sorted(
            committee, key=lambda m: (post_order.get(m.post, len(post_order)), m.expert.name_sort)
        )
    ]
    consultations = _by_status(
        Consultation.objects.filter(created_at__gte=start, created_at__lt=end)
        .values("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    lib = f.library
    return Section(
        "library",
        _("专家库、项目库与成果库"),
        facts=[
            (_("在库专家"), _n(lib["experts"])),
            (_("专家咨询委员会委员"), _n(len(committee_rows))),
            (_("本年落地项目"), _n(lib["projects_landed"])),
            (_("投资额"), _wan(lib["investment"])),
            (_("带动就业（人）"), _n(lib["jobs"])),
            (_("本年成果"), _n(lib["achievements"])),
            (_("本年专家咨询"), _n(lib["consultations_asked"])),
        ],
        tables=[
            Table(
                _("专家咨询委员会"),
                [(_("姓名"), TEXT), (_("职务"), TEXT), (_("职称"), TEXT), (_("任期结束"), DATE)],
                committee_rows,
                _("暂无委员"),
            ),
            Table(
                _("项目库各阶段项目"),
                [(_("阶段"), TEXT), (_("项目数"), INT)],
                [[s["label"], s["count"]] for s in lib["projects_by_stage"]],
            ),
            Table(
                _("各市落地项目"),
                [
                    (_("城市"), TEXT),
                    (_("落地项目"), INT),
                    (_("投资额（万元）"), MONEY),
                    (_("带动就业（人）"), INT),
                ],
                [[r.city.display_name, r.projects_landed, r.investment, r.jobs] for r in f.cities],
            ),
            Table(
                _("本年成果（按类型）"),
                [(_("成果类型"), TEXT), (_("数量"), INT)],
                [[k["label"], k["count"]] for k in lib["achievements_by_kind"]],
            ),
            Table(
                _("专家咨询"),
                [(_("状态"), TEXT), (_("数量"), INT)],
                [[s.label, consultations.get(s.value, 0)] for s in ConsultationStatus],
            ),
        ],
    )


def _by_status(rows: Any) -> dict[str, int]:
    return {r["status"]: r["n"] for r in rows}


def _research(f: YearFigures, first: datetime.date, last: datetime.date) -> Section:
    proposals = (
        Proposal.objects.filter(
            Q(approved_on__gte=first, approved_on__lte=last)
            | Q(completed_on__gte=first, completed_on__lte=last)
        )
        .select_related("organization")
        .order_by("approved_on", "id")
    )
    rounds = (
        SelectionRound.objects.filter(year=f.year)
        .annotate(
            entries_count=Count("entries", filter=~Q(entries__status="withdrawn")),
            awards_count=Count("entries", filter=~Q(entries__award="") & ~Q(entries__award="approved")),
        )
        .order_by("id")
    )
    awards = {
        r["award"]: r["n"]
        for r in Entry.objects.filter(round__year=f.year, round__status="final")
        .exclude(award="")
        .values("award")
        .annotate(n=Count("id"))
        .order_by()
    }
    return Section(
        "research",
        _("课题研究与评选"),
        facts=[
            (_("本年立项课题"), _n(f.research["topics_approved"])),
            (_("本年结项课题"), _n(f.research["topics_completed"])),
            (_("本年评选"), _n(f.research["rounds"])),
            (_("获奖项目"), _n(f.research["awards"])),
        ],
        tables=[
            Table(
                _("立项与结项课题"),
                [
                    (_("项目名称"), TEXT),
                    (_("承担单位"), TEXT),
                    (_("状态"), TEXT),
                    (_("立项日期"), DATE),
                    (_("结项日期"), DATE),
                    (_("经费预算（万元）"), MONEY),
                ],
                [
                    [
                        p.title,
                        p.organization.name,
                        p.get_status_display(),
                        p.approved_on,
                        p.completed_on,
                        p.budget,
                    ]
                    for p in proposals
                ],
                _("本年度无立项或结项课题"),
            ),
            Table(
                _("评选"),
                [
                    (_("评选名称"), TEXT),
                    (_("评选类型"), TEXT),
                    (_("状态"), TEXT),
                    (_("参评"), INT),
                    (_("获奖"), INT),
                ],
                [
                    [r.title, r.get_kind_display(), r.get_status_display(), r.entries_count, r.awards_count]
                    for r in rounds
                ],
                _("本年度无评选"),
            ),
            Table(
                _("奖项"),
                [(_("奖项"), TEXT), (_("数量"), INT)],
                [[a.label, awards.get(a.value, 0)] for a in AwardLevel],
            ),
        ],
    )


def _matchmaking(f: YearFigures, start: Any, end: Any) -> Section:
    posts = {
        (r["category"], r["direction"]): r["n"]
        for r in Resource.objects.filter(created_at__gte=start, created_at__lt=end)
        .values("category", "direction")
        .annotate(n=Count("id"))
        .order_by()
    }
    outcomes = {
        r["outcome"]: (r["n"], r["amount"] or Decimal(0))
        for r in MatchRequest.objects.filter(outcome_at__gte=start, outcome_at__lt=end)
        .exclude(outcome="")
        .values("outcome")
        .annotate(n=Count("id"), amount=Sum("outcome_amount"))
        .order_by()
    }
    m = f.matchmaking
    return Section(
        "matchmaking",
        _("资源对接"),
        facts=[
            (_("本年发布供需"), _n(m["posts_in_year"])),
            (_("对接中的供需"), _n(m["open_posts"])),
            (_("办结的对接"), _n(m["requests_concluded"])),
            (_("成功对接"), _n(m["successes"])),
            (_("协议金额"), _wan(m["amount"])),
        ],
        tables=[
            Table(
                _("本年发布的供需（按类别）"),
                [(_("资源类别"), TEXT), (_("供给"), INT), (_("需求"), INT)],
                [
                    [
                        c.label,
                        posts.get((c.value, Direction.SUPPLY), 0),
                        posts.get((c.value, Direction.DEMAND), 0),
                    ]
                    for c in Category
                ],
            ),
            Table(
                _("对接结果"),
                [(_("对接结果"), TEXT), (_("数量"), INT), (_("协议金额（万元）"), MONEY)],
                [
                    [o.label, outcomes.get(o.value, (0, 0))[0], outcomes.get(o.value, (0, Decimal(0)))[1]]
                    for o in Outcome
                ],
            ),
        ],
    )


def _publicity(f: YearFigures) -> Section:
    return Section(
        "publicity",
        _("宣传"),
        facts=[(_("本年发布文章"), _n(f.publicity["articles"]))],
        tables=[
            Table(
                _("发布文章（按类别）"),
                [(_("类别"), TEXT), (_("数量"), INT)],
                [[k["label"], k["count"]] for k in f.publicity["by_kind"]],
            )
        ],
    )


def _landings(f: YearFigures, viewer: Any, first: datetime.date, last: datetime.date) -> Section:
    landings = (
        landings_visible(viewer)
        .filter(project__stage__in=LANDED_STAGES, date__gte=first, date__lte=last)
        .select_related("project__lead_organization", "park", "city")
        .order_by("city__position", "date", "id")
    )
    return Section(
        "landings",
        _("各市落地项目"),
        facts=[(r.city.display_name, f"{_n(r.projects_landed)} · {_wan(r.investment)}") for r in f.cities],
        tables=[
            Table(
                _("本年落地项目明细"),
                [
                    (_("城市"), TEXT),
                    (_("项目名称"), TEXT),
                    (_("牵头单位"), TEXT),
                    (_("落地园区"), TEXT),
                    (_("落地日期"), DATE),
                    (_("投资额（万元）"), MONEY),
                    (_("带动就业（人）"), INT),
                ],
                [
                    [
                        x.city.display_name,
                        x.project.name,
                        x.project.lead_organization.name,
                        x.park.name if x.park else x.park_name,
                        x.date,
                        x.investment,
                        x.jobs,
                    ]
                    for x in landings
                ],
                _("本年度无落地项目"),
            )
        ],
    )


def annual_report(
    *, year: int, viewer: Any, progress: Callable[[int, int], None] | None = None
) -> AnnualReport:
    """The report of ``year`` as ``viewer`` (secretariat, administrator or council) may read it.

    ``progress(done, total)`` is told after the figures and after each section (the worker shows it).
    """
    tell = progress or (lambda _done, _total: None)
    figures = year_figures(year=year, viewer=viewer)
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    start, end = year_bounds(year)
    steps: list[Callable[[], Section]] = [
        lambda: _membership(figures, first, last),
        lambda: _presidency(figures, first, last),
        lambda: _council(figures, first, last, start, end),
        lambda: _activities(figures),
        lambda: _library(figures, first, last, start, end),
        lambda: _research(figures, first, last),
        lambda: _matchmaking(figures, start, end),
        lambda: _publicity(figures),
        lambda: _landings(figures, viewer, first, last),
    ]
    total = len(steps) + 1
    tell(1, total)
    sections = []
    for done, step in enumerate(steps, start=2):
        sections.append(step())
        tell(done, total)
    return AnnualReport(
        year=year,
        alliance=AllianceSettings.current(),
        generated_on=timezone.localdate(),
        sections=sections,
        figures=figures,
    )

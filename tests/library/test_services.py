"""Experts, the committee, projects and landings through their services."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from lianmeng.core.actors import SYSTEM
from lianmeng.core.models import AuditEntry
from lianmeng.library import services
from lianmeng.library.commands import (
    CommitteeAppoint,
    ExpertCreate,
    ExpertUpdate,
    LandingRecord,
    ProjectCreate,
    ProjectTransition,
)
from lianmeng.library.machines import PROJECT
from lianmeng.library.models import ExpertiseField, Landing, ProjectStage, ProjectStageChange, StrategyTag

pytestmark = pytest.mark.django_db


def test_expert_create_names_every_bad_field(cities: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        ExpertCreate.build({"name": "", "city": "110000", "title": "大师", "mobile": "12345"})
    errors = exc.value.message_dict
    assert errors["name"] == ["请填写姓名"]
    assert "职称" in errors["title"][0]
    assert errors["mobile"] == ["手机号码应为以 1 开头的 11 位数字"]
    cmd = ExpertCreate.build({"name": "甲", "city": "110000", "title": "senior", "fields": ["炼金术"]})
    with pytest.raises(ValidationError) as exc:
        services.expert_create(cmd=cmd, actor=SYSTEM)
    errors = exc.value.message_dict
    assert "不是联盟成员城市" in errors["city"][0]
    assert "炼金术" in errors["fields"][0]
    assert errors["organization"] == ["请选择所在单位或填写单位名称"]


def test_expert_fields_keywords_conflicts_and_search_text(make_expert: Any, make_org: Any) -> None:
    other = make_org("烟台大学", city="烟台", kind="university")
    expert = make_expert(
        "刘海洋",
        fields=["劳动关系", "灵活用工"],
        keywords="平台用工，劳动争议、 零工经济",
        declared_conflicts=[other.pk],
        publish_consent=True,
        biography="长期研究平台经济中的劳动关系。",
    )
    assert sorted(f.name for f in expert.fields.all()) == ["劳动关系", "灵活用工"]
    assert expert.keywords == "平台用工、劳动争议、零工经济"
    assert list(expert.declared_conflicts.all()) == [other]
    assert "零工" in expert.search_text.split()
    assert expert.name_initials == "lhy"
    assert expert.consented_at is not None


def test_expert_personal_data_is_not_written_to_the_audit_log(make_expert: Any, secretariat: Any) -> None:
    expert = make_expert("张三", mobile="13800001234")
    services.expert_update(
        expert=expert, cmd=ExpertUpdate.build({"mobile": "13900005678"}), actor=secretariat
    )
    entries = AuditEntry.objects.filter(target_type="library.expert")
    assert not any("1380000" in str(e.new) + str(e.old) or "1390000" in str(e.new) for e in entries)


def test_expert_edits_own_profile_but_not_title(make_expert: Any, make_user: Any) -> None:
    user = make_user("expert")
    expert = make_expert("李四", user=user)
    services.expert_update(
        expert=expert, cmd=ExpertUpdate.build({"keywords": "人才测评", "publish_consent": True}), actor=user
    )
    expert.refresh_from_db()
    assert expert.publish_consent is True
    with pytest.raises(ValidationError) as exc:
        services.expert_update(expert=expert, cmd=ExpertUpdate.build({"title": "junior"}), actor=user)
    assert exc.value.message_dict["title"] == ["只有秘书处可以修改此项"]
    stranger = make_user("expert")
    with pytest.raises(PermissionDenied):
        services.expert_update(expert=expert, cmd=ExpertUpdate.build({"keywords": "x"}), actor=stranger)


def test_committee_one_chair_per_term(make_expert: Any, secretariat: Any) -> None:
    a, b = make_expert("甲"), make_expert("乙")
    start, end = datetime.date(2026, 1, 1), datetime.date(2028, 12, 31)
    services.committee_appoint(
        expert=a, cmd=CommitteeAppoint.build(post="chair", term_start=start, term_end=end), actor=secretariat
    )
    with pytest.raises(ValidationError) as exc:
        services.committee_appoint(
            expert=b,
            cmd=CommitteeAppoint.build(post="chair", term_start=start, term_end=end),
            actor=secretariat,
        )
    assert exc.value.message_dict["post"] == ["同一任期内只能有一位主任"]
    with pytest.raises(ValidationError):
        services.committee_appoint(
            expert=a,
            cmd=CommitteeAppoint.build(post="member", term_start=start, term_end=end),
            actor=secretariat,
        )


def test_project_created_by_member_for_own_organization_only(
    make_org: Any, make_user: Any, cities: Any
) -> None:
    park = make_org("中国青岛人力资源服务产业园")
    other = make_org("烟台大学", city="烟台", kind="university")
    contact = make_user("member_contact", organization=park)
    data = {
        "name": "蓝区人力资源数字化平台",
        "summary": "建设七市共享的招聘与培训平台。",
        "lead_organization": park.pk,
        "partner_organizations": [other.pk],
        "cities": ["370200", "烟台"],
        "strategy_tags": ["乡村振兴"],
        "integration_tags": ["科技", "industry"],
        "planned_investment": "1,200.5",
    }
    project = services.project_create(cmd=ProjectCreate.build(data), actor=contact)
    assert project.stage == ProjectStage.PROPOSED
    assert sorted(c.name for c in project.cities.all()) == ["烟台", "青岛"]
    assert project.integration_tags == ",technology,industry,"
    assert str(project.planned_investment) == "1200.50"
    assert list(project.strategy_tags.all()) == [StrategyTag.objects.get(name="乡村振兴")]
    assert ProjectStageChange.objects.get(project=project).actor == contact
    with pytest.raises(PermissionDenied):
        services.project_create(
            cmd=ProjectCreate.build({**data, "lead_organization": other.pk, "partner_organizations": []}),
            actor=contact,
        )


def test_project_create_rejects_bad_input_by_field(make_org: Any, secretariat: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        ProjectCreate.build({"name": "", "summary": "", "cities": [], "integration_tags": "文化"})
    errors = exc.value.message_dict
    assert set(errors) == {"name", "summary", "lead_organization", "cities", "integration_tags"}
    assert "文化" in errors["integration_tags"][0]
    cmd = ProjectCreate.build(
        {"name": "甲", "summary": "乙", "lead_organization": 999999, "cities": ["北京"]}
    )
    with pytest.raises(ValidationError) as exc:
        services.project_create(cmd=cmd, actor=secretariat)
    assert set(exc.value.message_dict) == {"lead_organization", "cities"}


@pytest.mark.parametrize(
    ("start", "to", "role", "allowed"),
    [
        (ProjectStage.PROPOSED, ProjectStage.EVALUATING, "secretariat", True),
        (ProjectStage.PROPOSED, ProjectStage.EVALUATING, "lead", False),
        (ProjectStage.PROPOSED, ProjectStage.LANDED, "secretariat", False),
        (ProjectStage.EVALUATING, ProjectStage.INCUBATING, "secretariat", True),
        (ProjectStage.INCUBATING, ProjectStage.CLOSED, "lead", True),
        (ProjectStage.LANDED, ProjectStage.OPERATING, "lead", True),
        (ProjectStage.OPERATING, ProjectStage.CLOSED, "lead", False),
        (ProjectStage.CLOSED, ProjectStage.PROPOSED, "secretariat", False),
    ],
)
def test_transition_table(
    make_org: Any,
    make_user: Any,
    make_project: Any,
    secretariat: Any,
    start: str,
    to: str,
    role: str,
    allowed: bool,
) -> None:
    lead = make_org("牵头园区")
    contact = make_user("member_contact", organization=lead)
    project = make_project("测试项目", lead=lead)
    type(project).objects.filter(pk=project.pk).update(stage=start)
    project.refresh_from_db()
    actor = secretariat if role == "secretariat" else contact
    assert PROJECT.can(start, to, actor=actor, obj=project) == allowed
    if allowed:
        services.project_transition(
            project=project,
            cmd=ProjectTransition.build(to=to, reason="不再推进"),
            actor=actor,
        )
        project.refresh_from_db()
        assert project.stage == to
        change = project.stage_changes.last()
        assert (change.from_stage, change.to_stage, change.actor) == (start, to, actor)
    else:
        with pytest.raises((ValidationError, PermissionDenied)):
            services.project_transition(
                project=project,
                cmd=ProjectTransition.build(to=to, reason="x"),
                actor=actor,
            )


def test_landing_in_two_cities_then_landed(make_org: Any, make_project: Any, secretariat: Any) -> None:
    lead = make_org("牵头园区")
    yantai_park = make_org("中国烟台人力资源服务产业园", city="烟台")
    project = make_project("胶东人才飞地", lead=lead)
    for to in (ProjectStage.EVALUATING, ProjectStage.INCUBATING):
        services.project_transition(project=project, cmd=ProjectTransition.build(to=to), actor=secretariat)
    with pytest.raises(ValidationError) as exc:
        services.project_transition(
            project=project, cmd=ProjectTransition.build(to=ProjectStage.LANDED), actor=secretariat
        )
    assert "落地记录" in exc.value.message_dict["to"][0]
    services.landing_record(
        project=project,
        cmd=LandingRecord.build(
            {"city": "370200", "park": lead.pk, "date": "2026-03-01", "investment": "500", "jobs": "120"}
        ),
        actor=secretariat,
    )
    services.landing_record(
        project=project,
        cmd=LandingRecord.build(
            {
                "city": "烟台",
                "park": yantai_park.pk,
                "date": "2026-04-02",
                "investment": 300,
                "jobs": 40,
            }
        ),
        actor=secretariat,
    )
    with pytest.raises(ValidationError) as exc:
        services.landing_record(
            project=project,
            cmd=LandingRecord.build({"city": "烟台", "park": yantai_park.pk, "date": "2026-04-03"}),
            actor=secretariat,
        )
    assert "已登记在烟台落地" in exc.value.message_dict["city"][0]
    services.project_transition(
        project=project, cmd=ProjectTransition.build(to=ProjectStage.LANDED), actor=secretariat
    )
    assert Landing.objects.filter(project=project).count() == 2
    assert "烟台" in project.cities.values_list("name", flat=True)


def test_landing_park_must_be_a_park_in_that_city(make_org: Any, make_project: Any, secretariat: Any) -> None:
    lead = make_org("牵头园区")
    project = make_project("项目", lead=lead)
    type(project).objects.filter(pk=project.pk).update(stage=ProjectStage.INCUBATING)
    with pytest.raises(ValidationError) as exc:
        LandingRecord.build({"city": "烟台", "park": lead.pk, "date": "2099-01-01", "jobs": "-3"})
    errors = exc.value.message_dict
    assert errors["date"] == ["落地日期不能晚于今天"]
    assert "jobs" in errors
    with pytest.raises(ValidationError) as exc:
        services.landing_record(
            project=project,
            cmd=LandingRecord.build({"city": "烟台", "park": lead.pk, "date": "2026-01-05"}),
            actor=secretariat,
        )
    assert "不在烟台" in exc.value.message_dict["park"][0]


def test_city_coordinator_may_record_landing_only_in_own_city(
    make_org: Any, make_user: Any, make_project: Any, cities: Any
) -> None:
    lead = make_org("牵头园区")
    project = make_project("项目", lead=lead)
    type(project).objects.filter(pk=project.pk).update(stage=ProjectStage.INCUBATING)
    coordinator = make_user("city_coordinator", city=cities["青岛"])
    with pytest.raises(PermissionDenied):
        services.landing_record(
            project=project,
            cmd=LandingRecord.build({"city": "烟台", "park_name": "某园", "date": "2026-01-01"}),
            actor=coordinator,
        )
    services.landing_record(
        project=project,
        cmd=LandingRecord.build({"city": "青岛", "park": lead.pk, "date": "2026-01-01"}),
        actor=coordinator,
    )


def test_taxonomy_defaults_are_configurable_rows(db: None) -> None:
    assert list(StrategyTag.objects.values_list("name", flat=True)) == ["一带一路", "东西部协作", "乡村振兴"]
    assert ExpertiseField.objects.filter(name="劳动关系").exists()

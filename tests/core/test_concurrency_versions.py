"""Two tabs editing the same record: the second save is refused, names what changed, by whom and when.

Every editable record type, through its HTML edit form and its API update: load twice, save the first,
save the second -> refused (nothing saved, the input kept, the changed field named); saving again from
the refused form (after checking) goes through; a single save bumps the version.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from lianmeng.core.actors import SYSTEM
from lianmeng.core.models import AuditEntry
from lianmeng.governance.commands import MeetingCreate, TaskCreate
from lianmeng.library.commands import AchievementCreate, ExpertCreate, ProjectCreate
from lianmeng.matchmaking.commands import ResourceCreate
from lianmeng.membership.commands import OrganizationUpdate
from lianmeng.publicity.commands import ArticleCreate
from tests.factories import make_event

pytestmark = pytest.mark.django_db

EDITOR = "王秘书"  # the secretariat fixture's display name


class _FormParser(HTMLParser):
    """The fields of the form that carries the hidden ``version`` input, as a browser would post them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict[str, Any]] = []
        self._form: dict[str, Any] | None = None
        self._select: tuple[str, bool] | None = None
        self._first_option: dict[str, str] = {}
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = {"fields": {}, "has_version": False}
            self.forms.append(self._form)
        if self._form is None:
            return
        fields: dict[str, list[str]] = self._form["fields"]
        name = a.get("name", "")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                fields.setdefault(name, [])
                return
            fields.setdefault(name, []).append(a.get("value", "on" if kind == "checkbox" else ""))
            if name == "version":
                self._form["has_version"] = True
        elif tag == "textarea" and name:
            self._textarea = name
            fields[name] = [""]
        elif tag == "select" and name:
            self._select = (name, "multiple" in a)
            fields[name] = []
        elif tag == "option" and self._select:
            sname, _multiple = self._select
            self._first_option.setdefault(sname, a.get("value", ""))
            if "selected" in a:
                fields[sname].append(a.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "textarea" and self._textarea and self._form is not None:
            value = self._form["fields"][self._textarea][0]
            self._form["fields"][self._textarea][0] = value[1:] if value.startswith("\n") else value
            self._textarea = None  # a browser drops the newline right after <textarea>
        elif tag == "select" and self._select and self._form is not None:
            name, multiple = self._select
            if not multiple and not self._form["fields"][name]:
                self._form["fields"][name] = [self._first_option.get(name, "")]
            self._select = None

    def handle_data(self, data: str) -> None:
        if self._textarea and self._form is not None:
            self._form["fields"][self._textarea][0] += data


def form_data(html: str) -> dict[str, list[str]]:
    parser = _FormParser()
    parser.feed(html)
    found = [f["fields"] for f in parser.forms if f["has_version"]]
    assert len(found) == 1, "the edit page has exactly one form with a hidden version input"
    data: dict[str, list[str]] = found[0]
    return data


@dataclasses.dataclass
class World:
    secretariat: Any
    make_org: Callable[..., Any]
    make_user: Callable[..., Any]
    cities: dict[str, Any]


@dataclasses.dataclass
class Case:
    """One editable record type: how to make one, where its form is, which field the tabs change."""

    name: str
    make: Callable[[World], tuple[Any, Any]]  # -> (record, editor)
    field: str
    label: str  # what a person reads for that field in the message
    values: tuple[str, str]
    url: str | None = None  # the HTML edit form (``{pk}``)
    api: str | None = None  # the API update (``{pk}``)
    api_method: str = "patch"
    api_get: str | None = None  # where the API reads the record (with its version)
    read: Callable[[Any], Any] | None = None  # the field's stored value


def _org(w: World) -> tuple[Any, Any]:
    return w.make_org("版本测试产业园"), w.secretariat


def _event(w: World, *, held: bool = False) -> tuple[Any, Any]:
    from lianmeng.activities.models import EventStatus

    org = w.make_org("版本测试主办园区")
    starts = timezone.now().replace(microsecond=0, second=0) + datetime.timedelta(days=-2 if held else 10)
    event = make_event(
        org,
        "胶东人力资源服务论坛",
        starts=starts,
        capacity=50,
        status=EventStatus.HELD if held else EventStatus.PUBLISHED,
        summary="活动顺利举办。" if held else "",
    )
    return event, w.secretariat


def _activity_settings(w: World) -> tuple[Any, Any]:
    from lianmeng.activities.models import ActivitySettings

    return ActivitySettings.objects.create(year=timezone.localdate().year), w.secretariat


def _meeting(w: World, *, held: bool = False) -> tuple[Any, Any]:
    from lianmeng.governance.services import meeting_create

    meeting = meeting_create(
        cmd=MeetingCreate.build(
            {
                "kind": "ordinary",
                "title": "理事会第三次会议",
                "starts_at": timezone.now() + datetime.timedelta(days=7),
                "place": "青岛",
            },
            agenda=["审议年度计划"],
        ),
        actor=w.secretariat,
    )
    if held:
        type(meeting).objects.filter(pk=meeting.pk).update(status="held", minutes="初稿")
        meeting.refresh_from_db()
    return meeting, w.secretariat


def _governance_settings(w: World) -> tuple[Any, Any]:
    from lianmeng.governance.models import GovernanceSettings

    admin = w.make_user("administrator", username="admin1", display_name="刘管理员")
    row = GovernanceSettings.current()
    row.save()
    return row, admin


def _task(w: World) -> tuple[Any, Any]:
    from lianmeng.governance.services import task_create

    org = w.make_org("督办责任单位")
    task = task_create(
        cmd=TaskCreate.build(
            {
                "title": "编制年度报告",
                "due_on": timezone.localdate() + datetime.timedelta(days=30),
                "owner_organization": org.pk,
            }
        ),
        actor=w.secretariat,
    )
    return task, w.secretariat


def _expert(w: World) -> tuple[Any, Any]:
    from lianmeng.library.services import expert_create

    org = w.make_org("版本测试大学", kind="university")
    expert = expert_create(
        cmd=ExpertCreate.build(
            {"name": "张专家", "organization": org.pk, "city": w.cities["青岛"].code, "title": "senior"}
        ),
        actor=SYSTEM,
    )
    return expert, w.secretariat


def _project(w: World) -> tuple[Any, Any]:
    from lianmeng.library.services import project_create

    org = w.make_org("版本测试牵头园区")
    project = project_create(
        cmd=ProjectCreate.build(
            {
                "name": "零工市场数字化平台",
                "summary": "建设零工市场平台。",
                "lead_organization": org.pk,
                "cities": [w.cities["青岛"].code],
            }
        ),
        actor=w.secretariat,
    )
    return project, w.secretariat


def _achievement(w: World) -> tuple[Any, Any]:
    from lianmeng.library.services import achievement_create

    org = w.make_org("版本测试研究院", kind="research_institute")
    achievement = achievement_create(
        cmd=AchievementCreate.build(
            {
                "title": "人力资源服务业发展报告",
                "kind": "research_report",
                "authors": "李研究",
                "year": 2026,
                "organizations": [org.pk],
                "owner_organization": org.pk,
                "visibility": "public",
            }
        ),
        files=[],
        actor=w.secretariat,
    )
    return achievement, w.secretariat


def _resource(w: World) -> tuple[Any, Any]:
    from lianmeng.matchmaking.services import resource_create

    org = w.make_org("版本测试资源园区")
    contact = w.make_user("member_contact", organization=org, display_name="陈园区")
    resource = resource_create(
        actor=contact,
        cmd=ResourceCreate.build(
            {
                "direction": "demand",
                "category": "finance",
                "title": "股权融资需求",
                "description": "园区企业寻求天使轮投资。",
                "cities": ["370200"],
                "tags": ["投融资"],
                "strategy_tags": [],
                "valid_until": (timezone.localdate() + datetime.timedelta(days=60)).isoformat(),
                "contact_name": "陈园区",
                "contact_phone": "13806420000",
                "contact_email": "park@example.cn",
            }
        ),
    )
    return resource, w.secretariat


def _article(w: World) -> tuple[Any, Any]:
    from lianmeng.publicity.services import article_create

    article = article_create(
        cmd=ArticleCreate.build(
            {"kind": "news", "title": "联盟召开理事会", "body": "<p>会议审议通过年度计划。</p>"}
        ),
        actor=w.secretariat,
    )
    return article, w.secretariat


def _field(name: str) -> Callable[[Any], Any]:
    return lambda obj: getattr(type(obj).objects.get(pk=obj.pk), name)


CASES = [
    Case(
        "organization",
        _org,
        "description",
        "单位简介",
        ("第一个标签页写的简介", "第二个标签页写的简介"),
        url="/members/{pk}/edit/",
        api="/api/v1/organizations/{pk}",
        api_get="/api/v1/organizations/{pk}",
    ),
    Case(
        "event",
        _event,
        "venue",
        "地点",
        ("青岛国际会展中心", "烟台八角湾国际会展中心"),
        url="/events/{pk}/edit/",
        api="/api/v1/events/{pk}",
        api_get="/api/v1/events/{pk}",
    ),
    Case(
        "event summary",
        lambda w: _event(w, held=True),
        "summary",
        "活动总结",
        ("到场 80 人，签约 3 项。", "到场 90 人。"),
        url="/events/{pk}/summary/",
        api="/api/v1/events/{pk}/summary",
        api_get="/api/v1/events/{pk}",
    ),
    Case(
        "activity settings",
        _activity_settings,
        "themed_quota",
        "每个产业园的主题活动场次（N）",
        ("3", "5"),
        url="/events/compliance/{year}/settings/",
    ),
    Case(
        "council meeting",
        _meeting,
        "place",
        "地点",
        ("威海", "潍坊"),
        url="/governance/meetings/{pk}/edit/",
        api="/api/v1/council/meetings/{pk}",
        api_get="/api/v1/council/meetings/{pk}",
    ),
    Case(
        "meeting minutes",
        lambda w: _meeting(w, held=True),
        "minutes",
        "会议纪要",
        ("会议审议通过了年度计划。", "会议讨论了年度计划。"),
        url="/governance/meetings/{pk}/",
    ),
    Case(
        "governance settings",
        _governance_settings,
        "notice_read_days",
        "通知默认阅读期限（天）",
        ("7", "9"),
        url="/governance/settings/",
    ),
    Case(
        "task",
        _task,
        "title",
        "任务名称",
        ("编制年度报告（修订）", "编制年度工作报告"),
        api="/api/v1/tasks/{pk}",
    ),
    Case(
        "expert",
        _expert,
        "keywords",
        "关键词",
        ("零工市场", "人才测评"),
        url="/library/experts/{pk}/edit/",
        api="/api/v1/experts/{pk}",
        api_get="/api/v1/experts/{pk}",
    ),
    Case(
        "project",
        _project,
        "summary",
        "项目简介",
        ("建设零工市场平台一期。", "建设零工市场平台二期。"),
        url="/library/projects/{pk}/edit/",
        api="/api/v1/projects/{pk}",
        api_get="/api/v1/projects/{pk}",
    ),
    Case(
        "achievement",
        _achievement,
        "abstract",
        "摘要",
        ("分析了胶东五市的产业规模。", "分析了产业园区布局。"),
        url="/library/achievements/{pk}/edit/",
        api="/api/v1/achievements/{pk}",
        api_get="/api/v1/achievements/{pk}",
    ),
    Case(
        "resource",
        _resource,
        "description",
        "详细说明",
        ("园区企业寻求 500 万元天使轮投资。", "园区企业寻求银行贷款。"),
        url="/resources/{pk}/edit/",
        api="/api/v1/resources/{pk}",
        api_get="/api/v1/resources/{pk}",
    ),
    Case(
        "article",
        _article,
        "summary",
        "摘要",
        ("理事会审议通过年度计划。", "理事会召开。"),
        url="/news/{pk}/edit/",
        api="/api/v1/articles/{pk}",
        api_get="/api/v1/articles/{pk}",
    ),
]
HTML_CASES = [c for c in CASES if c.url]
API_CASES = [c for c in CASES if c.api]


@pytest.fixture
def world(secretariat: Any, make_org: Any, make_user: Any, cities: Any) -> World:
    return World(secretariat=secretariat, make_org=make_org, make_user=make_user, cities=cities)


def _url(template: str, obj: Any) -> str:
    return template.format(pk=obj.pk, year=getattr(obj, "year", ""))


def _stored(case: Case, obj: Any) -> str:
    value = (case.read or _field(case.field))(obj)
    return str(value)


def _version(obj: Any) -> int:
    version: int = type(obj).objects.get(pk=obj.pk).version
    return version


@pytest.mark.parametrize("case", HTML_CASES, ids=lambda c: c.name)
def test_second_tab_is_refused_and_keeps_the_input(case: Case, world: World) -> None:
    obj, editor = case.make(world)
    client = Client()
    client.force_login(editor)
    url = _url(case.url or "", obj)
    tab1 = form_data(client.get(url).content.decode())
    tab2 = form_data(client.get(url).content.decode())
    assert tab1["version"] == tab2["version"] == [str(_version(obj))]
    first, second = case.values

    tab1[case.field] = [first]
    saved = client.post(url, tab1)
    assert saved.status_code == 302, saved.content.decode()[:3000]
    assert _stored(case, obj) == first
    assert _version(obj) == int(tab1["version"][0]) + 1

    tab2[case.field] = [second]
    refused = client.post(url, tab2)
    assert refused.status_code == 200
    page = refused.content.decode()
    assert 'id="edit-conflict"' in page
    assert "此记录已被" in page and editor.display_name in page and f"{case.label}" in page
    assert "请核对后再保存" in page
    assert first in page, "the value saved meanwhile is shown"
    assert second in page, "the user's input is kept"
    assert _stored(case, obj) == first, "nothing saved by the refused tab"
    assert _version(obj) == int(tab1["version"][0]) + 1

    # The refused form now carries the current version: saving it again (after checking) goes through.
    again = form_data(page)
    assert again["version"] == [str(_version(obj))] and again[case.field] == [second]
    assert client.post(url, again).status_code == 302
    assert _stored(case, obj) == second


@pytest.mark.parametrize("case", API_CASES, ids=lambda c: c.name)
def test_second_api_update_with_a_stale_version_is_409(case: Case, world: World, api: Any) -> None:
    obj, editor = case.make(world)
    client = api(editor)
    path = _url(case.api or "", obj)
    loaded = client.get(_url(case.api_get, obj)).json()["version"] if case.api_get else _version(obj)
    assert loaded == _version(obj)
    first, second = case.values
    method = getattr(client, case.api_method)

    ok = method(path, json.dumps({case.field: first, "version": loaded}), content_type="application/json")
    assert ok.status_code == 200, ok.content.decode()
    assert ok.json()["version"] == loaded + 1
    assert _stored(case, obj) == first

    stale = method(path, json.dumps({case.field: second, "version": loaded}), content_type="application/json")
    assert stale.status_code == 409
    assert stale["Content-Type"].startswith("application/problem+json")
    body = stale.json()
    assert body["status"] == 409 and case.field in body["changed_fields"]
    assert body["current_version"] == loaded + 1 and body["your_version"] == loaded
    assert body["changed_by"] == [editor.display_name]
    assert editor.display_name in body["detail"] and "请核对后再保存" in body["detail"]
    assert str(body["current"][case.field]) == first
    assert _stored(case, obj) == first, "nothing saved by the stale update"
    assert _version(obj) == loaded + 1

    # Without a version the API keeps its old behaviour (the last write wins) and still counts the edit.
    plain = method(path, json.dumps({case.field: second}), content_type="application/json")
    assert plain.status_code == 200 and plain.json()["version"] == loaded + 2
    assert _stored(case, obj) == second


def test_a_save_that_changes_nothing_keeps_the_version(world: World) -> None:
    from lianmeng.membership.services import organization_update

    org, editor = _org(world)
    organization_update(
        organization=org, cmd=OrganizationUpdate.build({"description": "简介", "version": 1}), actor=editor
    )
    assert _version(org) == 2
    organization_update(
        organization=org, cmd=OrganizationUpdate.build({"description": "简介", "version": 2}), actor=editor
    )
    assert _version(org) == 2, "an unchanged save does not make other tabs stale"
    entry = AuditEntry.objects.get(action="organization.update")
    assert entry.target_version == 2


def test_the_message_names_every_editor_and_field_since_the_form_was_loaded(
    world: World, make_user: Any
) -> None:
    from lianmeng.membership.services import organization_update

    org, editor = _org(world)
    other = make_user("secretariat", username="secretary2", display_name="赵秘书")
    organization_update(
        organization=org, cmd=OrganizationUpdate.build({"description": "甲", "version": 1}), actor=editor
    )
    organization_update(
        organization=org, cmd=OrganizationUpdate.build({"phone": "0532-88886666", "version": 2}), actor=other
    )
    client = Client()
    client.force_login(editor)
    data = form_data(client.get(f"/members/{org.pk}/edit/").content.decode())
    data["version"] = ["1"]
    data["address"] = ["青岛市崂山区"]
    page = client.post(f"/members/{org.pk}/edit/", data).content.decode()
    assert "王秘书、赵秘书" in page
    assert "单位简介、联系电话" in page
    assert "0532-88886666" in page
    org.refresh_from_db()
    assert org.address == "" and org.version == 3


def test_a_bad_version_is_a_field_error(world: World, api: Any) -> None:
    org, editor = _org(world)
    response = api(editor).patch(
        f"/api/v1/organizations/{org.pk}",
        json.dumps({"description": "x", "version": 0}),
        content_type="application/json",
    )
    assert response.status_code == 422 and "version" in response.json()["errors"]
    assert _version(org) == 1

"""The audit log reads as sentences: who did what to which named object, changed fields under their
labels with old -> new values (choices as labels, foreign keys as names, booleans 是/否), no Python
dicts or internal codes; mobiles, e-mails and ID numbers masked for the secretariat, shown to admins."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from lianmeng.activities.models import Event
from lianmeng.core import audit
from lianmeng.core.models import AuditEntry
from lianmeng.library.models import Expert
from lianmeng.membership.commands import OrganizationUpdate
from tests.factories import make_event

pytestmark = pytest.mark.django_db


def _page(user: Any, **params: str) -> str:
    client = Client()
    client.force_login(user)
    response = client.get("/audit/", params)
    assert response.status_code == 200
    return response.content.decode()


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def wang(make_user: Any) -> Any:
    return make_user("secretariat", username="wang", display_name="王秘书")


@pytest.fixture
def forum(make_org: Any) -> Event:
    park = make_org("青岛审计测试产业园")
    starts = timezone.now() + datetime.timedelta(days=5)
    return make_event(park, "青岛人力资源服务论坛", starts=starts, venue="B")


def test_a_change_reads_as_a_sentence_with_labels_and_names(wang: Any, forum: Event) -> None:
    audit.record(
        actor=wang,
        action="event.update",
        target=forum,
        old={"venue": "A", "kind": "themed", "city": "370600"},
        new={"venue": "B", "kind": "forum", "city": "370200"},
    )
    entry = AuditEntry.objects.get(action="event.update")
    when = f"{timezone.localtime(entry.created_at):%Y-%m-%d %H:%M}"
    text = _text(_page(wang))
    assert f"王秘书 于 {when} 修改了 活动《青岛人力资源服务论坛》" in text
    assert "地点 由“A”改为“B”" in text
    assert "活动类型 由“主题活动”改为“论坛”" in text  # choices as their labels
    assert "城市 由“烟台”改为“青岛”" in text  # foreign keys as names
    # No Python dicts, no action codes, no model labels.
    assert "{'" not in text and "event.update" not in text and "activities.event" not in text


def test_a_creation_lists_what_was_filled_in_and_booleans_read_yes_no(wang: Any, make_org: Any) -> None:
    org = make_org("烟台审计专家单位", city="烟台")
    expert = Expert.objects.create(name="李专家", organization=org, city_id=org.city_id)
    audit.record(
        actor=wang,
        action="expert.create",
        target=expert,
        new={"name": "李专家", "organization": org.pk, "publish_consent": True, "title": ""},
    )
    audit.record(
        actor=wang,
        action="expert.update",
        target=expert,
        old={"publish_consent": True},
        new={"publish_consent": False},
    )
    text = _text(_page(wang))
    assert "王秘书 于" in text and "创建了 专家《李专家》" in text
    assert "姓名：李专家" in text and "所在单位：烟台审计专家单位" in text and "同意公开个人简介：是" in text
    assert "同意公开个人简介 由“是”改为“否”" in text
    assert "职称" not in text  # an empty field of a creation is left out


def test_contacts_are_masked_for_the_secretariat_and_shown_to_administrators(
    wang: Any, make_user: Any, make_org: Any
) -> None:
    org = make_org("威海审计专家单位", city="威海")
    expert = Expert.objects.create(name="赵专家", organization=org, city_id=org.city_id)
    audit.record(
        actor=wang,
        action="expert.update",
        target=expert,
        old={"mobile": "13800001111", "email": "zhao@example.cn"},
        new={"mobile": "13900002222", "email": "zhao.new@example.cn"},
    )
    text = _text(_page(wang))
    assert "手机号码 由“138****1111”改为“139****2222”" in text
    assert "z***@example.cn" in text
    assert "13800001111" not in text and "zhao.new@example.cn" not in text
    admin = make_user("administrator", username="root", display_name="管理员甲")
    text = _text(_page(admin))
    assert "手机号码 由“13800001111”改为“13900002222”" in text and "zhao.new@example.cn" in text


def test_a_real_service_write_reads_well_in_english_too(wang: Any, make_org: Any) -> None:
    from lianmeng.membership.services import organization_update

    org = make_org("审计英文测试单位")
    organization_update(
        organization=org, cmd=OrganizationUpdate.build({"description": "改过的简介"}), actor=wang
    )
    client = Client()
    client.force_login(wang)
    client.post("/i18n/setlang/", {"language": "en", "next": "/audit/"})
    text = _text(client.get("/audit/", HTTP_ACCEPT_LANGUAGE="en").content.decode())
    assert "王秘书 on " in text and "updated" in text and "“审计英文测试单位”" in text
    assert "organization.update" not in text and "{'" not in text


def test_filtering_by_the_actors_name_and_object_kind(wang: Any, forum: Event, make_user: Any) -> None:
    audit.record(
        actor=wang, action="event.publish", target=forum, old={"status": "draft"}, new={"status": "published"}
    )
    other = make_user("secretariat", username="li", display_name="李秘书")
    audit.record(
        actor=other,
        action="event.cancel",
        target=forum,
        old={"status": "published"},
        new={"status": "cancelled"},
    )
    text = _text(_page(wang, actor="王秘书"))
    assert "发布了 活动《青岛人力资源服务论坛》" in text and "李秘书" not in text
    html = _page(wang)
    assert '<option value="activities.event">活动</option>' in html

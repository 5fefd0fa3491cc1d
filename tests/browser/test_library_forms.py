"""Library forms in a real browser at phone and desktop width (Chinese): several files chosen in one input
are kept across a failed submit and attached on the next one; a committee expert is assigned to a
consultation by typing pinyin initials in the expert picker."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from lianmeng.accounts.models import Role
from lianmeng.core.actors import SYSTEM
from lianmeng.library.commands import CommitteeAppoint, ConsultationAsk, ExpertCreate
from tests.form_helpers import WIDTHS, fits, shot, sign_in_browser

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@pytest.mark.parametrize("size", list(WIDTHS))
@pytest.mark.django_db(transaction=True)
def test_achievement_files_kept_across_a_failed_submit(
    live_server: Any, page: Any, make_org: Callable[..., Any], make_user: Callable[..., Any], size: str
) -> None:
    from lianmeng.library.models import Achievement

    contact = make_user(Role.MEMBER_CONTACT, organization=make_org("青岛海纳人力资源有限公司"))
    page.set_viewport_size(WIDTHS[size])
    sign_in_browser(page, live_server, contact)
    page.goto(f"{live_server.url}/library/achievements/new/")
    page.select_option("#id_kind", "research_report")
    page.fill("#id_authors", "李明、王芳")
    assert page.get_attribute("#id_year", "type") == "number"
    page.set_input_files(
        "#id_attachments",
        files=[
            {"name": "报告.pdf", "mimeType": "application/pdf", "buffer": PDF},
            {"name": "附录.pdf", "mimeType": "application/pdf", "buffer": PDF},
        ],
    )
    page.click("form button[type=submit]")  # the title is missing
    page.wait_for_selector("[data-field-error=title]")
    expect(page.locator("[data-pending-upload=attachments]")).to_have_text(
        "已上传：报告.pdf、附录.pdf（可更换）"
    )
    assert page.locator("[data-field-error]").count() == 1
    assert fits(page)
    shot(page, f"achievement-kept-{WIDTHS[size]['width']}")

    page.fill("#id_title", "胶东经济圈人力资源服务业发展报告")
    page.click("form button[type=submit]")
    page.wait_for_url(lambda url: "/new/" not in url)
    expect(page.locator(".alert-success, [role=status]").first).to_contain_text("附上 2 个文件")
    achievement = Achievement.objects.get()
    assert {f.original_name for f in achievement.files.all()} == {"报告.pdf", "附录.pdf"}


@pytest.mark.parametrize("size", list(WIDTHS))
@pytest.mark.django_db(transaction=True)
def test_consultation_expert_chosen_by_typing_initials(
    live_server: Any,
    page: Any,
    secretariat: Any,
    make_org: Callable[..., Any],
    make_user: Callable[..., Any],
    cities: dict[str, Any],
    size: str,
) -> None:
    from lianmeng.library import services
    from lianmeng.library.models import ConsultationAssignment

    today = timezone.localdate()
    university = make_org("青岛理工大学", kind="university")

    def expert(name: str) -> Any:
        data = {"name": name, "organization": university.pk, "city": "370200", "title": "senior"}
        return services.expert_create(cmd=ExpertCreate.build(data), actor=SYSTEM)

    qi = expert("齐林")
    expert("刘海洋")
    services.committee_appoint(
        expert=qi,
        cmd=CommitteeAppoint.build(
            post="member",
            term_start=today - datetime.timedelta(days=30),
            term_end=today + datetime.timedelta(days=700),
        ),
        actor=SYSTEM,
    )
    contact = make_user(Role.MEMBER_CONTACT, organization=make_org("青岛海纳人力资源有限公司"))
    consultation = services.consultation_ask(
        cmd=ConsultationAsk.build(
            {"title": "平台用工咨询", "question": "外卖骑手的劳动关系如何认定？", "urgency": "normal"}
        ),
        actor=contact,
    )
    page.set_viewport_size(WIDTHS[size])
    sign_in_browser(page, live_server, secretariat)
    page.goto(f"{live_server.url}/library/consultations/{consultation.pk}/")
    page.locator("#id_experts").press_sequentially("ql", delay=50)
    option = page.locator(f"#id_experts_results [data-picker-option='{qi.pk}']")
    option.wait_for()
    assert "齐林" in option.inner_text()
    option.click()
    page.wait_for_selector(f"#id_experts_picker [data-picker-chip='{qi.pk}']")
    assert fits(page)
    shot(page, f"consultation-assign-{WIDTHS[size]['width']}")
    page.click("#assign-form button[type=submit]")
    expect(page.locator("body")).to_contain_text("已分派给 齐林")
    assert list(ConsultationAssignment.objects.values_list("expert_id", flat=True)) == [qi.pk]

"""Forms that succeed the first time, in a real browser at phone and desktop width (Chinese):
every error in one submit, the letter kept across a failed submit, checks as one types, and the
type-ahead organization picker of the event form."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from lianmeng.core.demo_support import make_uscc
from lianmeng.membership.models import ApplicationStatus, MembershipApplication
from tests.form_helpers import WIDTHS, fits, shot, sign_in_browser

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@pytest.mark.parametrize("size", list(WIDTHS))
@pytest.mark.django_db(transaction=True)
def test_application_all_errors_at_once_then_success_without_rechoosing_the_file(
    live_server: Any, page: Any, cities: Any, size: str
) -> None:
    page.set_viewport_size(WIDTHS[size])
    page.goto(f"{live_server.url}/members/apply/")
    name = "青岛海纳人力资源有限公司"
    page.fill("#id_name", name)
    page.locator("#id_uscc").press_sequentially(make_uscc(name, division="370200", kind="enterprise"))
    page.select_option("#id_kind", "enterprise")
    page.select_option("#id_city", "370200")
    page.fill("#id_contact_name", "赵海")
    page.fill("#id_contact_email", "zhao@example.cn")
    # The mobile is checked as it is typed (htmx, the same validator as the service).
    page.locator("#id_contact_mobile").press_sequentially("12345", delay=30)
    page.wait_for_selector("#id_contact_mobile_feedback [data-field-error]")
    assert "11 位" in page.inner_text("#id_contact_mobile_feedback")
    page.wait_for_selector("#id_uscc_feedback [data-field-ok]")  # a valid, new USCC says so

    # A fake PDF and a bad mobile: both messages after one submit.
    page.set_input_files(
        "#id_letter",
        files=[{"name": "承诺书.pdf", "mimeType": "application/pdf", "buffer": b"<html>x</html>"}],
    )
    page.click("#apply-form button[type=submit]")
    page.wait_for_selector("[data-field-error=letter]")
    assert "文件类型" in page.inner_text("[data-field-error=letter]")
    assert "11 位" in page.inner_text("[data-field-error=contact_mobile]")
    assert page.input_value("#id_name") == name
    assert fits(page)
    shot(page, f"application-errors-{WIDTHS[size]['width']}")

    # The real letter with the mobile still wrong: kept, and the page says so.
    page.set_input_files(
        "#id_letter", files=[{"name": "承诺书.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.click("#apply-form button[type=submit]")
    page.wait_for_selector("[data-pending-upload=letter]")
    assert page.inner_text("[data-pending-upload=letter]") == "已上传：承诺书.pdf（可更换）"
    assert page.locator("[data-field-error]").count() == 1
    shot(page, f"application-kept-{WIDTHS[size]['width']}")

    # Fix the mobile and submit without choosing the file again.
    page.fill("#id_contact_mobile", "13806421234")
    page.click("#apply-form button[type=submit]")
    page.wait_for_url(lambda url: "/members/apply/" in url and url.rstrip("/").count("/") > 4)
    application = MembershipApplication.objects.get()
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.letter.read() == PDF


@pytest.mark.parametrize("size", list(WIDTHS))
@pytest.mark.django_db(transaction=True)
def test_event_organizer_picked_by_typing_pinyin_initials(
    live_server: Any,
    page: Any,
    secretariat: Any,
    make_org: Callable[..., Any],
    size: str,
) -> None:
    park = make_org("青岛人力资源服务产业园", city="青岛")
    make_org("烟台人力资源服务产业园", city="烟台")
    partner = make_org("青岛大学", city="青岛", kind="university")
    page.set_viewport_size(WIDTHS[size])
    sign_in_browser(page, live_server, secretariat)
    page.goto(f"{live_server.url}/events/new/")
    page.fill("#id_title", "人力资源服务创新论坛")
    page.select_option("#id_kind", "forum")

    page.locator("#id_organizer").press_sequentially("qd", delay=50)
    option = page.locator(f"#id_organizer_results [data-picker-option='{park.pk}']")
    # Focusing the field lists every organization at once; the list for "qd" replaces it after the
    # typing pause. Wait for that list (expect retries), not for the first option to appear.
    expect(page.locator("#id_organizer_results [data-picker-option]")).to_have_text(
        ["青岛 · 青岛大学", "青岛 · 青岛人力资源服务产业园"]  # 烟台 not offered
    )
    option.click()
    expect(page.locator("#id_organizer_picker input[name=organizer]")).to_have_value(str(park.pk))
    assert page.input_value("#id_organizer") == "青岛 · 青岛人力资源服务产业园"

    # A multiple picker: the partner becomes a chip.
    page.locator("#id_partners").press_sequentially("青岛", delay=50)
    page.locator(f"#id_partners_results [data-picker-option='{partner.pk}']").click()
    page.wait_for_selector(f"#id_partners_picker [data-picker-chip='{partner.pk}']")
    assert page.get_attribute("#id_capacity", "type") == "number"
    assert fits(page)
    shot(page, f"event-form-{WIDTHS[size]['width']}")

    page.fill("#id_starts_at", "2026-12-10T09:00")
    page.fill("#id_ends_at", "2026-12-10T17:00")
    page.fill("#id_venue", "青岛国际会议中心")
    page.fill("#id_capacity", "120")
    page.click("form button[type=submit]")
    page.wait_for_url(lambda url: "/events/new/" not in url)
    from lianmeng.activities.models import Event

    event = Event.objects.get()
    assert event.organizer_id == park.pk
    assert list(event.partners.values_list("pk", flat=True)) == [partner.pk]
    assert event.capacity == 120

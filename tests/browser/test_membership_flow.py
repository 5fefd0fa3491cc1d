"""An organization applies, is reviewed and admitted; its contact edits the profile; others cannot."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from lianmeng.accounts.models import Role
from lianmeng.core.demo_support import make_uscc

pytestmark = pytest.mark.django_db(transaction=True)

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def test_apply_review_admit_edit(
    page: Page,
    live_server: Any,
    cities: Any,
    secretariat: Any,
    make_user: Any,
    make_org: Any,
    login: Any,
    tmp_path: Path,
) -> None:
    other_member = make_user(
        Role.MEMBER_CONTACT, organization=make_org("烟台其他园区", city="烟台"), username="other"
    )
    letter = tmp_path / "承诺书.pdf"
    letter.write_bytes(PDF)
    name = "青岛海智人力资源科技有限公司"
    good_uscc = make_uscc(name, division="370200", kind="enterprise")

    # 1. The applicant makes a typo in the USCC and sees the error at the field.
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(f"{live_server.url}/members/apply/")
    page.fill("#id_name", name)
    page.fill("#id_uscc", good_uscc[:-1] + ("0" if good_uscc[-1] != "0" else "1"))
    page.select_option("#id_kind", "enterprise")
    page.select_option("#id_city", "370200")
    page.fill("#id_contact_name", "赵海")
    page.fill("#id_contact_mobile", "13806421234")
    page.fill("#id_contact_email", "zhao@example.cn")
    page.set_input_files("#id_letter", str(letter))
    page.click("#apply-form button[type=submit]")
    expect(page.locator('[data-field-error="uscc"]')).to_contain_text("校验位")
    expect(page.locator("#id_uscc")).to_have_class(re.compile("is-invalid"))

    # 2. Corrects it (the file must be chosen again after a failed upload) and submits.
    page.fill("#id_uscc", good_uscc)
    page.set_input_files("#id_letter", str(letter))
    page.click("#apply-form button[type=submit]")
    expect(page.locator("#application-status")).to_contain_text("已提交")
    tracking_url = page.locator("#tracking-url").inner_text()

    # 3. The secretariat forwards and admits it.
    secretary_page = page.context.browser.new_page()
    login(secretary_page, "secretary")
    secretary_page.goto(f"{live_server.url}/members/applications/")
    secretary_page.click(f"text={name}")
    secretary_page.click("button[value=forward]")
    expect(secretary_page.locator("#application-status")).to_contain_text("待决定")
    asked: list[str] = []
    secretary_page.once("dialog", lambda d: (asked.append(d.message), d.accept()))
    secretary_page.click("button[value=admit]")
    expect(secretary_page.locator("#application-status")).to_contain_text("已入盟")
    assert name in asked[0]  # the confirmation says whom admitting creates
    secretary_page.close()

    # The applicant's private link shows the decision.
    page.goto(tracking_url)
    expect(page.locator("#application-status")).to_contain_text("已入盟")

    # 4. The new contact sets a password from the welcome mail, logs in and edits the profile.
    welcome = next(m for m in mail.outbox if "13806421234" in m.body)
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/\S+)", welcome.body).group(1)
    page.goto(live_server.url + link)
    page.fill("#id_new_password1", "haizhi-talent-2026")
    page.fill("#id_new_password2", "haizhi-talent-2026")
    page.click("form button[type=submit]")
    login(page, "13806421234", "haizhi-talent-2026")
    page.goto(f"{live_server.url}/members/?q=海智")
    page.click(f"text={name}")
    page.click("#edit-organization")
    page.fill("#id_description", "专注人力资源数字化服务。")
    page.click("form button[type=submit]")
    expect(page.locator("#org-description")).to_have_text("专注人力资源数字化服务。")
    org_url = page.url

    # 5. Another member sees no edit button and is refused at the edit URL.
    other_page = page.context.browser.new_page()
    login(other_page, other_member.username)
    other_page.goto(org_url)
    expect(other_page.locator("#edit-organization")).to_have_count(0)
    response = other_page.goto(org_url + "edit/")
    assert response is not None and response.status == 403
    other_page.close()


def test_directory_search_in_the_browser(page: Page, live_server: Any, make_org: Any) -> None:
    make_org("中国青岛人力资源服务产业园")
    make_org("潍坊科技发展联盟", city="潍坊", kind="association")
    page.goto(f"{live_server.url}/members/")
    page.fill("#q", "聯盟")
    page.press("#q", "Enter")
    results = page.locator("#directory-results")
    expect(results).to_contain_text("潍坊科技发展联盟")
    expect(results.locator("mark")).to_have_text("联盟")
    expect(results).not_to_contain_text("中国青岛人力资源服务产业园")

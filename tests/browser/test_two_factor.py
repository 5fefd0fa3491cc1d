"""Two-factor sign-in in a real browser: a secretariat member scans the QR code with a phone app,
signs out, signs in again with the app's code, and once more with a recovery code."""

from __future__ import annotations

from base64 import b32decode
from pathlib import Path
from typing import Any

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


def _phone_app_code(secret: str, user: Any) -> str:
    """What an authenticator app shows for the scanned secret. A code is good once: when this test
    signs in twice within 30 seconds it waits, as a person would, for the app's next code (simulated
    by asking for the next time step, which the server accepts as clock drift of one step)."""
    key = b32decode(secret + "=" * (-len(secret) % 8))
    totp = TOTP(key)
    device = TOTPDevice.objects.filter(user=user).order_by("-pk").first()
    if device is not None and totp.t() <= device.last_t:
        totp.time = (device.last_t + 1) * 30
    return f"{totp.token():06d}"


def _no_horizontal_scroll(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def _password_step(page: Any, url: str) -> None:
    page.goto(f"{url}/accounts/login/")
    page.fill("#id_username", "secretary")
    page.fill("#id_password", "correct-horse-battery")
    page.click("form button[type=submit]")


@pytest.mark.django_db(transaction=True)
def test_secretariat_enrols_an_authenticator_and_signs_in_with_it(
    live_server: Any, page: Any, secretariat: Any
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    url = live_server.url

    # The password alone leads to the set-up page, whatever page was asked for.
    page.goto(f"{url}/governance/")
    page.wait_for_url("**/accounts/login/**")
    page.fill("#id_username", "secretary")
    page.fill("#id_password", "correct-horse-battery")
    page.click("form button[type=submit]")
    page.wait_for_url("**/accounts/two-factor/setup/**")
    assert page.locator("#totp-qr svg").is_visible()
    qr = page.locator("#totp-qr svg").bounding_box()
    assert qr is not None and qr["width"] >= 150  # large enough to scan from a screen

    page.set_viewport_size(DESKTOP)
    page.screenshot(path=str(SHOTS / "two-factor-setup-desktop.png"), full_page=True)
    page.set_viewport_size(PHONE)
    assert _no_horizontal_scroll(page)
    page.screenshot(path=str(SHOTS / "two-factor-setup-phone.png"), full_page=True)

    # "Scanning": the phone app holds the secret that the QR code carries (also printed below it).
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    device = TOTPDevice.objects.get(user=secretariat, confirmed=False)
    assert b32decode(secret + "=" * (-len(secret) % 8)) == device.bin_key
    page.fill("#id_otp", _phone_app_code(secret, secretariat))
    page.click("form button[type=submit]:has-text('完成设置')")
    page.wait_for_url("**/accounts/two-factor/recovery-codes/")
    codes = [c.strip() for c in page.locator("[data-recovery-code]").all_inner_texts()]
    assert len(codes) == 10
    page.screenshot(path=str(SHOTS / "two-factor-codes-phone.png"), full_page=True)
    page.click("text=我已保存，继续")
    page.wait_for_url("**/governance/")

    # Sign out, sign in again: the code page, then the app's next code.
    with page.expect_navigation():
        page.evaluate("document.querySelector(\"form[action='/accounts/logout/']\").requestSubmit()")
    page.goto(f"{url}/desk/")
    page.wait_for_url("**/accounts/login/**")
    _password_step(page, url)
    page.wait_for_url("**/accounts/two-factor/?next=**")
    page.fill("#id_otp", _phone_app_code(secret, secretariat))
    page.click("form button[type=submit]:has-text('验证并登录')")
    page.wait_for_url(lambda u: "/accounts/two-factor/" not in u)
    page.goto(f"{url}/accounts/profile/")
    assert page.locator("#two-factor").get_by_text("已启用").is_visible()

    # The phone is left at home: a recovery code, once.
    page.context.clear_cookies()
    _password_step(page, url)
    page.wait_for_url("**/accounts/two-factor/?next=**")
    page.fill("#id_otp", codes[0])
    page.click("form button[type=submit]:has-text('验证并登录')")
    page.wait_for_url(lambda u: "/accounts/two-factor/" not in u)
    assert page.get_by_text("还剩 9 个").is_visible()

    page.context.clear_cookies()
    _password_step(page, url)
    page.wait_for_url("**/accounts/two-factor/?next=**")
    page.fill("#id_otp", codes[0])
    with page.expect_navigation():
        page.click("form button[type=submit]:has-text('验证并登录')")
    # The used code is refused: the same page comes back with the message under the field.
    expect(page.locator("[data-field-error=otp]")).to_be_visible()
    assert "/accounts/two-factor/" in page.url

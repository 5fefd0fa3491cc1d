"""Screenshots of pages at phone (390x844) and desktop (1366x900) width, in Chinese (``--lang en``: English).

Usage: python scripts/screenshots.py BASE_URL OUT_DIR [--login USER] PATH...

Accounts with two-factor sign-in get the code of ``--otp-secret`` (default: the demo secret of
demo-secretariat and demo-admin, README "Demo accounts"). The script signs in once and both widths use
that session: a code is good only once, so a second sign-in within the same 30 seconds was refused (the
desktop pass used to fail there). When the code is refused (a code already used in this time step), it
waits for the next step and tries once more, then one of ``--recovery-code`` if given.
"""

from __future__ import annotations

import argparse
import re
import time
from base64 import b32decode
from pathlib import Path
from typing import Any

from django_otp.oath import TOTP
from playwright.sync_api import sync_playwright

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def _second_factor(page: Any, secret: str, recovery: list[str]) -> None:
    """Pass the code page: the current TOTP code, else the next step's, else a recovery code."""
    for code in [f"{TOTP(b32decode(secret)).token():06d}", "next", *recovery]:
        if code == "next":  # this step's code was used already (django-otp refuses a replay)
            time.sleep(30 - time.time() % 30 + 1)
            code = f"{TOTP(b32decode(secret)).token():06d}"
        page.fill("#id_otp", code)
        page.click("form button[type=submit]")
        page.wait_for_load_state()
        if "/accounts/two-factor/" not in page.url:
            return
    raise SystemExit("the second factor was refused: check --otp-secret or give --recovery-code")


def _sign_in(browser: Any, args: argparse.Namespace) -> Any:
    """Sign in once; the session's cookies are reused for every viewport."""
    context = browser.new_context(locale=args.lang, extra_http_headers={"Accept-Language": args.lang})
    page = context.new_page()
    page.goto(args.base + "/accounts/login/")
    page.fill("#id_username", args.login)
    page.fill("#id_password", args.password)
    page.click("form button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    if "/accounts/two-factor/" in page.url:
        _second_factor(page, args.otp_secret, args.recovery_code)
    state = context.storage_state()
    context.close()
    return state


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("base")
    parser.add_argument("out")
    parser.add_argument("--login")
    parser.add_argument("--password", default="lianmeng-demo")
    parser.add_argument("--otp-secret", default="NRUWC3TNMVXGOLLEMVWW6LLUN52HALJS")
    parser.add_argument("--recovery-code", action="append", default=[], help="tried after the TOTP codes")
    parser.add_argument("--lang", default="zh-CN")
    parser.add_argument("--phone-width", type=int, default=390)
    parser.add_argument("paths", nargs="+")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        state = _sign_in(browser, args) if args.login else None
        for label, viewport in (
            ("phone", {"width": args.phone_width, "height": 844}),
            ("desktop", {"width": 1366, "height": 900}),
        ):
            context = browser.new_context(
                viewport=viewport,
                locale=args.lang,
                extra_http_headers={"Accept-Language": args.lang},
                storage_state=state,
            )
            # The site speaks Chinese unless the language cookie says otherwise (the header alone is not
            # enough): the same cookie the language switch sets.
            language = "en" if args.lang.lower().startswith("en") else "zh-hans"
            context.add_cookies([{"name": "django_language", "value": language, "url": args.base}])
            page = context.new_page()
            for path in args.paths:
                page.goto(args.base + path)
                name = re.sub(r"[^a-zA-Z0-9]+", "_", path).strip("_") or "home"
                page.screenshot(path=str(out / f"{name}-{label}.png"), full_page=True)
            context.close()
        browser.close()


if __name__ == "__main__":
    main()

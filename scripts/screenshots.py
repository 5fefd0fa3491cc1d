"""Screenshots of pages at phone (375x812) and desktop (1366x900) width, in Chinese.

Usage: python scripts/screenshots.py BASE_URL OUT_DIR [--login USER] PATH...

Accounts with two-factor sign-in get the code of ``--otp-secret`` (default: the demo secret of
demo-secretariat and demo-admin, README "Demo accounts").
"""

from __future__ import annotations

import argparse
import re
from base64 import b32decode
from pathlib import Path

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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("base")
    parser.add_argument("out")
    parser.add_argument("--login")
    parser.add_argument("--password", default="lianmeng-demo")
    parser.add_argument("--otp-secret", default="NRUWC3TNMVXGOLLEMVWW6LLUN52HALJS")
    parser.add_argument("--lang", default="zh-CN")
    parser.add_argument("paths", nargs="+")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for label, viewport in (
            ("phone", {"width": 375, "height": 812}),
            ("desktop", {"width": 1366, "height": 900}),
        ):
            context = browser.new_context(
                viewport=viewport, locale=args.lang, extra_http_headers={"Accept-Language": args.lang}
            )
            page = context.new_page()
            if args.login:
                page.goto(args.base + "/accounts/login/")
                page.fill("#id_username", args.login)
                page.fill("#id_password", args.password)
                page.click("form button[type=submit]")
                page.wait_for_load_state()
                if "/accounts/two-factor/" in page.url:
                    # A code is good once: the second sign-in takes the next time step (allowed drift).
                    totp = TOTP(b32decode(args.otp_secret))
                    totp.time += 30 * (label == "desktop")
                    page.fill("#id_otp", f"{totp.token():06d}")
                    page.click("form button[type=submit]")
                    page.wait_for_load_state()
            for path in args.paths:
                page.goto(args.base + path)
                name = re.sub(r"[^a-zA-Z0-9]+", "_", path).strip("_") or "home"
                page.screenshot(path=str(out / f"{name}-{label}.png"), full_page=True)
            context.close()
        browser.close()


if __name__ == "__main__":
    main()

"""Screenshots of pages at phone (375x812) and desktop (1366x900) width, in Chinese.

Usage: python scripts/screenshots.py BASE_URL OUT_DIR [--login USER] PATH...
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

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
            for path in args.paths:
                page.goto(args.base + path)
                name = re.sub(r"[^a-zA-Z0-9]+", "_", path).strip("_") or "home"
                page.screenshot(path=str(out / f"{name}-{label}.png"), full_page=True)
            context.close()
        browser.close()


if __name__ == "__main__":
    main()

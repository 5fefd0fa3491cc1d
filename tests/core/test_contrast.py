"""WCAG AA contrast of the top bar, computed from the site CSS: link colour (white at the alpha the CSS
sets, blended over the bar's background) against the background must reach 4.5:1."""

from __future__ import annotations

import re
from pathlib import Path

CSS = Path(__file__).resolve().parents[2] / "lianmeng" / "core" / "static" / "css" / "lianmeng.css"


def _luminance(rgb: tuple[float, float, float]) -> float:
    def channel(c: float) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _hex(value: str) -> tuple[float, float, float]:
    value = value.lstrip("#")
    return (int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16))


def _topbar_colours() -> tuple[tuple[float, float, float], tuple[float, float, float]]:
    css = CSS.read_text(encoding="utf-8")
    primary = _hex(re.search(r"--lm-primary:\s*(#[0-9a-fA-F]{6})", css).group(1))  # type: ignore[union-attr]
    rule = re.search(r"\.lm-topbar\s*\{([^}]*)\}", css).group(1)  # type: ignore[union-attr]
    assert "var(--lm-primary)" in rule
    m = re.search(r"--bs-navbar-color:\s*rgba\(\s*(\d+),\s*(\d+),\s*(\d+),\s*([\d.]+)\s*\)", rule)
    assert m, "the top bar sets its link colour"
    r, g, b, alpha = (float(x) for x in m.groups())
    link = tuple(alpha * c + (1 - alpha) * p for c, p in zip((r, g, b), primary, strict=True))
    return link, primary  # type: ignore[return-value]


def test_contrast_formula_matches_known_values() -> None:
    assert round(contrast((255, 255, 255), (0, 0, 0)), 1) == 21.0
    # Bootstrap's default navbar-dark link colour on the bar: the 4.15:1 the issue measured.
    primary = _hex("#0b3d91")
    default = tuple(0.55 * 255 + 0.45 * p for p in primary)
    assert round(contrast(default, primary), 2) == 4.15  # type: ignore[arg-type]


def test_topbar_links_reach_wcag_aa() -> None:
    link, background = _topbar_colours()
    assert contrast(link, background) >= 4.5, contrast(link, background)

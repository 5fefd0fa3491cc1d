"""Rich text is sanitised with nh3: hostile HTML loses every way to run script."""

from __future__ import annotations

import pytest

from lianmeng.publicity.services import plain_text, sanitize_body

pytestmark = pytest.mark.one_pass  # pure functions, no database

HOSTILE = """
<p onclick="alert(1)">正文<script>alert('xss')</script>继续</p>
<img src="x" onerror="alert(2)"><img src="javascript:alert(3)">
<a href="javascript:alert(4)">点我</a><a href="https://example.cn/a" target="_blank">链接</a>
<iframe src="https://evil.example/"></iframe><style>body{display:none}</style>
<svg><g onload="alert(5)"></g></svg><math><mi xlink:href="javascript:alert(6)">x</mi></math>
<div style="background:url(javascript:alert(7))">块</div><object data="evil.swf"></object>
<form action="https://evil.example/"><input name="pwd"></form>
<!-- <script>alert(8)</script> --><p>结尾</p>
"""


def test_hostile_html_keeps_text_and_loses_all_script() -> None:
    clean = sanitize_body(HOSTILE)
    lowered = clean.lower()
    for bad in ("<script", "onclick", "onerror", "onload", "javascript:", "<iframe", "<style", "<svg", "<math",
                "style=", "<object", "<form", "<input", "<!--"):  # fmt: skip
        assert bad not in lowered, bad
    assert "正文" in clean and "继续" in clean and "结尾" in clean
    assert '<a href="https://example.cn/a" rel="noopener noreferrer nofollow">链接</a>' in clean


def test_allowed_formatting_survives() -> None:
    html = "<h2>标题</h2><p><strong>加粗</strong>与<em>强调</em></p><ul><li>一</li></ul>"
    assert sanitize_body(html) == html


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("第一段\n\n第二段 <3", "<p>第一段</p><p>第二段 &lt;3</p>"),
        ("一行", "<p>一行</p>"),
    ],
)
def test_plain_text_becomes_paragraphs(text: str, expected: str) -> None:
    assert sanitize_body(text) == expected


def test_plain_text_of_a_body() -> None:
    assert plain_text("<p>联盟&amp;园区</p><p>合作</p>") == "联盟&园区合作"
